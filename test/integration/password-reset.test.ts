/**
 * The member's password reset on real libSQL through the app: a mailed single-use link (read from
 * mail_outbox) plus an SMS code to the verified OTP phone (from sms_outbox), the new password
 * checked by the members' PBKDF2, and every way a link stops working.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { auditLog, flows, mailOutbox, members, outboundLog, smsOutbox } from '../../src/db/schema.ts';
import { sha256Hex } from '../../src/encoding.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { startPasswordReset } from '../../src/portal/password-reset.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const ORIGIN = 'https://acs.test';
const NEW_PASSWORD = 'hinoki-no-mori-7';
const STAFF = { type: 'staff' as const, id: 1, name: 'demo-helpdesk' };

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  return t;
}

async function memberId(t: TestApp, loginId: string, email: string | null = `${loginId}@example.jp`) {
  const row = (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
  await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: [email, row.id] });
  return row.id;
}

/** Starts a reset and reads the link from the newest mail. */
async function start(t: TestApp, id: number) {
  expect(await startPasswordReset(t.deps, { memberId: id, requestedBy: STAFF, requestId: 'req-1' })).toEqual({ ok: true });
  const mail = (await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
  const link = /https:\/\/acs\.test(\/portal\/password-reset\/([\w-]{43}))/.exec(mail.body)!;
  return { mail, path: link[1], token: link[2] };
}

const smsCodes = async (t: TestApp) => (await t.deps.db.select().from(smsOutbox).orderBy(smsOutbox.id)).map((r) => r.otpCode!);

function post(t: TestApp, path: string, form: Record<string, string>, origin: string | null = ORIGIN) {
  return t.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
    body: new URLSearchParams(form).toString(),
  });
}

const complete = (t: TestApp, path: string, code: string, password = NEW_PASSWORD, confirmation = password) => post(t, path, { code, password, confirmation });
const hashOf = async (t: TestApp, id: number) => (await t.deps.db.select().from(members).where(eq(members.id, id)).get())!.passwordHash;
/** The page's main part, without the per-request bits, to compare the invalid-link answers. */
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0];

