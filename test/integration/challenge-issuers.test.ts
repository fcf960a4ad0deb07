/**
 * Two issuers on one install, through the app on real libSQL: the sandbox's two demo issuers
 * (the first, and "kita", which owns the demo Visa range). A card of each gets its own challenge
 * page (name, logo, phone), its own SMS (name in the text, sender ID), and its issuer's policies
 * (thresholds, attempt limit, provisional policy), also right after an issuer administrator
 * changes them in the console.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { DEMO_STAFF, DEMO_STAFF_PASSWORD, SECOND_DEMO_ISSUER, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { insertCard, insertCardholder } from '../../src/cards/card-store.ts';
import { smsOutbox, transactions } from '../../src/db/schema.ts';
import { issuerByCode } from '../../src/issuers/issuer-store.ts';
import { formFromRow } from '../../src/issuers/settings.ts';
import { demoCard, demoPan } from '../../src/sandbox/demo-issuer.ts';
import { csrfOf, nextCode, signIn } from '../support/admin.ts';
import { browserAReq, postAReq, type AReqOptions } from '../support/areq.ts';
import { openChallenge, submit } from '../support/challenge.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (open.length) open.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

/** The demo issuer's cards and, as the sandbox seeds it, the second demo issuer with the Visa range. */
async function start(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  await seedDemoStaff(t.deps);
  return t;
}

const answer = async (t: TestApp, key: string, o: Partial<AReqOptions> = {}) =>
  (await (await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount: '98000', ...o }))).json()) as Record<string, string>;
const smsOf = async (t: TestApp, acsTransID: string) => (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, acsTransID)))[0];
const issuerIdOf = async (t: TestApp, acsTransID: string) => (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)))[0].issuerId;

