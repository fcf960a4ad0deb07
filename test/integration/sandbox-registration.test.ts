/**
 * The demo cards a tester registers in the member portal: what the sandbox cards page (and its
 * JSON) says each needs (registered or not, the proof the issuer asks, the portal's address for
 * the card's issuer), the records behind it (birth date, phone on file, a corporate card's PIN as a
 * hash, a provisional registration), the challenge's guidance links, and the reset that puts a
 * registration made in the portal back as seeded.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { SECOND_DEMO_ISSUER, seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { panLookupHash } from '../../src/cards/pan.ts';
import { auditLog, cardholders, cards, members } from '../../src/db/schema.ts';
import { issuerByCode, updateIssuer } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { createMember, findMemberOfAccount } from '../../src/members/store.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { openChallenge } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
/** The seeded demo data with the sandbox's second issuer (kita, which takes the Visa range), as a server starts. */
async function start() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  await seedDemoStaff(t.deps);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

interface CardJson {
  key: string;
  memberId: string | null;
  password?: string;
  registered: boolean;
  memberStatus: string | null;
  proof: { kind: string; value: string | null };
  portalUrl: string;
  now: { state: string; resettable: boolean };
}
const cardsJson = async (t: TestApp) =>
  Object.fromEntries(((await (await t.app.request('/sandbox/cards', { headers: { accept: 'application/json' } })).json()) as CardJson[]).map((c) => [c.key, c]));

async function cardRow(t: TestApp, key: string) {
  const panHash = await panLookupHash(t.deps.keys.panLookup, demoCard(key).pan);
  return (await t.deps.db.select().from(cards).innerJoin(cardholders, eq(cardholders.id, cards.cardholderId)).where(eq(cards.panHash, panHash)).get())!;
}

