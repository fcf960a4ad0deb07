/**
 * The risk rules console through real HTTP: the demo issuer's administrator adds "new device +
 * amount ≥ ¥10,000 → challenge" to a draft (audited, before → after), sees a refused rule's errors
 * beside its fields, tests the draft on a hand-made AReq, replays it over AReqs spread over days
 * by the fake clock (the changed transactions listed, the protocol-fixed and older rows left
 * out), publishes version 1 (the next new-device AReq is challenged and its page gives the
 * reason), publishes 2 and rolls back to 1 as version 3 (again, with a draft open, as 4).
 * Helpdesk and auditors read but cannot edit; another issuer's administrator never sees these rules.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, riskRuleSets, transactions } from '../../src/db/schema.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { replay } from '../../src/risk/replay.ts';
import { compileRuleSet, type Rule } from '../../src/risk/rules/rule-set.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { newStaff, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let issuerId: number;
let admin: Enrolled;
let client: Client;
const DAY = 86_400_000;
const ids: Record<string, string> = {};
const newDeviceAmount: Rule = {
  id: 'nd',
  name: 'new device and amount',
  enabled: true,
  when: { all: [{ signal: 'device.newDevice', op: 'eq', value: true }, { signal: 'purchase.amountHome', op: 'gte', value: 10000 }] },
  then: { decide: 'challenge' },
};

/** A browser AReq from a device told apart by its screen width (a new width: a new device for the card). */
async function areq(card: string, amount: string, width: number): Promise<Record<string, any>> {
  const res = await postAReq(t.app, browserAReq({ pan: demoCard(card).pan, purchaseAmount: amount, extra: { browserScreenWidth: String(width) } }));
  return (await res.json()) as Record<string, any>;
}

async function page(path: string, who: Client = client): Promise<string> {
  const res = await who.get(path);
  expect(res.status).toBe(200);
  return res.text();
}

async function audits(action: string) {
  return t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.issuerId, issuerId)));
}

beforeAll(async () => {
  t = await createTestApp({ seed: true });
  issuerId = (await ensureFirstIssuer(t.deps)).id;
  admin = await newStaff(t, 'risk-admin', 'issuer_admin', issuerId);

  // Traffic over ten days, decided by the defaults (version 0): ¥30,000 and above is challenged.
  ids.old = (await areq('jcb-otp', '12000', 300)).acsTransID; // outside a 7-day replay
  t.clock.advance(4 * DAY);
  ids.newBig = (await areq('jcb-otp', '12000', 301)).acsTransID; // new device, ≥ ¥10,000: would change
  t.clock.advance(DAY);
  ids.seenBig = (await areq('jcb-otp', '12000', 301)).acsTransID; // same device: stays
  t.clock.advance(DAY);
  ids.newSmall = (await areq('jcb-otp', '5000', 302)).acsTransID; // new device, small: stays
  ids.stolen = (await areq('visa-stolen', '12000', 303)).acsTransID; // R/10: the protocol decides
  ids.older = (await areq('jcb-otp', '12000', 304)).acsTransID;
  // A row from before the engine stored its detail: not replayable.
  await t.deps.db.update(transactions).set({ riskDetail: null }).where(eq(transactions.acsTransID, ids.older));
  t.clock.advance(DAY);
  // Signed in now: a session would not outlive the days the clock just ran.
  client = (await signIn(t, admin.username, admin.secret)).client;
}, 120_000);
afterAll(() => t.close());