describe('password reset by mailed link and SMS code', () => {
  it('mails a single-use link, sends the code on the first visit, sets the password once, and tells the member', async () => {
    const t = await setup();
    const id = await memberId(t, 'demo-jcb');
    const { mail, path, token } = await start(t, id);

    // The mail: to the registration's address, Japanese first, the issuer's name and phone, the "not you" line.
    expect(mail.recipient).toBe('demo-jcb@example.jp');
    expect(mail.subject).toContain('パスワード再設定');
    expect(mail.body.indexOf('パスワードの再設定のご依頼')).toBeGreaterThanOrEqual(0);
    expect(mail.body.indexOf('お心当たりのない場合')).toBeLessThan(mail.body.indexOf('If you did not ask for this'));
    expect(mail.body).toContain('まもり銀行カード');
    expect(mail.body).toContain('0120-000-000');
    // Only the token's SHA-256 is stored: the flow's id, never the token.
    const flow = (await t.deps.db.select().from(flows).where(eq(flows.id, await sha256Hex(token))).get())!;
    expect(flow).toMatchObject({ kind: 'recovery', state: 'started', subject: `password_reset:member:${id}`, expiresAt: t.clock.now() + 30 * 60_000 });
    const dump = JSON.stringify(await t.client.execute('SELECT * FROM flows'));
    expect(dump).not.toContain(token);
    const started = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.password_reset.start')).get())!;
    expect(started).toMatchObject({ actorType: 'staff', actorId: 1, actorName: 'demo-helpdesk', target: `member:${id}`, requestId: 'req-1' });
    expect(started.issuerId).not.toBeNull();
    expect(JSON.parse(started.detail)).toMatchObject({ to: 'd***@example.jp' });
    const logged = (await t.deps.db.select().from(outboundLog).where(and(eq(outboundLog.channel, 'mail'), eq(outboundLog.purpose, 'password_reset'))).get())!;
    expect(logged).toMatchObject({ memberId: id, recipient: 'd***@example.jp', status: 'sent' });

    // The page: the masked phone, the code sent once (a reload sends no other, nor a scanner's HEAD).
    expect((await t.app.request(path, { method: 'HEAD' })).status).toBe(200);
    expect(await smsCodes(t)).toEqual([]);
    const page = await t.app.request(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('090-****-0001');
    expect(html).not.toContain('+819011110001');
    expect(html).toContain('<label for="code">');
    expect((await t.app.request(path)).status).toBe(200);
    const codes = await smsCodes(t);
    expect(codes).toHaveLength(1);
    expect((await t.deps.db.select().from(smsOutbox).get())!.recipient).toBe('+819011110001');

    // A post from elsewhere (or with no Origin) is refused before anything is looked at.
    expect((await post(t, path, { code: codes[0], password: NEW_PASSWORD, confirmation: NEW_PASSWORD }, 'https://evil.test')).status).toBe(403);
    expect((await post(t, path, { code: codes[0], password: NEW_PASSWORD, confirmation: NEW_PASSWORD }, null)).status).toBe(403);

    // The password rules, answered beside their field; none of these counts as a wrong code.
    for (const [password, confirmation, field, text] of [
      ['short', 'short', 'password', '8文字以上'],
      ['password', 'password', 'password', 'よく使われていて'],
      ['demo-jcb-2026', 'demo-jcb-2026', 'password', '会員IDを含まない'],
      [NEW_PASSWORD, 'something-else', 'confirmation', '1回目と同じ'],
    ]) {
      const res = await complete(t, path, codes[0], password, confirmation);
      expect(res.status, password).toBe(400);
      const body = await res.text();
      expect(body).toContain(`id="${field}-error"`);
      expect(body).toContain(text);
      expect(body).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error`));
    }
    const malformed = await complete(t, path, '12ab');
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('6桁の数字');

    // A wrong code: beside the field, with what is left.
    const wrong = await complete(t, path, codes[0] === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('id="code-error"');
    expect(wrongHtml).toContain('確認コードが正しくありません');
    expect(wrongHtml).toContain('あと4回');

    // The right code (as a person may type it: full-width, grouped) and the new password.
    const before = await hashOf(t, id);
    const done = await complete(t, path, codes[0].replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace(/^(...)/, '$1 '));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('パスワードを変更しました');
    const after = await hashOf(t, id);
    expect(after).not.toBe(before);
    expect(await verifyPassword(NEW_PASSWORD, after)).toBe(true);
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flow.id)).get())!.state).toBe('completed');
    const completed = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.password_reset.complete')).get())!;
    expect(completed).toMatchObject({ actorType: 'member', actorId: id, actorName: 'demo-jcb', target: `member:${id}`, issuerId: started.issuerId });
    const notice = (await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    expect(notice.recipient).toBe('demo-jcb@example.jp');
    expect(notice.subject).toContain('Your password was changed');
    expect(notice.body).toContain('0120-000-000');

    // Spent: the link answers like an unknown one, and sets nothing again.
    const unknown = await t.app.request(`/portal/password-reset/${'A'.repeat(43)}`);
    const used = await t.app.request(path);
    expect(used.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(main(await used.text())).toBe(main(await unknown.text()));
    expect((await complete(t, path, codes[0], 'another-pass-99')).status).toBe(404);
    expect(await verifyPassword(NEW_PASSWORD, await hashOf(t, id))).toBe(true);
  });

  it('counts wrong codes atomically and fails the link at the issuer\'s limit', async () => {
    const t = await setup({ MAX_AUTH_ATTEMPTS: '3' });
    const id = await memberId(t, 'demo-mc');
    const { path } = await start(t, id);
    await t.app.request(path);
    const [code] = await smsCodes(t);
    const wrongCode = code === '000000' ? '111111' : '000000';
    // Concurrent wrong entries cannot check more than the limit.
    const answers = await Promise.all(Array.from({ length: 6 }, () => complete(t, path, wrongCode)));
    expect(answers.map((r) => r.status).sort()).toEqual([400, 400, 404, 404, 404, 404]);
    const res = await complete(t, path, code);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('このリンクは使えません');
    expect(await verifyPassword(NEW_PASSWORD, await hashOf(t, id))).toBe(false);
    expect((await t.deps.db.select().from(flows).where(eq(flows.kind, 'recovery')).get())!.state).toBe('failed');
  });

  it('lets a link expire, and a newer reset supersedes the older one', async () => {
    const t = await setup();
    const id = await memberId(t, 'demo-jcb');
    const first = await start(t, id);
    const unknown = main(await (await t.app.request(`/portal/password-reset/${'B'.repeat(43)}`)).text());

    t.clock.advance(30 * 60_000);
    const expired = await t.app.request(first.path);
    expect(expired.status).toBe(404);
    expect(main(await expired.text())).toBe(unknown);

    const older = await start(t, id);
    t.clock.advance(1_000);
    const newer = await start(t, id);
    expect((await t.app.request(older.path)).status).toBe(404);
    expect((await t.app.request(newer.path)).status).toBe(200);
    const codes = await smsCodes(t);
    expect(codes).toHaveLength(1);
    expect((await complete(t, newer.path, codes[0])).status).toBe(200);
    expect(await verifyPassword(NEW_PASSWORD, await hashOf(t, id))).toBe(true);
  });

  it('resends the code within the issuer\'s cooldown and maximum; only the newest code works', async () => {
    const t = await setup({ OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '2' });
    const id = await memberId(t, 'demo-jcb');
    const { path } = await start(t, id);
    await t.app.request(path);
    const early = await post(t, `${path}/resend`, {});
    expect(early.status).toBe(429);
    expect(await early.text()).toContain('再送信は30秒後から');
    t.clock.advance(30_000);
    const again = await post(t, `${path}/resend`, {});
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('新しい確認コードを送信しました');
    t.clock.advance(30_000);
    expect(await (await post(t, `${path}/resend`, {})).text()).toContain('これ以上は再送信できません');
    const codes = await smsCodes(t);
    expect(codes).toHaveLength(2);
    if (codes[0] !== codes[1]) expect((await complete(t, path, codes[0])).status).toBe(400);
    expect((await complete(t, path, codes[1])).status).toBe(200);
  });

  it('sends a member without a verified OTP phone to the issuer\'s helpdesk, and mails as the cardholder\'s own issuer', async () => {
    const t = await setup();
    const id = await memberId(t, 'demo-pass');
    const { path } = await start(t, id);
    const page = await t.app.request(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('携帯電話番号が確認済みでない');
    expect(html).toContain('href="tel:0120000000"');
    expect(html).not.toContain('name="code"');
    expect(await smsCodes(t)).toEqual([]);
    expect((await complete(t, path, '123456')).status).toBe(200); // the same page again: nothing to check
    expect(await verifyPassword(NEW_PASSWORD, await hashOf(t, id))).toBe(false);

    // A cardholder of a second issuer: its name, phone and mail sender in the mail, its name on the page.
    await ensureFirstIssuer(t.deps);
    const kita = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'kita', nameJa: 'きたぐにカード', nameEn: 'Kitaguni Card', helpdeskPhone: '0120-111-222', mailFrom: 'info@kita.example' }, t.clock.now());
    forgetIssuerSettings(t.deps.db);
    const visa = await memberId(t, 'demo-visa');
    await t.client.execute({ sql: 'UPDATE cardholders SET issuer_id = ? WHERE id = (SELECT a.cardholder_id FROM members m JOIN card_accounts a ON a.id = m.card_account_id WHERE m.id = ?)', args: [kita.id, visa] });
    const { mail, path: visaPath } = await start(t, visa);
    expect(mail.sender).toBe('info@kita.example');
    expect(mail.body).toContain('きたぐにカード（0120-111-222）');
    expect(mail.body).toContain('Kitaguni Card');
    expect(await (await t.app.request(visaPath)).text()).toContain('きたぐにカード');
    const audit = (await t.deps.db.select().from(auditLog).where(eq(auditLog.target, `member:${visa}`)).get())!;
    expect(audit.issuerId).toBe(kita.id);
  });

  it('answers a member without a mail address, and one that does not exist', async () => {
    const t = await setup();
    const id = await memberId(t, 'demo-jcb', null);
    expect(await startPasswordReset(t.deps, { memberId: id, requestedBy: STAFF })).toEqual({ ok: false, reason: 'no_mail_address' });
    expect(await startPasswordReset(t.deps, { memberId: 999_999, requestedBy: STAFF })).toEqual({ ok: false, reason: 'not_registered' });
    // The cardholder's address is used when the registration has none.
    const row = await t.client.execute({ sql: 'SELECT ch.id FROM members m JOIN card_accounts a ON a.id = m.card_account_id JOIN cardholders ch ON ch.id = a.cardholder_id WHERE m.id = ?', args: [id] });
    await t.client.execute({ sql: 'UPDATE cardholders SET email = ? WHERE id = ?', args: ['holder@example.jp', row.rows[0].id] });
    expect((await start(t, id)).mail.recipient).toBe('holder@example.jp');
    expect(await t.deps.db.$count(mailOutbox)).toBe(1);
  });
});