describe('demo cards to register in the portal', () => {
  it('says which cards are not registered yet, with the proof their issuer asks and its registration page', async () => {
    const t = await start();
    const byKey = await cardsJson(t);
    const base = t.deps.config.PUBLIC_URL;
    // The first issuer asks for the birth date.
    expect(byKey['jcb-unregistered']).toMatchObject({
      memberId: null,
      registered: false,
      memberStatus: null,
      proof: { kind: 'birth_date', value: '1990-07-15' },
      portalUrl: `${base}/portal/register?issuer=default`,
      now: { state: 'as_described', resettable: false },
    });
    // The second demo issuer asks for the phone number on file, written as a cardholder writes it.
    expect(byKey['visa-unregistered']).toMatchObject({ memberId: null, registered: false, proof: { kind: 'phone_on_file', value: '090-1111-0010' }, portalUrl: `${base}/portal/register?issuer=${SECOND_DEMO_ISSUER}` });
    // A corporate card: its PIN, whatever the issuer asks of other cards.
    expect(byKey['jcb-corporate']).toMatchObject({ registered: false, proof: { kind: 'card_pin', value: '4321' } });
    // The issuer's provisional registration (仮登録) is not a registration yet.
    expect(byKey['jcb-provisional-member']).toMatchObject({ memberId: 'demo-kari', registered: false, memberStatus: 'provisional', proof: { kind: 'birth_date', value: '1978-11-03' } });
    // Registered cards say so, and keep what the contract gives (member ID, password where set).
    expect(byKey['jcb-password']).toMatchObject({ memberId: 'demo-pass', password: 'Mamori-2026', registered: true, memberStatus: 'active', proof: { kind: 'birth_date' } });
    expect(byKey['jcb-reissued-new']).toMatchObject({ memberId: 'demo-reissue', registered: true });
    expect(byKey['visa-otp']).toMatchObject({ registered: true, proof: { kind: 'phone_on_file', value: '090-1111-0002' } });
    expect(byKey['jcb-otp'].proof.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const html = await (await t.app.request('/sandbox/cards')).text();
    expect(html).toMatch(/id="card-jcb-unregistered"[\s\S]*?data-registered="false"[\s\S]*?未登録：会員ページで登録できます[\s\S]*?<code>1990-07-15<\/code>[\s\S]*?href="https:\/\/acs.test\/portal\/register\?issuer=default"/);
    expect(html).toMatch(/id="card-visa-unregistered"[\s\S]*?本人確認：カード会社に届出の電話番号[\s\S]*?<code>090-1111-0010<\/code>/);
    expect(html).toMatch(/id="card-jcb-corporate"[\s\S]*?カードの暗証番号（法人カード）[\s\S]*?<code>4321<\/code>/);
    expect(html).toMatch(/id="card-jcb-provisional-member"[\s\S]*?仮登録：会員ページで本登録できます/);
    expect(html).toMatch(/id="card-jcb-otp"[\s\S]*?data-registered="true"[\s\S]*?会員ページで再登録/);
  });

  it('puts on file what the proofs need: birth dates, the phone, the corporate PIN only as a hash, a provisional member', async () => {
    const t = await start();
    expect((await cardRow(t, 'jcb-unregistered')).cardholders).toMatchObject({ birthDate: '1990-07-15', phoneOnFile: '+819011110011' });
    expect((await cardRow(t, 'visa-unregistered')).cardholders.phoneOnFile).toBe('+819011110010');
    const corporate = await cardRow(t, 'jcb-corporate');
    expect(corporate.cards.corporate).toBe(true);
    expect(corporate.cards.pinHash).not.toContain('4321');
    expect(await verifyPassword('4321', corporate.cards.pinHash!)).toBe(true);
    expect(await verifyPassword('1234', corporate.cards.pinHash!)).toBe(false);
    const provisional = await findMemberOfAccount(t.deps.db, (await cardRow(t, 'jcb-provisional-member')).cards.accountId);
    expect(provisional).toMatchObject({ loginId: 'demo-kari', status: 'provisional', passwordHash: null, termsAcceptedAt: null });
    expect((await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!.registrationProof).toBe('phone_on_file');
  });

  it("sends the challenge's guidance to the card's issuer's portal page, on its own host when it has one", async () => {
    const t = await start();
    const ending = (html: string) => /<p class="portal">[\s\S]*?<a href="([^"]+)" target="_blank" rel="noopener">/.exec(html)?.[1];
    expect(ending((await openChallenge(t, 'visa-unregistered')).html)).toBe('https://acs.test/portal/register?issuer=kita');
    // 仮登録: the same registration page completes it.
    expect(ending((await openChallenge(t, 'jcb-provisional-member')).html)).toBe('https://acs.test/portal/register?issuer=default');
    // No usable phone: the portal's phone page (it signs the member in first).
    expect(ending((await openChallenge(t, 'mc-no-otp')).html)).toBe('https://acs.test/portal/phone?issuer=default');
    expect(ending((await openChallenge(t, 'jcb-provisional-phone')).html)).toBe('https://acs.test/portal/phone?issuer=default');

    const kita = (await issuerByCode(t.deps.db, SECOND_DEMO_ISSUER))!;
    await updateIssuer(t.deps.db, kita.id, { portalHosts: ['cards.kita.example', 'www.kita.example'] }, t.clock.now());
    forgetIssuerSettings(t.deps.db);
    expect(ending((await openChallenge(t, 'visa-unregistered')).html)).toBe('https://cards.kita.example/portal/register');
    expect((await cardsJson(t))['visa-unregistered'].portalUrl).toBe('https://cards.kita.example/portal/register');
  });

  it('shows a registration made in the portal, and the reset puts the seeded one back (audited)', async () => {
    const t = await start();
    const reset = (key: string) =>
      t.app.request(`/sandbox/cards/${key}/reset`, { method: 'POST', headers: { origin: 'https://acs.test', accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    // As the portal's registration leaves it: a member of the card's account with the ID the tester chose.
    const unregistered = await cardRow(t, 'jcb-unregistered');
    await createMember(t.deps.db, t.clock, { cardAccountId: unregistered.cards.accountId, loginId: 'tester-1', status: 'active', authMethod: 'sms_otp', password: 'a long passphrase', termsAccepted: true });
    // …and the provisional registration completed (本登録) under an ID of the cardholder's own.
    await t.deps.db.update(members).set({ loginId: 'tester-2', status: 'active' }).where(eq(members.loginId, 'demo-kari'));

    let byKey = await cardsJson(t);
    expect(byKey['jcb-unregistered']).toMatchObject({ memberId: 'tester-1', registered: true, memberStatus: 'active', now: { state: 'registration_changed', resettable: true } });
    expect(byKey['jcb-provisional-member']).toMatchObject({ memberId: 'tester-2', registered: true, now: { state: 'registration_changed' } });
    const page = await (await t.app.request('/sandbox/cards')).text();
    expect(page).toMatch(/id="card-jcb-unregistered"[\s\S]*?tester-1[\s\S]*?登録済み（会員ページで登録）[\s\S]*?会員ページで登録済み（会員ID tester-1）/);

    expect(await (await reset('jcb-unregistered')).json()).toMatchObject({ reset: true, now: { state: 'as_described', registration: { registered: false, memberId: null } } });
    expect(await (await reset('jcb-provisional-member')).json()).toMatchObject({ reset: true, now: { state: 'as_described', registration: { memberId: 'demo-kari', status: 'provisional' } } });
    expect(await findMemberOfAccount(t.deps.db, unregistered.cards.accountId)).toBeUndefined();
    byKey = await cardsJson(t);
    expect(byKey['jcb-unregistered']).toMatchObject({ memberId: null, registered: false, now: { resettable: false } });
    // Nothing more to put back: a second reset changes nothing.
    expect(await (await reset('jcb-unregistered')).json()).toMatchObject({ reset: false });
    const audit = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'sandbox.reset_registration'));
    expect(audit.map((a) => JSON.parse(a.detail))).toEqual([
      { card: 'jcb-unregistered', removed: 'tester-1', restored: null },
      { card: 'jcb-provisional-member', removed: 'tester-2', restored: 'demo-kari' },
    ]);
    // The ACS agrees: the card is unregistered again (guidance, not a challenge of tester-1).
    expect((await openChallenge(t, 'jcb-unregistered')).html).toContain('/portal/register?issuer=default');
  });
});
