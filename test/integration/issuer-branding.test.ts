/**
 * Branding in the console: logos and scheme marks uploaded (fresh TOTP, audited) are served from
 * the appliance, cached by content, an SVG sandboxed; what is not an image is refused beside the
 * field; the SMS preview shows the OTP text with the issuer's name and its length.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, issuers } from '../../src/db/schema.ts';
import { ensureFirstIssuer } from '../../src/issuers/issuer-store.ts';
import { issuerSettings } from '../../src/issuers/settings.ts';
import { csrfOf, newStaff, nextCode, ORIGIN, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let admin: Enrolled;
let client: Client;

// A 1×1 PNG.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0));
const SVG = new TextEncoder().encode('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');

beforeAll(async () => {
  t = await createTestApp();
  const a = await ensureFirstIssuer(t.deps);
  admin = await newStaff(t, 'a-admin', 'issuer_admin', a.id);
  client = (await signIn(t, admin.username, admin.secret)).client;
}, 120_000);
afterAll(() => t.close());

async function upload(slot: string, bytes: Uint8Array<ArrayBuffer>, type: string, code = nextCode(t, admin.secret)): Promise<Response> {
  const page = await (await client.get('/admin/issuers/default')).text();
  const form = new FormData();
  form.set('_csrf', csrfOf(page));
  form.set('slot', slot);
  form.set('code', code);
  form.set('file', new File([bytes], 'logo', { type }));
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.request(`${ORIGIN}/admin/issuers/default/assets`, { method: 'POST', headers: { cookie, origin: ORIGIN }, body: form });
}

describe('issuer branding', () => {
  it('serves an uploaded logo from the appliance and the issuer’s settings name it', async () => {
    const res = await upload('logo', PNG, 'image/png');
    expect(res.status).toBe(303);
    const [row] = await t.deps.db.select().from(issuers).where(eq(issuers.code, 'default'));
    expect(row.logo).toMatch(/^\/assets\/[0-9a-f]{64}\.png$/);
    const served = await t.app.request(row.logo);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    expect((await issuerSettings(t.deps, row.id)).logo).toBe(row.logo);
    const [audit] = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'issuer.asset'), eq(auditLog.issuerId, row.id)));
    expect(JSON.parse(audit.detail)).toMatchObject({ after: { logo: row.logo, type: 'image/png' } });
  });

  it('serves an uploaded SVG mark sandboxed, so a script in it cannot run', async () => {
    expect((await upload('markJcb', SVG, 'image/svg+xml')).status).toBe(303);
    const [row] = await t.deps.db.select().from(issuers).where(eq(issuers.code, 'default'));
    const served = await t.app.request(row.brandMarks.jcb!);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('refuses what is not an image, too large a file and a wrong code, and changes nothing', async () => {
    const [before] = await t.deps.db.select().from(issuers).where(eq(issuers.code, 'default'));
    const notImage = await upload('logo', new TextEncoder().encode('hello'), 'image/png');
    expect(notImage.status).toBe(400);
    expect(await notImage.text()).toContain('PNG・JPEG・GIF・WebP・SVG の画像を選んでください');
    const big = new Uint8Array(300 * 1024);
    big.set(PNG);
    expect((await upload('logo', big, 'image/png')).status).toBe(400);
    expect((await upload('logo', PNG, 'image/png', '000000')).status).toBe(400);
    const [after] = await t.deps.db.select().from(issuers).where(eq(issuers.code, 'default'));
    expect(after.logo).toBe(before.logo);
    expect((await t.app.request('/assets/' + '0'.repeat(64) + '.png')).status).toBe(404);
  });

  it('previews the OTP SMS with the issuer’s name and its length against one segment', async () => {
    const fragment = await (await client.get(`/admin/issuers/default/sms-preview?smsNameJa=${encodeURIComponent('みらいカード')}&smsNameEn=Mirai`)).text();
    expect(fragment).toContain('【みらいカード】');
    expect(fragment).toMatch(/\d+\/70/);
    expect(fragment).toMatch(/\d+\/160/);
    const long = await (await client.get(`/admin/issuers/default/sms-preview?smsNameJa=${encodeURIComponent('とてもとても長い名前のクレジットカード株式会社')}`)).text();
    expect(long).toContain('短縮');
    const page = await (await client.get('/admin/issuers/default')).text();
    expect(page).toContain('hx-get="/admin/issuers/default/sms-preview"');
    expect(page).toMatch(/id="sms-preview-body" aria-live="polite"/);
  });
});
