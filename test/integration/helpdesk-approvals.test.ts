/**
 * Four eyes through real HTTP with two (or three) staff sessions: the demo helpdesk files, the demo
 * administrator approves (fresh TOTP) and the action is carried out exactly once; the requester
 * can never decide their own; rejection and withdrawal change nothing; a request past the issuer's
 * TTL expires (test clock) and cannot be approved; the policy's defaults (phone change and
 * deregistration on, unlock off) and its page; another issuer's staff never see a request.
 */
import { desc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_STAFF, DEMO_STAFF_PASSWORD, SECOND_DEMO_ISSUER, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { auditLog, members, smsOutbox, staffRequests } from '../../src/db/schema.ts';
import { actionPath } from '../../src/helpdesk/catalogue.ts';
import { totpCodeAt } from '../../src/admin/totp.ts';
import { firstIssuer, issuerByCode, setApprovalPolicy } from '../../src/issuers/issuer-store.ts';
import { csrfOf, nextCode, signIn, type Client } from '../support/admin.ts';
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
  return { t, first: (await firstIssuer(t.deps.db))!, kita: (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))! };
}

const secretOf = (username: string) => DEMO_STAFF.find((s) => s.username === username)!.totpSecret;

async function demoSignIn(t: TestApp, username: string): Promise<Client> {
  const { client, res } = await signIn(t, username, secretOf(username), DEMO_STAFF_PASSWORD);
  expect(res.status).toBe(303);
  return client;
}

const memberOf = async (t: TestApp, loginId: string) => (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
const requestRow = async (t: TestApp, id: number) => (await t.deps.db.select().from(staffRequests).where(eq(staffRequests.id, id)).get())!;
const auditOf = (t: TestApp, action: string) => t.deps.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id));

/** Files a phone change (confirmed by other means) from the action's page; returns the request's id. */
async function filePhoneChange(client: Client, memberId: number, phone = '080-2222-3333'): Promise<number> {
  const path = actionPath('change_phone', 'member', memberId);
  const page = await (await client.get(path)).text();
  expect(page).toContain('承認を申請する');
  const res = await client.submit(page, path, { step: 'apply', phone, confirmation: 'other', reason: '運転免許証で本人確認済み' });
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/admin\/requests\/\d+\?filed=1$/);
  return Number(/\/requests\/(\d+)/.exec(location)![1]);
}

async function decide(t: TestApp, client: Client, username: string, id: number, decision: 'approve' | 'reject', note = '確認しました') {
  const page = await (await client.get(`/admin/requests/${id}`)).text();
  const res = await client.submit(page, `/admin/requests/${id}/decide`, { decision, note, code: nextCode(t, secretOf(username)) });
  return { res, html: await res.text() };
}

