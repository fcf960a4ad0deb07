/**
 * The provider settings page (/admin/risk/provider) through the app: an issuer administrator saves
 * settings with a fresh TOTP code (audited, with the credential's name only), a refused value is
 * answered beside its field in both languages and nothing is saved, helpdesk and auditors read
 * without a form, another issuer's settings are out of reach, and the saved settings are what the
 * adapter then uses.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, issuers } from '../../src/db/schema.ts';
import { ensureFirstIssuer, insertIssuer, issuerById, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { csrfOf, newStaff, nextCode, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let admin: Enrolled;
let client: Client;
let issuerId: number;
let northId: number;
const SECRET_VALUE = 'Bearer never-on-the-page-0123456789';

beforeAll(async () => {
  t = await createTestApp({ env: { RISK_PROVIDER_SECRETS: JSON.stringify({ TM_TOKEN: SECRET_VALUE }) } });
  issuerId = (await ensureFirstIssuer(t.deps)).id;
  northId = (await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'north', nameJa: '北カード', nameEn: 'North Card' }, t.clock.now())).id;
  admin = await newStaff(t, 'a-admin', 'issuer_admin', issuerId);
  client = (await signIn(t, admin.username, admin.secret)).client;
}, 120_000);
afterAll(() => t.close());

const FORM = {
  enabled: 'on',
  url: 'https://tm.example.test/v1/score',
  authHeader: 'X-Api-Key',
  secretEnv: 'TM_TOKEN',
  scorePath: 'result.score',
  reasonsPath: 'result.reasons',
  timeoutMs: '250',
  retries: '0',
};

async function save(form: Record<string, string | string[]>, code = nextCode(t, admin.secret)) {
  const page = await (await client.get('/admin/risk/provider')).text();
  const body = new URLSearchParams({ _csrf: csrfOf(page), code });
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  return rawPost(body);
}
async function rawPost(body: URLSearchParams): Promise<Response> {
  // Client.post takes one value per name; the field checkboxes need repeated names.
  const headers: Record<string, string> = { origin: 'https://acs.test', 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  return t.app.request('https://acs.test/admin/risk/provider', { method: 'POST', headers, body: body.toString() });
}

describe('the provider settings page', () => {
  it('shows the default fields for an issuer without settings, and says nothing is sent', async () => {
    const res = await client.get('/admin/risk/provider');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('外部不正検知サービス');
    expect(html).toContain('未設定（送信しません）');
    expect(html).toMatch(/name="fields" type="checkbox" value="purchaseAmount" checked/);
    expect(html).not.toMatch(/value="acctNumber"/);
    expect(html).not.toMatch(/value="browserIP" checked/);
  });

  it('saves with a fresh code, audited with the credential’s name and never its value', async () => {
    const res = await save({ ...FORM, fields: ['acsTransID', 'purchaseAmount', 'device.newDevice'] });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/risk/provider?saved=1');
    const row = await issuerById(t.deps.db, issuerId);
    expect(row?.riskProvider).toEqual({
      enabled: true,
      url: FORM.url,
      authHeader: 'X-Api-Key',
      secretEnv: 'TM_TOKEN',
      fields: ['acsTransID', 'purchaseAmount', 'device.newDevice'],
      scorePath: 'result.score',
      reasonsPath: 'result.reasons',
      timeoutMs: 250,
      retries: 0,
    });
    const [audit] = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'staff.risk_provider.update'), eq(auditLog.issuerId, issuerId)));
    expect(audit.actorName).toBe('a-admin');
    expect(JSON.parse(audit.detail)).toMatchObject({ before: null, after: { secretEnv: 'TM_TOKEN' } });
    expect(audit.detail).not.toContain('never-on-the-page');

    const page = await (await client.get('/admin/risk/provider?saved=1')).text();
    expect(page).toContain('保存しました。');
    expect(page).toContain('TM_TOKEN があります');
    expect(page).not.toContain('never-on-the-page');
    expect(page).toMatch(/value="device.newDevice" checked/);
    expect(page).not.toMatch(/value="merchantName" checked/);
  });

  it('answers a wrong value beside its field in both languages, and saves nothing', async () => {
    const before = (await issuerById(t.deps.db, issuerId))?.riskProvider;
    const res = await save({ ...FORM, url: 'ftp://tm.example.test', timeoutMs: '10', fields: ['purchaseAmount'] });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('保存できませんでした');
    expect(html).toMatch(/id="rp-url"[^>]*aria-describedby="rp-url-hint rp-url-error"/);
    expect(html).toContain('http(s) の URL を入力してください（本番環境では https のみ）。 / must be an http(s) URL');
    expect(html).toContain('50〜5000 の整数を入力してください。 / must be at least 50');
    expect(html).toContain('value="ftp://tm.example.test"'); // as typed
    expect((await issuerById(t.deps.db, issuerId))?.riskProvider).toEqual(before);

    const slow = await save({ ...FORM, timeoutMs: '800', retries: '1', fields: ['purchaseAmount'] });
    expect(slow.status).toBe(400);
    expect(await slow.text()).toContain('timeout × (retries + 1) must be at most 1000 ms');

    const none = await save({ ...FORM });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('id="rp-fields-error"');
  });

  it('refuses a field that may never be shared, even posted by hand', async () => {
    const res = await save({ ...FORM, fields: ['purchaseAmount', 'acctNumber'] });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('&quot;acctNumber&quot; is never shared with the provider');
  });

  it('refuses a wrong code and saves nothing', async () => {
    const before = (await issuerById(t.deps.db, issuerId))?.riskProvider;
    const res = await save({ ...FORM, fields: ['mcc'] }, '000000');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('コードが正しくありません。');
    expect((await issuerById(t.deps.db, issuerId))?.riskProvider).toEqual(before);
  });

  it('removes the settings when the URL is emptied', async () => {
    const res = await save({ ...FORM, url: '', fields: ['mcc'] });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/risk/provider?saved=cleared');
    expect((await issuerById(t.deps.db, issuerId))?.riskProvider).toBeNull();
    await save({ ...FORM, fields: ['mcc'] });
  });

  it('lets helpdesk and auditors read without a form; another issuer’s settings are not reachable', async () => {
    for (const [name, role] of [['a-help', 'helpdesk'], ['a-audit', 'auditor']] as const) {
      const who = await newStaff(t, name, role, issuerId);
      const c = (await signIn(t, who.username, who.secret)).client;
      const res = await c.get('/admin/risk/provider');
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(FORM.url);
      expect(html).not.toContain('name="code"');
      const page = await (await c.get('/admin/risk/provider')).text();
      expect((await c.post('/admin/risk/provider', { _csrf: csrfOf(page), url: 'https://evil.example.test', code: '000000' })).status).toBe(403);
    }
    expect((await client.get(`/admin/risk/provider?issuer=${northId}`)).status).toBe(404);
    expect((await client.get('/admin/risk/provider?issuer=abc')).status).toBe(404);
    await t.deps.db.update(issuers).set({ riskProvider: { url: 'https://north.example.test' } }).where(eq(issuers.id, northId));
    const platform = await newStaff(t, 'p-admin', 'platform_admin', null);
    const p = (await signIn(t, platform.username, platform.secret)).client;
    const north = await (await p.get(`/admin/risk/provider?issuer=${northId}`)).text();
    expect(north).toContain('https://north.example.test');
    expect(north).toContain(`action="/admin/risk/provider?issuer=${northId}"`);
  });
});
