/**
 * API keys in the staff console, through real HTTP: an issuer administrator makes a key with a
 * fresh TOTP code (shown once, stored only hashed), the key works against the API, its use shows
 * on the list, and revoking it (fresh TOTP again) makes the API refuse it; both audited. Another
 * issuer's keys are out of sight, and roles without 'api_keys.manage' are refused.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { apiKeyHash, createApiKey, parseSources, sourceAllowed } from '../../src/api/keys.ts';
import { apiKeys, auditLog } from '../../src/db/schema.ts';
import { firstIssuer, issuerByCode } from '../../src/issuers/issuer-store.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { ORIGIN, csrfOf, newStaff, nextCode, type Client } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let firstId: number;
let kitaId: number;

beforeAll(async () => {
  t = await createTestApp({ seed: true });
  await seedDemoStaff(t.deps);
  firstId = (await firstIssuer(t.deps.db))!.id;
  kitaId = (await issuerByCode(t.deps.db, 'kita'))!.id;
});
afterAll(() => t?.close());

/** A form with repeated fields (the permission checkboxes), posted with the client's session. */
async function postForm(client: Client, path: string, fields: [string, string][]) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.request(`${ORIGIN}${path}`, { method: 'POST', headers: { cookie, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

async function status(key: string, pan: string) {
  const res = await t.app.request(`${ORIGIN}/api/v1/cards/status`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ pan }) });
  return res.status;
}

