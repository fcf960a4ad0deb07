/**
 * The portal's registration of a card for 3-D Secure (issue 15), as one persisted `registration`
 * flow (flow/, Kratos's self-service flows): started → card_verified → email_sent → completed.
 *
 * 1. The card: number, expiry and the proof its issuer asks (birth date or the phone number on
 *    file; a corporate card's PIN). One answer for every failure, at one pace; wrong proofs are
 *    counted in the database per card number (its keyed hash, so an unknown number is counted
 *    like a known one) and per address; past the limit the card number is paused for the day.
 * 2. The member ID, password (hashed here: never in the clear in flows.data) and mail address.
 * 3. A 6-digit code mailed to that address (flow/codes.ts), resent through the flow's send slot
 *    with the issuer's cooldown and maximum; wrong codes counted per flow, the flow fails at the
 *    issuer's limit.
 * 4. The member is created, or (re-registration, 本登録 of a provisional member, a reissued card
 *    whose account has a member) the card's existing member gets the new ID and password, in
 *    the same transaction as the flow's move to completed.
 *
 * The flow is bound to the browser that started it: its data holds the SHA-256 of a random token
 * that only that browser's HttpOnly cookie carries, so a flow URL seen elsewhere is useless.
 */
import { checkCountedCode } from '../flow/counted-code.ts';
import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { luhnValid, panLookupHash } from '../cards/pan.ts';
import { cardholders, cards, flows, members, type Brand, type CardStatus, type MemberStatus, type PhoneStatus, type RegistrationProof } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { bytesToBase64url, sha256Hex, timingSafeEqual } from '../encoding.ts';
import { CODE_PATTERN, issueCode } from '../flow/codes.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { valid, type Flow } from '../flow/flow.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { flowStore } from '../flow/store.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { hashPassword, verifyPassword } from '../members/password.ts';
import { findMemberByLoginId, insertRegisteredMember, replaceCredentials, type RegisteredCredentials } from '../members/store.ts';
import { notifyCardholder } from '../messaging/notices.ts';
import { phoneFromTyped } from '../messaging/phone-number.ts';
import { clearCounter, hitCounters } from '../messaging/rate-limit.ts';
import { maskMail, sendMail } from '../messaging/send-mail.ts';
import { memberPasswordProblem, type MemberPasswordProblem } from './member-password.ts';

/** A registration lives 20 minutes from its last step. */
export const REGISTRATION_TTL_MS = 20 * 60_000;
/** The mailed code lives 10 minutes (a resend makes a new one). */
export const MAIL_CODE_TTL_MS = 10 * 60_000;
/** `__Host-`: Secure, Path=/, no Domain; HttpOnly: only this browser's requests carry it. */
export const REGISTRATION_COOKIE = '__Host-mamori-registration';
/** Wrong proofs per card number in a day; past them the number is paused until the next day's window. */
export const PROOF_FAILURES_PER_CARD = 5;
const PROOF_WINDOW_MS = 24 * 60 * 60_000;
/** Proof attempts per address in an hour (an office behind one address registers a few cards, not dozens). */
export const PROOF_ATTEMPTS_PER_IP = 30;
const IP_WINDOW_MS = 60 * 60_000;

export const LOGIN_ID_PATTERN = /^[A-Za-z0-9._-]{6,20}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** What happens to the card's registration: a new member, a replaced ID and password, or the 本登録 of a provisional member. */
export type RegistrationKind = 'new' | 'reregistration' | 'provisional';

/** The card once proven, as the later steps need it (no PAN: the card's id and last four digits). */
export interface ProvenCard {
  cardId: number;
  accountId: number;
  cardholderId: number;
  issuerId: number;
  brand: Brand;
  last4: string;
  kind: RegistrationKind;
  /** The member the card's account has (re-registration, 本登録). */
  memberId: number | null;
  previousLoginId: string | null;
  /** The card replaced an earlier one (reissue): its account's registration continues on it. */
  reissued: boolean;
}

/** What a registration gathered (flows.data). Never a secret in the clear: the browser token and the password only as hashes. */
export interface RegistrationData {
  browser: string;
  card?: ProvenCard;
  account?: RegisteredCredentials;
  /** The address the newest code went to (a code counts only for the address on the form). */
  mailedTo?: string;
}

export interface OpenRegistration {
  flow: Flow<'registration'>;
  data: RegistrationData;
}

