/**
 * The helpdesk's actions through real HTTP on real libSQL, each with its audit row: unlock (the
 * locked demo member's next challenge succeeds), a phone change confirmed by a test SMS code the
 * caller reads back (the old number is told), provisional phone, password-reset mail, switch to
 * SMS OTP, block as lost / stolen (R/10), deregistration (the next AReq finds no registration) and
 * the data-sharing opt-out. Scope: another issuer's cardholder answers 404. Here the issuers'
 * four-eyes policy is off for the action under test unless the test says otherwise
 * (helpdesk-approvals.test.ts covers the requests).
 */
import { and, desc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_STAFF, DEMO_STAFF_PASSWORD, SECOND_DEMO_ISSUER, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { auditLog, cardholders, cards, mailOutbox, members, sessions, smsOutbox, staffRequests, transactions } from '../../src/db/schema.ts';
import { parsePhone } from '../../src/helpdesk/actions.ts';
import { actionPath, type HelpdeskAction } from '../../src/helpdesk/catalogue.ts';
import { firstIssuer, issuerByCode, setApprovalPolicy } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { csrfOf, newStaff, signIn, type Client } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { finalCResOf, latestOtp, openChallenge, submit } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

async function start() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  await seedDemoStaff(t.deps);
  const first = (await firstIssuer(t.deps.db))!;
  const kita = (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!;
  // Every action applies at once here; the four-eyes requests have their own test file.
  const off = { change_phone: false, deregister: false } as const;
  await setApprovalPolicy(t.deps.db, first.id, off, 60, t.clock.now());
  await setApprovalPolicy(t.deps.db, kita.id, off, 60, t.clock.now());
  forgetIssuerSettings(t.deps.db);
  return { t, first, kita };
}

async function demoSignIn(t: TestApp, username: string): Promise<Client> {
  const d = DEMO_STAFF.find((s) => s.username === username)!;
  const { client, res } = await signIn(t, username, d.totpSecret, DEMO_STAFF_PASSWORD);
  expect(res.status).toBe(303);
  return client;
}

const memberOf = async (t: TestApp, loginId: string) => (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
const cardOf = async (t: TestApp, loginId: string) => {
  const m = await memberOf(t, loginId);
  return (await t.deps.db.select().from(cards).where(eq(cards.accountId, m.cardAccountId)).get())!;
};
const lastAudit = async (t: TestApp, action: string) => t.deps.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).get();
const areq = async (t: TestApp, key: string, amount = '98000') => (await (await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount: amount }))).json()) as Record<string, string>;

/** Opens the action's form and submits it with these fields (the page's CSRF token included). */
async function act(client: Client, action: HelpdeskAction, target: string, form: Record<string, string>) {
  const path = `/admin/actions/${action}/${target}`;
  const page = await client.get(path);
  expect(page.status).toBe(200);
  const res = await client.submit(await page.text(), path, { step: 'apply', ...form });
  return { res, html: res.status === 303 ? await (await client.get(res.headers.get('location')!)).text() : await res.text() };
}

