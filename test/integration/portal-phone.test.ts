/**
 * The portal's OTP phone and authentication method on real libSQL through the app: a member
 * registers, changes (after a fresh password or a code to the current number) or replaces a
 * provisional number, reading each code from the SMS outbox; the issuer's "call us" mode changes
 * nothing; wrong codes, resend limits and the breaker are answered on the page; and the next AReq
 * above the threshold is challenged by SMS to the new number.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, flows, mailOutbox, members, smsOutbox } from '../../src/db/schema.ts';
import { forgetIssuerSettings, issuerSettings } from '../../src/issuers/settings.ts';
import { recordFailure } from '../../src/messaging/breaker.ts';
import { setPassword } from '../../src/members/store.ts';
import { openChallenge } from '../support/challenge.ts';
import { memberIdOf, memberSession, type MemberSession } from '../support/portal.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const ORIGIN = 'https://acs.test';

async function setup(env: Record<string, string> = {}, modes: { phoneChange?: string; provisionalPhone?: string } = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  await issuerSettings(t.deps, null); // the first issuer is made on first use
  await t.client.execute({
    sql: 'UPDATE issuers SET phone_change_mode = ?, provisional_phone_mode = ?',
    args: [modes.phoneChange ?? 'self_service', modes.provisionalPhone ?? 'self_service'],
  });
  forgetIssuerSettings(t.deps.db);
  return t;
}

async function signIn(t: TestApp, loginId: string, email: string | null = `${loginId}@example.jp`) {
  const id = await memberIdOf(t.deps, loginId);
  await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: [email, id] });
  return { id, s: await memberSession(t.deps, id) };
}

const get = (t: TestApp, s: MemberSession, path: string) => t.app.request(path, { headers: { cookie: s.cookie } });

function post(t: TestApp, s: MemberSession, path: string, form: Record<string, string>, o: { csrf?: string | null; origin?: string | null } = {}) {
  const csrf = o.csrf === undefined ? s.csrf : o.csrf;
  const origin = o.origin === undefined ? ORIGIN : o.origin;
  return t.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie, ...(origin ? { origin } : {}) },
    body: new URLSearchParams({ ...form, ...(csrf !== null ? { _csrf: csrf } : {}) }).toString(),
  });
}

const sms = (t: TestApp) => t.deps.db.select().from(smsOutbox).orderBy(smsOutbox.id);
const lastSms = async (t: TestApp) => (await t.deps.db.select().from(smsOutbox).orderBy(desc(smsOutbox.id)).get())!;
const flowOf = (html: string) => /name="flow" value="([^"]+)"/.exec(html)![1];
const memberRow = async (t: TestApp, id: number) => (await t.deps.db.select().from(members).where(eq(members.id, id)).get())!;
const wrongOf = (code: string) => (code === '000000' ? '111111' : '000000');

/** Types the number (and password), then reads the code the new number got and types it back. */
async function registerNumber(t: TestApp, s: MemberSession, phone: string, extra: Record<string, string> = {}) {
  const started = await post(t, s, '/portal/phone', { phone, ...extra });
  const html = await started.text();
  expect(started.status, html).toBe(200);
  const code = (await lastSms(t)).otpCode!;
  return post(t, s, '/portal/phone/verify', { flow: flowOf(html), code });
}

