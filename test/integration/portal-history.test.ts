/**
 * "My authentications" and "this was not me", through the app on real libSQL: transactions made
 * by the real ACS (AReqs for demo cards, challenges driven to their end), the member signed in by
 * a real member session, and the report reaching the helpdesk queue of the member's issuer only,
 * where it is closed with a note and audited.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF, DEMO_STAFF_PASSWORD, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { openSession } from '../../src/admin/sessions.ts';
import { auditLog, memberReports, members, transactions } from '../../src/db/schema.ts';
import { MEMBER_COOKIE } from '../../src/portal/http.ts';
import { fileReport } from '../../src/portal/reports.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { Client, csrfOf, signIn } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { latestOtp, openChallenge, postForm, submit } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
const ids: Record<string, string> = {};

/** A purchase at a merchant for a demo card, answered by the ACS; its acsTransID. */
async function purchase(key: string, merchantName: string, purchaseAmount = '1200', extra: Record<string, string> = {}): Promise<string> {
  const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, merchantName, purchaseAmount, ...extra }))).json()) as Record<string, string>;
  return ares.acsTransID;
}

/** A client signed in to the portal as this member (a real session, its cookie set). */
async function member(loginId: string): Promise<Client> {
  const row = (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
  const { token } = await openSession(t.deps.db, 'member', row.id, t.clock.now());
  const client = new Client(t.app);
  client.cookies.set(MEMBER_COOKIE, token);
  return client;
}

const staff = (username: string) => {
  const s = DEMO_STAFF.find((d) => d.username === username)!;
  return signIn(t, s.username, s.totpSecret, DEMO_STAFF_PASSWORD).then((r) => r.client);
};
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0];

beforeAll(async () => {
  t = await createTestApp({ seed: true });
  await seedDemoStaff(t.deps);
  // Older than the page's 90 days: never shown.
  ids.ancient = await purchase('jcb-otp', 'Old Shop');
  t.clock.advance(91 * 86_400_000);
  // demo-jcb: 24 frictionless purchases, ten minutes apart (under the velocity rule).
  for (let i = 1; i <= 24; i++) {
    ids[`shop${i}`] = await purchase('jcb-otp', `Shop ${String(i).padStart(2, '0')}`);
    t.clock.advance(10 * 60_000);
  }
  // A challenge passed with the SMS code, and one cancelled.
  const passed = await openChallenge(t, 'jcb-otp', { merchantName: 'Big Camera', purchaseAmount: '98000' });
  await submit(t, passed.state!, 'demo-jcb', await latestOtp(t, passed.ares.acsTransID));
  ids.passed = passed.ares.acsTransID;
  t.clock.advance(60_000);
  const cancelled = await openChallenge(t, 'jcb-otp', { merchantName: 'Cancelled Store', purchaseAmount: '45000' });
  await postForm(t, '/3ds/challenge/cancel', { state: cancelled.state });
  ids.cancelled = cancelled.ares.acsTransID;
  t.clock.advance(60_000);
  // In dollars: two decimals from the exponent.
  ids.dollars = await purchase('jcb-otp', 'US Store', '1999', { purchaseCurrency: '840', purchaseExponent: '2' });
  // demo-reissue: the old card number (declined, N/06) and the new one, both of the same account.
  ids.oldCard = await purchase('jcb-reissued-old', 'Reissue Old Card');
  ids.newCard = await purchase('jcb-reissued-new', 'Reissue New Card');
  // Another member of the same issuer, and a member of the other issuer (kita has the Visa range).
  ids.otherMember = await purchase('jcb-two-cards', 'Someone Else Shop');
  ids.otherIssuer = await purchase('visa-otp', 'Kita Shop');
  t.clock.advance(60_000);
}, 180_000);
afterAll(() => t?.close());

