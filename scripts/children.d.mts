import type { ChildProcess, SpawnOptions } from 'node:child_process';
export function spawnGroup(command: string, args: string[], options?: SpawnOptions): ChildProcess & { exited: Promise<number | null> };
export function stopGroup(child: ChildProcess, options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
export function stopOnSignals(stop: () => unknown): void;
