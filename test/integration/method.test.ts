/**
 * The 3DS Method through the app on a real libSQL file: the frameable page and its notification
 * form, what is stored and for how long, the collect call, how the AReq that follows uses the
 * data, and the purge.
 */
import { createClient } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { methodData } from '../../src/db/schema.ts';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import type { RiskInput, RiskProvider } from '../../src/risk/provider.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { runScheduledWork } from '../../src/services.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { startServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
async function start(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp({ seed: true, ...options });
  open.push(t);
  return t;
}

const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148';
const NOTIFY = 'https://merchant.example.test/3ds/method-done?order=42&step=method';

/** base64url of the method data as a 3DS Server makes it; `padded` adds the '=' an encoder may leave. */
function methodDataField(threeDSServerTransID: string, { padded = false, notificationURL = NOTIFY } = {}) {
  const unpadded = encodeJsonBase64Url({ threeDSServerTransID, threeDSMethodNotificationURL: notificationURL });
  return padded ? unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4) : unpadded;
}

function postMethod(t: TestApp, field: string | undefined, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(field === undefined ? {} : { threeDSMethodData: field });
  return t.app.request('/3ds/method', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA, 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8', ...headers },
    body,
  });
}

/** The attributes of the first `<tag …>` whose attributes include `has`, HTML entities decoded. */
function attributes(html: string, tag: string, has: string): Record<string, string> {
  const element = new RegExp(`<${tag}\\b[^>]*${has}[^>]*>`).exec(html);
  expect(element, `<${tag} … ${has}>`).not.toBeNull();
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return Object.fromEntries([...element![0].matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k, unescape(v)]));
}

async function stored(t: TestApp, threeDSServerTransID: string) {
  return t.deps.db.select().from(methodData).where(eq(methodData.threeDSServerTransID, threeDSServerTransID)).get();
}

/** Runs the method and returns what the page's script would post to /3ds/method/collect. */
async function runMethod(t: TestApp, threeDSServerTransID: string) {
  const html = await (await postMethod(t, methodDataField(threeDSServerTransID))).text();
  const form = attributes(html, 'form', 'id="notify"');
  return { html, form, token: form['data-token'] };
}

function collect(t: TestApp, fields: Record<string, string>) {
  return t.app.request('/3ds/method/collect', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

const PROPS = { screenWidth: 390, screenHeight: 844, colorDepth: 24, timeZone: 'Asia/Tokyo', timeZoneOffset: -540, languages: ['ja-JP', 'en-US'], mobile: true };

describe('POST /3ds/method', () => {
  it.each([
    ['unpadded', false],
    ['padded', true],
  ])('with %s base64url: a frameable page whose form notifies the 3DS Server with the transID only', async (_, padded) => {
    const t = await start();
    const id = crypto.randomUUID();
    // Make sure the padded variant really carries padding.
    let notificationURL = NOTIFY;
    while (methodDataField(id, { notificationURL }).length % 4 === 0) notificationURL += 'x';
    const field = methodDataField(id, { padded, notificationURL });
    if (padded) expect(field.endsWith('=')).toBe(true);

    const res = await postMethod(t, field);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/i);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors *');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/form-action [^;]*https:/);

    const html = await res.text();
    const form = attributes(html, 'form', 'id="notify"');
    expect(form).toMatchObject({ method: 'post', action: notificationURL, 'data-collect': '/3ds/method/collect', 'data-trans-id': id });
    const posted = attributes(html, 'input', 'name="threeDSMethodData"');
    expect(posted.type).toBe('hidden');
    // Posted back exactly as given; it carries the threeDSServerTransID the 3DS Server reads (Req 264).
    expect(posted.value).toBe(field);
    const decoded = decodeJsonBase64Url(posted.value);
    expect(decoded.ok && (decoded.value as { threeDSServerTransID: string }).threeDSServerTransID).toBe(id);
    expect(html).toContain('<script src="/static/js/method.js" defer');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
  });

  it('accepts the standard base64 alphabet and line breaks, as Req 192/193 asks', async () => {
    const t = await start();
    const id = crypto.randomUUID();
    const field = btoa(JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: NOTIFY }));
    const res = await postMethod(t, field.replace(/(.{40})/g, '$1\r\n'));
    expect(res.status).toBe(200);
    expect((await stored(t, id))).toBeDefined();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64', '!!!not-base64!!!'],
    ['base64 of something not JSON', encodeJsonBase64Url('x').slice(0, 2) + 'QQ'],
    ['without a notification URL', encodeJsonBase64Url({ threeDSServerTransID: crypto.randomUUID() })],
    ['with a transID that is not a UUID', encodeJsonBase64Url({ threeDSServerTransID: '42', threeDSMethodNotificationURL: NOTIFY })],
    ['with a javascript: notification URL', encodeJsonBase64Url({ threeDSServerTransID: crypto.randomUUID(), threeDSMethodNotificationURL: 'javascript:alert(1)' })],
  ])('%s threeDSMethodData: 400 with a short text, nothing stored', async (_, field) => {
    const t = await start();
    const res = await postMethod(t, field);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('invalid threeDSMethodData');
    expect(await t.deps.db.select().from(methodData)).toEqual([]);
  });

  it('stores the user agent and languages keyed by threeDSServerTransID for at least 10 minutes', async () => {
    const t = await start();
    const id = crypto.randomUUID();
    await postMethod(t, methodDataField(id));
    const row = (await stored(t, id))!;
    expect(JSON.parse(row.data)).toEqual({ userAgent: UA, acceptLanguage: 'ja-JP,ja;q=0.9,en;q=0.8' });
    expect(row.createdAt).toBe(t.clock.now());
    expect(row.expiresAt - t.clock.now()).toBeGreaterThanOrEqual(10 * 60 * 1000);
  });
});