describe('my authentications', () => {
  it('lists the account’s authentications newest first, 20 a page, in words, without risk data', async () => {
    const client = await member('demo-jcb');
    const first = await client.get('/portal/history');
    expect(first.status).toBe(200);
    const html = await first.text();
    const merchants = [...html.matchAll(/<span class="history-merchant">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(merchants).toHaveLength(20);
    expect(merchants.slice(0, 4)).toEqual(['US Store', 'Cancelled Store', 'Big Camera', 'Shop 24']);
    expect(html).toContain('$19.99');
    expect(html).toContain('￥98,000');
    expect(html).toContain('本人認証に成功');
    expect(html).toContain('SMSの確認コード');
    expect(html).toContain('キャンセル');
    expect(html).toContain('承認（パスワード入力なし）');
    expect(html).toMatch(/<span aria-hidden="true">•••• <\/span><span class="visually-hidden">下4桁 <\/span>(\d{4})<\/dd>/);
    expect(/下4桁 <\/span>(\d{4})/.exec(html)![1]).toBe(demoCard('jcb-otp').pan.slice(-4));
    // The issuer's time zone, named.
    expect(html).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} JST/);
    // None of the risk engine's words, scores or protocol codes.
    const stored = await t.deps.db.select({ reasons: transactions.riskReasons, score: transactions.riskScore }).from(transactions).where(eq(transactions.acsTransID, ids.passed)).get();
    for (const reason of JSON.parse(stored!.reasons!) as string[]) expect(html).not.toContain(reason);
    expect(html).not.toMatch(/threshold|low risk|transStatus|ECI|riskScore/i);
    // Nobody else's purchases, nor the one older than 90 days.
    expect(html).not.toMatch(/Someone Else Shop|Kita Shop|Reissue|Old Shop/);

    const next = /href="(\/portal\/history\?after=[^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
    const second = await (await client.get(next)).text();
    const more = [...second.matchAll(/<span class="history-merchant">([^<]+)<\/span>/g)].map((m) => m[1]);
    // 27 in 90 days: 20, then the last 7, and no further page.
    expect(more).toEqual(['Shop 07', 'Shop 06', 'Shop 05', 'Shop 04', 'Shop 03', 'Shop 02', 'Shop 01']);
    expect(second).not.toContain('さらに前のご利用を表示');
    expect(second).toContain('最新のご利用に戻る');
    // A cursor that is not one starts over from the newest.
    expect(await (await client.get('/portal/history?after=garbage')).text()).toContain('US Store');
  });

  it('shows every card of the member’s account: the reissued card’s old number too', async () => {
    const html = await (await (await member('demo-reissue')).get('/portal/history')).text();
    expect(html).toContain('Reissue Old Card');
    expect(html).toContain('Reissue New Card');
    expect(html).toContain('お取り扱いできませんでした');
    expect(html).not.toContain('Shop 01');
  });

  it('sends a visitor without a session to sign in', async () => {
    const res = await new Client(t.app).get('/portal/history');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal/sign-in?next=%2Fportal%2Fhistory');
  });
});

