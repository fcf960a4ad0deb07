/**
 * The embedded libSQL driver's Database class (Node and Deno), the one @libsql/client opens its
 * connections with: resolved from the client's own dependencies, so it is the same module.
 */
import { createRequire } from 'node:module';

export interface NativeStatement {
  safeIntegers(toggle?: boolean): NativeStatement;
  raw(raw?: boolean): NativeStatement;
  columns(): unknown[];
}
export interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
}
export type NativeDatabaseClass = { new (path: string, options?: { timeout?: number }): NativeDatabase; prototype: NativeDatabase };

export function nativeDatabaseClass(): NativeDatabaseClass {
  const require = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
  return require('libsql') as NativeDatabaseClass;
}