describe('API keys in the console', () => {
  it('makes a key with a fresh code, shows it once, and revokes it with a fresh code', async () => {
    const admin = await newStaff(t, 'keys-admin', 'issuer_admin', firstId);
    const list = await admin.client.get('/admin/api-keys');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('<html lang="ja"');
    expect(html).toContain('キーを発行');
    const csrf = csrfOf(html);

    const fields: [string, string][] = [
      ['_csrf', csrf],
      ['name', '基幹システム本番'],
      ['permissions', 'cards.read'],
      ['permissions', 'cards.write'],
      ['sources', '192.0.2.7\n198.51.100.0/24'],
    ];
    const wrongCode = await postForm(admin.client, '/admin/api-keys', [...fields, ['code', '000000']]);
    expect(wrongCode.status).toBe(400);
    expect(await wrongCode.text()).toMatch(/id="step-up-error"/);
    expect(await t.deps.db.$count(apiKeys)).toBe(0);

    const badSource = await postForm(admin.client, '/admin/api-keys', [...fields.slice(0, 4), ['sources', '192.0.2.300'], ['code', nextCode(t, admin.secret)]]);
    expect(badSource.status).toBe(400);
    const badHtml = await badSource.text();
    expect(badHtml).toMatch(/aria-describedby="key-sources-hint key-sources-error"/);
    expect(badHtml).toContain('192.0.2.300');

    const made = await postForm(admin.client, '/admin/api-keys', [...fields, ['code', nextCode(t, admin.secret)]]);
    expect(made.status).toBe(201);
    const page = await made.text();
    const key = /id="api-key"[^>]*value="(mamori_[\w-]{43})"/.exec(page)?.[1];
    expect(key).toBeDefined();
    expect(page).toContain('この画面でしか表示されません');

    const row = (await t.deps.db.select().from(apiKeys))[0];
    expect(row).toMatchObject({ issuerId: firstId, name: '基幹システム本番', prefix: key!.slice(0, 15), permissions: ['cards.read', 'cards.write'], allowedSources: ['192.0.2.7/32', '198.51.100.0/24'], createdBy: admin.id, lastUsedAt: null, revokedAt: null });
    expect(row.keyHash).toBe(await apiKeyHash(key!));
    expect(JSON.stringify(row)).not.toContain(key!.slice(15));

    // Limited to its sources: this request has no address, so it is refused; the list never shows the key again.
    expect(await status(key!, demoCard('jcb-otp').pan)).toBe(403);
    await t.deps.db.update(apiKeys).set({ allowedSources: [] }).where(eq(apiKeys.id, row.id));
    expect(await status(key!, demoCard('jcb-otp').pan)).toBe(200);
    const after = await (await admin.client.get('/admin/api-keys')).text();
    expect(after).toContain(`${row.prefix}…`);
    expect(after).not.toContain(key!);
    expect(after).not.toContain('—</td><td>有効'); // last used is filled in
    expect((await t.deps.db.select().from(apiKeys))[0].lastUsedAt).toBe(t.clock.now());

    const detail = await admin.client.get(`/admin/api-keys/${row.id}`);
    const detailHtml = await detail.text();
    expect(detailHtml).toContain('キーを無効にする');
    expect((await admin.client.submit(detailHtml, `/admin/api-keys/${row.id}/revoke`, { code: '000000' })).status).toBe(400);
    expect(await status(key!, demoCard('jcb-otp').pan)).toBe(200);
    const revoked = await admin.client.submit(detailHtml, `/admin/api-keys/${row.id}/revoke`, { code: nextCode(t, admin.secret) });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe('/admin/api-keys?done=revoked');
    expect(await status(key!, demoCard('jcb-otp').pan)).toBe(401);
    expect(await (await admin.client.get('/admin/api-keys?done=revoked')).text()).toContain('キーを無効にしました');

    const audit = (await t.deps.db.select().from(auditLog)).filter((r) => r.target === `api_key:${row.id}` && r.action.startsWith('api_key.'));
    expect(audit.map((r) => [r.action, r.actorType, r.actorName, r.issuerId])).toEqual([
      ['api_key.create', 'staff', 'keys-admin', firstId],
      ['api_key.revoke', 'staff', 'keys-admin', firstId],
    ]);
    expect(JSON.parse(audit[0].detail)).toEqual({ name: '基幹システム本番', prefix: row.prefix, permissions: ['cards.read', 'cards.write'], sources: ['192.0.2.7/32', '198.51.100.0/24'] });
    expect(JSON.stringify(audit)).not.toContain(key!.slice(15));
  });

  it('asks for a name and a permission, beside the fields', async () => {
    const admin = await newStaff(t, 'keys-admin2', 'issuer_admin', firstId);
    const html = await (await admin.client.get('/admin/api-keys')).text();
    const res = await postForm(admin.client, '/admin/api-keys', [['_csrf', csrfOf(html)], ['name', ''], ['sources', ''], ['code', nextCode(t, admin.secret)]]);
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toMatch(/id="key-name-error"/);
    expect(page).toMatch(/aria-describedby="key-permissions-error"/);
  });

  it('keeps another issuer’s keys out of sight, and refuses roles without the permission', async () => {
    const other = await createApiKey(t.deps, { issuerId: kitaId, name: 'kita core', permissions: ['cards.write'], sources: [] }, { actor: { type: 'system', name: 'test' } });
    const admin = await newStaff(t, 'keys-admin3', 'issuer_admin', firstId);
    expect(await (await admin.client.get('/admin/api-keys')).text()).not.toContain('kita core');
    expect((await admin.client.get(`/admin/api-keys/${other.row.id}`)).status).toBe(404);
    const html = await (await admin.client.get('/admin/api-keys')).text();
    expect((await admin.client.submit(html, `/admin/api-keys/${other.row.id}/revoke`, { code: nextCode(t, admin.secret) })).status).toBe(404);
    expect((await t.deps.db.select().from(apiKeys).where(eq(apiKeys.id, other.row.id)).get())!.revokedAt).toBeNull();

    const platform = await newStaff(t, 'keys-platform', 'platform_admin', null);
    const all = await (await platform.client.get('/admin/api-keys')).text();
    expect(all).toContain('kita core');
    expect(all).toContain('name="issuerId"');

    for (const role of ['helpdesk', 'auditor'] as const) {
      const person = await newStaff(t, `keys-${role}`, role, firstId);
      expect((await person.client.get('/admin/api-keys')).status).toBe(403);
    }
  });
});

describe('source addresses', () => {
  it('are parsed as CIDR blocks or single addresses and matched by address family', () => {
    expect(parseSources('192.0.2.7, 2001:db8::/32\n10.0.0.0/8 10.0.0.0/8')).toEqual({ ok: true, sources: ['192.0.2.7/32', '2001:db8::/32', '10.0.0.0/8'] });
    expect(parseSources('10.0.0.0/33')).toEqual({ ok: false, bad: '10.0.0.0/33' });
    expect(parseSources('example.com')).toEqual({ ok: false, bad: 'example.com' });
    const sources = ['192.0.2.0/24', '2001:db8::/32'];
    expect(sourceAllowed(sources, '192.0.2.200')).toBe(true);
    expect(sourceAllowed(sources, '::ffff:192.0.2.9')).toBe(true);
    expect(sourceAllowed(sources, '2001:db8:1::5')).toBe(true);
    expect(sourceAllowed(sources, '192.0.3.1')).toBe(false);
    expect(sourceAllowed(sources, undefined)).toBe(false);
    expect(sourceAllowed([], undefined)).toBe(true);
  });
});
