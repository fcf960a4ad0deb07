/**
 * One registration per card, and reissue under REISSUE_POLICY, through real AReqs and challenge
 * pages on a real libSQL file seeded with the demo issuer:
 * - the demo cardholder with two cards has two registrations, each with its own member ID and phone;
 * - a reissued card finds its predecessor's registration: with `continue` the same ID, phone and
 *   message; with `reregister_phone` the same ID and message, and the phone guidance instead of a code;
 * - a refused reissue, or one that fails half-way, leaves nothing behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { findCardOnFile } from '../../src/cards/card-store.ts';
import { panLookupHash } from '../../src/cards/pan.ts';
import { reissueCard } from '../../src/cards/reissue.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { cards, members, smsOutbox, transactions } from '../../src/db/schema.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { demoCard, demoPan } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { creqFor, finalCResOf, latestOtp, postForm, stateOf, submit } from '../support/challenge.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

async function ares(t: TestApp, pan: string, purchaseAmount: string) {
  const res = await postAReq(t.app, browserAReq({ pan, purchaseAmount }));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

/** An AReq over the threshold for this PAN, then its first CReq: the challenge page. */
async function challenge(t: TestApp, pan: string) {
  const answer = await ares(t, pan, '98000');
  expect(answer.transStatus).toBe('C');
  const res = await postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(answer)) });
  const html = await res.text();
  return { ares: answer, html, state: stateOf(html) };
}

const cardRow = async (t: TestApp, pan: string) => (await t.deps.db.select().from(cards).where(eq(cards.panHash, await panLookupHash(t.deps.keys.panLookup, pan))))[0];
const memberRow = async (t: TestApp, loginId: string) => (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)))[0];
const sms = (t: TestApp, acsTransID: string) => t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, acsTransID));

/** A fresh JCB number in the demo range that no demo card uses. */
const NEW_PAN = demoPan('jcb', 900);

describe('a cardholder with two cards', () => {
  it('has two registrations: each card its own member ID, phone and personal message', async () => {
    const t = await start();
    const jcb = await cardRow(t, demoCard('jcb-two-cards').pan);
    const visa = await cardRow(t, demoCard('visa-two-cards').pan);
    expect(jcb.cardholderId).toBe(visa.cardholderId);
    expect(jcb.accountId).not.toBe(visa.accountId);
    expect(await memberRow(t, 'demo-two-jcb')).toMatchObject({ cardAccountId: jcb.accountId, phone: '+819011110008' });
    expect(await memberRow(t, 'demo-two-visa')).toMatchObject({ cardAccountId: visa.accountId, phone: '+819011110009' });

    // Each card's challenge texts its own phone, shows its own message and takes its own member ID only.
    for (const [key, loginId, other, phone, message] of [
      ['jcb-two-cards', 'demo-two-jcb', 'demo-two-visa', '+819011110008', 'JCBは毎日の買い物用'],
      ['visa-two-cards', 'demo-two-visa', 'demo-two-jcb', '+819011110009', 'Visaは旅行用'],
    ] as const) {
      const c = await challenge(t, demoCard(key).pan);
      expect(c.html, key).toContain(message);
      expect((await sms(t, c.ares.acsTransID)).map((s) => s.recipient), key).toEqual([phone]);
      const code = await latestOtp(t, c.ares.acsTransID);
      const wrongMember = await submit(t, c.state!, other, code);
      expect(wrongMember.html, `${key} with ${other}`).toContain('会員IDまたはワンタイムパスワードが正しくありません。');
      expect(finalCResOf(wrongMember.html).message, `${key} with ${other}`).toBeUndefined();
      const right = await submit(t, c.state!, loginId, code);
      expect(finalCResOf(right.html).message?.transStatus, key).toBe('Y');
    }
  });

  it('is listed on /sandbox/cards with a member ID per card', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox/cards', { headers: { accept: 'application/json' } });
    const byKey = Object.fromEntries(((await res.json()) as { key: string; memberId: string | null }[]).map((c) => [c.key, c.memberId]));
    expect(byKey['jcb-two-cards']).toBe('demo-two-jcb');
    expect(byKey['visa-two-cards']).toBe('demo-two-visa');
  });
});