describe('the risk console', () => {
  it('shows the defaults as version 0 and the nav entry', async () => {
    const html = await page('/admin/risk?lang=en');
    expect(html).toContain('Published: defaults (version 0)');
    expect(html).toContain('href="/admin/risk"');
    expect(html).toContain('Draft (none yet)');
  });

  it('adds "new device + amount ≥ ¥10,000 → challenge" from a template into a new draft, audited', async () => {
    const html = await page('/admin/risk');
    const res = await client.submit(html, '/admin/risk/draft/templates', { template: 'new-device-amount', 'new-device-amount.amount': '10000' });
    expect(res.status).toBe(303);
    const after = await page('/admin/risk');
    expect(after).toContain('Draft (becomes version 1)');
    expect(after).toContain('new device and amount ≥ ¥10,000');
    const [draft] = await t.deps.db.select().from(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft')));
    expect(draft.version).toBe(1);
    const rules = (draft.ruleSet as { rules: { id: string; when: unknown; then: unknown }[] }).rules;
    expect(rules.at(-1)).toMatchObject({ id: 'new-device-amount-10000', then: { decide: 'challenge' } });
    expect(await audits('staff.risk.draft_create')).toHaveLength(1);
    const [update] = await audits('staff.risk.draft_update');
    const detail = JSON.parse(update.detail);
    expect(detail.what).toBe('rule_add:new-device-amount-10000');
    expect(detail.before.rules).toHaveLength(rules.length - 1);
    expect(detail.after.rules).toHaveLength(rules.length);
  });

  it('refuses an invalid rule with the error beside its field, and invalid JSON with its path', async () => {
    const html = await page('/admin/risk/draft/rules/new');
    const res = await client.submit(html, '/admin/risk/draft/rules/new', { nameJa: '通貨', nameEn: 'currency', combine: 'all', 'c0.signal': 'purchase.currency', 'c0.op': 'gte', 'c0.value': '10', effect: 'challenge', enabled: 'on' });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toMatch(/id="r-c0-op"[^>]*aria-describedby="r-c0-op-error"/);
    expect(body).toContain('id="r-c0-op-error"');
    expect(body).toContain('does not apply');
    const json = await page('/admin/risk/draft/json');
    const bad = await client.submit(json, '/admin/risk/draft/json', { json: JSON.stringify({ version: 1, rules: [{ id: 'x', name: 'x', enabled: true, when: { signal: 'nope', op: 'eq', value: 1 }, then: { decide: 'challenge' } }] }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('rules.0.when');
    // Nothing of it reached the draft.
    const [draft] = await t.deps.db.select().from(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft')));
    expect(JSON.stringify(draft.ruleSet)).not.toContain('"nope"');
    expect(JSON.stringify(draft.ruleSet)).not.toContain('"currency"');
  });

  it('tests the draft on a hand-made AReq: each rule’s verdict and the outcome explained', async () => {
    const html = await page('/admin/risk/test?lang=en&run=1&purchase.amountMajor=12000&purchase.currency=392&device.channel=02&device.newDevice=true&history.auths1h=1');
    expect(html).toContain('Outcome: challenge');
    expect(html).toContain('new device and amount ≥ ¥10,000 → challenge');
    expect(html).toMatch(/new device and amount ≥ ¥10,000 — matched \(this decided\)/);
    // New device not known: the rule's condition is unknown (never false), so it does not match.
    const unknown = await page('/admin/risk/test?lang=en&run=1&purchase.amountMajor=12000&purchase.currency=392&device.channel=02&history.auths1h=1');
    expect(unknown).toContain('Outcome: frictionless');
    expect(unknown).toMatch(/new device and amount ≥ ¥10,000 — unknown/);
    expect(unknown).toContain('new device for this card: unknown');
    const small = await page('/admin/risk/test?lang=en&run=1&purchase.amountMajor=5000&purchase.currency=392&device.channel=02&history.auths1h=1');
    expect(small).toMatch(/new device and amount ≥ ¥10,000 — not matched/);
  });

  it('replays the draft over the last 7 days: the mix side by side and the transactions that would change', async () => {
    const html = await page('/admin/risk/replay?lang=en&days=7');
    expect(html).toContain(`href="/admin/transactions/${ids.newBig}"`);
    expect(html).not.toContain(ids.seenBig);
    expect(html).not.toContain(ids.newSmall);
    expect(html).not.toContain(ids.old);
    expect(html).toContain('Would change: 1.');
    expect(html).toContain('1 older ones without risk detail are not replayable and 1 had an outcome fixed by the protocol');
    // Three replayed: all frictionless as decided; with the draft two stay, one is challenged.
    expect(html).toMatch(/frictionless<\/th><td>3<\/td><td>100\.0%<\/td><td>2<\/td><td>66\.7%<\/td>/);
    const wide = await page('/admin/risk/replay?lang=en&days=30');
    expect(wide).toContain(ids.old);
    const refused = await client.get('/admin/risk/replay?lang=en&days=365');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('id="f-days-error"');
  });

  it('publishes the draft as version 1; the next AReq from a new device is challenged and its page says why', async () => {
    const html = await page('/admin/risk');
    const res = await client.submit(html, '/admin/risk/publish', { note: 'new device rule' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('version=1');
    const [audit] = await audits('staff.risk.publish');
    expect(JSON.parse(audit.detail)).toMatchObject({ version: 1, before: { version: 0 }, after: { version: 1 } });
    expect(await page('/admin/risk?lang=en')).toContain('Published: version 1');

    const ares = await areq('jcb-otp', '12000', 305);
    expect(ares.transStatus).toBe('C');
    const [row] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
    expect(row.riskVersion).toBe(1);
    const trail = await page(`/admin/transactions/${ares.acsTransID}?lang=en`);
    expect(trail).toContain('Why the risk decided so');
    expect(trail).toContain('new device and amount ≥ ¥10,000 → challenge');
    expect(trail).toContain('new device for this card: yes');
  });

  it('publishes version 2, then rolls back to 1 as version 3 based on 1', async () => {
    let html = await page('/admin/risk');
    const m = /<form method="post" action="\/admin\/risk\/draft\/rules\/(\d+)\/toggle">[\s\S]*?name="ruleId" value="([^"]+)"/.exec(html)!;
    expect((await client.submit(html, `/admin/risk/draft/rules/${m[1]}/toggle`, { ruleId: m[2] })).status).toBe(303);
    html = await page('/admin/risk');
    expect((await client.submit(html, '/admin/risk/publish', { note: '' })).headers.get('location')).toContain('version=2');
    html = await page('/admin/risk');
    const back = await client.submit(html, '/admin/risk/rollback', { version: '1' });
    expect(back.headers.get('location')).toContain('version=3');
    const rows = await t.deps.db.select().from(riskRuleSets).where(eq(riskRuleSets.issuerId, issuerId));
    const v1 = rows.find((r) => r.version === 1)!;
    const v3 = rows.find((r) => r.version === 3)!;
    expect(v3).toMatchObject({ state: 'published', basedOn: 1 });
    expect((v3.ruleSet as { rules: unknown }).rules).toEqual((v1.ruleSet as { rules: unknown }).rules);
    expect((v3.ruleSet as { version: number }).version).toBe(3);
    const [audit] = await audits('staff.risk.rollback');
    expect(JSON.parse(audit.detail)).toMatchObject({ version: 3, basedOn: 1, before: { version: 2 } });
    expect(await page('/admin/risk?lang=en')).toContain('Published: version 3');
  });

  it('moves, edits (the builder filled in from the rule), refuses bad bands beside their fields, and discards a draft', async () => {
    const draftRules = async () => {
      const [d] = await t.deps.db.select().from(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft')));
      return d ? (d.ruleSet as { rules: { id: string; name: unknown; then: unknown }[] }).rules : undefined;
    };
    let html = await page('/admin/risk');
    const first = /action="\/admin\/risk\/draft\/rules\/0\/down">[\s\S]*?name="ruleId" value="([^"]+)"/.exec(html)![1];
    expect((await client.submit(html, '/admin/risk/draft/rules/0/down', { ruleId: first })).status).toBe(303);
    expect((await draftRules())![1].id).toBe(first);
    // A stale page (the index no longer holds that rule) changes nothing.
    html = await page('/admin/risk');
    const stale = await client.submit(html, '/admin/risk/draft/rules/0/delete', { ruleId: first });
    expect(stale.headers.get('location')).toContain('done=stale');
    expect((await draftRules())![1].id).toBe(first);

    const last = (await draftRules())!.length - 1;
    const edit = await page(`/admin/risk/draft/rules/${last}/edit?lang=en`);
    expect(edit).toMatch(/<option value="device.newDevice" selected="">/);
    expect(edit).toMatch(/name="c1.value" value="10000"/);
    const saved = await client.submit(edit, `/admin/risk/draft/rules/${last}`, {
      ruleId: 'new-device-amount-10000', nameJa: '新しい端末で ¥20,000以上', nameEn: 'new device and amount ≥ ¥20,000', combine: 'all',
      'c0.signal': 'device.newDevice', 'c0.op': 'eq', 'c0.value': 'true', 'c1.signal': 'purchase.amountHome', 'c1.op': 'gte', 'c1.value': '20000', effect: 'score', score: '35', enabled: 'on',
    });
    expect(saved.status).toBe(303);
    expect((await draftRules())!.at(-1)).toMatchObject({ id: 'new-device-amount-10000', name: { en: 'new device and amount ≥ ¥20,000' }, then: { score: 35 } });

    const bands = await client.submit(html, '/admin/risk/draft/bands', { challengeFrom: '80', rejectFrom: '40' });
    expect(bands.status).toBe(400);
    expect(await bands.text()).toMatch(/id="f-reject-from"[^>]*aria-describedby="f-reject-from-error"[\s\S]*id="f-reject-from-error"/);

    // A rollback while a draft is open: the copy takes the next number, the draft moves up by one.
    const rolled = await client.submit(html, '/admin/risk/rollback', { version: '1' });
    expect(rolled.headers.get('location')).toContain('version=4');
    const [moved] = await t.deps.db.select().from(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft')));
    expect(moved.version).toBe(5);
    expect((moved.ruleSet as { version: number }).version).toBe(5);
    expect((await draftRules())!.at(-1)).toMatchObject({ then: { score: 35 } });

    expect((await client.submit(html, '/admin/risk/draft/discard', {})).status).toBe(303);
    expect(await draftRules()).toBeUndefined();
    const [discarded] = await audits('staff.risk.draft_discard');
    expect(JSON.parse(discarded.detail).after).toBeNull();
  });

  it('lets helpdesk and auditors read, test and replay, but not edit (403)', async () => {
    for (const role of ['helpdesk', 'auditor'] as const) {
      const who = await newStaff(t, `risk-${role}`, role, issuerId);
      const c = (await signIn(t, who.username, who.secret)).client;
      const html = await page('/admin/risk?lang=en', c);
      expect(html).toContain('Published: version 4');
      expect(html).not.toContain('action="/admin/risk/publish"');
      expect(html).not.toContain('action="/admin/risk/draft/templates"');
      await page('/admin/risk/replay?days=7', c);
      await page('/admin/risk/test', c);
      for (const path of ['/admin/risk/publish', '/admin/risk/draft/templates', '/admin/risk/rollback', '/admin/risk/draft/bands']) {
        const res = await c.submit(html, path, { template: 'new-device', version: '1', challengeFrom: '10', rejectFrom: '20' });
        expect(res.status).toBe(403);
      }
      expect((await c.get('/admin/risk/draft/json')).status).toBe(403);
    }
  });

  it('keeps another issuer’s administrator out of these rules', async () => {
    const north = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'north', nameJa: '北カード', nameEn: 'North Card' }, t.clock.now());
    const other = await newStaff(t, 'north-admin', 'issuer_admin', north.id);
    const c = (await signIn(t, other.username, other.secret)).client;
    const html = await page('/admin/risk?lang=en', c);
    expect(html).toContain('Published: defaults (version 0)');
    expect(html).not.toContain('new device and amount');
    expect((await c.get(`/admin/risk?issuer=${issuerId}`)).status).toBe(404);
    expect((await c.get(`/admin/risk/replay?issuer=${issuerId}&days=7`)).status).toBe(404);
    const res = await c.submit(html, '/admin/risk/rollback', { version: '1', issuer: String(issuerId) });
    expect(res.status).toBe(404);
    expect((await t.deps.db.select().from(riskRuleSets).where(eq(riskRuleSets.issuerId, issuerId))).filter((r) => r.state === 'published')).toHaveLength(4);
  });

  it('streams a long period in keyset pages: every row counted once, the list capped at 100', async () => {
    // 1,200 more rows like the one that would change, at one millisecond (the keyset's tie-break is the id).
    const columns = (await t.deps.db.all<{ name: string }>(sql`PRAGMA table_info(transactions)`)).map((c) => c.name);
    const copied = columns.map((c) => (c === 'acs_trans_id' ? `'copy-' || printf('%05d', n.i)` : c === 'three_ds_server_trans_id' ? `'srv-' || n.i` : `t.${c}`)).join(', ');
    await t.deps.db.run(sql.raw(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
      INSERT INTO transactions (${columns.join(', ')}) SELECT ${copied} FROM n, transactions t WHERE t.acs_trans_id = '${ids.newBig}'`));
    const draft = compileRuleSet({ version: 9, bands: { challengeFrom: 30, rejectFrom: 70 }, rules: [newDeviceAmount] });
    const result = await replay(t.deps.db, issuerId, draft, { days: 7, now: t.clock.now() });
    expect(result.total).toBe((await t.deps.db.all(sql`SELECT 1 FROM transactions WHERE issuer_id = ${issuerId} AND created_at >= ${result.since} AND created_at <= ${t.clock.now()}`)).length);
    expect(result.changedCount).toBe(1201);
    expect(result.changed).toHaveLength(100);
    expect(new Set(result.changed.map((c) => c.acsTransID)).size).toBe(100);
  });
});
