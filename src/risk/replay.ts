/**
 * Replays a draft rule set over the issuer's stored transactions of the last N days: each row's
 * stored signals (transactions.risk_detail.signals) are assessed again with the draft, and the
 * outcome mix is set beside what the risk decided then, with the transactions that would change.
 *
 * Which rows are replayed: only those whose ARes came from the risk decision. A row is
 * - "not replayable" when it has no risk_detail (older than the engine) or no usable signals;
 * - "fixed" when its ARes transStatus is not what its stored risk outcome maps to (frictionless Y,
 *   challenge C or D, reject R, informational I): the protocol or the card's state decided
 *   (expired N/05, stolen R/10, locked N/19, 3RI never C, a non-member's guidance, the breaker's
 *   U/22, Erro), and no rule can change that;
 * - replayed otherwise.
 *
 * Rows stream in keyset pages over transactions_issuer_created (issuer_id, created_at,
 * acs_trans_id), so 100k rows never sit in memory at once.
 */
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { transactions } from '../db/schema.ts';
import type { RiskDetail } from './detail.ts';
import { informationalAllowed } from './engine.ts';
import { assess, type CompiledRuleSet, type Outcome } from './rules/rule-set.ts';
import type { Signals } from './rules/signals.ts';

export const REPLAY_DAYS = { min: 1, max: 90, initial: 7 } as const;
export const CHANGED_LIMIT = 100;
const PAGE = 500;

export type Mix = Record<Outcome, number>;

export interface ReplayResult {
  days: number;
  since: number;
  /** Every row of the period. */
  total: number;
  notReplayable: number;
  fixed: number;
  replayed: number;
  /** What the risk decided then, over the replayed rows. */
  decided: Mix;
  /** What the draft decides, over the same rows. */
  draft: Mix;
  changedCount: number;
  /** The first CHANGED_LIMIT that would change, oldest first. */
  changed: { acsTransID: string; createdAt: number; from: Outcome; to: Outcome }[];
}

const emptyMix = (): Mix => ({ frictionless: 0, challenge: 0, reject: 0, informational: 0 });

const STATUS_FOR: Record<Outcome, readonly string[]> = { frictionless: ['Y'], challenge: ['C', 'D'], reject: ['R'], informational: ['I'] };

/** Whether the message allowed an I, as the engine decides it on the AReq. */
export function informationalAllowedFor(signals: Signals, messageVersion: string): boolean {
  const ind = signals['purchase.challengeInd'];
  return informationalAllowed(messageVersion, typeof ind === 'string' ? ind : undefined);
}

export async function replay(db: Database, issuerId: number, compiled: CompiledRuleSet, options: { days: number; now: number }): Promise<ReplayResult> {
  const days = Math.min(REPLAY_DAYS.max, Math.max(REPLAY_DAYS.min, Math.trunc(options.days)));
  const since = options.now - days * 86_400_000;
  const result: ReplayResult = { days, since, total: 0, notReplayable: 0, fixed: 0, replayed: 0, decided: emptyMix(), draft: emptyMix(), changedCount: 0, changed: [] };
  let after: { createdAt: number; acsTransID: string } | undefined;
  for (;;) {
    const page = await db
      .select({ acsTransID: transactions.acsTransID, createdAt: transactions.createdAt, transStatus: transactions.transStatus, messageVersion: transactions.messageVersion, riskDetail: transactions.riskDetail })
      .from(transactions)
      .where(
        and(
          eq(transactions.issuerId, issuerId),
          gte(transactions.createdAt, since),
          sql`${transactions.createdAt} <= ${options.now}`,
          // A row value, so that each page starts its index range where the last one ended.
          after ? sql`(${transactions.createdAt}, ${transactions.acsTransID}) > (${after.createdAt}, ${after.acsTransID})` : undefined,
        ),
      )
      .orderBy(asc(transactions.createdAt), asc(transactions.acsTransID))
      .limit(PAGE);
    for (const row of page) {
      result.total += 1;
      const detail = readDetail(row.riskDetail);
      if (!detail) {
        result.notReplayable += 1;
        continue;
      }
      const from = detail.assessment.outcome;
      if (!STATUS_FOR[from]?.includes(row.transStatus)) {
        result.fixed += 1;
        continue;
      }
      const to = assess(compiled, detail.signals, { informationalAllowed: informationalAllowedFor(detail.signals, row.messageVersion) }).outcome;
      result.replayed += 1;
      result.decided[from] += 1;
      result.draft[to] += 1;
      if (to !== from) {
        result.changedCount += 1;
        if (result.changed.length < CHANGED_LIMIT) result.changed.push({ acsTransID: row.acsTransID, createdAt: row.createdAt, from, to });
      }
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = { createdAt: last.createdAt, acsTransID: last.acsTransID };
  }
  return result;
}

/** The stored detail when it has what a replay needs (signals and the outcome), else undefined. */
export function readDetail(raw: unknown): (Pick<RiskDetail, 'signals'> & { assessment: Pick<RiskDetail['assessment'], 'outcome'> }) | undefined {
  const value = typeof raw === 'string' ? safeParse(raw) : raw;
  if (!value || typeof value !== 'object') return undefined;
  const d = value as Partial<RiskDetail>;
  if (!d.signals || typeof d.signals !== 'object' || !d.assessment || !(d.assessment.outcome in STATUS_FOR)) return undefined;
  return d as RiskDetail;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A share as the page shows it: "12.5%" (— for an empty period). */
export function rate(count: number, of: number): string {
  return of === 0 ? '—' : `${((count / of) * 100).toFixed(1)}%`;
}
