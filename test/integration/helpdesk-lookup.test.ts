/**
 * The helpdesk's cardholder look-up through real HTTP on real libSQL, over the sandbox's demo data
 * with its two issuers (the first holds the JCB and Mastercard demo cards; "kita" the Visa range,
 * and with it every cardholder holding a demo Visa: demo-locked, and the two-card cardholder).
 * Each search kind, the scope (another issuer's cardholder is neither listed nor opened), the
 * audit rows, and the card number never in a response or the audit log.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECOND_DEMO_ISSUER, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { insertCard, insertCardholder } from '../../src/cards/card-store.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { auditLog, cardholders, members } from '../../src/db/schema.ts';
import { issuerByCode } from '../../src/issuers/issuer-store.ts';
import { normalisePhone, parseLookup } from '../../src/helpdesk/lookup.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { newStaff, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let firstId: number;
let kitaId: number;
const people: Record<'helpdesk' | 'auditor' | 'kita' | 'platform', Enrolled> = {} as never;
const clients: Partial<Record<keyof typeof people, Client>> = {};

/** A demo cardholder's id by its customer number (DEMO-0001 is the first demo card's). */
async function holderId(customerRef: string): Promise<number> {
  return (await t.deps.db.select({ id: cardholders.id }).from(cardholders).where(eq(cardholders.customerRef, customerRef)).get())!.id;
}

async function as(who: keyof typeof people): Promise<Client> {
  clients[who] ??= (await signIn(t, people[who].username, people[who].secret)).client;
  return clients[who]!;
}

/** A search as the form sends it (POST with the page's token); the page's HTML. */
async function search(who: keyof typeof people, form: Record<string, string>): Promise<{ status: number; html: string }> {
  const client = await as(who);
  const page = await (await client.get('/admin/cardholders')).text();
  const res = await client.submit(page, '/admin/cardholders', form);
  return { status: res.status, html: await res.text() };
}

/** The result rows' cardholder links, in order. */
const resultLinks = (html: string) => [...html.matchAll(/<a href="\/admin\/cardholders\/(\d+)">([^<]+)<\/a>/g)].map((m) => ({ id: Number(m[1]), name: m[2] }));
const masked = (pan: string) => `${pan.slice(0, 6)}******${pan.slice(-4)}`;