describe('this was not me', () => {
  it('files the report once, with the note, audited, and says what happens next', async () => {
    const client = await member('demo-jcb');
    const page = await client.get(`/portal/history/${ids.passed}/report`);
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('Big Camera');
    expect(form).toMatch(/<label for="note">/);

    // Without the session's form token: refused, nothing filed.
    expect((await client.post(`/portal/history/${ids.passed}/report`, { note: 'x' })).status).toBe(403);
    // From another site's page: refused by the Origin check.
    expect((await client.post(`/portal/history/${ids.passed}/report`, { _csrf: csrfOf(form), note: 'x' }, { origin: 'https://evil.example' })).status).toBe(403);
    // A note over 500 characters: said beside the field.
    const long = await client.submit(form, `/portal/history/${ids.passed}/report`, { note: 'あ'.repeat(501) });
    expect(long.status).toBe(400);
    const longHtml = await long.text();
    expect(longHtml).toMatch(/aria-describedby="note-hint note-error" aria-invalid="true"/);
    expect(longHtml).toContain('500文字以内で入力してください。');
    expect(await t.deps.db.select().from(memberReports)).toHaveLength(0);

    const done = await client.submit(form, `/portal/history/${ids.passed}/report`, { note: '  カメラは買っていません  ' });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('ご報告を受け付けました');
    expect(doneHtml).toContain('ヘルプデスクが内容を確認し');
    expect(doneHtml).toContain('href="tel:0120000000"');
    expect(doneHtml).toContain('href="/portal/password"');
    const [report] = await t.deps.db.select().from(memberReports);
    expect(report).toMatchObject({ kind: 'transaction', acsTransID: ids.passed, note: 'カメラは買っていません', state: 'open', issuerId: 1 });
    const audit = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.report.transaction')).get())!;
    expect(audit).toMatchObject({ actorType: 'member', actorName: 'demo-jcb', target: `transaction:${ids.passed}` });

    // Again: "reported already on <date>", still one report, one audit row.
    const again = await client.submit(form, `/portal/history/${ids.passed}/report`, { note: 'again' });
    const againHtml = await again.text();
    expect(againHtml).toContain('このご利用はご報告済みです');
    expect(againHtml).toMatch(/\d{4}年\d{1,2}月\d{1,2}日にご報告いただきました/);
    expect(await t.deps.db.select().from(memberReports)).toHaveLength(1);
    expect(await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.report.transaction'))).toHaveLength(1);
    // The list says it was reported, in place of the button.
    const list = await (await client.get('/portal/history')).text();
    expect(list).toMatch(/ご報告済み（\d{4}年/);
    expect(list).not.toContain(`/portal/history/${ids.passed}/report"`);
  });

  it('answers another account’s transaction exactly like an unknown id', async () => {
    const client = await member('demo-jcb');
    const form = await (await client.get(`/portal/history/${ids.cancelled}/report`)).text();
    const answers = await Promise.all(
      [ids.otherMember, ids.otherIssuer, crypto.randomUUID(), 'not-an-id'].map(async (id) => {
        const get = await client.get(`/portal/history/${id}/report`);
        const post = await client.submit(form, `/portal/history/${id}/report`, { note: 'x' });
        return { get: get.status, post: post.status, getMain: main(await get.text()), postMain: main(await post.text()) };
      }),
    );
    for (const a of answers) {
      expect(a).toMatchObject({ get: 404, post: 404 });
      expect(a.getMain).toBe(answers[2].getMain);
      expect(a.postMain).toBe(answers[2].getMain);
    }
    expect(answers[0].getMain).toContain('ご利用が見つかりません');
    expect(await t.deps.db.select().from(memberReports).where(eq(memberReports.acsTransID, ids.otherMember))).toHaveLength(0);
  });
});

describe('the helpdesk queue', () => {
  it('shows the report to its issuer’s people only, and closes it with a note, audited', async () => {
    // A report of the other issuer's member, so that each queue has one.
    const kitaMember = await member('demo-visa');
    const kitaForm = await (await kitaMember.get(`/portal/history/${ids.otherIssuer}/report`)).text();
    expect((await kitaMember.submit(kitaForm, `/portal/history/${ids.otherIssuer}/report`, { note: '' })).status).toBe(200);
    const [own] = await t.deps.db.select().from(memberReports).where(eq(memberReports.acsTransID, ids.passed));
    const [kita] = await t.deps.db.select().from(memberReports).where(eq(memberReports.acsTransID, ids.otherIssuer));

    const helpdesk = await staff('demo-helpdesk');
    const queue = await (await helpdesk.get('/admin/reports')).text();
    expect(queue).toContain(`href="/admin/reports/${own.id}"`);
    expect(queue).not.toContain(`href="/admin/reports/${kita.id}"`);
    expect(queue).toContain(`href="/admin/transactions/${ids.passed}"`);
    expect(queue).toMatch(/href="\/admin\/cardholders\/\d+">demo-jcb<\/a>/);
    expect(queue).toContain(`${demoCard('jcb-otp').pan.slice(0, 6)}******${demoCard('jcb-otp').pan.slice(-4)}`);
    expect(queue).toContain('カメラは買っていません');
    expect(queue).toContain('本人からの申告（1）');
    // The links lead to pages this person may open.
    expect((await helpdesk.get(`/admin/transactions/${ids.passed}`)).status).toBe(200);
    expect((await helpdesk.get(/href="(\/admin\/cardholders\/\d+)"/.exec(queue)![1])).status).toBe(200);

    const other = await staff('kita-helpdesk');
    const kitaQueue = await (await other.get('/admin/reports')).text();
    expect(kitaQueue).toContain(`href="/admin/reports/${kita.id}"`);
    expect(kitaQueue).not.toContain('demo-jcb');
    expect((await other.get(`/admin/reports/${own.id}`)).status).toBe(404);
    const kitaPage = await (await other.get(`/admin/reports/${kita.id}`)).text();
    expect((await other.submit(kitaPage, `/admin/reports/${own.id}/close`, { note: 'not mine' })).status).toBe(404);

    const platform = await (await (await staff('demo-platform')).get('/admin/reports')).text();
    expect(platform).toContain(`href="/admin/reports/${own.id}"`);
    expect(platform).toContain(`href="/admin/reports/${kita.id}"`);

    // An auditor reads, and may not close.
    const auditor = await staff('demo-auditor');
    const auditorPage = await (await auditor.get(`/admin/reports/${own.id}`)).text();
    expect(auditorPage).not.toContain(`/admin/reports/${own.id}/close`);
    expect((await auditor.submit(auditorPage, `/admin/reports/${own.id}/close`, { note: 'x' })).status).toBe(403);

    // Close: the note is required, the form's token too.
    const page = await (await helpdesk.get(`/admin/reports/${own.id}`)).text();
    expect((await helpdesk.post(`/admin/reports/${own.id}/close`, { note: 'called' })).status).toBe(403);
    const empty = await helpdesk.submit(page, `/admin/reports/${own.id}/close`, { note: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('対応内容を入力してください。');
    const closed = await helpdesk.submit(page, `/admin/reports/${own.id}/close`, { note: 'Called back; card blocked' });
    expect(closed.status).toBe(303);
    const closedPage = await (await helpdesk.get(closed.headers.get('location')!)).text();
    expect(closedPage).toContain('対応済みにしました。');
    expect(closedPage).toContain('Called back; card blocked');
    expect((await helpdesk.submit(page, `/admin/reports/${own.id}/close`, { note: 'twice' })).status).toBe(409);
    const row = (await t.deps.db.select().from(memberReports).where(eq(memberReports.id, own.id)).get())!;
    expect(row).toMatchObject({ state: 'closed', closeNote: 'Called back; card blocked' });
    const audits = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'staff.report.close'), eq(auditLog.target, `report:${own.id}`)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: 'staff', actorName: 'demo-helpdesk', issuerId: 1 });
    expect(JSON.parse(audits[0].detail)).toMatchObject({ before: { state: 'open' }, after: { state: 'closed', note: 'Called back; card blocked' } });

    // Off the open queue, on the closed one.
    const open = await (await helpdesk.get('/admin/reports')).text();
    expect(open).not.toContain(`href="/admin/reports/${own.id}"`);
    expect(open).toContain('本人からの申告（0）');
    const done = await (await helpdesk.get('/admin/reports?state=closed')).text();
    expect(done).toContain(`href="/admin/reports/${own.id}"`);
    expect(done).toContain('demo-helpdesk');
  });

  it('shows a reported registration change with what changed, when, and the account’s card', async () => {
    const row = (await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-two-jcb')).get())!;
    // As the notification mail's "not me" link files it (src/portal/reports.ts).
    const filed = await fileReport(t.deps, { member: { id: row.id, loginId: row.loginId, issuerId: 1 }, kind: 'account_change', change: 'phone' });
    expect(filed.created).toBe(true);
    const helpdesk = await staff('demo-helpdesk');
    const queue = await (await helpdesk.get('/admin/reports')).text();
    const pan = demoCard('jcb-two-cards').pan;
    expect(queue).toContain(`href="/admin/reports/${filed.id}"`);
    expect(queue).toContain('携帯電話番号の変更');
    expect(queue).toContain(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
    expect(queue).toMatch(/href="\/admin\/cardholders\/\d+">demo-two-jcb<\/a>/);
  });
});
