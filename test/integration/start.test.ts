/** The Node entry refuses to start with a bad configuration, in one line naming the variable. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function start(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-start-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
    env: { PATH: process.env.PATH, DATABASE_URL: `file:${join(dir, 'm.db')}`, PORT: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, lines: run.stderr.trim().split('\n').filter(Boolean) };
}

describe('start-up configuration', () => {
  it('refuses production without the secrets, naming the first missing one', () => {
    const { status, lines } = start({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp' });
    expect(status).toBe(1);
    expect(lines).toEqual(['Invalid configuration: PAN_LOOKUP_KEY is required in production']);
  });

  it('refuses the sandbox in production and an invalid value anywhere', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const secrets = { PAN_LOOKUP_KEY: key, PAN_ENCRYPTION_KEY: key, AUTH_VALUE_KEY: key, SESSION_SECRET: key };
    expect(start({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', SANDBOX: 'true', ...secrets }).lines).toEqual([
      'Invalid configuration: SANDBOX cannot be enabled in production',
    ]);
    const bad = start({ NODE_ENV: 'development', MAX_AUTH_ATTEMPTS: 'many' });
    expect(bad.status).toBe(1);
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatch(/^Invalid configuration: MAX_AUTH_ATTEMPTS /);
  });
});
