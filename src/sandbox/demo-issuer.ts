/**
 * The demo issuer: BIN ranges for JCB, Visa and Mastercard and one card for each situation a
 * cardholder can be in, seeded into an empty database on first start (outside production).
 * The ranges (35699900–35699999, 49999900–49999999, 55999900–55999999) are for testing only;
 * every PAN passes the Luhn check. It is seeded through the domain's own functions (BIN ranges,
 * cards, reissue, the members store), as an issuer's data would be.
 */
import { count, eq } from 'drizzle-orm';
import { addBinRange } from '../cards/bin-ranges.ts';
import { insertCard, insertCardholder } from '../cards/card-store.ts';
import { withLuhnDigit } from '../cards/pan.ts';
import { reissueCard } from '../cards/reissue.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { binRanges, cardholders, cards, type AuthMethod, type Brand, type CardStatus, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
import { firstIssuer } from '../issuers/issuer-store.ts';
import type { Keys } from '../keys.ts';
import type { Logger } from '../log.ts';
import { hashPassword } from '../members/password.ts';
import { createMember } from '../members/store.ts';

export const DEMO_RANGES: { brand: Brand; rangeStart: string; rangeEnd: string; label: string }[] = [
  { brand: 'jcb', rangeStart: '35699900', rangeEnd: '35699999', label: 'Demo JCB' },
  { brand: 'visa', rangeStart: '49999900', rangeEnd: '49999999', label: 'Demo Visa' },
  { brand: 'mastercard', rangeStart: '55999900', rangeEnd: '55999999', label: 'Demo Mastercard' },
];
const BIN: Record<Brand, string> = { jcb: '35699900', visa: '49999900', mastercard: '55999900' };

/** A demo PAN: the brand's demo BIN, a serial, and the Luhn digit. */
export function demoPan(brand: Brand, serial: number): string {
  return withLuhnDigit(BIN[brand] + String(serial).padStart(7, '0'));
}

export interface DemoCard {
  key: string;
  pan: string;
  expiry: string;
  brand: Brand;
  status: CardStatus;
  /** What the card is for, in both languages. */
  purpose: { ja: string; en: string };
  /** What the ACS answers for it. */
  outcome: string;
  member?: {
    loginId: string;
    status: MemberStatus;
    authMethod: AuthMethod;
    phone?: string;
    phoneStatus: PhoneStatus;
    password?: string;
    personalMessage?: string;
  };
  phoneProvisional?: boolean;
  /** The demo card this one reissues: it joins that card's account, and so its registration. */
  reissues?: string;
  /** Another demo card of the same cardholder, registered on its own (its own member). */
  sameCardholderAs?: string;
  /**
   * What the issuer's record holds beyond the card, for the portal's registration proof: every
   * cardholder has a birth date (this one, or `demoBirthDate`), and the phone on file is the
   * member's phone unless set here.
   */
  holder?: { birthDate?: string; phoneOnFile?: string };
  /** A corporate card: registered with its card PIN (on file only as a hash), not the birth date. */
  corporatePin?: string;
}

const LIVE = '3012';

