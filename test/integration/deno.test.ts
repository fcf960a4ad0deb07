/**
 * The same app on Deno: the README's Deno command (`npm run start:deno`) serves /healthz and
 * the landing page from an embedded libSQL file, with the migrations applied on start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sqld.mjs';

describe('Deno entry', () => {
  it('serves /healthz and / on an embedded database', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mamori-deno-'));
    const child = spawn('npm', ['run', '--silent', 'start:deno'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'mamori.db')}`, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
      detached: true,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      let health: Response | undefined;
      for (let i = 0; i < 300 && !health; i++) {
        health = await fetch(`${base}/healthz`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health?.status).toBe(200);
      expect(await health!.json()).toEqual({ status: 'ok' });
      const page = await fetch(`${base}/`);
      expect(await page.text()).toContain('本人認証サービス');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  }, 90_000);
});
