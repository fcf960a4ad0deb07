/**
 * Cardholder look-up for the helpdesk: what was typed becomes a query (pure: `parseLookup`), the
 * query finds cards of the staff member's issuer (`searchCardholders`), one row per card with its
 * cardholder, registration and last authentication, every card number and phone already masked.
 * A full card number is only ever hashed (panLookupHash) and never kept, logged or shown.
 *
 * @example
 *   const parsed = parseLookup({ kind: 'phone', q: '090-1111-0001' });
 *   if (parsed.ok) await searchCardholders(deps, scope, parsed.query);
 */
import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { cardholders, cards, members, transactions, type AuthMethod, type Brand, type CardStatus, type LockCause, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
import { normaliseEntry } from '../flow/entry.ts';
import type { Keys } from '../keys.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { luhnValid, panLookupHash } from '../cards/pan.ts';
import { phoneFromTyped } from '../messaging/phone-number.ts';

export const LOOKUP_KINDS = ['member', 'pan', 'last4', 'customer', 'phone'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** A search, as typed in the form: the kind, the term, and for last4 the name or birth date. */
export interface LookupInput {
  kind?: string;
  q?: string;
  who?: string;
}

export type LookupQuery =
  | { kind: 'member'; loginId: string }
  | { kind: 'pan'; pan: string }
  | { kind: 'last4'; last4: string; name: string }
  | { kind: 'last4'; last4: string; birthDate: string }
  | { kind: 'customer'; customerRef: string }
  | { kind: 'phone'; phone: string };

/** Why a search could not run, and which field it concerns (the page shows it beside that field). */
export type LookupProblem = 'kind' | 'empty' | 'pan_format' | 'pan_luhn' | 'last4_format' | 'who_empty' | 'birth_date' | 'phone_format';

export type Parsed = { ok: true; query: LookupQuery } | { ok: false; field: 'kind' | 'q' | 'who'; problem: LookupProblem };

/** Turns what was typed into a query, or says which field is wrong and why. */
export function parseLookup(input: LookupInput): Parsed {
  const kind = LOOKUP_KINDS.find((k) => k === input.kind);
  if (!kind) return { ok: false, field: 'kind', problem: 'kind' };
  const q = (input.q ?? '').normalize('NFKC').trim();
  if (!q) return { ok: false, field: 'q', problem: 'empty' };
  switch (kind) {
    case 'member':
      return { ok: true, query: { kind, loginId: q } };
    case 'customer':
      return { ok: true, query: { kind, customerRef: q } };
    case 'pan': {
      const pan = normaliseEntry(q);
      if (!/^\d{12,19}$/.test(pan)) return { ok: false, field: 'q', problem: 'pan_format' };
      if (!luhnValid(pan)) return { ok: false, field: 'q', problem: 'pan_luhn' };
      return { ok: true, query: { kind, pan } };
    }
    case 'phone': {
      const phone = normalisePhone(q);
      return phone ? { ok: true, query: { kind, phone } } : { ok: false, field: 'q', problem: 'phone_format' };
    }
    case 'last4': {
      const last4 = normaliseEntry(q);
      if (!/^\d{4}$/.test(last4)) return { ok: false, field: 'q', problem: 'last4_format' };
      const who = (input.who ?? '').normalize('NFKC').trim();
      if (!who) return { ok: false, field: 'who', problem: 'who_empty' };
      // Digits only (with - or /) is a birth date; anything else is a name.
      if (/^[\d\-/.\s]+$/.test(who)) {
        const birthDate = normaliseBirthDate(who);
        return birthDate ? { ok: true, query: { kind, last4, birthDate } } : { ok: false, field: 'who', problem: 'birth_date' };
      }
      return { ok: true, query: { kind, last4, name: nameKey(who) } };
    }
  }
}

/** One reading of typed numbers for the whole appliance (messaging/phone-number.ts). */
export const normalisePhone = phoneFromTyped;

/** YYYY-MM-DD or YYYYMMDD (or with slashes) as YYYY-MM-DD, when it is a real calendar day. */
export function normaliseBirthDate(typed: string): string | undefined {
  const m = /^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$/.exec(typed.replace(/\s/g, ''));
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * A name as it is compared: NFKC (half-width kana, full-width letters), no spaces of any kind,
 * lower case, hiragana as katakana (so やまだ finds ヤマダ).
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\u3000]/g, '')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/** The card number as screens show it: first 6, six asterisks, last 4 (356999******0011). */
export function maskedPan(first6: string, last4: string): string {
  return `${first6}******${last4}`;
}

/** t***@example.jp: the first character of the local part and the domain. */
export function maskEmail(email: string | null | undefined): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** What the audit row says about a search: never the card number, the phone masked, no name or birth date. */
export function describeLookup(query: LookupQuery): Record<string, string> {
  switch (query.kind) {
    case 'member':
      return { kind: query.kind, loginId: query.loginId };
    case 'pan':
      return { kind: query.kind, card: maskedPan(query.pan.slice(0, 6), query.pan.slice(-4)) };
    case 'last4':
      return { kind: query.kind, last4: query.last4, with: 'name' in query ? 'name' : 'birth_date' };
    case 'customer':
      return { kind: query.kind, customerRef: query.customerRef };
    case 'phone':
      return { kind: query.kind, phone: maskPhone(query.phone) };
  }
}

// ─── Scope ──────────────────────────────────────────────────────────────────────

/**
 * Whose cardholders a person sees: one issuer's (a null issuer_id is the install's first issuer's),
 * or every issuer's for a platform administrator.
 */
export interface LookupScope {
  all: boolean;
  /** The staff member's issuer (null only for a platform administrator). */
  issuerId: number | null;
  firstIssuerId: number;
}

/** The condition on cardholders that keeps a query inside the scope (undefined: no condition). */
export function scopeCondition(scope: LookupScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.issuerId === null) return sql`0`;
  if (scope.issuerId === scope.firstIssuerId) return or(eq(cardholders.issuerId, scope.issuerId), isNull(cardholders.issuerId));
  return eq(cardholders.issuerId, scope.issuerId);
}