export const DEMO_CARDS: DemoCard[] = [
  {
    key: 'jcb-otp', outcome: 'Y (ECI 05) below ¥30,000; C (SMS OTP) at or above, or with challenge indicator 04', pan: demoPan('jcb', 1), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: 'SMS認証の会員：¥30,000未満はそのまま承認、以上は認証画面', en: 'OTP member: frictionless below ¥30,000, challenged at or above it' },
    member: { loginId: 'demo-jcb', status: 'active', authMethod: 'sms_otp', phone: '+819011110001', phoneStatus: 'verified', personalMessage: '庭のさくらが咲きました' },
  },
  {
    key: 'visa-otp', outcome: 'Y (ECI 05) below the threshold; C (SMS OTP) above', pan: demoPan('visa', 1), expiry: LIVE, brand: 'visa', status: 'active',
    purpose: { ja: 'SMS認証の会員（Visa）', en: 'OTP member (Visa)' },
    member: { loginId: 'demo-visa', status: 'active', authMethod: 'sms_otp', phone: '+819011110002', phoneStatus: 'verified', personalMessage: 'Blue bicycle, 1998' },
  },
  {
    key: 'mc-otp', outcome: 'Y (ECI 02) below the threshold; C (SMS OTP) above', pan: demoPan('mastercard', 1), expiry: LIVE, brand: 'mastercard', status: 'active',
    purpose: { ja: 'SMS認証の会員（Mastercard）', en: 'OTP member (Mastercard)' },
    member: { loginId: 'demo-mc', status: 'active', authMethod: 'sms_otp', phone: '+819011110003', phoneStatus: 'verified', personalMessage: '富士山と朝ごはん' },
  },
  {
    key: 'jcb-password', outcome: 'Y below the threshold; C (static password) above', pan: demoPan('jcb', 2), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: '固定パスワードの会員（従来方式）', en: 'Static password member (legacy)' },
    member: { loginId: 'demo-pass', status: 'active', authMethod: 'password', phoneStatus: 'none', password: 'Mamori-2026', personalMessage: '青い傘' },
  },
  {
    key: 'mc-no-otp', outcome: 'Y below the threshold; above: C with a page asking to register a phone, ends N/13', pan: demoPan('mastercard', 2), expiry: LIVE, brand: 'mastercard', status: 'active',
    purpose: { ja: '携帯番号未登録のMastercard会員：固定パスワードは使えず、案内画面', en: 'Mastercard member without an OTP phone: no static password, guidance page' },
    member: { loginId: 'demo-mc-pass', status: 'active', authMethod: 'password', phoneStatus: 'none', password: 'Mamori-2026' },
  },
  {
    key: 'visa-unregistered', outcome: 'C with registration guidance, ends N/13 (N/13 at once with PROVISIONAL_POLICY=reject)', pan: demoPan('visa', 2), expiry: LIVE, brand: 'visa', status: 'active',
    purpose: { ja: '本人認証サービス未登録：登録の案内（またはN/13）。会員ページで登録できます', en: 'Not registered: registration guidance (or N/13); can be registered in the member portal' },
    // The second demo issuer (the Visa range's) asks for the phone number on file.
    holder: { phoneOnFile: '+819011110010' },
  },
  {
    key: 'jcb-provisional-phone', outcome: 'Y below the threshold; above: C with phone guidance, ends N/13', pan: demoPan('jcb', 3), expiry: LIVE, brand: 'jcb', status: 'active', phoneProvisional: true,
    purpose: { ja: 'カード会社が仮の携帯番号を登録：電話番号登録の案内', en: 'Provisional phone number set by the issuer: phone registration guidance' },
    member: { loginId: 'demo-provisional', status: 'active', authMethod: 'sms_otp', phone: '+819000000000', phoneStatus: 'provisional' },
  },
  {
    key: 'visa-locked', outcome: 'N/19', pan: demoPan('visa', 3), expiry: LIVE, brand: 'visa', status: 'active',
    purpose: { ja: 'ロック中の会員：認証不可（N/19）', en: 'Locked member: declined (N/19)' },
    member: { loginId: 'demo-locked', status: 'locked', authMethod: 'sms_otp', phone: '+819011110004', phoneStatus: 'verified' },
  },
  {
    key: 'jcb-expired', outcome: 'N/05', pan: demoPan('jcb', 4), expiry: '2401', brand: 'jcb', status: 'active',
    purpose: { ja: '有効期限切れのカード（N/05）', en: 'Expired card (N/05)' },
    member: { loginId: 'demo-expired', status: 'active', authMethod: 'sms_otp', phone: '+819011110005', phoneStatus: 'verified' },
  },
  {
    key: 'visa-stolen', outcome: 'R/10', pan: demoPan('visa', 4), expiry: LIVE, brand: 'visa', status: 'blocked_stolen',
    purpose: { ja: '盗難届のあるカード（R/10）', en: 'Card blocked as stolen (R/10)' },
    member: { loginId: 'demo-stolen', status: 'active', authMethod: 'sms_otp', phone: '+819011110006', phoneStatus: 'verified' },
  },
  {
    key: 'jcb-reissued-old', outcome: 'N/06', pan: demoPan('jcb', 5), expiry: LIVE, brand: 'jcb', status: 'replaced',
    purpose: { ja: '再発行前の旧カード番号（N/06）', en: 'Old number of a reissued card (N/06)' },
    member: { loginId: 'demo-reissue', status: 'active', authMethod: 'sms_otp', phone: '+819011110007', phoneStatus: 'verified', personalMessage: '新しいカードでも同じIDです' },
  },
  {
    key: 'jcb-reissued-new', outcome: 'Y below the threshold; C (SMS OTP, member demo-reissue) above; seeded with REISSUE_POLICY=reregister_phone: phone guidance above, N/13', pan: demoPan('jcb', 6), expiry: LIVE, brand: 'jcb', status: 'active', reissues: 'jcb-reissued-old',
    purpose: { ja: '再発行後の新カード：同じ会員IDで利用可', en: 'New number after reissue: same member ID works' },
  },
  // One cardholder, two cards, two registrations: each card has its own member ID, phone and message.
  {
    key: 'jcb-two-cards', outcome: 'Y below the threshold; C (SMS OTP, member demo-two-jcb, its own phone) above', pan: demoPan('jcb', 7), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: '2枚お持ちの会員のJCB：カードごとの登録（会員ID・携帯番号・メッセージ）', en: "One cardholder's two cards, the JCB: registered on its own (member ID, phone, message)" },
    member: { loginId: 'demo-two-jcb', status: 'active', authMethod: 'sms_otp', phone: '+819011110008', phoneStatus: 'verified', personalMessage: 'JCBは毎日の買い物用' },
  },
  {
    key: 'visa-two-cards', outcome: 'Y below the threshold; C (SMS OTP, member demo-two-visa, its own phone) above', pan: demoPan('visa', 5), expiry: LIVE, brand: 'visa', status: 'active', sameCardholderAs: 'jcb-two-cards',
    purpose: { ja: '2枚お持ちの会員のVisa：JCBとは別の登録', en: "The same cardholder's Visa: a registration of its own, apart from the JCB's" },
    member: { loginId: 'demo-two-visa', status: 'active', authMethod: 'sms_otp', phone: '+819011110009', phoneStatus: 'verified', personalMessage: 'Visaは旅行用' },
  },
  // Cards a tester registers in the member portal (/portal/register), each with the proof its issuer
  // asks; the sandbox cards page shows it. New cards go last: the customer numbers follow the order.
  {
    key: 'jcb-unregistered', outcome: 'C with registration guidance, ends N/13; after registering in the portal (and a phone): Y below the threshold, C (SMS OTP) above', pan: demoPan('jcb', 8), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: '未登録のJCB：会員ページで登録（生年月日で本人確認）', en: 'Unregistered JCB: register it in the member portal (birth date as proof)' },
    holder: { birthDate: '1990-07-15', phoneOnFile: '+819011110011' },
  },
  {
    key: 'jcb-provisional-member', outcome: 'C with registration guidance (仮登録), ends N/13; after 本登録 in the portal: as a registered member', pan: demoPan('jcb', 9), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: 'カード会社による仮登録：案内画面から会員ページで本登録（生年月日）', en: 'Provisionally registered by the issuer (仮登録): complete it in the portal from the guidance page (birth date)' },
    member: { loginId: 'demo-kari', status: 'provisional', authMethod: 'sms_otp', phoneStatus: 'none' },
    holder: { birthDate: '1978-11-03', phoneOnFile: '+819011110012' },
  },
  {
    key: 'jcb-corporate', outcome: 'C with registration guidance, ends N/13; register it in the portal with the card PIN', pan: demoPan('jcb', 10), expiry: LIVE, brand: 'jcb', status: 'active',
    purpose: { ja: '未登録の法人カード：会員ページで登録（カードの暗証番号で本人確認）', en: 'Unregistered corporate card: register it in the portal (the card PIN as proof)' },
    holder: { phoneOnFile: '+819011110013' },
    corporatePin: '4321',
  },
];