type Deps = AppDeps;

// ─── The flow and its browser ───────────────────────────────────────────────────

/** A fresh browser token (the cookie's value). */
export function newBrowserToken(): string {
  return bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function browserTokenValid(token: string | undefined): token is string {
  return !!token && TOKEN_PATTERN.test(token);
}

export async function startRegistration(deps: Deps, browserToken: string): Promise<Flow<'registration'>> {
  const data: RegistrationData = { browser: await sha256Hex(browserToken) };
  return flowStore(deps).create({ kind: 'registration', subject: 'portal_registration', ttlMs: REGISTRATION_TTL_MS, data: { ...data } });
}

/**
 * The registration `flowId` names when this browser started it; with `open`, only while it may
 * still take a step (not ended, not expired). Undefined alike for an unknown, foreign or ended flow.
 */
export async function findRegistration(deps: Deps, flowId: string | undefined, browserToken: string | undefined, open = true): Promise<OpenRegistration | undefined> {
  if (!flowId || !/^[0-9a-f-]{36}$/.test(flowId) || !browserTokenValid(browserToken)) return undefined;
  const flow = await flowStore(deps).find(flowId);
  if (!flow || flow.kind !== 'registration') return undefined;
  const data = (flow.data ?? {}) as unknown as RegistrationData;
  if (typeof data.browser !== 'string' || !timingSafeEqual(data.browser, await sha256Hex(browserToken))) return undefined;
  if (open && !valid(flow, deps.clock)) return undefined;
  return { flow: flow as Flow<'registration'>, data };
}

/** The issuer whose card this is (the page's until the card is known). */
export function registrationIssuer(deps: Deps, reg: OpenRegistration, pageIssuer: IssuerSettings): Promise<IssuerSettings> {
  return reg.data.card ? issuerSettings(deps, reg.data.card.issuerId) : Promise.resolve(pageIssuer);
}

/** Ends a registration the cardholder abandoned. */
export async function cancelRegistration(deps: Deps, reg: OpenRegistration): Promise<void> {
  await flowStore(deps).move(reg.flow, 'cancelled');
}

// ─── Step 1: the card and its proof ─────────────────────────────────────────────

export type CardField = 'pan' | 'expiry' | 'proof' | 'pin';
export type CardProblem = 'empty' | 'format' | 'luhn';

export interface CardInput {
  pan?: unknown;
  expiry?: unknown;
  /** The issuer's proof as typed: a birth date or the phone number on file. */
  proof?: unknown;
  /** A corporate card's PIN. */
  pin?: unknown;
}

export type CardResult =
  | { kind: 'verified'; card: ProvenCard }
  /** Answered beside the fields; nothing counted. */
  | { kind: 'fields'; errors: Partial<Record<CardField, CardProblem>> }
  /** The one answer for every failure; `paused`: the limit for this number or address is reached (call the issuer). */
  | { kind: 'unconfirmed'; paused: boolean }
  /** Proven, but its registration is locked: only the issuer lifts a lock. */
  | { kind: 'locked' }
  | { kind: 'closed' };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** "03/30", "3/30", "0330", full-width: the card's YYMM, or undefined ("330" is ambiguous, so a lone month digit needs the slash). */
export function expiryFromTyped(typed: string): string | undefined {
  const m = /^(\d{2}|\d\/)\/?(\d{2})$/.exec(typed.normalize('NFKC').replace(/\s/g, ''));
  const month = m ? Number(m[1].replace('/', '')) : 0;
  if (!m || month < 1 || month > 12) return undefined;
  return `${m[2]}${String(month).padStart(2, '0')}`;
}

/** "1980/04/01", "1980-4-1", "19800401", "1980年4月1日": YYYY-MM-DD, or undefined when it is no real date. */
export function birthDateFromTyped(typed: string): string | undefined {
  const s = typed.normalize('NFKC').replace(/\s/g, '');
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || y < 1900) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

interface CardRecord {
  cardId: number;
  accountId: number;
  status: CardStatus;
  expiry: string;
  brand: Brand;
  last4: string;
  corporate: boolean;
  pinHash: string | null;
  cardholderId: number;
  issuerId: number | null;
  birthDate: string | null;
  phoneOnFile: string | null;
  memberId: number | null;
  memberStatus: MemberStatus | null;
  loginId: string | null;
}

async function cardRecord(deps: Deps, panHash: string): Promise<CardRecord | undefined> {
  const [row] = await deps.db
    .select({
      cardId: cards.id,
      accountId: cards.accountId,
      status: cards.status,
      expiry: cards.expiry,
      brand: cards.brand,
      last4: cards.panLast4,
      corporate: cards.corporate,
      pinHash: cards.pinHash,
      cardholderId: cardholders.id,
      issuerId: cardholders.issuerId,
      birthDate: cardholders.birthDate,
      phoneOnFile: cardholders.phoneOnFile,
      memberId: members.id,
      memberStatus: members.status,
      loginId: members.loginId,
    })
    .from(cards)
    .innerJoin(cardholders, eq(cardholders.id, cards.cardholderId))
    .leftJoin(members, eq(members.cardAccountId, cards.accountId))
    .where(eq(cards.panHash, panHash))
    .limit(1);
  return row;
}

/** The card's expiry (YYMM) is this month or later. */
function notExpired(yymm: string, now: number): boolean {
  const d = new Date(now);
  const current = `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return yymm >= current;
}

export interface CardContext {
  /** The portal page's issuer: its proof is the one asked on the page. */
  pageIssuer: IssuerSettings;
  /** The host is one an issuer claimed: only that issuer's cards register here. */
  hostClaimed: boolean;
  clientIp?: string;
}

/**
 * Checks the card and its proof. Malformed entries are answered beside their field; everything
 * else is one answer, at one pace (the PIN check's full work is done for every card, corporate
 * or not, and no answer comes before ANSWER_FLOOR_MS).
 */
export async function verifyCard(deps: Deps, reg: OpenRegistration, input: CardInput, ctx: CardContext): Promise<CardResult> {
  const pan = normaliseEntry(input.pan);
  const expiryTyped = text(input.expiry).trim();
  const proofTyped = text(input.proof).trim();
  const pinTyped = normaliseEntry(input.pin);
  const proofKind: RegistrationProof = ctx.pageIssuer.policies.registrationProof;

  const errors: Partial<Record<CardField, CardProblem>> = {};
  if (!pan) errors.pan = 'empty';
  else if (!/^\d{12,19}$/.test(pan)) errors.pan = 'format';
  else if (!luhnValid(pan)) errors.pan = 'luhn';
  const expiry = expiryFromTyped(expiryTyped);
  if (!expiryTyped) errors.expiry = 'empty';
  else if (!expiry) errors.expiry = 'format';
  const proof = proofTyped ? (proofKind === 'birth_date' ? birthDateFromTyped(proofTyped) : phoneFromTyped(proofTyped)) : undefined;
  if (proofTyped && !proof) errors.proof = 'format';
  if (pinTyped && !/^\d{4,12}$/.test(pinTyped)) errors.pin = 'format';
  if (!proofTyped && !pinTyped) errors.proof = 'empty';
  if (Object.keys(errors).length > 0) return { kind: 'fields', errors };

  return atLeast(ANSWER_FLOOR_MS, async (): Promise<CardResult> => {
    const now = deps.clock.now();
    const panHash = await panLookupHash(deps.keys.panLookup, pan);
    const cardKey = `registration:proof:${panHash}`;
    // Counted before the check, atomically: concurrent guesses cannot check more than the limit.
    const [perCard, perIp] = await hitCounters(
      deps.db,
      [{ key: cardKey, windowMs: PROOF_WINDOW_MS }, ...(ctx.clientIp ? [{ key: `registration:proof-ip:${ctx.clientIp}`, windowMs: IP_WINDOW_MS }] : [])],
      now,
    );
    const paused = perCard > PROOF_FAILURES_PER_CARD || (perIp ?? 0) > PROOF_ATTEMPTS_PER_IP;
    const card = await cardRecord(deps, panHash);
    // Always the full work, whatever the card: timing does not tell a corporate card.
    const pinRight = await verifyPassword(pinTyped || '-', card?.corporate ? card.pinHash : null);
    if (paused || !card) return { kind: 'unconfirmed', paused };

    const issuer = await issuerSettings(deps, card.issuerId);
    const rightProof = card.corporate
      ? pinRight
      : issuer.policies.registrationProof === 'birth_date'
        ? proofKind === 'birth_date' && !!card.birthDate && proof === card.birthDate
        : proofKind === 'phone_on_file' && !!card.phoneOnFile && proof === card.phoneOnFile;
    const confirmed =
      rightProof && card.status === 'active' && card.expiry === expiry && notExpired(card.expiry, now) && (!ctx.hostClaimed || issuer.id === ctx.pageIssuer.id);
    if (!confirmed) return { kind: 'unconfirmed', paused: false };
    // Proven: earlier wrong entries for this number no longer count.
    await clearCounter(deps.db, cardKey);
    if (card.memberStatus === 'locked') return { kind: 'locked' };

    const reissued = (await deps.db.$count(cards, eq(cards.replacedByCardId, card.cardId))) > 0;
    const proven: ProvenCard = {
      cardId: card.cardId,
      accountId: card.accountId,
      cardholderId: card.cardholderId,
      issuerId: issuer.id,
      brand: card.brand,
      last4: card.last4,
      kind: card.memberId === null ? 'new' : card.memberStatus === 'provisional' ? 'provisional' : 'reregistration',
      memberId: card.memberId,
      previousLoginId: card.loginId,
      reissued,
    };
    const store = flowStore(deps);
    if (!(await store.move(reg.flow, 'card_verified', { ...reg.data, card: proven }))) return { kind: 'closed' };
    await store.extend(reg.flow, REGISTRATION_TTL_MS);
    return { kind: 'verified', card: proven };
  });
}

// ─── Step 2: member ID, password, address ───────────────────────────────────────

export type LoginIdProblem = 'empty' | 'format' | 'taken';
export type EmailProblem = 'empty' | 'format';

export interface AccountInput {
  loginId?: unknown;
  password?: unknown;
  confirmation?: unknown;
  email?: unknown;
}

export interface AccountErrors {
  loginId?: LoginIdProblem;
  password?: Exclude<MemberPasswordProblem, 'mismatch'>;
  confirmation?: 'empty' | 'mismatch';
  email?: EmailProblem;
}

export type SendOutcome = { outcome: 'sent' | 'kept' } | { outcome: 'cooldown'; retryInSeconds: number } | { outcome: 'limit' | 'failed' | 'closed' };

export type AccountResult = { kind: 'fields'; errors: AccountErrors } | { kind: 'saved'; send: SendOutcome } | { kind: 'closed' };

/** A chosen member ID as it is stored: NFKC (full-width letters become ASCII), trimmed. */
export function loginIdFromTyped(typed: unknown): string {
  return text(typed).normalize('NFKC').trim();
}

/** Whether the ID is free for this registration: "taken" is all it says (the card's own member may keep its ID). */
export async function loginIdProblem(deps: Deps, reg: OpenRegistration, loginId: string): Promise<LoginIdProblem | undefined> {
  if (!loginId) return 'empty';
  if (!LOGIN_ID_PATTERN.test(loginId)) return 'format';
  const holder = await findMemberByLoginId(deps.db, loginId);
  return holder && holder.id !== reg.data.card?.memberId ? 'taken' : undefined;
}

export async function chooseAccount(deps: Deps, reg: OpenRegistration, input: AccountInput): Promise<AccountResult> {
  if (!reg.data.card) return { kind: 'closed' };
  const loginId = loginIdFromTyped(input.loginId);
  const password = text(input.password);
  const confirmation = text(input.confirmation);
  const email = text(input.email).normalize('NFKC').trim();

  const errors: AccountErrors = {};
  const idProblem = await loginIdProblem(deps, reg, loginId);
  if (idProblem) errors.loginId = idProblem;
  const problem = memberPasswordProblem(password, confirmation, loginId);
  if (problem === 'mismatch') errors.confirmation = confirmation === '' ? 'empty' : 'mismatch';
  else if (problem) errors.password = problem;
  if (!email) errors.email = 'empty';
  else if (email.length > 254 || !EMAIL_PATTERN.test(email)) errors.email = 'format';
  if (Object.keys(errors).length > 0) return { kind: 'fields', errors };

  const data: RegistrationData = { ...reg.data, account: { loginId, passwordHash: await hashPassword(password), email } };
  const store = flowStore(deps);
  const saved = reg.flow.state === 'card_verified' ? await store.move(reg.flow, 'email_sent', { ...data }) : await store.saveData(reg.flow, { ...data });
  if (!saved) return { kind: 'closed' };
  await store.extend(reg.flow, REGISTRATION_TTL_MS);
  const next: OpenRegistration = { flow: { ...reg.flow, state: 'email_sent' }, data };
  // The same address again (back and forth) keeps its code; a new one needs a code of its own.
  if (reg.data.mailedTo === email) return { kind: 'saved', send: { outcome: 'kept' } };
  return { kind: 'saved', send: await sendRegistrationCode(deps, next) };
}

// ─── Step 3: the mailed code ────────────────────────────────────────────────────

/**
 * Mails a fresh code to the chosen address, within the flow's send slot (the issuer's cooldown
 * and maximum); the address is noted as mailed only once the mail went.
 */
export async function sendRegistrationCode(deps: Deps, reg: OpenRegistration): Promise<SendOutcome> {
  const account = reg.data.account;
  if (!account) return { outcome: 'closed' };
  const issuer = await issuerSettings(deps, reg.data.card!.issuerId);
  const store = flowStore(deps);
  const slot = await store.claimSendSlot(reg.flow, { max: issuer.policies.otpMaxSends, cooldownMs: issuer.policies.otpResendCooldownSeconds * 1000 });
  if (!slot.ok) return slot.reason === 'cooldown' ? { outcome: 'cooldown', retryInSeconds: Math.ceil(slot.retryInMs / 1000) } : { outcome: slot.reason };
  const sent = await issueCode(deps, reg.flow.id, MAIL_CODE_TTL_MS, async (code) => {
    const mail = registrationCodeMail(issuer, code, MAIL_CODE_TTL_MS / 60_000);
    return sendMail(deps, { to: account.email, from: issuer.mailFrom ?? undefined, ...mail }, 'registration', reg.data.card!.memberId);
  });
  if (!sent) return { outcome: 'failed' };
  await store.saveData(reg.flow, { ...reg.data, mailedTo: account.email });
  return { outcome: 'sent' };
}

export type CodeResult =
  | { kind: 'done'; memberId: number }
  | { kind: 'fields'; code: 'empty' | 'format' }
  | { kind: 'wrong'; remaining: number }
  /** No code went to the address on the form yet (the mail failed, or the address was changed within the cooldown). */
  | { kind: 'not_sent' }
  /** The chosen ID was taken meanwhile: choose another (and have a new code sent). */
  | { kind: 'taken' }
  | { kind: 'too_many' }
  | { kind: 'closed' };

export async function confirmCode(deps: Deps, reg: OpenRegistration, input: { code?: unknown; requestId?: string | null }): Promise<CodeResult> {
  const { card, account } = reg.data;
  if (!card || !account || reg.flow.state !== 'email_sent') return { kind: 'closed' };
  const code = normaliseEntry(input.code);
  if (!code) return { kind: 'fields', code: 'empty' };
  if (!CODE_PATTERN.test(code)) return { kind: 'fields', code: 'format' };
  if (reg.data.mailedTo !== account.email) return { kind: 'not_sent' };

  const issuer = await issuerSettings(deps, card.issuerId);
  // A taken ID is found before the code is checked, so that it does not cost the cardholder their code.
  if (await loginIdProblem(deps, reg, account.loginId)) return { kind: 'taken' };
  // Wrong codes counted in the database; the flow completes below, together with the member's write.
  const check = await checkCountedCode(deps, reg.flow, code, { counter: `registration:code:${reg.flow.id}`, limit: issuer.policies.maxAuthAttempts, complete: false });
  if (check.kind === 'wrong') return { kind: 'wrong', remaining: check.remaining };
  if (check.kind === 'too_many') return { kind: 'too_many' };
  if (check.kind !== 'ok') return { kind: 'closed' };
  return complete(deps, reg, issuer, input.requestId ?? null);
}

// ─── Step 4: the member ─────────────────────────────────────────────────────────

/**
 * Writes the member and moves the flow to completed in one transaction: the member statement
 * runs only while the flow is still open in email_sent, and the move only when the member row
 * now holds this flow's credentials. Of two racing submits one does both; the other neither.
 */
async function complete(deps: Deps, reg: OpenRegistration, issuer: IssuerSettings, requestId: string | null): Promise<CodeResult> {
  const card = reg.data.card!;
  const account = reg.data.account!;
  const now = deps.clock.now();
  const flowOpen: SQL = sql`exists (select 1 from ${flows} where ${and(eq(flows.id, reg.flow.id), eq(flows.state, 'email_sent'), gt(flows.expiresAt, now))})`;
  const holdsCredentials: SQL = sql`exists (select 1 from ${members} where ${and(eq(members.cardAccountId, card.accountId), eq(members.loginId, account.loginId), eq(members.passwordHash, account.passwordHash))})`;
  const memberWrite = card.memberId === null ? [insertRegisteredMember(deps.db, now, card.accountId, account, flowOpen)] : replaceCredentials(deps.db, now, card.memberId, account, flowOpen);
  const store = flowStore(deps);
  let moved: boolean;
  try {
    const results = await deps.db.batch([memberWrite[0], ...memberWrite.slice(1), store.moveStatement(reg.flow, 'completed', and(gt(flows.expiresAt, now), holdsCredentials))]);
    moved = (results.at(-1) as unknown[]).length === 1;
  } catch (error) {
    // A unique index refused the write (the ID, or the card registered by another flow meanwhile): nothing was written.
    if (!/UNIQUE/i.test(String(error) + String((error as { cause?: unknown }).cause ?? ''))) throw error;
    return (await loginIdProblem(deps, reg, account.loginId)) ? { kind: 'taken' } : { kind: 'closed' };
  }
  if (!moved) return { kind: 'closed' };

  const member = (await deps.db.select({ id: members.id, phone: members.phone, phoneStatus: members.phoneStatus }).from(members).where(eq(members.cardAccountId, card.accountId)).get())!;
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'member', id: member.id, name: account.loginId },
    issuerId: issuer.id,
    action: 'member.register',
    target: `member:${member.id}`,
    detail: { kind: card.kind, card: `*${card.last4}`, to: maskMail(account.email), ...(card.previousLoginId && card.previousLoginId !== account.loginId ? { previousLoginId: card.previousLoginId } : {}), reissued: card.reissued },
    requestId,
  });
  // New credentials on an existing registration: told on its phone, so a re-registration nobody asked for is noticed.
  if (card.kind === 'reregistration') {
    await notifyCardholder(deps, {
      kind: 'password_changed',
      issuer,
      memberId: member.id,
      cardholderId: card.cardholderId,
      phone: { number: member.phone, status: member.phoneStatus },
      mail: account.email,
    }).catch((error: unknown) => deps.log.warn('registration notice failed', { memberId: member.id, error: String(error) }));
  }
  return { kind: 'done', memberId: member.id };
}

/** The member a completed registration wrote (the done page; the flow is this browser's and ended). */
export async function registeredMember(deps: Deps, reg: OpenRegistration): Promise<{ id: number; loginId: string; phoneStatus: PhoneStatus } | undefined> {
  if (reg.flow.state !== 'completed' || !reg.data.card) return undefined;
  return deps.db.select({ id: members.id, loginId: members.loginId, phoneStatus: members.phoneStatus }).from(members).where(eq(members.cardAccountId, reg.data.card.accountId)).get();
}

// ─── The mail ───────────────────────────────────────────────────────────────────

const RULE = '――――――――――――――――――――';

/** The code mail, Japanese first then English (a mail cannot switch language). */
export function registrationCodeMail(issuer: Pick<IssuerSettings, 'name' | 'helpdesk'>, code: string, ttlMinutes: number): { subject: string; body: string } {
  const phone = (lang: 'ja' | 'en') => (issuer.helpdesk.hours[lang] ? `${issuer.helpdesk.phone}（${issuer.helpdesk.hours[lang]}）` : issuer.helpdesk.phone);
  const ja = [
    `${issuer.name.ja} 本人認証サービス（3-Dセキュア）`,
    '',
    '会員登録のメールアドレス確認コードです。登録画面に入力してください。',
    '',
    `確認コード：${code}（${ttlMinutes}分有効）`,
    '',
    'お心当たりのない場合は、このメールを破棄してください。',
    `ご不安な場合は ${issuer.name.ja}（${phone('ja')}）へお電話ください。カード会社が確認コードをおたずねすることはありません。`,
  ];
  const en = [
    `${issuer.name.en} — 3-D Secure`,
    '',
    'Here is the code that confirms your mail address for your 3-D Secure registration. Enter it on the registration page.',
    '',
    `Code: ${code} (valid for ${ttlMinutes} minutes)`,
    '',
    'If you did not ask for this, ignore this mail.',
    `If you are worried, call ${issuer.name.en} on ${phone('en')}. Your card issuer never asks for a code.`,
  ];
  return { subject: `【${issuer.name.ja}】メールアドレスの確認コード / Your confirmation code`, body: [...ja, '', RULE, '', ...en, ''].join('\n') };
}
