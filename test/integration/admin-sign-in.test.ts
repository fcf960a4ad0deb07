/**
 * Staff enrolment, sign-in, lockout, sessions and CSRF through real HTTP on a real libSQL file,
 * with the fake clock standing in for time (TOTP steps, idle and absolute session limits, locks).
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/admin/audit-log.ts';
import { inviteStaff } from '../../src/admin/staff-actions.ts';
import { totpCodeAt } from '../../src/admin/totp.ts';
import { auditLog, sessions, staff } from '../../src/db/schema.ts';
import { ensureFirstIssuer } from '../../src/issuers/issuer-store.ts';
import { Client, csrfOf, enrol, newStaff, nextCode, PASSWORD, signIn } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let issuerId: number;

beforeEach(async () => {
  t = await createTestApp();
  issuerId = (await ensureFirstIssuer(t.deps)).id;
});
afterEach(() => t.close());

const actions = async () => (await t.deps.db.select().from(auditLog).orderBy(auditLog.id)).map((r) => r.action);

// Every sign-in takes at least 800 ms and hashes a password: these tests get room on a busy machine.
const SLOW = { timeout: 120_000 };

describe('enrolment from a one-time link', SLOW, () => {
  it('sets a password, confirms the authenticator, shows ten recovery codes once and signs the person in', async () => {
    const invited = await inviteStaff(t.deps, { actor: { type: 'system', name: 'cli:root' } }, { username: 'ito', displayName: '伊藤', role: 'issuer_admin', issuerId });
    if (!invited.ok) throw new Error('not invited');
    expect(invited.link).toMatch(/^https:\/\/acs\.test\/admin\/enrol\/[\w-]{43}$/);
    const path = new URL(invited.link).pathname;
    const client = new Client(t.app);

    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('パスワード');

    // Each refusal is named beside the field, and nothing is stored.
    for (const [password, confirm, message] of [
      ['short-one', 'short-one', '12文字以上'],
      ['qwerty123456', 'qwerty123456', 'よく使われる'],
      ['my name is ito, hello', 'my name is ito, hello', 'ユーザー名を含まない'],
      [PASSWORD, `${PASSWORD}!`, '一致しません'],
    ]) {
      const res = await client.post(path, { password, confirm });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toMatch(/aria-invalid="true"/);
    }
    expect((await t.deps.db.select().from(staff).where(eq(staff.username, 'ito')).get())!.passwordHash).toBeNull();

    expect((await client.post(path, { password: PASSWORD, confirm: PASSWORD })).status).toBe(303);
    const totpPage = await (await client.get(path)).text();
    expect(totpPage).toContain('<svg role="img"');
    const secret = /data-secret="([A-Z2-7]+)"/.exec(totpPage)![1];
    expect(secret).toHaveLength(32);

    const wrong = await client.post(`${path}/totp`, { code: totpCodeAt(secret, t.clock.now() + 10 * 60_000) });
    expect(wrong.status).toBe(400);

    const done = await client.post(`${path}/totp`, { code: totpCodeAt(secret, t.clock.now()) });
    expect(done.status).toBe(200);
    const codes = [...(await done.text()).matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('__Host-mamori-staff='))!;
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Domain=/i);

    const home = await client.get('/admin');
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('伊藤');
    expect(html).toContain('カード会社管理者');
    expect(html).toContain('まもり銀行カード');

    // The link is spent; the codes are stored hashed only.
    expect((await new Client(t.app).get(path)).status).toBe(404);
    const stored = JSON.stringify(await t.client.execute('SELECT * FROM staff_recovery_codes'));
    for (const code of codes) expect(stored).not.toContain(code.replace('-', ''));
    expect(await actions()).toEqual(['staff.invite', 'staff.enrol']);
  });

  it('refuses an expired link and one superseded by a newer invitation', async () => {
    const invited = await inviteStaff(t.deps, { actor: { type: 'system' } }, { username: 'late', displayName: 'late', role: 'helpdesk', issuerId });
    if (!invited.ok) throw new Error('not invited');
    t.clock.advance(24 * 60 * 60 * 1000);
    expect((await new Client(t.app).get(new URL(invited.link).pathname)).status).toBe(404);
  });
});

describe('sign-in', SLOW, () => {
  it('takes password + TOTP, accepts each code once, and gives one answer to every failure', async () => {
    const sato = await newStaff(t, 'sato', 'helpdesk', issuerId);
    const ok = await signIn(t, 'sato', sato.secret);
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/admin');

    // The same code a second time (same step) is refused like any other failure.
    const code = totpCodeAt(sato.secret, t.clock.now());
    const replay = await new Client(t.app).post('/admin/sign-in', { username: 'sato', password: PASSWORD, code });
    const failures = [
      replay,
      await new Client(t.app).post('/admin/sign-in', { username: 'sato', password: 'wrong password here', code: nextCode(t, sato.secret) }),
      await new Client(t.app).post('/admin/sign-in', { username: 'sato', password: PASSWORD, code: '000000' }),
      await new Client(t.app).post('/admin/sign-in', { username: 'nobody', password: PASSWORD, code: nextCode(t, sato.secret) }),
    ];
    const bodies = await Promise.all(failures.map(async (r) => (await r.text()).replace(/name="username"[^>]*value="[^"]*"/, '')));
    for (const r of failures) expect(r.status).toBe(401);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('サインインできませんでした');
    const failed = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'staff.sign_in_failed'));
    expect(failed.map((r) => JSON.parse(r.detail).reason)).toEqual(['code_reused', 'bad_password', 'bad_code', 'unknown_user']);
  });

  it('accepts each recovery code once instead of a TOTP code', async () => {
    const kato = await newStaff(t, 'kato', 'auditor', issuerId);
    const [first, second] = kato.recoveryCodes;
    const use = (code: string) => new Client(t.app).post('/admin/sign-in', { username: 'kato', password: PASSWORD, code });
    expect((await use(first.toUpperCase())).status).toBe(303);
    expect((await use(first)).status).toBe(401);
    expect((await use(second.replace('-', ' '))).status).toBe(303);
    const signIns = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'staff.sign_in'));
    expect(signIns.map((r) => JSON.parse(r.detail).via)).toEqual(['recovery_code', 'recovery_code']);
  });

  it('locks after five failures for 15 minutes, even for the right code, until an administrator unlocks', async () => {
    const admin = await newStaff(t, 'boss', 'issuer_admin', issuerId);
    const mori = await newStaff(t, 'mori', 'helpdesk', issuerId);
    const attempt = (password: string) => new Client(t.app).post('/admin/sign-in', { username: 'mori', password, code: nextCode(t, mori.secret) });
    for (let i = 0; i < 4; i++) expect((await attempt('not the password')).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(303); // success resets the count
    for (let i = 0; i < 5; i++) expect((await attempt('not the password')).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(401);
    expect(await actions()).toContain('staff.locked');

    // Fifteen minutes later it opens by itself...
    t.clock.advance(15 * 60_000);
    expect((await attempt(PASSWORD)).status).toBe(303);
    for (let i = 0; i < 5; i++) await attempt('not the password');
    expect((await attempt(PASSWORD)).status).toBe(401);

    // ...or an administrator unlocks it now (with a fresh code of their own).
    const { client } = await signIn(t, 'boss', admin.secret);
    const page = await (await client.get(`/admin/staff/${mori.id}`)).text();
    expect(page).toContain('ロック中');
    const unlocked = await client.submit(page, `/admin/staff/${mori.id}/unlock`, { code: nextCode(t, admin.secret) });
    expect(unlocked.status).toBe(303);
    expect((await attempt(PASSWORD)).status).toBe(303);
    const unlock = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'staff.unlock')))[0];
    expect(JSON.parse(unlock.detail)).toMatchObject({ before: { locked: true }, after: { locked: false } });
    expect(unlock.actorName).toBe('boss');
  });

  it('never counts more than five failures when twenty arrive at once', async () => {
    const ueno = await newStaff(t, 'ueno', 'helpdesk', issuerId);
    const code = nextCode(t, ueno.secret);
    await Promise.all(Array.from({ length: 20 }, () => new Client(t.app).post('/admin/sign-in', { username: 'ueno', password: 'wrong wrong wrong', code })));
    const row = (await t.deps.db.select().from(staff).where(eq(staff.id, ueno.id)).get())!;
    expect(row.lockedUntil).toBe(t.clock.now() + 15 * 60_000);
    const locked = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'staff.locked'));
    expect(locked).toHaveLength(1);
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });
});

describe('sessions', SLOW, () => {
  it('end after 15 idle minutes, stay alive with activity, and end after 12 hours whatever happens', async () => {
    const abe = await newStaff(t, 'abe', 'auditor', issuerId);
    const { client } = await signIn(t, 'abe', abe.secret);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(14 * 60_000);
      expect((await client.get('/admin')).status).toBe(200);
    }
    t.clock.advance(15 * 60_000);
    const expired = await client.get('/admin/audit');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin%2Faudit&expired=1');

    const again = await signIn(t, 'abe', abe.secret);
    for (let i = 0; i < 12 * 5; i++) {
      t.clock.advance(12 * 60_000);
      const res = await again.client.get('/admin');
      if (i < 12 * 5 - 1) expect(res.status).toBe(200);
      else expect(res.status).toBe(303);
    }
  });

  it('sign-out ends the session on the server, and a reset or a disable ends every session of that person', async () => {
    const admin = await newStaff(t, 'chief', 'issuer_admin', issuerId);
    const ota = await newStaff(t, 'ota', 'helpdesk', issuerId);
    const tab = await signIn(t, 'ota', ota.secret);
    const stolen = new Map(tab.client.cookies);
    const home = await (await tab.client.get('/admin')).text();
    expect((await tab.client.submit(home, '/admin/sign-out', {})).status).toBe(303);
    const replayed = new Client(t.app);
    for (const [k, v] of stolen) replayed.cookies.set(k, v);
    expect((await replayed.get('/admin')).status).toBe(303);

    const one = await signIn(t, 'ota', ota.secret);
    const two = await signIn(t, 'ota', ota.secret);
    const { client } = await signIn(t, 'chief', admin.secret);
    const page = await (await client.get(`/admin/staff/${ota.id}`)).text();
    const reset = await client.submit(page, `/admin/staff/${ota.id}/reset`, { code: nextCode(t, admin.secret) });
    expect(reset.status).toBe(200);
    const link = /id="enrolment-link"[^>]*>([^<]+)</.exec(await reset.text())![1].trim();
    expect((await one.client.get('/admin')).status).toBe(303);
    expect((await two.client.get('/admin')).status).toBe(303);
    expect((await t.deps.db.select().from(sessions).where(eq(sessions.subjectId, ota.id))).length).toBe(0);
    // The old credentials are gone; the new link enrols again.
    expect((await signIn(t, 'ota', ota.secret)).res.status).toBe(401);
    const again = await enrol(t, link);
    expect((await again.client.get('/admin')).status).toBe(200);

    const detail = await (await client.get(`/admin/staff/${ota.id}`)).text();
    expect((await client.submit(detail, `/admin/staff/${ota.id}/disable`, { code: nextCode(t, admin.secret) })).status).toBe(303);
    expect((await again.client.get('/admin')).status).toBe(303);
    expect((await signIn(t, 'ota', again.secret)).res.status).toBe(401);
  });
});

describe('CSRF', SLOW, () => {
  it('refuses a state change from another origin, without an origin, or without the session token', async () => {
    const admin = await newStaff(t, 'head', 'issuer_admin', issuerId);
    const target = await newStaff(t, 'kudo', 'helpdesk', issuerId);
    const { client } = await signIn(t, 'head', admin.secret);
    const page = await (await client.get(`/admin/staff/${target.id}`)).text();
    const form = { _csrf: csrfOf(page), code: nextCode(t, admin.secret) };
    for (const headers of [{ origin: 'https://evil.test' }, { origin: 'null' }]) {
      const res = await client.post(`/admin/staff/${target.id}/disable`, form, headers);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('操作を受け付けられませんでした');
    }
    expect((await client.post(`/admin/staff/${target.id}/disable`, { code: form.code })).status).toBe(403);
    expect((await client.post(`/admin/staff/${target.id}/disable`, { ...form, _csrf: 'f'.repeat(64) })).status).toBe(403);
    // A token from another session is no good either.
    const other = await signIn(t, 'head', admin.secret);
    const otherToken = csrfOf(await (await other.client.get('/admin')).text());
    expect((await client.post(`/admin/staff/${target.id}/disable`, { ...form, _csrf: otherToken })).status).toBe(403);
    expect((await t.deps.db.select().from(staff).where(eq(staff.id, target.id)).get())!.status).toBe('active');
    // The sign-in form itself only takes posts from our origin.
    expect((await new Client(t.app).post('/admin/sign-in', { username: 'head', password: PASSWORD, code: '123456' }, { origin: 'https://evil.test' })).status).toBe(403);
    const done = await client.post(`/admin/staff/${target.id}/disable`, { ...form, code: nextCode(t, admin.secret) });
    expect(done.status).toBe(303);
  });
});