/** The birth date on file of a demo cardholder that was given none: one per customer number. */
export function demoBirthDate(index: number): string {
  return `${1970 + index}-06-${String(index + 1).padStart(2, '0')}`;
}

/** What seeding needs: the database, clock, keys, log, and the configured reissue policy (see below). */
export interface DemoSeedDeps {
  db: Database;
  clock: Clock;
  keys: Keys;
  log: Logger;
  config: Pick<Config, 'REISSUE_POLICY'>;
}

/** Seeds the demo issuer when the database has no BIN range yet. Returns whether it seeded. */
export async function seedDemoIssuer(deps: DemoSeedDeps): Promise<boolean> {
  const { db, clock, keys } = deps;
  const [{ value: ranges }] = await db.select({ value: count() }).from(binRanges);
  if (ranges > 0) return false;

  for (const range of DEMO_RANGES) {
    const added = await addBinRange(deps, range, { actor: { type: 'system', name: 'demo-issuer' }, detail: { via: 'demo' } });
    if (!added.ok) throw new Error(`demo range ${range.rangeStart} overlaps range ${added.clash.id}`);
  }
  // The reissued demo card is a JCB, so the first issuer's: its policy, or the configured one that
  // issuer will be made with on first use (seeding leaves that to the running configuration).
  const reissuePolicy = (await firstIssuer(db))?.reissuePolicy ?? deps.config.REISSUE_POLICY;
  const seeded = new Map<string, { cardId: number; cardholderId: number }>();
  for (const [i, demo] of DEMO_CARDS.entries()) {
    if (demo.reissues) {
      // A reissue as the issuer files one: the old card becomes `replaced`, the new one joins its account.
      const old = seeded.get(demo.reissues)!;
      const r = await reissueCard(deps, { replaces: { cardId: old.cardId }, card: { pan: demo.pan, expiry: demo.expiry, brand: demo.brand, status: demo.status }, policy: reissuePolicy });
      if (!r.ok) throw new Error(`demo reissue ${demo.key}: ${r.reason}`);
      seeded.set(demo.key, { cardId: r.cardId, cardholderId: old.cardholderId });
      continue;
    }
    let cardholderId = demo.sameCardholderAs ? seeded.get(demo.sameCardholderAs)!.cardholderId : undefined;
    if (cardholderId === undefined) {
      cardholderId = await insertCardholder(db, clock, {
        customerRef: `DEMO-${String(i + 1).padStart(4, '0')}`,
        name: `デモ 会員${i + 1}`,
        phoneOnFile: demo.holder?.phoneOnFile ?? demo.member?.phone,
        phoneProvisional: demo.phoneProvisional,
      });
      // insertCardholder takes no birth date (nor insertCard a PIN, below): set as an import would.
      await db.update(cardholders).set({ birthDate: demo.holder?.birthDate ?? demoBirthDate(i) }).where(eq(cardholders.id, cardholderId));
    }
    // A card that a later demo card reissues is on file as active until that reissue retires it.
    const status = DEMO_CARDS.some((c) => c.reissues === demo.key) ? 'active' : demo.status;
    const card = await insertCard(db, keys, clock, cardholderId, { pan: demo.pan, expiry: demo.expiry, brand: demo.brand, status });
    // As an import files a corporate card: its PIN only as a PBKDF2 hash (src/cards/import).
    if (demo.corporatePin) await db.update(cards).set({ corporate: true, pinHash: await hashPassword(demo.corporatePin) }).where(eq(cards.id, card.id));
    seeded.set(demo.key, { cardId: card.id, cardholderId });
    // Each card is registered on its own: its member belongs to the card's account. A provisional
    // registration (the issuer's 仮登録) has not accepted the terms: the portal's 本登録 does that.
    if (demo.member) await createDemoMember(deps, card.accountId, demo.member);
  }
  deps.log.info('demo issuer seeded', { ranges: DEMO_RANGES.length, cards: DEMO_CARDS.length });
  return true;
}

/** The member a demo card is seeded with (also what the sandbox's reset puts back). */
export function createDemoMember(deps: Pick<DemoSeedDeps, 'db' | 'clock'>, cardAccountId: number, member: NonNullable<DemoCard['member']>): Promise<number> {
  return createMember(deps.db, deps.clock, { cardAccountId, ...member, termsAccepted: member.status !== 'provisional' });
}

/** The demo card behind a key, for tests and the sandbox. */
export function demoCard(key: string): DemoCard {
  const card = DEMO_CARDS.find((c) => c.key === key);
  if (!card) throw new Error(`no demo card ${key}`);
  return card;
}

/**
 * The member a cardholder signs in as with this card: its own, or for a reissued card that of the
 * card it reissues (the new number works with the same member ID). Another card of the same
 * cardholder has its own.
 */
export function demoMemberOf(card: DemoCard): DemoCard['member'] {
  if (card.member) return card.member;
  return card.reissues ? demoMemberOf(demoCard(card.reissues)) : undefined;
}
