import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { auditLog, cardholders } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start(options?: Parameters<typeof createTestApp>[0]) {
  const t = await createTestApp(options);
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} when the database answers', async () => {
    const { app } = await start();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 when the database does not', async () => {
    const t = await start();
    t.client.close();
    const res = await t.app.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable' });
  });
});

describe('pages and 404s', () => {
  it('serves the bilingual landing page with links to sandbox, portal and admin', async () => {
    const { app } = await start();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('本人認証サービス');
    expect(html).toContain('EMV 3-D Secure');
    for (const href of ['/sandbox', '/portal', '/admin']) expect(html).toContain(`href="${href}"`);
    expect(html).toContain('/static/vendor/htmx.min.js');
  });

  it('hides the sandbox link when the sandbox is off', async () => {
    const { app } = await start({ env: { SANDBOX: 'false' } });
    expect(await (await app.request('/')).text()).not.toContain('href="/sandbox"');
  });

  it('gives machines a JSON 404 and people an HTML one', async () => {
    const { app } = await start();
    const machine = await app.request('/3ds/nothing-here', { method: 'POST' });
    expect(machine.status).toBe(404);
    expect(await machine.json()).toEqual({ error: 'not_found', path: '/3ds/nothing-here' });

    const person = await app.request('/no-such-page', { headers: { accept: 'text/html' } });
    expect(person.status).toBe(404);
    expect(person.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await person.text()).toContain('ページが見つかりません');
  });

  it.each([
    ['application/json', 'json'],
    ['application/json, text/html;q=0.5', 'json'],
    ['text/html, application/json;q=0.9', 'html'],
    ['*/*', 'html'],
    ['', 'html'],
  ])('answers a 404 on a page route by the Accept header (%j → %s)', async (accept, kind) => {
    const { app } = await start();
    const res = await app.request('/no-such-page', { headers: accept ? { accept } : {} });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(kind === 'json' ? /^application\/json/ : /^text\/html/);
  });
});

describe('security headers by route group', () => {
  it('deny framing and set a strict CSP on ordinary pages', async () => {
    const { app } = await start();
    const res = await app.request('/');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('allow any merchant to frame the challenge and 3DS Method routes', async () => {
    const { app } = await start();
    for (const path of ['/3ds/challenge', '/3ds/method']) {
      const res = await app.request(path, { method: 'POST' });
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    }
  });

  it('send HSTS outside development only', async () => {
    const test = await start();
    expect((await test.app.request('/')).headers.get('strict-transport-security')).toContain('max-age=');
    const dev = await start({ env: { NODE_ENV: 'development' } });
    expect((await dev.app.request('/')).headers.get('strict-transport-security')).toBeNull();
  });

  it('tags every response with a request id, echoing the caller’s', async () => {
    const { app } = await start();
    expect((await app.request('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await app.request('/healthz', { headers: { 'x-request-id': 'ds-123' } })).headers.get('x-request-id')).toBe('ds-123');
  });
});

describe('body size limits', () => {
  it('refuse an oversized form post with 413', async () => {
    const { app } = await start();
    const res = await app.request('/portal', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'x=' + 'a'.repeat(70 * 1024),
    });
    expect(res.status).toBe(413);
  });

  it('refuse an oversized machine body with a JSON 413', async () => {
    const { app } = await start();
    const res = await app.request('/sandbox/ds/rreq', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageType: 'RReq', pad: 'a'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'payload_too_large' });
  });

  it('answer an oversized AReq with EMV Erro 203 naming the limit (faults-oversize.test.ts: on a real socket)', async () => {
    const { app } = await start();
    const res = await app.request('/3ds/areq', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageType: 'AReq', pad: 'a'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messageType: 'Erro', errorCode: '203', errorDetail: expect.stringContaining('262144') });
  });
});

describe('logs', () => {
  it('carry no PAN, OTP or password from a request line', async () => {
    const pan = '4111111111111111';
    const { app, logs } = await start();
    await app.request(`/no-such/${pan}?otp=493817&password=Secret-pass-1`, { headers: { accept: 'text/html' } });
    const line = logs.map((l) => JSON.parse(l)).find((e) => e.msg === 'request');
    expect(line).toMatchObject({ path: '/no-such/411111******1111', status: 404 });
    const all = logs.join('\n');
    expect(all).not.toContain(pan);
    expect(all).not.toContain('493817');
    expect(all).not.toContain('Secret-pass-1');
  });

  it('carry no PAN from the AReqs the ACS answers and refuses', async () => {
    const { app, logs } = await start({ seed: true });
    const pan = demoCard('jcb-otp').pan;
    expect((await postAReq(app, browserAReq({ pan }))).status).toBe(200);
    expect((await postAReq(app, browserAReq({ pan, purchaseCurrency: 'ABC' }))).status).toBe(200);
    const messages = logs.map((l) => JSON.parse(l).msg);
    expect(messages).toContain('areq');
    expect(messages).toContain('areq refused');
    expect(logs.join('\n')).not.toContain(pan);
  });
});

describe('database', () => {
  it('keeps data across a restart on the same file, and migrating again changes nothing', async () => {
    const first = await start();
    await first.deps.db.insert(cardholders).values({ customerRef: 'C-1', name: 'テスト 太郎', createdAt: 1 });
    first.close();
    const second = await start({ databaseFile: first.databaseFile });
    const rows = await second.deps.db.select().from(cardholders);
    expect(rows.map((r) => r.customerRef)).toEqual(['C-1']);
  });

  it('keeps the audit log append-only', async () => {
    const { deps } = await start();
    await deps.db.insert(auditLog).values({ at: 1, actorType: 'system', action: 'test' });
    const failure = (p: Promise<unknown>) => p.then(() => 'succeeded', (e) => String(e?.cause ?? e));
    expect(await failure(deps.db.run(sql`update audit_log set action = 'changed'`))).toMatch(/append-only/);
    expect(await failure(deps.db.run(sql`delete from audit_log`))).toMatch(/append-only/);
    expect(await deps.db.select().from(auditLog)).toHaveLength(1);
  });
});