describe('reissue', () => {
  it('REISSUE_POLICY is continue unless set, and only takes its two values', () => {
    const base = { NODE_ENV: 'test', ...TEST_SECRETS };
    expect(parseConfig(base).REISSUE_POLICY).toBe('continue');
    expect(parseConfig({ ...base, REISSUE_POLICY: 'reregister_phone' }).REISSUE_POLICY).toBe('reregister_phone');
    expect(() => parseConfig({ ...base, REISSUE_POLICY: 'keep' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, REISSUE_POLICY: 'keep' })).toThrow(/REISSUE_POLICY/);
  });

  it('with continue: the new number keeps member ID, phone and message; the old one answers N/06', async () => {
    const t = await start();
    const old = demoCard('jcb-otp');
    const before = await cardRow(t, old.pan);
    const r = await reissueCard(t.deps, { replaces: { pan: old.pan }, card: { pan: NEW_PAN, expiry: '3112' }, policy: t.deps.config.REISSUE_POLICY });
    expect(r).toMatchObject({ ok: true, accountId: before.accountId, replacedCardId: before.id, registration: 'kept' });

    const renewed = await cardRow(t, NEW_PAN);
    expect(renewed).toMatchObject({ accountId: before.accountId, cardholderId: before.cardholderId, brand: 'jcb', status: 'active', expiry: '3112' });
    expect(await cardRow(t, old.pan)).toMatchObject({ status: 'replaced', replacedByCardId: renewed.id, accountId: before.accountId });
    expect(await memberRow(t, 'demo-jcb')).toMatchObject({ cardAccountId: before.accountId, phone: '+819011110001', phoneStatus: 'verified', personalMessage: '庭のさくらが咲きました' });

    expect(await ares(t, old.pan, '1200')).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    expect(await ares(t, NEW_PAN, '1200')).toMatchObject({ transStatus: 'Y', eci: '05' });
    // Challenged: the same phone gets the code, the page shows the same message, the same member ID passes.
    const c = await challenge(t, NEW_PAN);
    expect(c.html).toContain('庭のさくらが咲きました');
    expect(c.html).toContain(`末尾 ${NEW_PAN.slice(-4)}`);
    expect((await sms(t, c.ares.acsTransID)).map((s) => s.recipient)).toEqual(['+819011110001']);
    const done = await submit(t, c.state!, 'demo-jcb', await latestOtp(t, c.ares.acsTransID));
    expect(finalCResOf(done.html).message?.transStatus).toBe('Y');
    const [txn] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, c.ares.acsTransID));
    expect(txn).toMatchObject({ cardId: renewed.id, finalTransStatus: 'Y' });
  });

  it('with reregister_phone: the new number keeps member ID and message, and its challenge asks for a phone (N/13)', async () => {
    const t = await start({ REISSUE_POLICY: 'reregister_phone' });
    const old = demoCard('jcb-otp');
    const before = await cardRow(t, old.pan);
    const r = await reissueCard(t.deps, { replaces: { cardId: before.id }, card: { pan: NEW_PAN, expiry: '3112' }, policy: t.deps.config.REISSUE_POLICY });
    expect(r).toMatchObject({ ok: true, accountId: before.accountId, registration: 'phone_cleared' });
    expect(await memberRow(t, 'demo-jcb')).toMatchObject({ cardAccountId: before.accountId, phone: null, phoneStatus: 'none', personalMessage: '庭のさくらが咲きました', status: 'active' });

    const onFile = await findCardOnFile(t.deps.db, await panLookupHash(t.deps.keys.panLookup, NEW_PAN));
    expect(onFile?.member).toMatchObject({ loginId: 'demo-jcb', phone: null, phoneStatus: 'none' });
    expect(await ares(t, old.pan, '1200')).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    // Below the threshold nothing needs a phone.
    expect(await ares(t, NEW_PAN, '1200')).toMatchObject({ transStatus: 'Y', eci: '05' });
    // Above it the page says to register a phone; no code goes anywhere.
    const c = await challenge(t, NEW_PAN);
    expect(c.html).toContain('携帯電話番号のご登録が必要です');
    expect(c.html).not.toContain('name="memberId"');
    expect(finalCResOf(c.html).message?.transStatus).toBe('N');
    const [txn] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, c.ares.acsTransID));
    expect(txn).toMatchObject({ cardId: (await cardRow(t, NEW_PAN)).id, finalTransStatus: 'N', finalTransStatusReason: '13' });
    expect(await sms(t, c.ares.acsTransID)).toEqual([]);
  });

  it('of a card without a registration: the new number is unregistered too', async () => {
    const t = await start({ REISSUE_POLICY: 'reregister_phone' });
    const r = await reissueCard(t.deps, { replaces: { pan: demoCard('visa-unregistered').pan }, card: { pan: demoPan('visa', 900), expiry: '3112' }, policy: 'reregister_phone' });
    expect(r).toMatchObject({ ok: true, registration: 'none' });
    expect((await cardRow(t, demoPan('visa', 900))).brand).toBe('visa');
    expect(await ares(t, demoPan('visa', 900), '1200')).toMatchObject({ transStatus: 'C' });
  });

  it('refuses an unknown card, a card already reissued and a number already on file, writing nothing', async () => {
    const t = await start();
    const count = () => t.deps.db.$count(cards);
    const cardsBefore = await count();
    const policy = 'continue' as const;
    expect(await reissueCard(t.deps, { replaces: { pan: demoPan('jcb', 901) }, card: { pan: NEW_PAN, expiry: '3112' }, policy })).toEqual({ ok: false, reason: 'card_not_found' });
    expect(await reissueCard(t.deps, { replaces: { cardId: 999_999 }, card: { pan: NEW_PAN, expiry: '3112' }, policy })).toEqual({ ok: false, reason: 'card_not_found' });
    expect(await reissueCard(t.deps, { replaces: { pan: demoCard('jcb-reissued-old').pan }, card: { pan: NEW_PAN, expiry: '3112' }, policy })).toEqual({ ok: false, reason: 'already_replaced' });
    expect(await reissueCard(t.deps, { replaces: { pan: demoCard('jcb-otp').pan }, card: { pan: demoCard('visa-otp').pan, expiry: '3112' }, policy })).toEqual({ ok: false, reason: 'pan_on_file' });
    expect(await count()).toBe(cardsBefore);
    expect(await cardRow(t, demoCard('jcb-otp').pan)).toMatchObject({ status: 'active', replacedByCardId: null });
  });

  it('is all or nothing: when the registration cannot be updated, neither card changes', async () => {
    const t = await start();
    // A real failure inside the transaction's last write: the database refuses the member update.
    await t.client.execute("CREATE TRIGGER members_frozen BEFORE UPDATE ON members BEGIN SELECT RAISE(ABORT, 'members are frozen'); END");
    const old = demoCard('jcb-otp');
    const failure = await reissueCard(t.deps, { replaces: { pan: old.pan }, card: { pan: NEW_PAN, expiry: '3112' }, policy: 'reregister_phone' }).then(
      () => undefined,
      (error: Error) => error,
    );
    // Drizzle names the failed query; the database's own reason is its cause.
    expect(String((failure?.cause as Error | undefined)?.message)).toMatch(/members are frozen/);
    expect(await cardRow(t, NEW_PAN)).toBeUndefined();
    expect(await cardRow(t, old.pan)).toMatchObject({ status: 'active', replacedByCardId: null });
    expect(await memberRow(t, 'demo-jcb')).toMatchObject({ phone: '+819011110001', phoneStatus: 'verified' });
    expect(await ares(t, old.pan, '1200')).toMatchObject({ transStatus: 'Y' });
  });

  it('a reissue of a reissue stays in the same account, and only the newest number works', async () => {
    const t = await start();
    const first = await cardRow(t, demoCard('jcb-reissued-new').pan);
    const r = await reissueCard(t.deps, { replaces: { pan: demoCard('jcb-reissued-new').pan }, card: { pan: NEW_PAN, expiry: '3112' }, policy: 'continue' });
    expect(r).toMatchObject({ ok: true, accountId: first.accountId });
    expect((await cardRow(t, demoCard('jcb-reissued-old').pan)).accountId).toBe(first.accountId);
    for (const key of ['jcb-reissued-old', 'jcb-reissued-new']) expect(await ares(t, demoCard(key).pan, '1200'), key).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    const c = await challenge(t, NEW_PAN);
    expect((await sms(t, c.ares.acsTransID)).map((s) => s.recipient)).toEqual([demoCard('jcb-reissued-old').member!.phone]);
    expect(finalCResOf((await submit(t, c.state!, 'demo-reissue', await latestOtp(t, c.ares.acsTransID))).html).message?.transStatus).toBe('Y');
  });
});