beforeAll(async () => {
  t = await createTestApp({ seed: true });
  await seedDemoStaff(t.deps); // the second demo issuer takes the Visa range and its cardholders
  firstId = (await issuerByCode(t.deps.db, 'default'))!.id;
  kitaId = (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!.id;
  people.helpdesk = await newStaff(t, 'hd-first', 'helpdesk', firstId);
  people.auditor = await newStaff(t, 'audit-first', 'auditor', firstId);
  people.kita = await newStaff(t, 'kita-boss', 'issuer_admin', kitaId);
  people.platform = await newStaff(t, 'platform', 'platform_admin', null);
}, 120_000);
afterAll(() => t.close());

describe('searching', () => {
  it('finds a demo cardholder by member ID, with the masked card, registration, phone and lock state', async () => {
    const { status, html } = await search('helpdesk', { kind: 'member', q: 'demo-jcb' });
    expect(status).toBe(200);
    expect(resultLinks(html)).toEqual([{ id: await holderId('DEMO-0001'), name: 'デモ 会員1' }]);
    const pan = demoCard('jcb-otp').pan;
    expect(html).toContain(masked(pan));
    expect(html).not.toContain(pan);
    expect(html).toContain('1件のカードが見つかりました');
    expect(html).toContain('登録済み');
    expect(html).toContain('SMSワンタイムパスワード');
    expect(html).toContain('090-****-0001（確認済み）');
    expect(html).not.toContain('+819011110001');
  });

  it('finds a card by its full number (POST only), never echoing or auditing the number', async () => {
    const pan = demoCard('mc-otp').pan;
    const { status, html } = await search('helpdesk', { kind: 'pan', q: pan.replace(/(\d{4})/g, '$1 ').trim() });
    expect(status).toBe(200);
    expect(resultLinks(html)).toEqual([{ id: await holderId('DEMO-0003'), name: 'デモ 会員3' }]);
    expect(html).toContain(masked(pan));
    expect(html).not.toContain(pan);
    expect(html).not.toContain(pan.slice(0, 4) + ' ' + pan.slice(4, 8));
    expect(html).toMatch(/<input id="lookup-q"[^>]*name="q"[^>]*value=""/);

    // By GET the number is not looked up at all, and not written back either.
    const client = await as('helpdesk');
    const byGet = await client.get(`/admin/cardholders?kind=pan&q=${pan}`);
    expect(byGet.status).toBe(303);
    expect(byGet.headers.get('location')).toBe('/admin/cardholders?kind=pan');
    const getHtml = await (await client.get('/admin/cardholders?kind=pan')).text();
    expect(getHtml).not.toContain(pan);
    expect(resultLinks(getHtml)).toEqual([]);
    expect(getHtml).toContain('カード番号での検索は、下のフォームから送信してください。');

    const all = JSON.stringify(await t.deps.db.select().from(auditLog));
    expect(all).not.toContain(pan);
    expect(all).toContain(masked(pan));
    expect(t.logs.join('\n')).not.toContain(pan);
  });

  it('finds by the last 4 digits with part of the name (full-width, spaces ignored) or the birth date', async () => {
    const pan = demoCard('jcb-password').pan;
    const id = await holderId('DEMO-0004');
    const byName = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who: '会員４' });
    expect(resultLinks(byName.html).map((r) => r.id)).toEqual([id]);
    const spaced = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who: 'デモ　会員4' });
    expect(resultLinks(spaced.html).map((r) => r.id)).toEqual([id]);
    const wrongName = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who: '山田' });
    expect(resultLinks(wrongName.html)).toEqual([]);
    expect(wrongName.html).toContain('該当するカードはありません。');

    await t.deps.db.update(cardholders).set({ birthDate: '1980-04-01', nameKana: 'デモ カイイン' }).where(eq(cardholders.id, id));
    for (const who of ['19800401', '1980-04-01']) {
      const byBirth = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who });
      expect(resultLinks(byBirth.html).map((r) => r.id), who).toEqual([id]);
    }
    const otherDay = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who: '19800402' });
    expect(resultLinks(otherDay.html)).toEqual([]);
    // Kana in hiragana finds the katakana on file.
    const byKana = await search('helpdesk', { kind: 'last4', q: pan.slice(-4), who: 'かいいん' });
    expect(resultLinks(byKana.html).map((r) => r.id)).toEqual([id]);
  });

  it('finds by customer number, and by phone: the OTP phone or the phone on file, typed as people type them', async () => {
    const byRef = await search('helpdesk', { kind: 'customer', q: 'DEMO-0003' });
    expect(resultLinks(byRef.html).map((r) => r.id)).toEqual([await holderId('DEMO-0003')]);

    for (const typed of ['090-1111-0001', '０９０１１１１０００１', '+81 90 1111 0001']) {
      const byPhone = await search('helpdesk', { kind: 'phone', q: typed });
      expect(resultLinks(byPhone.html).map((r) => r.id), typed).toEqual([await holderId('DEMO-0001')]);
    }
    // A number only the issuer's record holds (the registration has none).
    const id = await holderId('DEMO-0004');
    await t.deps.db.update(cardholders).set({ phoneOnFile: '+818055550000' }).where(eq(cardholders.id, id));
    const onFile = await search('helpdesk', { kind: 'phone', q: '080-5555-0000' });
    expect(resultLinks(onFile.html).map((r) => r.id)).toEqual([id]);

    // Through GET too (a link from elsewhere in the console), the same answer.
    const client = await as('helpdesk');
    const linked = await (await client.get('/admin/cardholders?kind=phone&q=090-1111-0001')).text();
    expect(resultLinks(linked).map((r) => r.id)).toEqual([await holderId('DEMO-0001')]);
  });

  it('shows the last authentication of each card', async () => {
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '1200' }))).json()) as Record<string, string>;
    expect(ares.transStatus).toBe('Y');
    const { html } = await search('helpdesk', { kind: 'member', q: 'demo-jcb' });
    expect(html).toMatch(/data-label="最後の認証"><div class="hd-value">[^<]*Y 認証成功/);
  });

  it('says beside the field what is wrong with a query, in Japanese (English when chosen)', async () => {
    const bad = await search('helpdesk', { kind: 'phone', q: '12ab' });
    expect(bad.status).toBe(400);
    expect(bad.html).toMatch(/<input id="lookup-q"[^>]*aria-describedby="lookup-q-hint lookup-q-error"[^>]*aria-invalid="true"/);
    expect(bad.html).toContain('<p class="field-error" id="lookup-q-error">電話番号として読み取れません');
    const noWho = await search('helpdesk', { kind: 'last4', q: '1234' });
    expect(noWho.html).toContain('id="lookup-who-error"');
    const luhn = await search('helpdesk', { kind: 'pan', q: '3569990000000000' });
    expect(luhn.html).toContain('カード番号が正しくありません');
    expect(luhn.html).not.toContain('3569990000000000');

    const client = await as('helpdesk');
    const english = await (await client.get('/admin/cardholders?kind=last4&q=12&lang=en')).text();
    expect(english).toContain('Enter the last 4 digits of the card.');
    await client.get('/admin/cardholders?lang=ja');
  });

  it('keeps to the staff member’s issuer: the locked Visa cardholder is kita’s', async () => {
    const locked = demoCard('visa-locked').member!.phone!;
    expect(locked).toBe('+819011110004');
    const mine = await search('helpdesk', { kind: 'phone', q: '090-1111-0004' });
    expect(resultLinks(mine.html)).toEqual([]);
    const byMember = await search('helpdesk', { kind: 'member', q: 'demo-locked' });
    expect(resultLinks(byMember.html)).toEqual([]);

    const theirs = await search('kita', { kind: 'phone', q: '090-1111-0004' });
    expect(resultLinks(theirs.html).map((r) => r.id)).toEqual([await holderId('DEMO-0008')]);
    expect(theirs.html).toContain('ロック中');
    // And kita sees none of the first issuer's.
    const notTheirs = await search('kita', { kind: 'member', q: 'demo-jcb' });
    expect(resultLinks(notTheirs.html)).toEqual([]);

    // The platform sees both, and which issuer each belongs to.
    const both = await search('platform', { kind: 'customer', q: 'DEMO-0013' });
    expect(resultLinks(both.html)).toHaveLength(2); // the two-card cardholder: a JCB and a Visa
    expect(both.html).toContain('きたぐにカード');
    const first = await search('platform', { kind: 'member', q: 'demo-jcb' });
    expect(first.html).toContain('data-label="カード会社"><div class="hd-value">まもり銀行カード');
  });

  it('shows at most 50 cards and says when more matched', async () => {
    const holder = await insertCardholder(t.deps.db, t.clock, { issuerId: firstId, customerRef: 'MANY-1', name: '多数 カード', phoneOnFile: '+819077770000' });
    for (let i = 0; i < 51; i++) await insertCard(t.deps.db, t.deps.keys, t.clock, holder, { pan: withLuhnDigit(`35699901${String(i).padStart(7, '0')}`), expiry: '3012', brand: 'jcb' });
    const { html } = await search('helpdesk', { kind: 'phone', q: '090-7777-0000' });
    expect(resultLinks(html)).toHaveLength(50);
    expect(html).toContain('50件を超えて見つかりました');
  });

  it('audits every search with its kind, masked, under the staff member’s issuer', async () => {
    await search('helpdesk', { kind: 'phone', q: '090-1111-0001' });
    const rows = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'cardholder.search'));
    const mine = rows.filter((r) => r.actorId === people.helpdesk.id);
    expect(mine.length).toBeGreaterThan(5);
    expect(mine.every((r) => r.issuerId === firstId)).toBe(true);
    const kinds = new Set(mine.map((r) => JSON.parse(r.detail).kind));
    expect([...kinds].sort()).toEqual(['customer', 'last4', 'member', 'pan', 'phone']);
    const last = JSON.parse(mine.at(-1)!.detail);
    expect(last).toMatchObject({ kind: 'phone', phone: '090-****-0001', found: 1 });
    expect(JSON.stringify(rows)).not.toMatch(/\+8190\d{8}|090-?1111-?0001|1980-?04-?01/);
    expect(rows.filter((r) => r.actorId === people.kita.id).every((r) => r.issuerId === kitaId)).toBe(true);
  });
});