describe('a phone change waits for a second person', () => {
  it('is filed by the helpdesk, approved by the administrator, carried out once, and the old number is told', async () => {
    const { t, first } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-jcb');
    const id = await filePhoneChange(helpdesk, m.id);

    // Nothing changed yet; the request waits, visible in the queue of both.
    expect((await memberOf(t, 'demo-jcb')).phone).toBe('+819011110001');
    expect(await requestRow(t, id)).toMatchObject({ state: 'pending', issuerId: first.id, action: 'change_phone', target: `member:${m.id}`, expiresAt: t.clock.now() + 1440 * 60_000 });
    const filed = await (await helpdesk.get(`/admin/requests/${id}?filed=1`)).text();
    expect(filed).toContain('承認を申請しました');
    expect(filed).toContain('ご自分の申請は承認できません');
    expect(filed).not.toContain('承認して実行する');
    const queue = await (await admin.get('/admin/requests')).text();
    expect(queue).toContain(`href="/admin/requests/${id}"`);
    expect(queue).toContain('新しい番号: 080-****-3333');
    expect(queue).toContain('demo-helpdesk');
    expect(queue).not.toContain('08022223333');
    expect((await auditOf(t, 'helpdesk.request'))[0]).toMatchObject({ actorName: 'demo-helpdesk', issuerId: first.id, target: `member:${m.id}` });
    expect((await auditOf(t, 'helpdesk.request'))[0].detail).not.toContain('22223333');

    // The helpdesk has no right to decide at all.
    const own = await helpdesk.submit(filed, `/admin/requests/${id}/decide`, { decision: 'approve', code: nextCode(t, secretOf('demo-helpdesk')) });
    expect(own.status).toBe(403);

    // A wrong TOTP decides nothing.
    const page = await (await admin.get(`/admin/requests/${id}`)).text();
    const badCode = await admin.submit(page, `/admin/requests/${id}/decide`, { decision: 'approve', code: '000000' });
    expect(badCode.status).toBe(400);
    expect(await badCode.text()).toMatch(/id="step-up-error"/);
    expect((await requestRow(t, id)).state).toBe('pending');

    const approved = await decide(t, admin, 'demo-admin', id, 'approve');
    expect(approved.res.status).toBe(200);
    expect(approved.html).toContain('承認し、実行しました。');
    expect(await memberOf(t, 'demo-jcb')).toMatchObject({ phone: '+818022223333', phoneStatus: 'verified' });
    expect(await requestRow(t, id)).toMatchObject({ state: 'approved', decisionNote: '確認しました' });
    const notice = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+819011110001')).orderBy(desc(smsOutbox.id)).get())!;
    expect(notice.body).toContain('認証用電話番号が変更されました');
    expect(notice.body).toContain('0120-000-000');

    // Audited: the decision and the action's own row, which names the request.
    expect((await auditOf(t, 'helpdesk.approve'))[0]).toMatchObject({ actorName: 'demo-admin', issuerId: first.id, target: `member:${m.id}` });
    const change = (await auditOf(t, 'helpdesk.change_phone'))[0];
    expect(change).toMatchObject({ actorName: 'demo-admin', issuerId: first.id });
    expect(JSON.parse(change.detail)).toMatchObject({ requestId: id, requestedBy: { name: 'demo-helpdesk' }, reason: '運転免許証で本人確認済み', after: { phone: '080-****-3333' } });

    // Both see the outcome; a second approval does nothing.
    const seen = await (await helpdesk.get(`/admin/requests/${id}`)).text();
    expect(seen).toContain('承認済み');
    expect(seen).toContain('080-****-3333');
    const again = await decide(t, admin, 'demo-admin', id, 'approve');
    expect(again.res.status).toBe(409);
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'helpdesk.change_phone'))).toBe(1);
  });

  it('never lets the requester decide their own, even an administrator', async () => {
    const { t } = await start();
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-mc');
    const id = await filePhoneChange(admin, m.id);
    const page = await (await admin.get(`/admin/requests/${id}`)).text();
    expect(page).not.toContain('承認して実行する');
    const res = await admin.submit(page, `/admin/requests/${id}/decide`, { decision: 'approve', code: nextCode(t, secretOf('demo-admin')) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('ご自分の申請は承認・却下できません。');
    expect((await requestRow(t, id)).state).toBe('pending');
    expect((await memberOf(t, 'demo-mc')).phone).toBe('+819011110003');
  });

  it('carries an approval out exactly once when two administrators approve at the same moment', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const platform = await demoSignIn(t, 'demo-platform');
    const id = await filePhoneChange(helpdesk, (await memberOf(t, 'demo-jcb')).id);
    const pageA = await (await admin.get(`/admin/requests/${id}`)).text();
    const pageB = await (await platform.get(`/admin/requests/${id}`)).text();
    t.clock.advance(30_000);
    const [a, b] = await Promise.all([
      admin.submit(pageA, `/admin/requests/${id}/decide`, { decision: 'approve', code: totpCodeAt(secretOf('demo-admin'), t.clock.now()) }),
      platform.submit(pageB, `/admin/requests/${id}/decide`, { decision: 'approve', code: totpCodeAt(secretOf('demo-platform'), t.clock.now()) }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'helpdesk.change_phone'))).toBe(1);
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'helpdesk.approve'))).toBe(1);
  });

  it('is rejected or withdrawn without any change', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-jcb');
    const rejected = await filePhoneChange(helpdesk, m.id);
    // One waiting request per action and target.
    const path = actionPath('change_phone', 'member', m.id);
    const dup = await helpdesk.submit(await (await helpdesk.get(path)).text(), path, { step: 'apply', phone: '080-1111-1111', confirmation: 'other', reason: '再申請' });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain(`href="/admin/requests/${rejected}"`);

    const r = await decide(t, admin, 'demo-admin', rejected, 'reject', '本人確認が不十分');
    expect(r.html).toContain('却下しました。');
    expect(await requestRow(t, rejected)).toMatchObject({ state: 'rejected', decisionNote: '本人確認が不十分' });
    expect((await auditOf(t, 'helpdesk.reject'))[0]).toMatchObject({ actorName: 'demo-admin', target: `member:${m.id}` });

    const withdrawn = await filePhoneChange(helpdesk, m.id);
    // Only the requester may withdraw.
    const adminPage = await (await admin.get(`/admin/requests/${withdrawn}`)).text();
    expect((await admin.submit(adminPage, `/admin/requests/${withdrawn}/withdraw`, {})).status).toBe(403);
    const mine = await (await helpdesk.get(`/admin/requests/${withdrawn}`)).text();
    const w = await helpdesk.submit(mine, `/admin/requests/${withdrawn}/withdraw`, {});
    expect(w.status).toBe(200);
    expect(await w.text()).toContain('申請を取り下げました。');
    expect((await requestRow(t, withdrawn)).state).toBe('withdrawn');
    expect((await decide(t, admin, 'demo-admin', withdrawn, 'approve')).res.status).toBe(409);
    expect((await memberOf(t, 'demo-jcb')).phone).toBe('+819011110001');
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'helpdesk.change_phone'))).toBe(0);
  });

  it('expires after the issuer’s TTL and then cannot be approved', async () => {
    const { t, first } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    // The administrator sets a 5-minute TTL on the policy page.
    const policy = await (await admin.get(`/admin/issuers/${first.code}/approvals`)).text();
    const saved = await admin.submit(policy, `/admin/issuers/${first.code}/approvals`, { approve_change_phone: '1', approve_deregister: '1', ttlMinutes: '5', code: nextCode(t, secretOf('demo-admin')) });
    expect(saved.status).toBe(303);
    const id = await filePhoneChange(helpdesk, (await memberOf(t, 'demo-jcb')).id);
    expect((await requestRow(t, id)).expiresAt).toBe(t.clock.now() + 5 * 60_000);
    const page = await (await admin.get(`/admin/requests/${id}`)).text();
    t.clock.advance(5 * 60_000 - 30_000);
    const res = await admin.submit(page, `/admin/requests/${id}/decide`, { decision: 'approve', code: nextCode(t, secretOf('demo-admin')) });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('期限が切れた');
    expect((await requestRow(t, id)).state).toBe('expired');
    expect((await memberOf(t, 'demo-jcb')).phone).toBe('+819011110001');
    expect((await auditOf(t, 'helpdesk.expire'))[0]).toMatchObject({ actorType: 'system', target: (await requestRow(t, id)).target });
    const queue = await (await helpdesk.get('/admin/requests')).text();
    expect(queue).toContain('期限切れ');
  });
});