describe('unlock', () => {
  it('unlocks the locked demo member (the second issuer’s Visa): its next AReq is challenged and the SMS code succeeds', async () => {
    const { t, kita } = await start();
    expect((await areq(t, 'visa-locked')).transStatusReason).toBe('19');
    const locked = await memberOf(t, 'demo-locked');
    expect(locked).toMatchObject({ status: 'locked', lockCause: 'attempts' });

    // The card is the second issuer's: its helpdesk acts; the first issuer's cannot see it.
    const mine = await demoSignIn(t, 'demo-helpdesk');
    expect((await mine.get(actionPath('unlock', 'member', locked.id))).status).toBe(404);
    const helpdesk = (await newStaff(t, 'kita-help', 'helpdesk', kita.id)).client;
    const form = await (await helpdesk.get(actionPath('unlock', 'member', locked.id))).text();
    expect(form).toContain('ロック中');
    expect(form).toContain(`href="/admin/cardholders/`);

    // The reason is required, and said so beside the field.
    const empty = await helpdesk.submit(form, actionPath('unlock', 'member', locked.id), { step: 'apply', reason: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toMatch(/id="reason-error"[^>]*>理由を入力してください。/);
    expect((await memberOf(t, 'demo-locked')).status).toBe('locked');

    const { res, html } = await act(helpdesk, 'unlock', `member-${locked.id}`, { reason: 'ご本人から電話、生年月日で確認' });
    expect(res.status).toBe(303);
    expect(html).toContain('実行しました');
    expect(await memberOf(t, 'demo-locked')).toMatchObject({ status: 'active', failedAttempts: 0, lockedAt: null, lockCause: null });
    const audit = (await lastAudit(t, 'helpdesk.unlock'))!;
    expect(audit).toMatchObject({ actorName: 'kita-help', issuerId: kita.id, target: `member:${locked.id}` });
    expect(JSON.parse(audit.detail)).toMatchObject({ reason: 'ご本人から電話、生年月日で確認', before: { status: 'locked' }, after: { status: 'active', failedAttempts: 0 } });

    // Done when: the next challenge succeeds.
    const challenge = await openChallenge(t, 'visa-locked');
    const done = await submit(t, challenge.state!, 'demo-locked', await latestOtp(t, challenge.ares.acsTransID));
    expect(finalCResOf(done.html).message).toMatchObject({ transStatus: 'Y' });

    // Nothing to unlock now: the page says so and offers no form.
    const again = await (await helpdesk.get(actionPath('unlock', 'member', locked.id))).text();
    expect(again).toContain('この登録はロックされていません。');
    expect(again).not.toContain('name="reason"');
  });
});

describe('change the OTP phone', () => {
  it('reads a number as callers say it, into E.164', () => {
    expect(parsePhone('090-1234-5678')).toBe('+819012345678');
    expect(parsePhone('０９０－１２３４－５６７８')).toBe('+819012345678');
    expect(parsePhone('+81 90 1234 5678')).toBe('+819012345678');
    expect(parsePhone('+81 (0)90-1234-5678')).toBe('+819012345678');
    expect(parsePhone('03-1234-5678')).toBe('+81312345678');
    expect(parsePhone('+44 20 7946 0958')).toBe('+442079460958');
    for (const bad of ['', '12345', '090-1234', '+81 12', 'abc', '0000000000']) expect(parsePhone(bad)).toBeUndefined();
  });

  it('confirms the new number with a test SMS code the caller reads back, then tells the old number', async () => {
    const { t, first } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-jcb');
    const path = actionPath('change_phone', 'member', m.id);
    let page = await (await helpdesk.get(path)).text();

    const bad = await helpdesk.submit(page, path, { step: 'send', phone: '12345', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/id="phone-error"[^>]*>電話番号の形式が正しくありません/);

    const sent = await helpdesk.submit(page, path, { step: 'send', phone: '０８０-９９９９-１２３４', confirmation: 'sms_code', reason: '機種変更のため' });
    expect(sent.status).toBe(200);
    page = await sent.text();
    expect(page).toContain('080-****-1234 に確認コードを送りました');
    const flow = /name="flow" value="([^"]+)"/.exec(page)![1];
    const test = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+818099991234')).get())!;
    expect(test.body).toMatch(/^【まもり銀行カード】確認コード：\d{6}/);
    expect(JSON.parse((await lastAudit(t, 'helpdesk.phone_test_sms'))!.detail)).toEqual({ to: '080-****-1234', outcome: 'sent' });

    const wrong = await helpdesk.submit(page, path, { step: 'apply', phone: '080-9999-1234', confirmation: 'sms_code', flow, code: test.otpCode === '000000' ? '111111' : '000000', reason: '機種変更のため' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/id="code-error"[^>]*>コードが違います。/);
    // A code for this number proves nothing for another.
    const other = await helpdesk.submit(page, path, { step: 'apply', phone: '080-9999-0000', confirmation: 'sms_code', flow, code: test.otpCode!, reason: '機種変更のため' });
    expect(await other.text()).toContain('先にこの番号へテストSMSを送ってください。');
    expect((await memberOf(t, 'demo-jcb')).phone).toBe('+819011110001');

    const done = await helpdesk.submit(page, path, { step: 'apply', phone: '080-9999-1234', confirmation: 'sms_code', flow, code: test.otpCode!.split('').join(' '), reason: '機種変更のため' });
    expect(done.status).toBe(303);
    const after = await memberOf(t, 'demo-jcb');
    expect(after).toMatchObject({ phone: '+818099991234', phoneStatus: 'verified', phoneChangedAt: t.clock.now() });

    // The old number is told, with the issuer's helpdesk number.
    const notice = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+819011110001')).orderBy(desc(smsOutbox.id)).get())!;
    expect(notice.body).toBe('【まもり銀行カード】3Dセキュア（本人認証）の認証用電話番号が変更されました。お心当たりのない場合は 0120-000-000 までお電話ください。');
    expect(notice.otpCode).toBeNull();

    const audit = (await lastAudit(t, 'helpdesk.change_phone'))!;
    expect(audit.issuerId).toBe(first.id);
    expect(audit.detail).not.toContain('+818099991234');
    expect(audit.detail).not.toContain('9011110001');
    expect(JSON.parse(audit.detail)).toMatchObject({
      reason: '機種変更のため',
      before: { phone: '090-****-0001', phoneStatus: 'verified' },
      after: { phone: '080-****-1234', phoneStatus: 'verified', confirmation: 'sms_code' },
      notice: { sms: 'sent', mail: 'none' },
    });

    // The new number takes the next challenge's code.
    const challenge = await openChallenge(t, 'jcb-otp');
    const sms = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, challenge.ares.acsTransID)).get())!;
    expect(sms.recipient).toBe('+818099991234');
  });

  it('ends the test code after five wrong readings: even the right code then needs a new SMS', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-jcb');
    const path = actionPath('change_phone', 'member', m.id);
    const page = await (await helpdesk.submit(await (await helpdesk.get(path)).text(), path, { step: 'send', phone: '080-9999-1234' })).text();
    const flow = /name="flow" value="([^"]+)"/.exec(page)![1];
    const code = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+818099991234')).get())!.otpCode!;
    const wrongCode = code === '000000' ? '111111' : '000000';
    const fields = { step: 'apply', phone: '080-9999-1234', confirmation: 'sms_code', flow, reason: '機種変更' };
    for (let i = 0; i < 5; i++) expect(await (await helpdesk.submit(page, path, { ...fields, code: wrongCode })).text()).toContain('コードが違います。');
    expect(await (await helpdesk.submit(page, path, { ...fields, code })).text()).toContain('誤りが多すぎます。');
    expect(await (await helpdesk.submit(page, path, { ...fields, code })).text()).toContain('確認の期限が切れました');
    expect((await memberOf(t, 'demo-jcb')).phone).toBe('+819011110001');
  });

  it('accepts a number confirmed by another means; a provisional number on file is replaced, and is never texted', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-provisional');
    // The issuer's record is provisional, but that mark is about the old number: the test SMS
    // goes to the new number being confirmed (and nothing to the placeholder).
    const path = actionPath('change_phone', 'member', m.id);
    const sent = await helpdesk.submit(await (await helpdesk.get(path)).text(), path, { step: 'send', phone: '090-5555-6666' });
    expect(sent.status).toBe(200);
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.recipient, '+819055556666'))).toBe(1);
    const { res } = await act(helpdesk, 'change_phone', `member-${m.id}`, { phone: '+81 90 5555 6666', confirmation: 'other', reason: '窓口で運転免許証を確認' });
    expect(res.status).toBe(303);
    expect(await memberOf(t, 'demo-provisional')).toMatchObject({ phone: '+819055556666', phoneStatus: 'verified' });
    const holder = (await t.deps.db.select().from(cardholders).where(eq(cardholders.phoneOnFile, '+819055556666')).get())!;
    expect(holder.phoneProvisional).toBe(false);
    // The provisional placeholder was not texted.
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.recipient, '+819000000000'))).toBe(0);
    const detail = JSON.parse((await lastAudit(t, 'helpdesk.change_phone'))!.detail);
    expect(detail).toMatchObject({ after: { confirmation: 'other' }, notice: { sms: 'refused' } });
    // Its challenge now uses the phone.
    const challenge = await openChallenge(t, 'jcb-provisional-phone');
    expect(challenge.ares.transStatus).toBe('C');
    expect(await latestOtp(t, challenge.ares.acsTransID)).toMatch(/^\d{6}$/);
  });
});

