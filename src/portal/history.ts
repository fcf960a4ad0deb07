/**
 * "My authentications": the signed-in member's recent 3-D Secure authentications, of every card
 * of their account (a reissued card's old number too), newest first, a page at a time by keyset
 * (created_at DESC, acs_trans_id DESC, the trail's cursor). Each row is what a cardholder can
 * read: when, where, how much, what happened in plain words, how they proved it was them, and
 * which card. Never the risk engine's reasons or score, nor a protocol code: the cardholder's
 * page shows none of it (issue 15).
 *
 * @example
 *   const { rows, next } = await memberHistory(db, member, clock.now(), { after })
 *   rows[0].outcome // 'code' | 'frictionless' | 'failed' | …
 */
import { and, desc, eq, gte, lt, lte, or } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { cards, memberReports, transactions, type ChallengeMethod } from '../db/schema.ts';
import { decodeCursor, encodeCursor } from '../trail/cursor.ts';

/** How far back the page reaches, and how many rows a page shows. */
export const HISTORY_DAYS = 90;
export const HISTORY_PAGE_SIZE = 20;

/** What happened, as a cardholder reads it (the view words each one). */
export type Outcome =
  /** Approved by the ACS without asking the cardholder (transStatus Y, or A). */
  | 'frictionless'
  /** The cardholder typed the SMS code (or the static password) and it was accepted. */
  | 'authenticated'
  /** Wrong entries up to the lock, or the card cannot authenticate now. */
  | 'failed'
  | 'cancelled'
  | 'timed_out'
  /** The challenge only showed what to do first (register, register a phone). */
  | 'needs_registration'
  /** Refused without a challenge (N, R: e.g. an expired, blocked or replaced card). */
  | 'declined'
  /** The authentication could not be carried out (U, or an error during the challenge). */
  | 'unavailable'
  /** Still open: the challenge has not ended yet. */
  | 'in_progress';

/** How the cardholder proved it was them. */
export type Method = 'sms' | 'password' | 'none';

export interface HistoryRow {
  acsTransID: string;
  createdAt: number;
  merchantName: string | null;
  purchaseAmount: string | null;
  purchaseCurrency: string | null;
  purchaseExponent: number | null;
  last4: string;
  outcome: Outcome;
  method: Method;
  /** When the member reported it as "not me", if they did. */
  reportedAt: number | null;
}

/** The columns the page reads (never risk_score, risk_reasons, reasons or messages). */
const COLUMNS = {
  acsTransID: transactions.acsTransID,
  createdAt: transactions.createdAt,
  merchantName: transactions.merchantName,
  purchaseAmount: transactions.purchaseAmount,
  purchaseCurrency: transactions.purchaseCurrency,
  purchaseExponent: transactions.purchaseExponent,
  last4: transactions.panLast4,
  transStatus: transactions.transStatus,
  finalTransStatus: transactions.finalTransStatus,
  finalTransStatusReason: transactions.finalTransStatusReason,
  challengeCancel: transactions.challengeCancel,
  challengeMethod: transactions.challengeMethod,
  state: transactions.state,
};

type Raw = { transStatus: string; finalTransStatus: string | null; finalTransStatusReason: string | null; challengeCancel: string | null; challengeMethod: ChallengeMethod | null; state: string };

/** The member as this module needs them: their id and their card account. */
export interface HistoryMember {
  id: number;
  cardAccountId: number;
}

/**
 * One page of the member's authentications in the last HISTORY_DAYS days, and the cursor of the
 * next page when there is one. A cursor that is not one starts from the newest row.
 */
