/**
 * The transaction trail through real AReqs and challenges: search by each filter, keyset pages
 * with no duplicate and no gap (rows share a millisecond: the fake clock stands still), issuer
 * scope across the two demo issuers (and rows from before issuers), a full card number by its
 * keyed hash (POST only, never echoed), the CSV export (masked, audited, fresh TOTP), the
 * transaction page with every message in order and the challenge's steps, and the query plans.
 */
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { auditLog, issuers, statsHourly, transactions, transactionEvents } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { searchTrail, explainable, type TrailFilters, type TrailScope } from '../../src/trail/search.ts';
import { nextCode, newStaff, type Enrolled } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { latestOtp, openChallenge, postForm, stateOf, submit } from '../support/challenge.ts';
import { startDsReceiver, type DsReceiver } from '../support/ds-receiver.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let ds: DsReceiver;
let first: number;
let kita: number;
let admin: Enrolled;
let kitaAuditor: Enrolled;
const ids: Record<string, string> = {};

async function areq(key: string, amount: string, merchantName?: string) {
  const res = await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount: amount, merchantName }));
  return (await res.json()) as Record<string, any>;
}

async function all(scope: TrailScope, filters: TrailFilters, limit = 100) {
  return (await searchTrail(t.deps.db, scope, filters, { limit })).rows.map((r) => r.acsTransID);
}

beforeAll(async () => {
  ds = await startDsReceiver();
  t = await createTestApp({ seed: true, env: { DS_URL_JCB: ds.url, DS_URL_VISA: ds.url, DS_URL_MASTERCARD: ds.url } });
  // The second demo issuer (kita) with the Visa range, as the sandbox seeds it.
  await seedDemoStaff(t.deps);
  const rows = await t.deps.db.select().from(issuers);
  first = rows.find((r) => r.code !== 'kita')!.id;
  kita = rows.find((r) => r.code === 'kita')!.id;

  ids.frictionless = (await areq('jcb-otp', '500', 'Alpha Books')).acsTransID;
  ids.rejected = (await areq('visa-stolen', '500', 'Kita Market')).acsTransID;
  ids.kitaY = (await areq('visa-otp', '500', 'Kita Market')).acsTransID;
  // Challenged: one wrong code, then the right one.
  const opened = await openChallenge(t, 'jcb-otp', { merchantName: 'Beta Shop' });
  ids.challenged = opened.ares.acsTransID;
  const code = await latestOtp(t, ids.challenged);
  const wrong = await submit(t, opened.state!, 'demo-jcb', code === '000000' ? '111111' : '000000');
  expect(wrong.res.status).toBe(400);
  const right = await submit(t, opened.state!, 'demo-jcb', code);
  expect(right.res.status).toBe(200);
  t.clock.advance(1000);
  ids.mc = (await areq('mc-otp', '500', 'Alpha Books Annex')).acsTransID;
  // A row from before issuers (issuer_id NULL) belongs to the first issuer.
  ids.legacy = (await areq('jcb-password', '500', 'Old Shop')).acsTransID;
  await t.deps.db.update(transactions).set({ issuerId: null, panFirst6: null }).where(eq(transactions.acsTransID, ids.legacy));

  admin = await newStaff(t, 'trail-admin', 'issuer_admin', first);
  kitaAuditor = await newStaff(t, 'trail-kita', 'auditor', kita);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await ds?.close();
});

