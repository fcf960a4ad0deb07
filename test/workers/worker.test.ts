/**
 * The app inside workerd (the Cloudflare Workers runtime), through the real Worker entry,
 * on a real libSQL server over HTTP.
 */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('Mamori on Workers', () => {
  it('answers /healthz from workerd with the database reachable', async () => {
    const res = await SELF.fetch('http://acs.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('makes a database round-trip through Drizzle on @libsql/client/web', async () => {
    const { createClient } = await import('@libsql/client/web');
    const { createDatabase } = await import('../../src/db/client.ts');
    const { binRanges } = await import('../../src/db/schema.ts');
    const { eq } = await import('drizzle-orm');
    const db = createDatabase(createClient({ url: env.DATABASE_URL }));
    const label = `workers-${crypto.randomUUID()}`;
    await db.insert(binRanges).values({ brand: 'jcb', rangeStart: '354012', rangeEnd: '354012', label, createdAt: Date.now() });
    const rows = await db.select().from(binRanges).where(eq(binRanges.label, label));
    expect(rows).toHaveLength(1);
    expect(rows[0].brand).toBe('jcb');
  });

  it('serves the landing page and static files with the strict headers', async () => {
    const page = await SELF.fetch('http://acs.test/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('本人認証サービス');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const css = await SELF.fetch('http://acs.test/static/css/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });
});