export async function memberHistory(db: Database, member: HistoryMember, now: number, page: { after?: string } = {}): Promise<{ rows: HistoryRow[]; next?: string }> {
  const cursor = decodeCursor(page.after);
  const rows = await db
    .select({ ...COLUMNS, reportedAt: memberReports.createdAt })
    .from(transactions)
    // The account's cards: transactions_card_created serves each card's walk by created_at.
    .innerJoin(cards, eq(cards.id, transactions.cardId))
    .leftJoin(memberReports, and(eq(memberReports.memberId, member.id), eq(memberReports.acsTransID, transactions.acsTransID)))
    .where(
      and(
        eq(cards.accountId, member.cardAccountId),
        gte(transactions.createdAt, now - HISTORY_DAYS * 86_400_000),
        cursor
          ? and(lte(transactions.createdAt, cursor.createdAt), or(lt(transactions.createdAt, cursor.createdAt), lt(transactions.acsTransID, cursor.acsTransID)))
          : undefined,
      ),
    )
    .orderBy(desc(transactions.createdAt), desc(transactions.acsTransID))
    .limit(HISTORY_PAGE_SIZE + 1);
  const shown = rows.slice(0, HISTORY_PAGE_SIZE).map(present);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > HISTORY_PAGE_SIZE && last ? encodeCursor(last) : undefined };
}

/**
 * One authentication of the member's account (any card of it), for the "not me" report; undefined
 * for an unknown id and for another account's alike.
 */
export async function ownTransaction(db: Database, member: HistoryMember, acsTransID: string): Promise<HistoryRow | undefined> {
  if (!/^[0-9a-f-]{1,64}$/i.test(acsTransID)) return undefined;
  const [row] = await db
    .select({ ...COLUMNS, reportedAt: memberReports.createdAt })
    .from(transactions)
    .innerJoin(cards, eq(cards.id, transactions.cardId))
    .leftJoin(memberReports, and(eq(memberReports.memberId, member.id), eq(memberReports.acsTransID, transactions.acsTransID)))
    .where(and(eq(transactions.acsTransID, acsTransID.toLowerCase()), eq(cards.accountId, member.cardAccountId)))
    .limit(1);
  return row ? present(row) : undefined;
}

function present(row: Omit<HistoryRow, 'outcome' | 'method'> & Raw): HistoryRow {
  return {
    acsTransID: row.acsTransID,
    createdAt: row.createdAt,
    merchantName: row.merchantName,
    purchaseAmount: row.purchaseAmount,
    purchaseCurrency: row.purchaseCurrency,
    purchaseExponent: row.purchaseExponent,
    last4: row.last4,
    reportedAt: row.reportedAt ?? null,
    outcome: outcomeOf(row),
    method: methodOf(row),
  };
}

/**
 * The ARes's transStatus and, for a challenge, how it ended (src/challenge/finish.ts): cancelled
 * carries challengeCancel 01, a timeout 04 (05: the timer), a guidance page the guidance method.
 */
export function outcomeOf(r: Raw): Outcome {
  switch (r.transStatus) {
    case 'Y':
    case 'A':
      return 'frictionless';
    case 'N':
    case 'R':
      return 'declined';
    case 'C':
      break;
    default:
      return 'unavailable';
  }
  if (r.challengeMethod === 'guidance_register' || r.challengeMethod === 'guidance_phone') return r.finalTransStatus ? 'needs_registration' : 'in_progress';
  if (r.finalTransStatus === 'Y') return 'authenticated';
  if (r.challengeCancel === '01' || r.state === 'cancelled') return 'cancelled';
  if (r.challengeCancel === '04' || r.challengeCancel === '05' || r.state === 'expired') return 'timed_out';
  if (r.finalTransStatus === 'N') return 'failed';
  if (r.finalTransStatus) return 'unavailable';
  return 'in_progress';
}

/** How the cardholder was asked: only a challenge by SMS code or password asks anything. */
export function methodOf(r: Pick<Raw, 'transStatus' | 'challengeMethod'>): Method {
  if (r.transStatus !== 'C') return 'none';
  return r.challengeMethod === 'sms_otp' ? 'sms' : r.challengeMethod === 'password' ? 'password' : 'none';
}
