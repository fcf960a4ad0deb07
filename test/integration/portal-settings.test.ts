/**
 * The member portal's settings through the app on real libSQL: the personal message (and the next
 * challenge showing it), the password change (fresh proof, the shared lock, other sessions
 * ended), the e-mail change (a code read from mail_outbox), the data-sharing opt-out, the notice
 * mails with their "not me" link reaching member_reports, and the form-token and Origin checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { openSession } from '../../src/admin/sessions.ts';
import { auditLog, flows, mailOutbox, memberReports, members, sessions } from '../../src/db/schema.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { setPassword } from '../../src/members/store.ts';
import { changeReportToken } from '../../src/portal/change-report.ts';
import { csrfTokenFor } from '../../src/admin/sessions.ts';
import { openChallenge } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const ORIGIN = 'https://acs.test';
const PASSWORD = 'kusunoki-no-ki-3';

async function setup() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  return t;
}

/** The demo member, with a mail address (and a password when asked). */
async function memberOf(t: TestApp, loginId: string, o: { email?: string | null; password?: string } = {}) {
  const row = (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
  await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: [o.email === undefined ? `${loginId}@example.jp` : o.email, row.id] });
  if (o.password) await setPassword(t.deps.db, t.deps.clock, row.id, o.password);
  return row.id;
}

/** A signed-in browser: the member's session cookie and its form token (as the sign-in page would leave them). */
async function signIn(t: TestApp, memberId: number) {
  const { token, session } = await openSession(t.deps.db, 'member', memberId, t.clock.now());
  return { cookie: `__Host-mamori-member=${token}`, csrf: await csrfTokenFor(t.deps.keys.session, session, 'member'), sessionId: session.id };
}
type Browser = Awaited<ReturnType<typeof signIn>>;

const get = (t: TestApp, path: string, b?: Browser) => t.app.request(path, { headers: b ? { cookie: b.cookie } : {} });

function post(t: TestApp, path: string, fields: Record<string, string>, b?: Browser, o: { origin?: string | null; csrf?: string | null } = {}) {
  const body = new URLSearchParams(fields);
  const csrf = o.csrf === undefined ? b?.csrf : o.csrf;
  if (csrf) body.set('_csrf', csrf);
  const origin = o.origin === undefined ? ORIGIN : o.origin;
  return t.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}), ...(b ? { cookie: b.cookie } : {}) },
    body: body.toString(),
  });
}