describe('the policy', () => {
  it('defaults: unlock applies at once, deregistration waits; the administrator can turn unlock on (audited, fresh TOTP)', async () => {
    const { t, first } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-jcb');
    await t.deps.db.update(members).set({ status: 'locked', lockedAt: t.clock.now() }).where(eq(members.id, m.id));
    const unlock = actionPath('unlock', 'member', m.id);
    let form = await (await helpdesk.get(unlock)).text();
    expect(form).toContain('実行する');
    expect((await helpdesk.submit(form, unlock, { step: 'apply', reason: '本人確認済み' })).status).toBe(303);
    expect((await memberOf(t, 'demo-jcb')).status).toBe('active');

    const deregister = actionPath('deregister', 'member', m.id);
    form = await (await helpdesk.get(deregister)).text();
    expect(form).toContain('承認を申請する');
    const filed = await helpdesk.submit(form, deregister, { step: 'apply', reason: '解除の依頼' });
    expect(filed.headers.get('location')).toMatch(/^\/admin\/requests\/\d+/);
    expect((await memberOf(t, 'demo-jcb')).id).toBe(m.id);

    // The policy page: only for requests.decide, with a fresh code.
    expect((await helpdesk.get(`/admin/issuers/${first.code}/approvals`)).status).toBe(403);
    const policyPath = `/admin/issuers/${first.code}/approvals`;
    const policy = await (await admin.get(policyPath)).text();
    expect(policy).toMatch(/name="approve_change_phone" value="1" checked/);
    expect(policy).not.toMatch(/name="approve_unlock" value="1" checked/);
    const wrong = await admin.submit(policy, policyPath, { approve_unlock: '1', ttlMinutes: '60', code: '000000' });
    expect(wrong.status).toBe(400);
    const badTtl = await admin.submit(policy, policyPath, { approve_unlock: '1', ttlMinutes: '2', code: nextCode(t, secretOf('demo-admin')) });
    expect(badTtl.status).toBe(400);
    expect(await badTtl.text()).toMatch(/id="ttl-error"/);
    const ok = await admin.submit(policy, policyPath, { approve_unlock: '1', approve_change_phone: '1', ttlMinutes: '60', code: nextCode(t, secretOf('demo-admin')) });
    expect(ok.status).toBe(303);
    const row = (await auditOf(t, 'issuer.approval_policy'))[0];
    expect(row).toMatchObject({ actorName: 'demo-admin', issuerId: first.id });
    expect(JSON.parse(row.detail)).toMatchObject({ before: { policy: { unlock: false, deregister: true }, ttlMinutes: 1440 }, after: { policy: { unlock: true, deregister: false }, ttlMinutes: 60 } });

    await t.deps.db.update(members).set({ status: 'locked' }).where(eq(members.id, m.id));
    form = await (await helpdesk.get(unlock)).text();
    expect(form).toContain('承認を申請する');
    const nowFiled = await helpdesk.submit(form, unlock, { step: 'apply', reason: '本人確認済み' });
    expect(nowFiled.headers.get('location')).toMatch(/^\/admin\/requests\/\d+/);
    expect((await memberOf(t, 'demo-jcb')).status).toBe('locked');
  });
});