describe('a card of each issuer', () => {
  it("gets its own issuer's challenge page: name, logo and helpdesk phone", async () => {
    const t = await start();
    const first = await openChallenge(t, 'jcb-otp');
    const kita = await openChallenge(t, 'visa-otp');

    expect(first.html).toContain('<span class="issuer-name">まもり銀行カード</span>');
    expect(first.html).toContain('src="/static/img/issuer-logo.svg"');
    expect(first.html).toContain('href="tel:0120000000"');
    expect(first.html).not.toMatch(/きたぐに|issuer-kita|0120111222/);

    expect(kita.html).toContain('<span class="issuer-name">きたぐにカード</span>');
    expect(kita.html).toMatch(/<title>[^<]*きたぐにカード<\/title>/);
    expect(kita.html).toContain('src="/static/img/issuer-kita.svg"');
    expect(kita.html).toContain('href="tel:0120111222"');
    expect(kita.html).not.toMatch(/まもり銀行カード|issuer-logo\.svg|0120000000/);

    // The transaction keeps its issuer from the AReq: the steps after the first page use it too.
    const kitaId = (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!.id;
    expect(await issuerIdOf(t, kita.ares.acsTransID)).toBe(kitaId);
    expect(await issuerIdOf(t, first.ares.acsTransID)).not.toBe(kitaId);
    const wrong = await submit(t, kita.state!, 'demo-visa', '000000');
    expect(wrong.html).toContain('<span class="issuer-name">きたぐにカード</span>');
    expect(wrong.html).toContain('href="tel:0120111222"');

    const english = await openChallenge(t, 'visa-two-cards', { browserLanguage: 'en-US' });
    expect(english.html).toContain('<span class="issuer-name">Kitaguni Card</span>');
  });

  it("gets its own issuer's SMS: the issuer's name in the text and its sender ID", async () => {
    const t = await start();
    const first = await openChallenge(t, 'jcb-otp');
    const kita = await openChallenge(t, 'visa-otp');
    const english = await openChallenge(t, 'visa-two-cards', { browserLanguage: 'en-US', purchaseCurrency: '840', purchaseExponent: '2', purchaseAmount: '25000' });

    expect((await smsOf(t, first.ares.acsTransID)).body).toMatch(/^【まもり銀行カード】/);
    expect((await smsOf(t, kita.ares.acsTransID)).body).toMatch(/^【きたぐにカード】/);
    expect((await smsOf(t, english.ares.acsTransID)).body).toMatch(/^\[Kitaguni Card\] /);
    // The sandbox outbox shows who each went out from (the first issuer has no sender ID set here).
    const outbox = (await (await t.app.request('/sandbox/sms', { headers: { accept: 'application/json' } })).json()) as { acsTransID: string; sender: string | null }[];
    const senderOf = (id: string) => outbox.find((m) => m.acsTransID === id)!.sender;
    expect([senderOf(first.ares.acsTransID), senderOf(kita.ares.acsTransID), senderOf(english.ares.acsTransID)]).toEqual([null, 'KITAGUNI', 'KITAGUNI']);
  });

  it("goes out through a real provider under its issuer's sender ID, SMS_SENDER_ID for the first issuer", async () => {
    const p = await startProviderServer(() => reply.json(201, { sid: 'SMfeedface', status: 'queued' }));
    servers.push(p);
    const t = await start({
      SMS_GATEWAY: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
      TWILIO_AUTH_TOKEN: 'twilio-auth-token-0123456789',
      TWILIO_API_URL: p.origin,
      SMS_SENDER_ID: 'MAMORI',
    });
    await openChallenge(t, 'jcb-otp');
    await openChallenge(t, 'visa-otp');
    const [jcb, visa] = p.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    expect([jcb.To, jcb.From]).toEqual([demoCard('jcb-otp').member!.phone, 'MAMORI']);
    expect(jcb.Body).toMatch(/^【まもり銀行カード】/);
    expect([visa.To, visa.From]).toEqual([demoCard('visa-otp').member!.phone, 'KITAGUNI']);
    expect(visa.Body).toMatch(/^【きたぐにカード】/);
  });
});

describe("each issuer's policies apply to its own cards only", () => {
  it("challenges at the card's issuer's threshold", async () => {
    const t = await start();
    // ¥25,000: at or above kita's ¥20,000, below the first issuer's ¥30,000.
    expect(await answer(t, 'visa-otp', { purchaseAmount: '25000' })).toMatchObject({ transStatus: 'C' });
    expect(await answer(t, 'jcb-otp', { purchaseAmount: '25000' })).toMatchObject({ transStatus: 'Y' });
  });

  it('takes a change from the issuer administrator at once: attempt limit and provisional policy', async () => {
    const t = await start();
    // A JCB card of the first issuer, on file but not registered for 3-D Secure.
    const holder = await insertCardholder(t.deps.db, t.clock, { customerRef: 'TEST-UNREGISTERED', name: 'テスト 未登録' });
    const unregisteredJcb = demoPan('jcb', 90);
    await insertCard(t.deps.db, t.deps.keys, t.clock, holder, { pan: unregisteredJcb, expiry: '3012', brand: 'jcb', status: 'active' });

    const admin = DEMO_STAFF.find((s) => s.username === 'kita-admin')!;
    const { client } = await signIn(t, admin.username, admin.totpSecret, DEMO_STAFF_PASSWORD);
    const page = await (await client.get(`/admin/issuers/${SECOND_DEMO_ISSUER}`)).text();
    const code = nextCode(t, admin.totpSecret);
    // Read (and kept) just before the change: only forgetting them lets the next AReq see it.
    expect(await answer(t, 'visa-unregistered', { purchaseAmount: '1000' })).toMatchObject({ transStatus: 'C' });
    const kita = (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!;
    const saved = await client.post(`/admin/issuers/${SECOND_DEMO_ISSUER}`, {
      _csrf: csrfOf(page),
      code,
      ...formFromRow({ ...kita, provisionalPolicy: 'reject', maxAuthAttempts: 2 }),
    });
    expect(saved.status).toBe(303);

    // Provisional policy: kita's unregistered card is declined at once; the first issuer's is still guided.
    expect(await answer(t, 'visa-unregistered', { purchaseAmount: '1000' })).toMatchObject({ transStatus: 'N', transStatusReason: '13' });
    expect(await (await postAReq(t.app, browserAReq({ pan: unregisteredJcb, purchaseAmount: '1000' }))).json()).toMatchObject({ transStatus: 'C' });

    // Attempt limit: two wrong entries lock kita's member; the first issuer's has three left.
    const visa = await openChallenge(t, 'visa-otp');
    expect((await submit(t, visa.state!, 'demo-visa', '000000')).html).toContain('あと1回間違えると');
    const locked = await submit(t, visa.state!, 'demo-visa', '000000');
    expect(locked.html).toContain('この会員IDは現在ご利用いただけません');
    expect(locked.html).toContain('href="tel:0120111222"');
    expect((await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, visa.ares.acsTransID)))[0]).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '19' });

    const jcb = await openChallenge(t, 'jcb-otp');
    await submit(t, jcb.state!, 'demo-jcb', '000000');
    const second = await submit(t, jcb.state!, 'demo-jcb', '000000');
    expect(second.html).toContain('あと3回間違えると');
    expect(second.html).not.toContain('この会員IDは現在ご利用いただけません');
  });
});

describe('mail', () => {
  it("goes out under the issuer's sender when it has one, MAIL_FROM otherwise", async () => {
    const p = await startProviderServer(() => reply.json(200, { id: 'mail-1' }));
    servers.push(p);
    const t = await createTestApp({ env: { MAILER: 'http', MAIL_HTTP_URL: `${p.origin}/mail`, MAIL_FROM: 'Mamori Card <no-reply@mamori.example>' } });
    open.push(t);
    const mail = { to: 'member@example.jp', subject: '会員IDのお知らせ', body: '…' };
    expect(await t.deps.mailer.send({ ...mail, from: 'Kitaguni Card <no-reply@kita.example>' })).toMatchObject({ ok: true });
    expect(await t.deps.mailer.send(mail)).toMatchObject({ ok: true });
    expect(p.requests.map((r) => JSON.parse(r.body).from)).toEqual(['Kitaguni Card <no-reply@kita.example>', 'Mamori Card <no-reply@mamori.example>']);
  });
});