describe('searchTrail', () => {
  it('keeps each issuer to its own rows; the first issuer sees rows from before issuers', async () => {
    const mine = await all({ issuerIds: [first] }, {});
    expect(new Set(mine)).toEqual(new Set([ids.frictionless, ids.challenged, ids.mc, ids.legacy]));
    expect(new Set(await all({ issuerIds: [kita] }, {}))).toEqual(new Set([ids.rejected, ids.kitaY]));
    expect((await all({ issuerIds: 'all' }, {})).length).toBe(6);
    expect(await all({ issuerIds: [] }, {})).toEqual([]);
  });

  it('filters by outcome, final status, brand, merchant, ids, masked PAN, method and time', async () => {
    const s = { issuerIds: 'all' } as const;
    const txn = async (id: string) => (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, id)))[0];
    const challenged = await txn(ids.challenged);
    expect(await all(s, { transStatus: 'R' })).toEqual([ids.rejected]);
    expect(await all(s, { transStatus: 'R', transStatusReason: '10' })).toEqual([ids.rejected]);
    expect(await all(s, { transStatus: 'R', transStatusReason: '01' })).toEqual([]);
    expect(await all(s, { transStatus: 'C', finalStatus: 'Y' })).toEqual([ids.challenged]);
    expect((await all(s, { finalStatus: 'none' })).length).toBe(5);
    expect(await all(s, { brand: 'mastercard' })).toEqual([ids.mc]);
    expect(new Set(await all(s, { merchant: { text: 'Alpha', match: 'prefix' } }))).toEqual(new Set([ids.frictionless, ids.mc]));
    expect(await all(s, { merchant: { text: 'lpha', match: 'prefix' } })).toEqual([]);
    expect(await all(s, { merchant: { text: 'annex', match: 'contains' } })).toEqual([ids.mc]);
    expect(await all(s, { merchant: { text: '%', match: 'contains' } })).toEqual([]);
    expect(await all(s, { acsTransID: ids.challenged })).toEqual([ids.challenged]);
    expect(await all(s, { threeDSServerTransID: challenged.threeDSServerTransID })).toEqual([ids.challenged]);
    expect(await all(s, { dsTransID: challenged.dsTransID })).toEqual([ids.challenged]);
    expect(await all({ issuerIds: [kita] }, { acsTransID: ids.challenged })).toEqual([]);
    const pan = demoCard('jcb-otp').pan;
    expect(new Set(await all(s, { panFirst6: pan.slice(0, 6), panLast4: pan.slice(-4) }))).toEqual(new Set([ids.frictionless, ids.challenged]));
    expect(await all(s, { challengeMethod: 'sms_otp' })).toEqual([ids.challenged]);
    expect(new Set(await all(s, { from: challenged.createdAt + 1 }))).toEqual(new Set([ids.mc, ids.legacy]));
    expect((await all(s, { to: challenged.createdAt + 1 })).length).toBe(4);
    // The legacy row (issuer NULL) by its exact id, for the first issuer only.
    expect(await all({ issuerIds: [first] }, { acsTransID: ids.legacy })).toEqual([ids.legacy]);
    expect(await all({ issuerIds: [kita] }, { acsTransID: ids.legacy })).toEqual([]);
  });

  it('pages by keyset with no duplicate and no gap, across rows of the same millisecond and issuers', async () => {
    for (const scope of [{ issuerIds: 'all' as const }, { issuerIds: [first] }]) {
      const whole = await all(scope, {});
      for (const size of [1, 2, 3]) {
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page = await searchTrail(t.deps.db, scope, {}, { after, limit: size });
          expect(page.rows.length).toBeLessThanOrEqual(size);
          seen.push(...page.rows.map((r) => r.acsTransID));
          after = page.next;
        } while (after);
        expect(seen).toEqual(whole);
      }
    }
    // Newest first; equal times in descending acsTransID.
    const rows = (await searchTrail(t.deps.db, { issuerIds: 'all' }, {}, { limit: 100 })).rows;
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.acsTransID > b.acsTransID)).toBe(true);
    }
    // A cursor that is not one starts over rather than failing.
    expect((await searchTrail(t.deps.db, { issuerIds: 'all' }, {}, { after: 'garbage', limit: 100 })).rows.length).toBe(6);
  });

  it('uses an index for every kind of search (EXPLAIN QUERY PLAN)', async () => {
    // A connection of its own: an EXPLAIN on the app's connection can leave a read open on it.
    const planner = createClient({ url: `file:${t.databaseFile}` });
    onTestFinished(() => planner.close());
    const cases: [TrailScope, TrailFilters, RegExp][] = [
      [{ issuerIds: [1] }, {}, /USING INDEX transactions_issuer_created \(issuer_id=\?/],
      [{ issuerIds: [1] }, { from: 1, to: 2, brand: 'jcb', merchant: { text: 'A', match: 'prefix' } }, /transactions_issuer_created \(issuer_id=\? AND created_at>\? AND created_at<\?\)/],
      // An outcome and a card's last four digits have indexes of their own (migration 0008); for an
      // outcome within a time range the planner may take either index, by what the table holds.
      [{ issuerIds: [1] }, { from: 1, to: 2, transStatus: 'C' }, /transactions_issuer_(status \(issuer_id=\? AND trans_status=\?|created \(issuer_id=\?)/],
      [{ issuerIds: [1] }, { panLast4: '0042' }, /transactions_issuer_last4 \(issuer_id=\? AND pan_last4=\?/],
      [{ issuerIds: [1] }, { acsTransID: 'x' }, /sqlite_autoindex_transactions_1 \(acs_trans_id=\?\)/],
      [{ issuerIds: [1] }, { threeDSServerTransID: 'x' }, /transactions_server_ds_ids \(three_ds_server_trans_id=\?\)/],
      [{ issuerIds: [1] }, { dsTransID: 'x' }, /transactions_ds_trans_id \(ds_trans_id=\?\)/],
      [{ issuerIds: [1] }, { panHash: 'x', brand: 'jcb' }, /transactions_pan_hash \(pan_hash=\?/],
      [{ issuerIds: 'all' }, { from: 1 }, /transactions_created \(created_at>\?/],
    ];
    for (const [scope, filters, expected] of cases) {
      for (const cursor of [undefined, { createdAt: 5, acsTransID: 'z' }]) {
        const q = explainable(t.deps.db, scope, filters, cursor);
        const plan = (await planner.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.params as never })).rows.map((r) => String(r.detail)).join(' | ');
        expect(plan, `${JSON.stringify(filters)} ${plan}`).toMatch(expected);
        expect(plan).not.toMatch(/SCAN transactions( |$)(?!USING)/);
      }
    }
  });
});

describe('the trail pages', () => {
  it('searches by GET, shows masked PANs in the issuer’s rows only, and pages on', async () => {
    const page = await admin.client.get('/admin/transactions');
    const html = await page.text();
    expect(page.status).toBe(200);
    const pan = demoCard('jcb-otp').pan;
    expect(html).toContain(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
    expect(html).toContain(`******${demoCard('jcb-password').pan.slice(-4)}`);
    expect(html).not.toContain(pan);
    expect(html).toContain(ids.challenged);
    expect(html).not.toContain(ids.kitaY);
    const kitaPage = await (await kitaAuditor.client.get('/admin/transactions?brand=visa')).text();
    expect(kitaPage).toContain(ids.kitaY);
    expect(kitaPage).not.toContain(ids.challenged);
    const bad = await admin.client.get('/admin/transactions?from=2026-12-02T10:00&to=2026-12-01T10:00&first6=12');
    const badHtml = await bad.text();
    expect(bad.status).toBe(400);
    expect(badHtml).toMatch(/id="f-to-error"[^>]*>終了は開始より後の日時にしてください/);
    expect(badHtml).toMatch(/aria-describedby="f-first6-error"/);
  });

  it('finds a full card number by POST (hash), never echoing it', async () => {
    const form = await (await admin.client.get('/admin/transactions')).text();
    const pan = demoCard('jcb-otp').pan;
    const res = await admin.client.submit(form, '/admin/transactions', { pan: `${pan.slice(0, 4)} ${pan.slice(4)}` });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain(ids.challenged);
    expect(html).toContain(ids.frictionless);
    expect(html).not.toContain(ids.mc);
    expect(html).not.toContain(pan);
    expect(t.logs.join('\n')).not.toContain(pan.slice(6, 12));
    // Another issuer's card: nothing, exactly like a card with no transactions.
    const other = await admin.client.submit(form, '/admin/transactions', { pan: demoCard('visa-otp').pan });
    expect(await other.text()).not.toContain(ids.kitaY);
    const wrong = await admin.client.submit(form, '/admin/transactions', { pan: '1234' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('id="f-pan-error"');
    // Without the form token, refused.
    expect((await admin.client.post('/admin/transactions', { pan })).status).toBe(403);
  });

  it('exports the search as CSV after a fresh code: masked PANs, audited with the filters and the count', async () => {
    const form = await (await admin.client.get('/admin/transactions?brand=jcb')).text();
    const refused = await admin.client.submit(form, '/admin/transactions/export', { brand: 'jcb', code: '000000' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('id="export-code-error"');
    expect(await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'transactions.export'))).toEqual([]);
    const res = await admin.client.submit(form, '/admin/transactions/export', { brand: 'jcb', code: nextCode(t, admin.secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const csv = await res.text();
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.acs_trans_id))).toEqual(new Set([ids.frictionless, ids.challenged, ids.legacy]));
    const pan = demoCard('jcb-otp').pan;
    for (const r of rows) expect(r.card).toMatch(/^(\d{6})?\*{6}\d{4}$/);
    expect(csv).not.toContain(pan);
    expect(rows.find((r) => r.acs_trans_id === ids.challenged)).toMatchObject({ amount: '98000', currency: '392', final_trans_status: 'Y', challenge_method: 'sms_otp' });
    const [audit] = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'transactions.export'));
    expect(audit.issuerId).toBe(first);
    expect(JSON.parse(audit.detail)).toMatchObject({ filter: { brand: 'jcb' }, rows: 3, byCardNumber: false });
    expect(audit.detail).not.toContain(pan);
    // A helpdesk member may search but not export.
    const helpdesk = await newStaff(t, 'trail-helpdesk', 'helpdesk', first);
    const page = await (await helpdesk.client.get('/admin/transactions')).text();
    expect(page).not.toContain('/admin/transactions/export');
    expect((await helpdesk.client.submit(page, '/admin/transactions/export', { code: nextCode(t, helpdesk.secret) })).status).toBe(403);
  });

  it('shows a transaction: every message in order, the decision, the steps, the SMS and the RReq; audited; other issuers get 404', async () => {
    const res = await admin.client.get(`/admin/transactions/${ids.challenged}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    const types = [...html.matchAll(/<span class="msg-type">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(types.slice(0, 3)).toEqual(['AReq', 'ARes', 'CReq']);
    expect(types).toEqual(expect.arrayContaining(['RReq', 'RRes', 'CRes']));
    expect(types.indexOf('RReq')).toBeLessThan(types.indexOf('RRes'));
    expect(types.lastIndexOf('CRes')).toBe(types.length - 1);
    const pan = demoCard('jcb-otp').pan;
    expect(html).not.toContain(pan);
    expect(html).toContain(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
    for (const step of ['画面表示', '誤入力', '認証成功']) expect(html).toContain(step);
    expect(html).toContain('SMSの送信');
    expect(html).toMatch(/送信済み/);
    expect(html).toMatch(/配信ジョブ完了/);
    const events = await t.deps.db.select().from(transactionEvents).where(eq(transactionEvents.acsTransID, ids.challenged));
    expect(events.map((e) => e.kind)).toEqual(['page', 'wrong_entry', 'page', 'succeeded', 'page']);
    const [viewed] = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'transaction.view'), eq(auditLog.target, `transaction:${ids.challenged}`)));
    expect(viewed.issuerId).toBe(first);
    // The legacy row (no issuer) is the first issuer's.
    expect((await admin.client.get(`/admin/transactions/${ids.legacy}`)).status).toBe(200);
    expect((await kitaAuditor.client.get(`/admin/transactions/${ids.legacy}`)).status).toBe(404);
    expect((await kitaAuditor.client.get(`/admin/transactions/${ids.challenged}`)).status).toBe(404);
    expect((await kitaAuditor.client.get('/admin/transactions/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const rejected = await (await kitaAuditor.client.get(`/admin/transactions/${ids.rejected}`)).text();
    expect(rejected).toContain('チャレンジはありません');
  });

  it('records a resend, the lock after the last wrong entry (and counts the lockout), and the failed ending', async () => {
    const opened = await openChallenge(t, 'jcb-two-cards');
    const id = opened.ares.acsTransID;
    await postForm(t, '/3ds/challenge/resend', { state: opened.state });
    const code = await latestOtp(t, id);
    let state = opened.state!;
    for (let i = 0; i < 5; i++) state = stateOf((await submit(t, state, 'demo-two-jcb', code === '000000' ? '111111' : '000000')).html) ?? state;
    const kinds = (await t.deps.db.select().from(transactionEvents).where(eq(transactionEvents.acsTransID, id))).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'wrong_entry')).toHaveLength(5);
    expect(kinds).toContain('resend');
    expect(kinds.slice(-3)).toEqual(['locked', 'failed', 'page']);
    const [stat] = await t.deps.db.select().from(statsHourly).where(and(eq(statsHourly.metric, 'lockout'), eq(statsHourly.issuerId, first)));
    expect(stat.count).toBe(1);
    const html = await (await admin.client.get(`/admin/transactions/${id}`)).text();
    expect(html).toContain('ロック');
    expect(html).toContain('再送信');
  });

  it('records a cancelled challenge and one that timed out', async () => {
    const cancelled = await openChallenge(t, 'mc-otp');
    await postForm(t, '/3ds/challenge/cancel', { state: cancelled.state });
    const timedOut = await openChallenge(t, 'visa-otp');
    t.clock.advance(11 * 60_000);
    await submit(t, timedOut.state!, 'demo-visa', '123456');
    const kindsOf = async (id: string) => (await t.deps.db.select().from(transactionEvents).where(eq(transactionEvents.acsTransID, id))).map((e) => e.kind);
    expect(await kindsOf(cancelled.ares.acsTransID)).toContain('cancelled');
    expect(await kindsOf(timedOut.ares.acsTransID)).toContain('timed_out');
    expect(await kindsOf(timedOut.ares.acsTransID)).not.toContain('wrong_entry');
  });
});