describe('what a person types, as the search reads it', () => {
  it('reads Japanese phone numbers as E.164 and refuses what cannot be one', () => {
    expect(normalisePhone('090-1234-5678')).toBe('+819012345678');
    expect(normalisePhone('０９０ー１２３４ー５６７８')).toBe('+819012345678');
    expect(normalisePhone('+81 (0)90 1234 5678')).toBe('+819012345678');
    expect(normalisePhone('03-1234-5678')).toBe('+81312345678');
    expect(normalisePhone('+1 415 555 0100')).toBe('+14155550100');
    for (const bad of ['12ab', '1234', '090-1234', '+0123456789']) expect(normalisePhone(bad), bad).toBeUndefined();
  });

  it('tells a birth date from a name after the last 4 digits, and checks the date is real', () => {
    expect(parseLookup({ kind: 'last4', q: '１２３４', who: '1980/04/01' })).toEqual({ ok: true, query: { kind: 'last4', last4: '1234', birthDate: '1980-04-01' } });
    expect(parseLookup({ kind: 'last4', q: '1234', who: '19800231' })).toEqual({ ok: false, field: 'who', problem: 'birth_date' });
    expect(parseLookup({ kind: 'last4', q: '1234', who: 'ﾔﾏﾀﾞ　たろう' })).toEqual({ ok: true, query: { kind: 'last4', last4: '1234', name: 'ヤマダタロウ' } });
    expect(parseLookup({ kind: 'nope', q: 'x' })).toEqual({ ok: false, field: 'kind', problem: 'kind' });
  });
});