describe('the address the 3DS Method records (http/client-ip.ts)', () => {
  const ipOf = async (t: TestApp, headers: Record<string, string>) => {
    const id = crypto.randomUUID();
    expect((await postMethod(t, methodDataField(id), headers)).status).toBe(200);
    return JSON.parse((await stored(t, id))!.data).ip;
  };
  const connection = { connInfo: () => ({ remote: { address: '192.0.2.44' } }) };

  it('is the connection’s, and a forwarding header the app was not told to trust changes nothing', async () => {
    const t = await start({ overrides: connection });
    expect(await ipOf(t, {})).toBe('192.0.2.44');
    expect(await ipOf(t, { 'x-forwarded-for': '198.51.100.7', 'cf-connecting-ip': '198.51.100.8' })).toBe('192.0.2.44');
  });

  it('behind a proxy (CLIENT_IP_HEADER), is the entry the nearest proxy added: the last', async () => {
    const t = await start({ env: { CLIENT_IP_HEADER: 'x-forwarded-for' }, overrides: connection });
    expect(await ipOf(t, { 'x-forwarded-for': '10.9.9.9, 198.51.100.7' })).toBe('198.51.100.7');
    expect(await ipOf(t, { 'x-forwarded-for': '198.51.100.9' })).toBe('198.51.100.9');
    expect(await ipOf(t, {})).toBeUndefined(); // the proxy said nothing: unknown, not the proxy's own address
  });

  it('on the real Node server, is the socket’s (@hono/node-server getConnInfo)', async () => {
    const server = await startServer();
    try {
      const id = crypto.randomUUID();
      const res = await fetch(`${server.baseUrl}/3ds/method`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.7' },
        body: new URLSearchParams({ threeDSMethodData: methodDataField(id) }),
      });
      expect(res.status).toBe(200);
      const db = createClient({ url: `file:${server.databaseFile}` });
      try {
        const { rows } = await db.execute({ sql: 'select data from method_data where three_ds_server_trans_id = ?', args: [id] });
        expect(JSON.parse(String(rows[0].data)).ip).toBe('127.0.0.1');
      } finally {
        db.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('is unknown when the request came through no server (app.request) and no header is trusted', async () => {
    const t = await start();
    expect(await ipOf(t, { 'x-forwarded-for': '198.51.100.7' })).toBeUndefined();
  });
});

describe('POST /3ds/method/collect', () => {
  it('with the page token: 204, and the known browser properties join the stored data', async () => {
    const t = await start();
    const id = crypto.randomUUID();
    const { token } = await runMethod(t, id);
    const res = await collect(t, { threeDSServerTransID: id, token, props: JSON.stringify({ ...PROPS, userAgent: 'forged', evil: '<script>' }) });
    expect(res.status).toBe(204);
    // What the server saw itself cannot be overwritten, and unknown keys are dropped.
    expect(JSON.parse((await stored(t, id))!.data)).toEqual({ userAgent: UA, acceptLanguage: 'ja-JP,ja;q=0.9,en;q=0.8', ...PROPS });
  });

  it('refuses a missing or wrong token, another transaction\'s token, and bodies that are not an object', async () => {
    const t = await start();
    const id = crypto.randomUUID();
    const other = crypto.randomUUID();
    const { token } = await runMethod(t, id);
    const { token: otherToken } = await runMethod(t, other);
    const props = JSON.stringify(PROPS);
    const refused: Record<string, string>[] = [
      { threeDSServerTransID: id, props },
      { threeDSServerTransID: id, token: token.replace(/.$/, (c) => (c === '0' ? '1' : '0')), props },
      { threeDSServerTransID: id, token: otherToken, props },
      { threeDSServerTransID: id, token, props: 'not json' },
      { threeDSServerTransID: id, token, props: '[1,2]' },
      { threeDSServerTransID: id, token, props: JSON.stringify({ screenWidth: 1, pad: 'x'.repeat(5000) }) },
    ];
    for (const fields of refused) {
      expect((await collect(t, fields)).status, JSON.stringify(fields).slice(0, 120)).toBe(400);
    }
    expect(JSON.parse((await stored(t, id))!.data)).not.toHaveProperty('screenWidth');
  });

  it('does not bring back data that is no longer kept', async () => {
    const t = await start();
    const id = crypto.randomUUID();
    const { token } = await runMethod(t, id);
    t.clock.advance(15 * 60 * 1000 + 1);
    expect((await collect(t, { threeDSServerTransID: id, token, props: JSON.stringify(PROPS) })).status).toBe(404);
    await runScheduledWork(t.deps);
    expect(await stored(t, id)).toBeUndefined();
  });
});

describe('the AReq after a 3DS Method', () => {
  function recordingRisk() {
    const inputs: RiskInput[] = [];
    const risk: RiskProvider = {
      name: 'recording',
      assess: async (input) => {
        inputs.push(input);
        return { decision: 'frictionless', score: 0, reasons: ['recorded by the test'] };
      },
    };
    return { risk, inputs };
  }

  it('with threeDSCompInd Y: the stored data reaches the risk input; with N it does not', async () => {
    const { risk, inputs } = recordingRisk();
    const t = await start({ overrides: { risk } });
    const id = crypto.randomUUID();
    const { token } = await runMethod(t, id);
    expect((await collect(t, { threeDSServerTransID: id, token, props: JSON.stringify(PROPS) })).status).toBe(204);

    const pan = demoCard('visa-otp').pan;
    const ares = await (await postAReq(t.app, browserAReq({ pan, threeDSServerTransID: id, threeDSCompInd: 'Y' }))).json();
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
    expect(inputs[0]).toMatchObject({ threeDSCompInd: 'Y', browserSeen: { userAgent: UA, ...PROPS } });

    const other = crypto.randomUUID();
    await runMethod(t, other);
    await postAReq(t.app, browserAReq({ pan, threeDSServerTransID: other, threeDSCompInd: 'N' }));
    expect(inputs[1]).toMatchObject({ threeDSCompInd: 'N' });
    expect(inputs[1].browserSeen).toBeUndefined();
  });

  it('2.3.1 reusing an earlier method run (threeDSMethodId) within 10 minutes finds its data', async () => {
    const { risk, inputs } = recordingRisk();
    const t = await start({ overrides: { risk } });
    const earlier = crypto.randomUUID();
    await runMethod(t, earlier);
    t.clock.advance(10 * 60 * 1000);
    const areq = browserAReq({ pan: demoCard('visa-otp').pan, messageVersion: '2.3.1', threeDSCompInd: 'Y', extra: { threeDSMethodId: earlier } });
    expect(await (await postAReq(t.app, areq)).json()).toMatchObject({ messageType: 'ARes' });
    expect(inputs[0].browserSeen).toMatchObject({ userAgent: UA });
  });

  it('after expiry the data is gone from the risk input, and the sweep purges it', async () => {
    const { risk, inputs } = recordingRisk();
    const t = await start({ overrides: { risk } });
    const expired = crypto.randomUUID();
    await runMethod(t, expired);
    t.clock.advance(5 * 60 * 1000);
    const fresh = crypto.randomUUID();
    await runMethod(t, fresh);
    t.clock.advance(10 * 60 * 1000 + 1); // `expired` is 15 min + 1 ms old, `fresh` 10 min + 1 ms

    await postAReq(t.app, browserAReq({ pan: demoCard('visa-otp').pan, threeDSServerTransID: expired, threeDSCompInd: 'Y' }));
    expect(inputs[0].browserSeen).toBeUndefined();

    await runScheduledWork(t.deps);
    expect(await stored(t, expired)).toBeUndefined();
    expect(await stored(t, fresh)).toBeDefined();
  });
});
