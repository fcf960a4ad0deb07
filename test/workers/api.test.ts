/**
 * The integration API inside workerd, through the real Worker entry, on a real sqld: a key made
 * for the first issuer (by the domain's own function, over HTTP to sqld), a demo card blocked as
 * stolen through the API, and the next AReq answered R/10; the OpenAPI document is served too.
 */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const ORIGIN = 'https://acs.test';

async function workerDb() {
  const { createClient } = await import('@libsql/client/web');
  const { createDatabase } = await import('../../src/db/client.ts');
  return createDatabase(createClient({ url: env.DATABASE_URL }));
}

describe('the integration API on Workers', () => {
  it('blocks a demo card through the API, and the next AReq is answered R/10', async () => {
    const { browserAReq } = await import('../../src/sandbox/areq-builder.ts');
    const { demoCard } = await import('../../src/sandbox/demo-issuer.ts');
    const { createApiKey } = await import('../../src/api/keys.ts');
    const { issuers } = await import('../../src/db/schema.ts');
    const { asc } = await import('drizzle-orm');

    // The Worker seeds the demo issuer on its first request.
    expect((await SELF.fetch(`${ORIGIN}/sandbox/staff`, { headers: { accept: 'application/json' } })).status).toBe(200);
    const db = await workerDb();
    const [first] = await db.select({ id: issuers.id }).from(issuers).orderBy(asc(issuers.id)).limit(1);
    const { key } = await createApiKey({ db, clock: { now: () => Date.now() } }, { issuerId: first.id, name: 'workers test', permissions: ['cards.write', 'cards.read'], sources: [] }, { actor: { type: 'system', name: 'test' } });

    const api = (path: string, body: unknown) =>
      SELF.fetch(`${ORIGIN}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify(body),
      });
    const areq = async (pan: string) =>
      (await (await SELF.fetch(`${ORIGIN}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(browserAReq({ pan, purchaseAmount: '1500' })) })).json()) as Record<string, string>;

    // A card no other workers test uses, so the order of the files does not matter.
    const pan = demoCard('jcb-two-cards').pan;
    expect(await areq(pan)).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
    const blocked = await api('/api/v1/cards/block', { pan, reason: 'stolen' });
    expect(blocked.status).toBe(200);
    expect(await blocked.json()).toMatchObject({ card: { pan: `356999******${pan.slice(-4)}`, status: 'stolen' } });
    expect(await areq(pan)).toMatchObject({ messageType: 'ARes', transStatus: 'R', transStatusReason: '10' });

    const read = await api('/api/v1/cards/status', { pan });
    expect(await read.json()).toMatchObject({ card: { status: 'stolen' }, registration: { registered: true, status: 'active' } });
    const refused = await SELF.fetch(`${ORIGIN}/api/v1/cards/block`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('serves the OpenAPI document', async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/cards/block');
  });
});