const memberRow = async (t: TestApp, id: number) => (await t.deps.db.select().from(members).where(eq(members.id, id)).get())!;
const lastMail = async (t: TestApp) => (await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
const audits = (t: TestApp, action: string) => t.deps.db.select().from(auditLog).where(eq(auditLog.action, action));

/** The field's error is beside it, tied with aria-describedby, and says `text`. */
function expectFieldError(html: string, field: string, text: string) {
  expect(html).toContain(`id="${field}-error"`);
  expect(html).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error`));
  expect(/<p id="[\w-]+-error" class="field-error">([^<]*)<\/p>/.exec(html.slice(html.indexOf(`id="${field}-error"`) - 10))![1]).toContain(text);
}

/** The report link in a notice mail, as a path. */
function reportPath(body: string): string {
  return new RegExp(`${ORIGIN}(/portal/report/[\\w.-]+)`).exec(body)![1];
}

describe('personal message', () => {
  it('shows the provisional message as such, refuses bad ones beside the field, saves, notifies, and the next challenge shows it', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-jcb');
    await t.client.execute({ sql: 'UPDATE members SET personal_message_provisional = 1 WHERE id = ?', args: [id] });
    const b = await signIn(t, id);

    const page = await get(t, '/portal/message', b);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('庭のさくらが咲きました');
    expect(html).toContain('カード会社が設定した仮のメッセージです');
    expect(html).toContain('<label for="message">');

    for (const [message, text] of [
      ['   ', 'メッセージを入力してください'],
      ['あ'.repeat(41), '40文字以内'],
      ['https://example.jp を見て', 'URL'],
      ['ｗｗｗ．example．jp', 'URL'],
      ['電話は090-1234-5678', '電話番号は使えません'],
      ['わたしは demo-jcb です', '会員IDは使えません'],
    ]) {
      const res = await post(t, '/portal/message', { message }, b);
      expect(res.status, message).toBe(400);
      expectFieldError(await res.text(), 'message', text);
    }
    // One language at a time: in English, the English error only.
    const en = await (await post(t, '/portal/message?lang=en', { message: '' }, b)).text();
    expectFieldError(en, 'message', 'Enter a message.');
    expect(en).not.toContain('メッセージを入力してください');
    expect((await memberRow(t, id)).personalMessage).toBe('庭のさくらが咲きました');

    // Forty full-width characters are fine; trimmed.
    const mine = '　雨の日の図書館で読んだ本' + 'の'.repeat(27) + ' ';
    const saved = await post(t, '/portal/message', { message: mine }, b);
    expect(saved.status).toBe(200);
    const savedHtml = await saved.text();
    expect(savedHtml).toContain('パーソナルメッセージを保存しました');
    expect(savedHtml).not.toContain('仮のメッセージです');
    const row = await memberRow(t, id);
    expect(row.personalMessage).toBe(mine.trim());
    expect(row.personalMessageProvisional).toBe(false);
    const [audit] = await audits(t, 'member.personal_message_change');
    expect(audit).toMatchObject({ actorType: 'member', actorId: id, actorName: 'demo-jcb', target: `member:${id}` });
    expect(audit.detail).not.toContain('図書館');
    expect(JSON.parse(audit.detail)).toMatchObject({ changed: true, wasProvisional: true, notice: 'sent' });
    const mail = await lastMail(t);
    expect(mail.recipient).toBe('demo-jcb@example.jp');
    expect(mail.subject).toContain('パーソナルメッセージが変更されました');
    expect(mail.body).toContain('心当たりがない場合はこちらからお知らせください');
    expect(mail.body).toContain('Not you? Tell us:');
    expect(mail.body).not.toContain('図書館');

    // The next challenge (an amount above the threshold) shows the new message.
    const challenge = await openChallenge(t, 'jcb-otp');
    expect(challenge.html).toContain(mine.trim());
    expect(challenge.html).not.toContain('庭のさくらが咲きました');
  });

  it('refuses a POST without the form token or from another origin, and sends a visitor without a session to sign in', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-jcb');
    const b = await signIn(t, id);
    expect((await post(t, '/portal/message', { message: '青い鳥' }, b, { csrf: null })).status).toBe(403);
    expect((await post(t, '/portal/message', { message: '青い鳥' }, b, { csrf: 'f'.repeat(64) })).status).toBe(403);
    expect((await post(t, '/portal/message', { message: '青い鳥' }, b, { origin: 'https://evil.test' })).status).toBe(403);
    expect((await post(t, '/portal/data-sharing', { optOut: 'on' }, b, { csrf: null })).status).toBe(403);
    expect((await memberRow(t, id)).personalMessage).toBe('庭のさくらが咲きました');
    const anonymous = await get(t, '/portal/password');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/portal/sign-in?next=%2Fportal%2Fpassword');
  });
});

describe('password change', () => {
  it('needs the current password, checks the new one beside its field, ends the other sessions, audits and mails a working report link', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-pass');
    const here = await signIn(t, id);
    const elsewhere = await signIn(t, id);

    for (const [fields, field, text] of [
      [{ current: '', password: PASSWORD, confirmation: PASSWORD }, 'current', '現在のパスワードを入力してください'],
      [{ current: 'Mamori-2026', password: 'short', confirmation: 'short' }, 'password', '8文字以上'],
      [{ current: 'Mamori-2026', password: 'password', confirmation: 'password' }, 'password', 'よく使われていて'],
      [{ current: 'Mamori-2026', password: 'demo-pass-2026', confirmation: 'demo-pass-2026' }, 'password', '会員IDを含まない'],
      [{ current: 'Mamori-2026', password: 'Mamori-2026', confirmation: 'Mamori-2026' }, 'password', '現在のパスワードと違う'],
      [{ current: 'Mamori-2026', password: PASSWORD, confirmation: 'other-thing-9' }, 'confirmation', '1回目と同じ'],
      [{ current: 'Mamori-2026', password: PASSWORD, confirmation: '' }, 'confirmation', 'もう一度入力'],
    ] as const) {
      const res = await post(t, '/portal/password', fields, here);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expectFieldError(await res.text(), field, text);
    }
    // None of those was an attempt.
    expect((await memberRow(t, id)).failedAttempts).toBe(0);

    const wrong = await post(t, '/portal/password', { current: 'Mamori-2025', password: PASSWORD, confirmation: PASSWORD }, here);
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expectFieldError(wrongHtml, 'current', '現在のパスワードが正しくありません');
    expect(wrongHtml).toContain('あと4回');
    expect((await memberRow(t, id)).failedAttempts).toBe(1);

    const before = (await memberRow(t, id)).passwordHash;
    const done = await post(t, '/portal/password', { current: 'Mamori-2026', password: PASSWORD, confirmation: PASSWORD }, here);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('パスワードを変更しました');
    const row = await memberRow(t, id);
    expect(row.passwordHash).not.toBe(before);
    expect(await verifyPassword(PASSWORD, row.passwordHash)).toBe(true);
    expect(row.failedAttempts).toBe(0);
    // Every earlier session ended; this browser got a new one.
    const fresh = /__Host-mamori-member=([\w-]{43})/.exec(done.headers.get('set-cookie') ?? '')![1];
    const left = await t.deps.db.select().from(sessions).where(and(eq(sessions.subjectType, 'member'), eq(sessions.subjectId, id)));
    expect(left).toHaveLength(1);
    expect(left[0].id).not.toBe(here.sessionId);
    expect((await get(t, '/portal/password', elsewhere)).status).toBe(303);
    expect((await get(t, '/portal/password', { ...here, cookie: `__Host-mamori-member=${fresh}` })).status).toBe(200);
    const [audit] = await audits(t, 'member.password_change');
    expect(audit).toMatchObject({ actorType: 'member', actorId: id, target: `member:${id}` });
    expect(audit.detail).not.toContain(PASSWORD);

    // The notice, and its link: the page says what changed; the button files one report, once.
    const mail = await lastMail(t);
    expect(mail.recipient).toBe('demo-pass@example.jp');
    expect(mail.subject).toContain('Your 3-D Secure password was changed');
    const path = reportPath(mail.body);
    const report = await get(t, path);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('本人認証パスワードが変更されました');
    expect((await post(t, path, {}, undefined, { origin: 'https://evil.test' })).status).toBe(403);
    const filed = await post(t, path, {});
    expect(filed.status).toBe(200);
    const filedHtml = await filed.text();
    expect(filedHtml).toContain('お知らせを受け付けました');
    expect(filedHtml).toContain('0120-000-000');
    expect(await t.deps.db.select().from(memberReports)).toMatchObject([{ memberId: id, kind: 'account_change', change: 'password', state: 'open' }]);
    expect(await (await post(t, path, {})).text()).toContain('すでにお知らせを受け付けています');
    expect(await t.deps.db.select().from(memberReports)).toHaveLength(1);
    expect(await audits(t, 'member.report.change')).toHaveLength(1);
  });

  it('counts wrong current passwords on the member’s one counter and locks at the issuer’s limit', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-pass');
    const b = await signIn(t, id);
    // Two wrong entries already made at a challenge count too.
    await t.client.execute({ sql: 'UPDATE members SET failed_attempts = 2 WHERE id = ?', args: [id] });
    for (const left of [2, 1]) {
      const res = await post(t, '/portal/password', { current: 'nope-nope-1', password: PASSWORD, confirmation: PASSWORD }, b);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`あと${left}回`);
    }
    const lockedRes = await post(t, '/portal/password', { current: 'nope-nope-1', password: PASSWORD, confirmation: PASSWORD }, b);
    expect(lockedRes.status).toBe(403);
    expect(await lockedRes.text()).toContain('ご登録がロックされました');
    const row = await memberRow(t, id);
    expect(row).toMatchObject({ status: 'locked', lockCause: 'attempts' });
    expect(await verifyPassword('Mamori-2026', row.passwordHash)).toBe(true);
    expect(await t.deps.db.select().from(sessions).where(eq(sessions.subjectId, id))).toHaveLength(0);
    expect(await audits(t, 'member.locked')).toMatchObject([{ actorType: 'member', actorId: id }]);
    // The lock holds: even the right password is not checked any more (the session is gone too).
    const b2 = await signIn(t, id);
    const again = await post(t, '/portal/password', { current: 'Mamori-2026', password: PASSWORD, confirmation: PASSWORD }, b2);
    expect(again.status).toBe(403);
    expect(await verifyPassword('Mamori-2026', (await memberRow(t, id)).passwordHash)).toBe(true);
  });
});

describe('e-mail change', () => {
  it('needs the current password, mails a code to the new address, counts wrong codes, and tells the old address', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-visa', { password: 'Mamori-2026' });
    const b = await signIn(t, id);

    for (const [fields, field, text] of [
      [{ current: '', email: 'new@example.jp' }, 'current', '現在のパスワードを入力してください'],
      [{ current: 'Mamori-2026', email: '' }, 'email', '新しいメールアドレスを入力してください'],
      [{ current: 'Mamori-2026', email: 'not-an-address' }, 'email', '形式が正しくありません'],
      [{ current: 'Mamori-2026', email: 'DEMO-visa@EXAMPLE.jp' }, 'email', '現在と同じ'],
      [{ current: 'wrong-one-1', email: 'new@example.jp' }, 'current', '現在のパスワードが正しくありません'],
    ] as const) {
      const res = await post(t, '/portal/email', fields, b);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expectFieldError(await res.text(), field, text);
    }
    expect(await t.deps.db.select().from(flows).where(eq(flows.kind, 'email_verification'))).toHaveLength(0);

    // Full-width ＠ as an IME types it is the same address.
    const start = await post(t, '/portal/email', { current: 'Mamori-2026', email: 'aoi.sora＠Example.JP' }, b);
    expect(start.status).toBe(200);
    const startHtml = await start.text();
    expect(startHtml).toContain('a***@example.jp に確認コードをお送りしました');
    expect(startHtml).toContain('<label for="code">');
    const codeMail = await lastMail(t);
    expect(codeMail.recipient).toBe('aoi.sora@example.jp');
    const code = /確認コード: (\d{6})/.exec(codeMail.body)![1];
    expect(codeMail.body).toContain(`Your code to confirm this e-mail address: ${code}`);
    // The code is stored only hashed; the page after a reload still asks for it.
    expect(JSON.stringify(await t.client.execute('SELECT * FROM otps'))).not.toContain(code);
    expect(await (await get(t, '/portal/email', b)).text()).toContain('<label for="code">');

    const malformed = await post(t, '/portal/email/confirm', { code: '12ab' }, b);
    expect(malformed.status).toBe(400);
    expectFieldError(await malformed.text(), 'code', '6桁の数字');
    const wrong = await post(t, '/portal/email/confirm', { code: code === '000000' ? '111111' : '000000' }, b);
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expectFieldError(wrongHtml, 'code', '確認コードが正しくありません');
    expect(wrongHtml).toContain('あと4回');
    const soon = await post(t, '/portal/email/resend', {}, b);
    expect(soon.status).toBe(429);
    expect(await soon.text()).toContain('秒後から');
    expect((await memberRow(t, id)).email).toBe('demo-visa@example.jp');

    const done = await post(t, '/portal/email/confirm', { code: code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))) }, b);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('メールアドレスを aoi.sora@example.jp に変更しました');
    const row = await memberRow(t, id);
    expect(row.email).toBe('aoi.sora@example.jp');
    expect(row.emailVerifiedAt).toBe(t.clock.now());
    expect(await audits(t, 'member.email_change')).toMatchObject([{ actorType: 'member', actorId: id }]);
    expect(JSON.parse((await audits(t, 'member.email_change'))[0].detail)).toMatchObject({ from: 'd***@example.jp', to: 'a***@example.jp', notice: 'sent' });
    // The notice goes to the OLD address, with the "not me" link.
    const notice = await lastMail(t);
    expect(notice.recipient).toBe('demo-visa@example.jp');
    expect(notice.subject).toContain('メールアドレスが変更されました');
    const path = reportPath(notice.body);
    expect(await (await get(t, path)).text()).toContain('ご登録のメールアドレスが変更されました');
    expect((await post(t, path, {})).status).toBe(200);
    expect(await t.deps.db.select().from(memberReports)).toMatchObject([{ memberId: id, change: 'email' }]);
    // The code is spent.
    expect((await post(t, '/portal/email/confirm', { code }, b)).status).toBe(400);
  });

  it('stops the change after the issuer’s number of wrong codes', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-visa', { password: 'Mamori-2026' });
    const b = await signIn(t, id);
    expect((await post(t, '/portal/email', { current: 'Mamori-2026', email: 'x@example.jp' }, b)).status).toBe(200);
    const code = /確認コード: (\d{6})/.exec((await lastMail(t)).body)![1];
    const bad = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect((await post(t, '/portal/email/confirm', { code: bad }, b)).status).toBe(400);
    const last = await post(t, '/portal/email/confirm', { code: bad }, b);
    expect(await last.text()).toContain('この変更は無効になりました');
    expect((await post(t, '/portal/email/confirm', { code }, b)).status).toBe(400);
    expect((await memberRow(t, id)).email).toBe('demo-visa@example.jp');
    expect((await t.deps.db.select().from(flows).where(eq(flows.kind, 'email_verification')).get())!.state).toBe('failed');
  });
});

describe('data sharing', () => {
  it('explains, switches the opt-out off and on, and audits with the member as actor', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-jcb');
    const b = await signIn(t, id);
    const page = await (await get(t, '/portal/data-sharing', b)).text();
    expect(page).toContain('カード会社自身による不正利用のチェックは続きます');
    expect(page).toContain('現在: 情報を提供しています');
    const stop = await post(t, '/portal/data-sharing', { optOut: 'on' }, b);
    expect(stop.status).toBe(200);
    expect(await stop.text()).toContain('情報の提供を停止しました');
    const row = (await t.client.execute({ sql: 'SELECT h.data_sharing_opt_out AS o, h.data_sharing_changed_at AS at FROM members m JOIN card_accounts a ON a.id = m.card_account_id JOIN cardholders h ON h.id = a.cardholder_id WHERE m.id = ?', args: [id] })).rows[0];
    expect(row).toMatchObject({ o: 1, at: t.clock.now() });
    const restart = await post(t, '/portal/data-sharing', { optOut: 'off' }, b);
    expect(await restart.text()).toContain('情報の提供を再開しました');
    const rows = await audits(t, 'member.data_sharing_change');
    expect(rows.map((r) => JSON.parse(r.detail).after)).toEqual([{ dataSharingOptOut: true }, { dataSharingOptOut: false }]);
    expect(rows[0]).toMatchObject({ actorType: 'member', actorId: id, actorName: 'demo-jcb' });
    expect((await post(t, '/portal/data-sharing', { optOut: 'maybe' }, b)).status).toBe(400);
  });
});

describe('change report link', () => {
  it('answers a forged, altered or expired link with one neutral page', async () => {
    const t = await setup();
    const id = await memberOf(t, 'demo-jcb');
    const token = await changeReportToken(t.deps, id, 'phone');
    expect((await get(t, `/portal/report/${token}`)).status).toBe(200);
    const main = async (path: string) => {
      const res = await get(t, path);
      expect(res.status, path).toBe(404);
      return /<main[\s\S]*<\/main>/.exec(await res.text())![0];
    };
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ m: id + 1, c: 'phone', t: t.clock.now() })).toString('base64url')}.${mac}`;
    const pages = [await main('/portal/report/nonsense'), await main(`/portal/report/${forged}`), await main(`/portal/report/${payload}.${'0'.repeat(64)}`)];
    t.clock.advance(14 * 24 * 60 * 60_000);
    pages.push(await main(`/portal/report/${token}`));
    expect(pages[0]).toContain('このリンクは使えません');
    expect(new Set(pages).size).toBe(1);
    expect((await post(t, `/portal/report/${token}`, {})).status).toBe(404);
    expect(await t.deps.db.select().from(memberReports)).toHaveLength(0);
  });
});
