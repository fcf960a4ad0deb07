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

describe('the ACS on Workers', () => {
  it('answers an AReq with a durable ARes and serves the challenge page for C', async () => {
    const { browserAReq } = await import('../../src/sandbox/areq-builder.ts');
    const { demoCard } = await import('../../src/sandbox/demo-issuer.ts');
    const { encodeJsonBase64Url } = await import('../../src/protocol/base64url.ts');
    const post = (areq: unknown) =>
      SELF.fetch('https://acs.test/3ds/areq', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(areq) });

    const frictionless = await post(browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '1500' }));
    expect(frictionless.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const y = (await frictionless.json()) as Record<string, string>;
    expect(y).toMatchObject({ messageType: 'ARes', transStatus: 'Y', eci: '05' });
    expect(y.authenticationValue).toHaveLength(28);

    const ares = (await (await post(browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99000' }))).json()) as Record<string, string>;
    expect(ares).toMatchObject({ transStatus: 'C', acsURL: 'https://acs.test/3ds/challenge' });
    const creq = encodeJsonBase64Url({ messageType: 'CReq', messageVersion: ares.messageVersion, threeDSServerTransID: ares.threeDSServerTransID, acsTransID: ares.acsTransID, challengeWindowSize: '02' });
    const page = await SELF.fetch('https://acs.test/3ds/challenge', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ creq }).toString(),
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const html = await page.text();
    expect(html).toContain('name="memberId"');
    expect(html).toContain('Visa Secure');
  });

  it('answers a broken AReq with an Erro, not a 5xx', async () => {
    const res = await SELF.fetch('https://acs.test/3ds/areq', { method: 'POST', body: '{"messageType":"AReq",' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messageType: 'Erro', errorCode: '101', errorComponent: 'A' });
  });
});
