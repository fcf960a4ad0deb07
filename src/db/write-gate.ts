/**
 * Waiting for another process's write lock without stopping this one (Node and Deno, embedded file).
 *
 * SQLite has one write lock per file. A connection that finds it taken waits in SQLite's busy
 * handler, which sleeps inside the call: the embedded driver is synchronous, so while a CLI import
 * held the lock for a batch, the server's whole event loop stood still (no read, no page, no timer,
 * not even the deadline that should have ended the wait), and the busy handler's sleeps (up to
 * 100 ms at a time) often missed the moment the lock came free, so the import took it again first.
 *
 * So before each write this process looks whether the lock is free, on a connection of its own
 * that never waits (busy timeout 0): `BEGIN IMMEDIATE` then `ROLLBACK`, some ten microseconds. While
 * another process holds the lock it looks again a millisecond later, on a timer, and the event loop
 * serves everything else meanwhile; once the lock is free the write starts in the same turn of the
 * event loop. Should another process take the lock in between, the write waits in the busy handler
 * as before (nothing is lost, only that wait is not cooperative). After `maxWaitMs` of looking the
 * write goes ahead and the busy handler's own timeout decides.
 *
 * The in-process order of writers is serializeWrites' (client.ts): the gate only looks outward.
 */
import type { Client } from '@libsql/client';
import { aroundWrites } from './client.ts';
import { nativeDatabaseClass, type NativeDatabase } from './native-driver.ts';

export interface WriteGateOptions {
  /** How long to look for a free lock before leaving the wait to SQLite's busy handler. */
  maxWaitMs: number;
  /** How often to look while it is taken. */
  pollMs?: number;
}

/** `client` with every write started only once the file's write lock is free (see above). */
export function gateWrites(client: Client, path: string, options: WriteGateOptions): Client {
  const gate = writeLockGate(path, options);
  return aroundWrites(client, {
    write: async (run) => {
      await gate.free();
      return run();
    },
    transaction: async (open) => {
      await gate.free();
      return open();
    },
    close: () => gate.close(),
  });
}

export interface WriteLockGate {
  /** Resolves once the write lock is free (or `maxWaitMs` has passed, or the file cannot say). */
  free(): Promise<void>;
  close(): void;
}

export function writeLockGate(path: string, { maxWaitMs, pollMs = 1 }: WriteGateOptions): WriteLockGate {
  let probe: NativeDatabase | undefined;
  let closed = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** True when the lock was free a moment ago; false while another connection holds it. */
  const lockIsFree = (): boolean => {
    try {
      probe ??= new (nativeDatabaseClass())(path, { timeout: 0 });
      probe.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // Anything but "locked" (a read-only file, a closed probe) is for the write itself to report.
      return (error as { code?: string }).code !== 'SQLITE_BUSY';
    }
    try {
      probe.exec('ROLLBACK');
    } catch {
      closeProbe(); // never keep the lock: a closed connection holds none
    }
    return true;
  };
  const closeProbe = () => {
    try {
      probe?.close();
    } catch {
      // already closed with the process's other connections
    }
    probe = undefined;
  };
  return {
    async free() {
      if (closed || lockIsFree()) return;
      const until = performance.now() + maxWaitMs;
      while (!closed && performance.now() < until) {
        await sleep(pollMs);
        if (lockIsFree()) return;
      }
    },
    close() {
      closed = true;
      closeProbe();
    },
  };
}