/** The issuer a cardholder row belongs to. */
export function ownerIssuer(issuerId: number | null, firstIssuerId: number): number {
  return issuerId ?? firstIssuerId;
}

// ─── Search ─────────────────────────────────────────────────────────────────────

export type RegistrationStatus = 'none' | MemberStatus;

/** One result: a card with its cardholder and its account's registration, all masked. */
export interface LookupRow {
  cardholderId: number;
  issuerId: number;
  name: string;
  customerRef: string;
  cardId: number;
  pan: string;
  brand: Brand;
  cardStatus: CardStatus;
  registration: RegistrationStatus;
  loginId: string | null;
  authMethod: AuthMethod | null;
  phoneStatus: PhoneStatus | null;
  phone: string;
  lockedAt: number | null;
  lockCause: LockCause | null;
  lastAuth: { at: number; transStatus: string; finalTransStatus: string | null; reason: string | null } | null;
}

export interface LookupResult {
  rows: LookupRow[];
  /** More cards matched than are shown. */
  more: boolean;
}

export const LOOKUP_LIMIT = 50;
/** A last-4 search reads at most this many cards before matching names (the last 4 narrows it ~10,000-fold). */
const NAME_CANDIDATES = 5000;

/** The cards that match, at most `limit` of them (ordered by cardholder, then card). */
export async function searchCardholders(deps: { db: Database; keys: Keys }, scope: LookupScope, query: LookupQuery, limit = LOOKUP_LIMIT): Promise<LookupResult> {
  const { db } = deps;
  let match: SQL | undefined;
  switch (query.kind) {
    case 'member':
      match = eq(members.loginId, query.loginId);
      break;
    case 'pan':
      match = eq(cards.panHash, await panLookupHash(deps.keys.panLookup, query.pan));
      break;
    case 'customer':
      match = eq(cardholders.customerRef, query.customerRef);
      break;
    case 'phone':
      // Two indexed look-ups: the registrations' OTP phones and the issuer's phone on file.
      match = or(
        inArray(cards.accountId, db.select({ id: members.cardAccountId }).from(members).where(eq(members.phone, query.phone))),
        inArray(cards.cardholderId, db.select({ id: cardholders.id }).from(cardholders).where(eq(cardholders.phoneOnFile, query.phone))),
      );
      break;
    case 'last4':
      match = and(eq(cards.panLast4, query.last4), 'birthDate' in query ? eq(cardholders.birthDate, query.birthDate) : undefined);
      break;
  }
  const byName = query.kind === 'last4' && 'name' in query ? query.name : undefined;
  const found = await db
    .select({
      cardholderId: cardholders.id,
      holderIssuerId: cardholders.issuerId,
      name: cardholders.name,
      nameKana: cardholders.nameKana,
      customerRef: cardholders.customerRef,
      cardId: cards.id,
      first6: cards.panFirst6,
      last4: cards.panLast4,
      brand: cards.brand,
      cardStatus: cards.status,
      memberStatus: members.status,
      loginId: members.loginId,
      authMethod: members.authMethod,
      phoneStatus: members.phoneStatus,
      phone: members.phone,
      lockedAt: members.lockedAt,
      lockCause: members.lockCause,
      // The card's latest transaction, through the (card_id, created_at) index.
      lastTrans: sql<string | null>`(SELECT t.acs_trans_id FROM transactions t WHERE t.card_id = ${cards.id} ORDER BY t.created_at DESC LIMIT 1)`,
    })
    .from(cards)
    .innerJoin(cardholders, eq(cardholders.id, cards.cardholderId))
    .leftJoin(members, eq(members.cardAccountId, cards.accountId))
    .where(and(match, scopeCondition(scope)))
    .orderBy(asc(cardholders.id), asc(cards.id))
    .limit(byName ? NAME_CANDIDATES : limit + 1);
  const matched = byName ? found.filter((r) => nameKey(r.name).includes(byName) || (r.nameKana !== null && nameKey(r.nameKana).includes(byName))) : found;
  const shown = matched.slice(0, limit);
  const lastIds = shown.map((r) => r.lastTrans).filter((id): id is string => id !== null);
  const last = new Map(
    lastIds.length === 0
      ? []
      : (
          await db
            .select({ id: transactions.acsTransID, at: transactions.createdAt, transStatus: transactions.transStatus, finalTransStatus: transactions.finalTransStatus, reason: transactions.transStatusReason, finalReason: transactions.finalTransStatusReason })
            .from(transactions)
            .where(inArray(transactions.acsTransID, lastIds))
        ).map((t) => [t.id, { at: t.at, transStatus: t.transStatus, finalTransStatus: t.finalTransStatus, reason: t.finalReason ?? t.reason }]),
  );
  return {
    // A name search that hit the candidate cap may have matched more than it could read.
    more: matched.length > limit || (byName !== undefined && found.length === NAME_CANDIDATES),
    rows: shown.map((r) => ({
      cardholderId: r.cardholderId,
      issuerId: ownerIssuer(r.holderIssuerId, scope.firstIssuerId),
      name: r.name,
      customerRef: r.customerRef,
      cardId: r.cardId,
      pan: maskedPan(r.first6, r.last4),
      brand: r.brand,
      cardStatus: r.cardStatus,
      registration: r.memberStatus ?? 'none',
      loginId: r.loginId,
      authMethod: r.authMethod,
      phoneStatus: r.phoneStatus,
      phone: maskPhone(r.phone),
      lockedAt: r.lockedAt,
      lockCause: r.lockCause,
      lastAuth: (r.lastTrans && last.get(r.lastTrans)) || null,
    })),
  };
}