describe('the other actions', () => {
  it('marks a phone provisional: the next challenge is phone guidance', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-mc');
    expect((await act(helpdesk, 'mark_phone_provisional', `member-${m.id}`, { reason: '番号が解約されたとの連絡' })).res.status).toBe(303);
    expect((await memberOf(t, 'demo-mc')).phoneStatus).toBe('provisional');
    const ares = await areq(t, 'mc-otp');
    expect(ares.transStatus).toBe('C');
    const [{ challengeMethod }] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
    expect(challengeMethod).toBe('guidance_phone');
    expect(JSON.parse((await lastAudit(t, 'helpdesk.mark_phone_provisional'))!.detail)).toMatchObject({ before: { phoneStatus: 'verified' }, after: { phoneStatus: 'provisional' } });
  });

  it('switches a static-password member to SMS OTP only once a phone is set', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-pass');
    const blocked = await (await helpdesk.get(actionPath('switch_to_sms', 'member', m.id))).text();
    expect(blocked).toContain('先に認証用電話番号を設定してください');
    expect(blocked).not.toContain('name="reason"');
    await act(helpdesk, 'change_phone', `member-${m.id}`, { phone: '090-7777-8888', confirmation: 'other', reason: '書面で確認' });
    expect((await act(helpdesk, 'switch_to_sms', `member-${m.id}`, { reason: 'ご本人の希望' })).res.status).toBe(303);
    expect((await memberOf(t, 'demo-pass')).authMethod).toBe('sms_otp');
    const challenge = await openChallenge(t, 'jcb-password');
    expect(await latestOtp(t, challenge.ares.acsTransID)).toMatch(/^\d{6}$/);
  });

  it('mails a password-reset link (never a password), or says there is no address', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-jcb');
    const none = await act(helpdesk, 'send_password_reset', `member-${m.id}`, { reason: 'パスワード失念' });
    expect(none.res.status).toBe(409);
    expect(none.html).toContain('メールアドレスが登録されていないため送信できません。');
    await t.deps.db.update(members).set({ email: 'taro@example.jp' }).where(eq(members.id, m.id));
    const sent = await act(helpdesk, 'send_password_reset', `member-${m.id}`, { reason: 'パスワード失念' });
    expect(sent.res.status).toBe(303);
    const mail = (await t.deps.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, 'taro@example.jp')).get())!;
    expect(mail.body).toContain('/portal/password-reset/');
    expect(JSON.parse((await lastAudit(t, 'helpdesk.send_password_reset'))!.detail)).toMatchObject({ after: { resetMailTo: 't***@example.jp' } });
  });

  it('blocks a card as lost: the next AReq answers R/10; the choice is required', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const card = await cardOf(t, 'demo-jcb');
    const missing = await act(helpdesk, 'block_card', `card-${card.id}`, { reason: '紛失の連絡' });
    expect(missing.res.status).toBe(400);
    expect(missing.html).toMatch(/id="kind-error"[^>]*>紛失か盗難かを選んでください。/);
    expect((await act(helpdesk, 'block_card', `card-${card.id}`, { reason: '紛失の連絡', kind: 'lost' })).res.status).toBe(303);
    expect(await areq(t, 'jcb-otp', '100')).toMatchObject({ transStatus: 'R', transStatusReason: '10' });
    expect(JSON.parse((await lastAudit(t, 'helpdesk.block_card'))!.detail)).toMatchObject({ before: { cardStatus: 'active' }, after: { cardStatus: 'blocked_lost' } });
    // A member target is not a card target.
    expect((await helpdesk.get(`/admin/actions/block_card/member-${card.id}`)).status).toBe(404);
  });

  it('deregisters: the next AReq finds no registration, nothing is left waiting on it, and the cardholder is told', async () => {
    const { t, first } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const m = await memberOf(t, 'demo-mc');
    await t.deps.db.insert(sessions).values({ id: 'member-session', subjectType: 'member', subjectId: m.id, createdAt: 0, lastSeenAt: 0, expiresAt: t.clock.now() + 60_000 });
    // A request on it that waits (phone changes need approval at this issuer again).
    await setApprovalPolicy(t.deps.db, first.id, { change_phone: true, deregister: false }, 60, t.clock.now());
    const filed = await act(helpdesk, 'change_phone', `member-${m.id}`, { phone: '090-1212-3434', confirmation: 'other', reason: '書面' });
    expect(filed.res.status).toBe(303);

    const removed = await act(helpdesk, 'deregister', `member-${m.id}`, { reason: 'ご本人から解除の依頼' });
    expect(removed.res.status).toBe(200);
    expect(removed.html).toContain('実行しました');
    expect(await t.deps.db.select().from(members).where(eq(members.id, m.id)).get()).toBeUndefined();
    expect(await t.deps.db.$count(sessions, and(eq(sessions.subjectType, 'member'), eq(sessions.subjectId, m.id)))).toBe(0);
    expect((await t.deps.db.select().from(staffRequests).where(eq(staffRequests.target, `member:${m.id}`)).get())!.state).toBe('withdrawn');
    const ares = await areq(t, 'mc-otp');
    const [row] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
    expect(row.challengeMethod).toBe('guidance_register');

    const notice = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+819011110003')).orderBy(desc(smsOutbox.id)).get())!;
    expect(notice.body).toContain('ご登録が解除されました');
    const detail = JSON.parse((await lastAudit(t, 'helpdesk.deregister'))!.detail);
    expect(detail).toMatchObject({ before: { memberId: 'demo-mc', authMethod: 'sms_otp', phone: '090-****-0003' }, after: { registration: 'none' } });
    // Its form now answers 404: there is no such registration.
    expect((await helpdesk.get(actionPath('deregister', 'member', m.id))).status).toBe(404);
  });

  it('records the data-sharing opt-out and the opt back in', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const card = await cardOf(t, 'demo-jcb');
    const target = `cardholder-${card.cardholderId}`;
    expect((await act(helpdesk, 'data_sharing', target, { reason: 'ご本人の申し出', optOut: '1' })).res.status).toBe(303);
    expect((await t.deps.db.select().from(cardholders).where(eq(cardholders.id, card.cardholderId)).get())!).toMatchObject({ dataSharingOptOut: true, dataSharingChangedAt: t.clock.now() });
    const same = await act(helpdesk, 'data_sharing', target, { reason: '重複', optOut: '1' });
    expect(same.res.status).toBe(409);
    expect(same.html).toContain('すでにその設定です。');
    expect((await act(helpdesk, 'data_sharing', target, { reason: '再開の申し出', optOut: '0' })).res.status).toBe(303);
    const rows = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'helpdesk.data_sharing'));
    expect(rows.map((r) => JSON.parse(r.detail).after.dataSharingOptOut)).toEqual([true, false]);
  });
});

describe('who may act', () => {
  it('needs cardholders.act and the target’s issuer; an auditor is refused, another issuer’s ids answer 404', async () => {
    const { t } = await start();
    const m = await memberOf(t, 'demo-jcb');
    const auditor = await demoSignIn(t, 'demo-auditor');
    expect((await auditor.get(actionPath('unlock', 'member', m.id))).status).toBe(403);
    const kitaAdmin = await demoSignIn(t, 'kita-admin');
    const path = actionPath('mark_phone_provisional', 'member', m.id);
    expect((await kitaAdmin.get(path)).status).toBe(404);
    const home = await (await kitaAdmin.get('/admin')).text();
    expect((await kitaAdmin.post(path, { _csrf: csrfOf(home), step: 'apply', reason: 'x' })).status).toBe(404);
    expect((await kitaAdmin.get('/admin/actions/unlock/member-999999')).status).toBe(404);
    expect((await kitaAdmin.get('/admin/actions/nonsense/member-1')).status).toBe(404);
    expect((await memberOf(t, 'demo-jcb')).phoneStatus).toBe('verified');
    // The platform administrator reaches every issuer.
    const platform = await demoSignIn(t, 'demo-platform');
    expect((await platform.get(path)).status).toBe(200);
  });
});