describe('the OTP phone in the portal', () => {
  it('registers a first phone by a code sent to it, then the member switches to SMS and is challenged on it', async () => {
    const t = await setup();
    const { id, s } = await signIn(t, 'demo-pass');
    const page = await get(t, s, '/portal/phone');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('認証用携帯電話番号の登録');
    expect(html).toContain('<label for="phone">');
    expect(html).not.toContain('name="password"'); // a first number needs no proof beyond the session

    // Malformed numbers, answered beside the field; nothing is sent.
    for (const [phone, text] of [
      ['', '携帯電話番号を入力してください'],
      ['12-34', '電話番号の形式が正しくありません'],
      ['03-1234-5678', 'SMSを受け取れる携帯電話の番号'],
    ]) {
      const res = await post(t, s, '/portal/phone', { phone });
      expect(res.status, phone).toBe(400);
      const body = await res.text();
      expect(body).toContain(text);
      expect(body).toMatch(/id="phone"[^>]*aria-describedby="[^"]*phone-error/);
    }
    expect(await sms(t)).toEqual([]);

    // As typed in Japan: full-width digits and dashes.
    const started = await post(t, s, '/portal/phone', { phone: '０８０－２２２２－３３３３' });
    expect(started.status).toBe(200);
    const startedHtml = await started.text();
    expect(startedHtml).toContain('080-****-3333');
    const [sent] = await sms(t);
    expect(sent).toMatchObject({ recipient: '+818022223333' });
    expect(sent.body).toContain(sent.otpCode!);
    const flow = (await t.deps.db.select().from(flows).where(eq(flows.id, flowOf(startedHtml))).get())!;
    expect(flow).toMatchObject({ kind: 'phone_verification', subject: `portal:phone_verify:member:${id}`, state: 'started', sendCount: 1 });

    const done = await post(t, s, '/portal/phone/verify', { flow: flow.id, code: sent.otpCode! });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('携帯電話番号を登録しました');
    expect(await memberRow(t, id)).toMatchObject({ phone: '+818022223333', phoneStatus: 'verified', phoneChangedAt: t.clock.now() });
    const audit = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.phone_change')).get())!;
    expect(audit).toMatchObject({ actorType: 'member', actorId: id, actorName: 'demo-pass', target: `member:${id}` });
    expect(JSON.parse(audit.detail)).toMatchObject({ before: { phone: null, phoneStatus: 'none' }, after: { phone: '080-****-3333', phoneStatus: 'verified' }, situation: 'none', notice: { sms: 'none', mail: 'sent' } });
    expect(audit.detail).not.toContain('+818022223333');
    // No old number to tell; the mail says what changed.
    expect(await sms(t)).toHaveLength(1);
    const mail = (await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    expect(mail).toMatchObject({ recipient: 'demo-pass@example.jp' });
    expect(mail.subject).toContain('電話番号');

    // The method: encouraged to switch, and switched.
    const method = await (await get(t, s, '/portal/method')).text();
    expect(method).toContain('従来の固定パスワードをご利用中です');
    expect(method).toContain('毎回ちがい');
    expect(method).toContain('固定パスワードへ戻すことはできません');
    const switched = await post(t, s, '/portal/method', {});
    expect(switched.status).toBe(200);
    expect(await switched.text()).toContain('SMS認証に切り替えました');
    expect((await memberRow(t, id)).authMethod).toBe('sms_otp');
    const change = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.method_change')).get())!;
    expect(JSON.parse(change.detail)).toMatchObject({ before: { authMethod: 'password' }, after: { authMethod: 'sms_otp' } });
    const after = await (await get(t, s, '/portal/method')).text();
    expect(after).toContain('SMS認証（ワンタイムパスワード）をご利用中です');
    expect(after).not.toContain('SMS認証に切り替える');

    // The next purchase above the threshold: an SMS challenge, the code to the new number.
    const challenge = await openChallenge(t, 'jcb-password');
    expect(challenge.ares.transStatus).toBe('C');
    expect((await lastSms(t))).toMatchObject({ recipient: '+818022223333', acsTransID: challenge.ares.acsTransID });
  });

  it('changes a verified phone after a fresh password, tells the old number and the mail, and the challenge texts the new one', async () => {
    const t = await setup();
    const { id, s } = await signIn(t, 'demo-jcb');
    await setPassword(t.deps.db, t.deps.clock, id, 'hinoki-no-mori-7');
    const html = await (await get(t, s, '/portal/phone')).text();
    expect(html).toContain('認証用携帯電話番号の変更');
    expect(html).toContain('090-****-0001');
    expect(html).toContain('name="password"');

    // A wrong password counts on the member's counter (the challenge's lock), says what is left, sends nothing.
    const wrong = await post(t, s, '/portal/phone', { phone: '090-5555-6666', password: 'not-my-password' });
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('パスワードが正しくありません');
    expect(wrongHtml).toContain('あと4回');
    expect((await memberRow(t, id)).failedAttempts).toBe(1);
    expect(await sms(t)).toEqual([]);
    // The same number is not a change.
    expect(await (await post(t, s, '/portal/phone', { phone: '090-1111-0001', password: 'hinoki-no-mori-7' })).text()).toContain('現在ご登録の番号と同じです');

    const done = await registerNumber(t, s, '090-5555-6666', { password: 'hinoki-no-mori-7' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('これまでの番号とメールにお送りしました');
    expect(await memberRow(t, id)).toMatchObject({ phone: '+819055556666', phoneStatus: 'verified', failedAttempts: 0 });
    // The notice: an SMS to the old number (no code in it) and a mail.
    const notice = await lastSms(t);
    expect(notice).toMatchObject({ recipient: '+819011110001', otpCode: null });
    expect(notice.body).toContain('認証用電話番号が変更されました');
    expect(notice.body).toContain('0120-000-000');
    expect((await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!.recipient).toBe('demo-jcb@example.jp');
    const audit = JSON.parse((await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.phone_change')).get())!.detail);
    expect(audit).toMatchObject({ before: { phone: '090-****-0001', phoneStatus: 'verified' }, after: { phone: '090-****-6666' }, proof: 'password', notice: { sms: 'sent', mail: 'sent' } });

    const challenge = await openChallenge(t, 'jcb-otp');
    expect(await lastSms(t)).toMatchObject({ recipient: '+819055556666', acsTransID: challenge.ares.acsTransID });
  });

  it('locks the member after the issuer\'s limit of wrong passwords, and ends the session', async () => {
    const t = await setup({ MAX_AUTH_ATTEMPTS: '2' });
    const { id, s } = await signIn(t, 'demo-jcb');
    await setPassword(t.deps.db, t.deps.clock, id, 'hinoki-no-mori-7');
    expect((await post(t, s, '/portal/phone', { phone: '090-5555-6666', password: 'wrong-1' })).status).toBe(400);
    const locked = await post(t, s, '/portal/phone', { phone: '090-5555-6666', password: 'wrong-2' });
    expect(locked.status).toBe(403);
    expect(await locked.text()).toContain('ロックしました');
    expect(await memberRow(t, id)).toMatchObject({ status: 'locked', phone: '+819011110001' });
    expect((await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.locked')).get())!.actorId).toBe(id);
    expect((await get(t, s, '/portal/phone')).status).toBe(303);
  });

  it('proves a member without a password by a code to the current number first', async () => {
    const t = await setup();
    const { id, s } = await signIn(t, 'demo-visa');
    const html = await (await get(t, s, '/portal/phone')).text();
    expect(html).not.toContain('name="password"');
    expect(html).toContain('現在の番号（090-****-0002）に確認コードをお送りします');

    const proof = await post(t, s, '/portal/phone', { phone: '070-1234-5678' });
    expect(proof.status).toBe(200);
    const proofHtml = await proof.text();
    expect(proofHtml).toContain('現在の番号（090-****-0002）にお送りした確認コード');
    const oldCode = await lastSms(t);
    expect(oldCode).toMatchObject({ recipient: '+819011110002' });
    // The proof's flow cannot be used to confirm the new number.
    expect((await post(t, s, '/portal/phone/verify', { flow: flowOf(proofHtml), code: oldCode.otpCode! })).status).toBe(303);

    const verify = await post(t, s, '/portal/phone/proof', { flow: flowOf(proofHtml), code: oldCode.otpCode! });
    expect(verify.status).toBe(200);
    const verifyHtml = await verify.text();
    expect(verifyHtml).toContain('新しい番号（070-****-5678）');
    const newCode = await lastSms(t);
    expect(newCode.recipient).toBe('+817012345678');
    const done = await post(t, s, '/portal/phone/verify', { flow: flowOf(verifyHtml), code: newCode.otpCode! });
    expect(done.status).toBe(200);
    expect(await memberRow(t, id)).toMatchObject({ phone: '+817012345678', phoneStatus: 'verified' });
    expect((await lastSms(t)).recipient).toBe('+819011110002'); // the notice
    expect(JSON.parse((await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.phone_change')).get())!.detail).proof).toBe('sms_code');
  });

  it('says to call the issuer when it wants phone changes by phone, and changes nothing', async () => {
    const t = await setup({}, { phoneChange: 'phone_call' });
    const { id, s } = await signIn(t, 'demo-jcb');
    const page = await get(t, s, '/portal/phone');
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('ご登録の携帯電話番号の変更は、お手数ですが');
    expect(html).toContain('お電話でお申し出ください');
    expect(html).toContain('href="tel:0120000000"');
    expect(html).not.toContain('name="phone"');
    const posted = await post(t, s, '/portal/phone', { phone: '090-5555-6666' });
    expect(await posted.text()).toContain('お電話でお申し出ください');
    expect(await sms(t)).toEqual([]);
    expect((await memberRow(t, id)).phone).toBe('+819011110001');
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'member.phone_change'))).toBe(0);
    // A first number is registered here whatever the mode.
    const first = await signIn(t, 'demo-mc-pass');
    expect(await (await get(t, first.s, '/portal/phone')).text()).toContain('name="phone"');
  });

  it('replaces the issuer\'s provisional number here; the issuer\'s record stays as imported', async () => {
    const t = await setup();
    const { id, s } = await signIn(t, 'demo-provisional');
    const html = await (await get(t, s, '/portal/phone')).text();
    expect(html).toContain('仮の番号の置き換え');
    expect(html).toContain('カード会社が仮の番号を登録しています');
    const done = await registerNumber(t, s, '080-7777-8888');
    expect(done.status).toBe(200);
    expect(await memberRow(t, id)).toMatchObject({ phone: '+818077778888', phoneStatus: 'verified', phoneChangedAt: t.clock.now() });
    // No SMS to the provisional number: the only message is the code.
    expect((await sms(t)).map((r) => r.recipient)).toEqual(['+818077778888']);
    const member = await memberRow(t, id);
    const holder = (await t.client.execute({ sql: 'SELECT c.phone_provisional FROM cardholders c JOIN card_accounts a ON a.cardholder_id = c.id WHERE a.id = ?', args: [member.cardAccountId] })).rows[0];
    expect(holder.phone_provisional).toBe(1);
    // Now a change, no longer a replacement (the member confirmed this number).
    expect(await (await get(t, s, '/portal/phone')).text()).toContain('認証用携帯電話番号の変更');
  });

  it('challenges a replaced provisional number by SMS to the new one, though the issuer\'s record still says provisional', async () => {
    const t = await setup();
    const { s } = await signIn(t, 'demo-provisional');
    expect((await registerNumber(t, s, '080-7777-8888')).status).toBe(200);
    const challenge = await openChallenge(t, 'jcb-provisional-phone');
    expect(challenge.html).not.toContain('guidance');
    expect(await lastSms(t)).toMatchObject({ recipient: '+818077778888', acsTransID: challenge.ares.acsTransID });
  });

  it('says to call for a provisional number when the issuer replaces those by phone', async () => {
    const t = await setup({}, { provisionalPhone: 'phone_call' });
    const { id, s } = await signIn(t, 'demo-provisional');
    const html = await (await get(t, s, '/portal/phone')).text();
    expect(html).toContain('携帯電話番号の本登録は、お手数ですが');
    expect(html).not.toContain('name="phone"');
    expect(await (await post(t, s, '/portal/phone', { phone: '080-7777-8888' })).text()).toContain('お電話でお申し出ください');
    expect(await sms(t)).toEqual([]);
    expect(await memberRow(t, id)).toMatchObject({ phone: '+819000000000', phoneStatus: 'provisional' });
  });

  it('counts wrong codes in the database and fails the flow at the issuer\'s limit', async () => {
    const t = await setup({ MAX_AUTH_ATTEMPTS: '3' });
    const { id, s } = await signIn(t, 'demo-mc-pass');
    const html = await (await post(t, s, '/portal/phone', { phone: '090-2468-1357' })).text();
    const flow = flowOf(html);
    const code = (await lastSms(t)).otpCode!;
    // Malformed entries are not attempts.
    expect(await (await post(t, s, '/portal/phone/verify', { flow, code: '12ab' })).text()).toContain('6桁の数字');
    const first = await post(t, s, '/portal/phone/verify', { flow, code: wrongOf(code) });
    expect(first.status).toBe(400);
    const firstHtml = await first.text();
    expect(firstHtml).toContain('確認コードが正しくありません');
    expect(firstHtml).toContain('あと2回');
    expect(firstHtml).toMatch(/id="code"[^>]*aria-invalid="true"/);
    // Concurrent wrong entries cannot check more than the limit.
    const answers = await Promise.all([0, 1, 2].map(() => post(t, s, '/portal/phone/verify', { flow, code: wrongOf(code) })));
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(texts.filter((x) => x.includes('確認できませんでした'))).toHaveLength(2);
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flow)).get())!.state).toBe('failed');
    const late = await post(t, s, '/portal/phone/verify', { flow, code });
    expect(late.status).toBe(400);
    expect((await memberRow(t, id)).phoneStatus).toBe('none');
    const counter = await t.client.execute({ sql: 'SELECT count FROM rate_counters WHERE key = ?', args: [`portal_phone:${flow}`] });
    expect(Number(counter.rows[0].count)).toBeGreaterThanOrEqual(3);
  });

  it('resends within the issuer\'s cooldown and maximum; only the newest code works', async () => {
    const t = await setup({ OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '2' });
    const { id, s } = await signIn(t, 'demo-mc-pass');
    const flow = flowOf(await (await post(t, s, '/portal/phone', { phone: '090-2468-1357' })).text());
    const soon = await post(t, s, '/portal/phone/resend', { flow });
    expect(soon.status).toBe(429);
    const soonHtml = await soon.text();
    expect(soonHtml).toContain('再送信は30秒後からできます');
    expect(soonHtml).toMatch(/id="announce"[^>]*>[^<]*30秒後から/);
    t.clock.advance(12_000);
    expect(await (await post(t, s, '/portal/phone/resend', { flow })).text()).toContain('18秒後から');
    t.clock.advance(18_000);
    const again = await post(t, s, '/portal/phone/resend', { flow });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('090-****-1357 にSMSで確認コードを送信しました');
    const [older, newer] = (await sms(t)).map((r) => r.otpCode!);
    t.clock.advance(30_000);
    const limit = await post(t, s, '/portal/phone/resend', { flow });
    expect(limit.status).toBe(429);
    expect(await limit.text()).toContain('これ以上は再送信できません');
    expect(await sms(t)).toHaveLength(2);
    if (older !== newer) expect((await post(t, s, '/portal/phone/verify', { flow, code: older })).status).toBe(400);
    expect((await post(t, s, '/portal/phone/verify', { flow, code: newer })).status).toBe(200);
    expect((await memberRow(t, id)).phone).toBe('+819024681357');
  });

  it('says clearly that no SMS can be sent while the breaker is open, and sends nothing', async () => {
    const t = await setup({ SMS_BREAKER_THRESHOLD: '2' });
    const { id, s } = await signIn(t, 'demo-mc-pass');
    await recordFailure(t.deps, false, 'provider down');
    await recordFailure(t.deps, false, 'provider down');
    const res = await post(t, s, '/portal/phone', { phone: '090-2468-1357' });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('現在SMSを送信できません');
    expect(html).toContain('/portal/phone/resend');
    expect(await sms(t)).toEqual([]);
    expect((await memberRow(t, id)).phoneStatus).toBe('none');
  });

  it('refuses a post without the session\'s form token or from another origin, and one without a session', async () => {
    const t = await setup();
    const { id, s } = await signIn(t, 'demo-mc-pass');
    expect((await post(t, s, '/portal/phone', { phone: '090-2468-1357' }, { csrf: null })).status).toBe(403);
    expect((await post(t, s, '/portal/phone', { phone: '090-2468-1357' }, { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await post(t, s, '/portal/phone', { phone: '090-2468-1357' }, { origin: 'https://evil.test' })).status).toBe(403);
    expect((await post(t, s, '/portal/method', {}, { csrf: null })).status).toBe(403);
    const anonymous = await t.app.request('/portal/phone');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/portal/sign-in?next=%2Fportal%2Fphone');
    expect(await sms(t)).toEqual([]);
    expect((await memberRow(t, id)).phoneStatus).toBe('none');
    // Another member's flow is not this member's.
    const other = await signIn(t, 'demo-pass');
    const flow = flowOf(await (await post(t, other.s, '/portal/phone', { phone: '090-9999-0000' })).text());
    expect((await post(t, s, '/portal/phone/verify', { flow, code: (await lastSms(t)).otpCode! })).status).toBe(303);
    expect((await memberRow(t, id)).phoneStatus).toBe('none');
  });

  it('tells a Mastercard member that an OTP phone is required, and a member without a verified phone to register one first', async () => {
    const t = await setup();
    const { s } = await signIn(t, 'demo-mc-pass');
    const html = await (await get(t, s, '/portal/method')).text();
    expect(html).toContain('Mastercard Identity Check');
    expect(html).toContain('携帯電話番号の登録が必要です');
    expect(html).toContain('href="/portal/phone?next=%2Fportal%2Fmethod"');
    expect(html).not.toContain('SMS認証に切り替える');
    const refused = await post(t, s, '/portal/method', {});
    expect(refused.status).toBe(400);
    expect((await memberRow(t, await memberIdOf(t.deps, 'demo-mc-pass'))).authMethod).toBe('password');
    // In English on the switch.
    const en = await (await get(t, s, '/portal/method?lang=en')).text();
    expect(en).toContain('Card companies are phasing out static passwords');
  });
});