describe('carried out on the target as it is at approval', () => {
  it('removes the registration on approval of a deregistration, and tells the cardholder', async () => {
    const { t } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-mc');
    const path = actionPath('deregister', 'member', m.id);
    const filed = await helpdesk.submit(await (await helpdesk.get(path)).text(), path, { step: 'apply', reason: 'ご本人から解除の依頼' });
    const id = Number(/\/requests\/(\d+)/.exec(filed.headers.get('location')!)![1]);
    expect((await decide(t, admin, 'demo-admin', id, 'approve')).html).toContain('承認し、実行しました。');
    expect(await t.deps.db.select().from(members).where(eq(members.id, m.id)).get()).toBeUndefined();
    const notice = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, '+819011110003')).orderBy(desc(smsOutbox.id)).get())!;
    expect(notice.body).toContain('ご登録が解除されました');
    expect(JSON.parse((await auditOf(t, 'helpdesk.deregister'))[0].detail)).toMatchObject({ requestId: id, before: { memberId: 'demo-mc' } });
    // The request page still reads, with its outcome.
    expect(await (await helpdesk.get(`/admin/requests/${id}`)).text()).toContain('承認済み');
  });

  it('says so when the change no longer applies (unlocked meanwhile), and changes nothing', async () => {
    const { t, first } = await start();
    await setApprovalPolicy(t.deps.db, first.id, { unlock: true }, 60, t.clock.now());
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const admin = await demoSignIn(t, 'demo-admin');
    const m = await memberOf(t, 'demo-jcb');
    await t.deps.db.update(members).set({ status: 'locked' }).where(eq(members.id, m.id));
    const path = actionPath('unlock', 'member', m.id);
    const filed = await helpdesk.submit(await (await helpdesk.get(path)).text(), path, { step: 'apply', reason: '本人確認済み' });
    const id = Number(/\/requests\/(\d+)/.exec(filed.headers.get('location')!)![1]);
    await t.deps.db.update(members).set({ status: 'active' }).where(eq(members.id, m.id));
    const r = await decide(t, admin, 'demo-admin', id, 'approve');
    expect(r.html).toContain('承認しましたが、実行できませんでした。');
    expect(r.html).toContain('この登録はロックされていません。');
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'helpdesk.unlock'))).toBe(0);
    expect(JSON.parse((await auditOf(t, 'helpdesk.approve'))[0].detail)).toMatchObject({ requestId: id, applied: false });
  });
});

describe('scope', () => {
  it('keeps each issuer’s requests to its own staff', async () => {
    const { t, kita } = await start();
    const helpdesk = await demoSignIn(t, 'demo-helpdesk');
    const kitaAdmin = await demoSignIn(t, 'kita-admin');
    const id = await filePhoneChange(helpdesk, (await memberOf(t, 'demo-jcb')).id);
    expect((await kitaAdmin.get(`/admin/requests/${id}`)).status).toBe(404);
    const queue = await (await kitaAdmin.get('/admin/requests')).text();
    expect(queue).not.toContain(`/admin/requests/${id}"`);
    const home = await (await kitaAdmin.get('/admin')).text();
    const res = await kitaAdmin.post(`/admin/requests/${id}/decide`, { _csrf: csrfOf(home), decision: 'approve', code: nextCode(t, secretOf('kita-admin')) });
    expect(res.status).toBe(404);
    expect((await requestRow(t, id)).state).toBe('pending');
    expect((await kitaAdmin.get('/admin/issuers/default/approvals')).status).toBe(404);
    expect((await kitaAdmin.get(`/admin/issuers/${kita.code}/approvals`)).status).toBe(200);
  });
});