describe('the cardholder page', () => {
  it('shows the person, cards, registration, transactions and action links, and audits the view', async () => {
    const id = await holderId('DEMO-0001');
    await t.deps.db.update(cardholders).set({ email: 'taro@example.jp', nameKana: 'デモ タロウ', birthDate: '1975-01-02' }).where(eq(cardholders.id, id));
    const client = await as('helpdesk');
    const res = await client.get(`/admin/cardholders/${id}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    const pan = demoCard('jcb-otp').pan;
    expect(html).toContain(masked(pan));
    expect(html).not.toContain(pan);
    expect(html).toContain('t***@example.jp');
    expect(html).not.toContain('taro@example.jp');
    expect(html).toContain('デモ タロウ');
    expect(html).toContain('1975-01-02');
    expect(html).toContain('<code>demo-jcb</code>');
    expect(html).toContain('庭のさくらが咲きました');
    expect(html).toContain('090-****-0001');
    // The transaction of the earlier test, linked to its page.
    expect(html).toMatch(/href="\/admin\/transactions\/[0-9a-f-]{36}"/);
    expect(html).toContain('まもりストア');
    expect(html).toMatch(/￥1,200|¥1,200/);
    // Sensible actions only: an active SMS registration is not unlocked or switched to SMS.
    const member = (await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb')).get())!;
    expect(html).toContain(`href="/admin/actions/change_phone/member-${member.id}"`);
    expect(html).toContain(`href="/admin/actions/deregister/member-${member.id}"`);
    expect(html).not.toContain(`/admin/actions/unlock/member-${member.id}`);
    expect(html).not.toContain(`/admin/actions/switch_to_sms/member-${member.id}`);
    expect(html).toContain(`href="/admin/actions/data_sharing/cardholder-${id}"`);
    expect(html.match(/\/admin\/actions\/data_sharing\//g)).toHaveLength(1);
    expect(html).toMatch(/href="\/admin\/actions\/block_card\/card-\d+"/);

    const views = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'cardholder.view'));
    expect(views.at(-1)).toMatchObject({ actorId: people.helpdesk.id, issuerId: firstId, target: `cardholder:${id}` });
  });

  it('links a reissued card and its predecessor; a password registration may switch to SMS', async () => {
    const client = await as('helpdesk');
    const reissued = await (await client.get(`/admin/cardholders/${await holderId('DEMO-0011')}`)).text();
    expect(reissued).toContain('再発行済み（旧カード）');
    expect(reissued).toMatch(/再発行後：<a href="#card-\d+">/);
    expect(reissued).toMatch(/再発行前：<a href="#card-\d+">/);
    // Only the new card can still be blocked.
    expect(reissued.match(/\/admin\/actions\/block_card\//g)).toHaveLength(1);

    const password = await (await client.get(`/admin/cardholders/${await holderId('DEMO-0004')}`)).text();
    expect(password).toMatch(/\/admin\/actions\/switch_to_sms\/member-\d+/);
    expect(password).toMatch(/\/admin\/actions\/send_password_reset\/member-\d+/);
  });

  it('offers unlock for a locked registration, to its own issuer', async () => {
    const client = await as('kita');
    const html = await (await client.get(`/admin/cardholders/${await holderId('DEMO-0008')}`)).text();
    const member = (await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-locked')).get())!;
    expect(html).toContain(`href="/admin/actions/unlock/member-${member.id}"`);
    expect(html).toContain('ロック中');
  });

  it('answers another issuer’s cardholder exactly like a missing one, and shows an auditor no actions', async () => {
    const client = await as('helpdesk');
    const other = await client.get(`/admin/cardholders/${await holderId('DEMO-0008')}`);
    const missing = await client.get('/admin/cardholders/999999');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    const main = (r: string) => /<main[\s\S]*<\/main>/.exec(r)![0];
    expect(main(await other.text())).toBe(main(await missing.text()));

    const auditor = await as('auditor');
    const html = await (await auditor.get(`/admin/cardholders/${await holderId('DEMO-0001')}`)).text();
    expect(html).toContain('<code>demo-jcb</code>');
    expect(html).not.toContain('/admin/actions/');
  });

  it('lists pending four-eyes requests and the staff actions on its targets', async () => {
    const id = await holderId('DEMO-0003');
    const member = (await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-mc')).get())!;
    const now = t.clock.now();
    await t.client.execute({
      sql: `INSERT INTO staff_requests (issuer_id, action, target, payload, reason, state, requested_by, requested_at, expires_at) VALUES (?, 'change_phone', ?, '{}', 'caller asked', 'pending', ?, ?, ?)`,
      args: [firstId, `member:${member.id}`, people.helpdesk.id, now, now + 3_600_000],
    });
    const { appendAudit } = await import('../../src/admin/audit-log.ts');
    await appendAudit(t.deps.db, { at: now, actor: { type: 'staff', id: people.helpdesk.id, name: 'hd-first' }, issuerId: firstId, action: 'helpdesk.unlock', target: `member:${member.id}`, detail: { reason: 'test' } });
    await appendAudit(t.deps.db, { at: now, actor: { type: 'staff', id: people.helpdesk.id, name: 'hd-first' }, issuerId: firstId, action: 'helpdesk.unlock', target: 'member:999999', detail: {} });
    const client = await as('helpdesk');
    const html = await (await client.get(`/admin/cardholders/${id}`)).text();
    const requests = /<table class="hd-table" id="requests-table">[\s\S]*?<\/table>/.exec(html)![0];
    expect(requests).toContain('認証用電話番号の変更');
    expect(requests).toContain(`member:${member.id}`);
    expect(requests).toContain('hd-first');
    const audit = /<table class="hd-table" id="audit-table">[\s\S]*?<\/table>/.exec(html)![0];
    expect(audit).toContain(`member:${member.id}`);
    expect(audit).not.toContain('member:999999');
    expect(audit).not.toContain('cardholder.view');
  });
});
