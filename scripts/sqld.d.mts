export function sqldBinary(): string;
export function freePort(): Promise<number>;
export function startSqld(options: { dbPath: string; port?: number; quiet?: boolean }): Promise<{ url: string; stop: () => Promise<void> }>;
