/**
 * A card's risk history, kept incrementally (issue 16: counters, not COUNT(*) scans):
 * - card_risk_state: authentications in the current and the previous hour and day window (read as
 *   a sliding estimate: current + previous × the part of the previous window still inside the last
 *   hour/day), frictionless authentications and their amount since the last challenge (the PSD2
 *   low-value counters: +1 and +amount on Y, reset on C), failed or abandoned challenges in the 24 h
 *   since the first of them, and when a challenge last succeeded;
 * - card_seen: the devices and IP prefixes (keyed hashes) and merchants a card was seen with.
 *
 * Reads happen once per AReq (`readHistory`, one db.batch of indexed selects); writes go into the
 * AReq's one durable write (`historyStatements`, transaction-writer.ts) and into the ending of a
 * challenge (`challengeEndStatement`, end-transaction.ts). Every write applies only where the
 * AReq's transaction row exists, so a replayed twin counts nothing.
 */
import type { InStatement, InValue } from '@libsql/client';
import { and, count, eq, gte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { cardRiskState, cardSeen, memberReports, methodData, type SeenKind } from '../db/schema.ts';
import type { Keys } from '../keys.ts';

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export type CardRiskState = typeof cardRiskState.$inferSelect;

// ─── Keyed hashes for card_seen ────────────────────────────────────────────────

const seenKeys = new WeakMap<Keys, Promise<CryptoKey>>();

/**
 * The key card_seen's device and IP values are hashed with: derived from the PAN look-up key
 * (HMAC of a fixed label, imported as its own HMAC key), so no new secret to configure, and a
 * value in card_seen cannot be compared with a PAN hash. The card's id is hashed in too: the same
 * browser on two cards gives two unrelated values.
 */
function seenKey(keys: Keys): Promise<CryptoKey> {
  let key = seenKeys.get(keys);
  if (!key) {
    key = crypto.subtle
      .sign('HMAC', keys.panLookup, new TextEncoder().encode('mamori/risk/card-seen/v1'))
      .then((raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    seenKeys.set(keys, key);
  }
  return key;
}

export async function seenHash(keys: Keys, cardId: number, kind: 'device' | 'ip', value: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await seenKey(keys), new TextEncoder().encode(`${kind}|${cardId}|${value}`));
  return Buffer.from(mac).toString('base64url');
}

// ─── Reads ──────────────────────────────────────────────────────────────────────

export interface SeenValues {
  device: string | null;
  ip: string | null;
  merchant: string | null;
}

export interface HistoryRead {
  state: CardRiskState | undefined;
  /** Which of this AReq's values the card was seen with before (merchant: within 24 h). */
  seen: { device: boolean; ip: boolean; merchant24h: boolean };
  /** Distinct merchants in the last 24 h, before this AReq. */
  merchants24h: number;
  notMe90d: number | null;
}

/** One batch of indexed reads: the card's counters, what it was seen with, its recent merchants and "not me" reports. */
export async function readHistory(
  db: Database,
  args: { cardId: number; memberId: number | null; values: SeenValues; now: number },
): Promise<HistoryRead> {
  const { cardId, memberId, values, now } = args;
  const wanted: SQL[] = [];
  for (const kind of ['device', 'ip', 'merchant'] as const) {
    const value = values[kind];
    if (value !== null) wanted.push(and(eq(cardSeen.kind, kind), eq(cardSeen.value, value))!);
  }
  const [state, seenRows, merchants, reports] = await db.batch([
    db.select().from(cardRiskState).where(eq(cardRiskState.cardId, cardId)),
    db
      .select({ kind: cardSeen.kind, lastSeen: cardSeen.lastSeen })
      .from(cardSeen)
      .where(and(eq(cardSeen.cardId, cardId), wanted.length > 0 ? or(...wanted) : sql`0`)),
    // Over one card's rows (index card_seen_last: card, kind, last_seen).
    db.select({ n: count() }).from(cardSeen).where(and(eq(cardSeen.cardId, cardId), eq(cardSeen.kind, 'merchant'), gte(cardSeen.lastSeen, now - DAY_MS))),
    // Over one member's reports (index member_reports_member).
    db
      .select({ n: count() })
      .from(memberReports)
      .where(and(eq(memberReports.memberId, memberId ?? -1), eq(memberReports.kind, 'transaction'), gte(memberReports.createdAt, now - 90 * DAY_MS))),
  ]);
  const kinds = new Map(seenRows.map((r) => [r.kind, r.lastSeen]));
  return {
    state: state[0],
    seen: { device: kinds.has('device'), ip: kinds.has('ip'), merchant24h: (kinds.get('merchant') ?? -Infinity) >= now - DAY_MS },
    merchants24h: merchants[0]?.n ?? 0,
    notMe90d: memberId === null ? null : (reports[0]?.n ?? 0),
  };
}

/** The 3DS Method's data for this AReq, while it is kept (src/acs/method.tsx stores it). */
export async function readMethodData(db: Database, threeDSServerTransID: string, now: number): Promise<string | undefined> {
  const row = await db
    .select({ data: methodData.data })
    .from(methodData)
    .where(and(eq(methodData.threeDSServerTransID, threeDSServerTransID), gte(methodData.expiresAt, now)))
    .get();
  return row?.data;
}

/** Start of the fixed window (hour or day, UTC-aligned) that holds `now`. */
export function windowStart(now: number, size: number): number {
  return Math.floor(now / size) * size;
}

/**
 * Authentications in the last `size` ms before this AReq, estimated from two fixed windows: all of
 * the current one, and of the previous one the part that still lies in the last `size` ms
 * (assuming it was spread evenly). Rounded: the rules compare whole counts.
 */
export function slidingCount(windowAt: number, current: number, previous: number, now: number, size: number): number {
  const start = windowStart(now, size);
  const remaining = 1 - (now - start) / size;
  if (windowAt >= start) return Math.round(current + previous * remaining);
  if (windowAt === start - size) return Math.round(current * remaining);
  return 0;
}

export function authsInLastHour(state: CardRiskState | undefined, now: number): number {
  return state ? slidingCount(state.hourWindowStart, state.hourCount, state.prevHourCount, now, HOUR_MS) : 0;
}

export function authsInLastDay(state: CardRiskState | undefined, now: number): number {
  return state ? slidingCount(state.dayWindowStart, state.dayCount, state.prevDayCount, now, DAY_MS) : 0;
}

/**
 * The velocity rule's view of a card now, as the next AReq will see it (for the sandbox's card
 * page): the authentications of the last hour, and from when (if it is over the limit now) the
 * next one is within the limit again, with no new authentication in between. The estimate only
 * falls with time, so the moment is found by bisection over whole milliseconds.
 */
export function hourlyOutlook(state: CardRiskState | undefined, now: number, limit: number): { count: number; frictionlessAgainAt: number | null } {
  const count = authsInLastHour(state, now);
  if (count + 1 <= limit) return { count, frictionlessAgainAt: null };
  let lo = now; // over the limit at lo
  let hi = windowStart(state!.hourWindowStart, HOUR_MS) + 2 * HOUR_MS; // nothing left by then
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (authsInLastHour(state, mid) + 1 <= limit) hi = mid;
    else lo = mid;
  }
  return { count, frictionlessAgainAt: hi };
}

export function failedChallengesInLastDay(state: CardRiskState | undefined, now: number): number {
  return state && now - state.failedChallengesDayStart < DAY_MS ? state.failedChallengesDayCount : 0;
}

// ─── Writes ─────────────────────────────────────────────────────────────────────

/** What one AReq adds to its card's history, once its row is stored. */
export interface HistoryUpdate {
  cardId: number;
  /** The ARes's transStatus: Y counts towards the PSD2 counters, C resets them. */
  transStatus: string;
  /** This AReq's amount in the home currency (0 when unknown). */
  amountHome: number;
  seen: SeenValues;
  now: number;
}

const STATE_UPSERT = `INSERT INTO card_risk_state (card_id, hour_window_start, hour_count, prev_hour_count, day_window_start, day_count, prev_day_count,
    consecutive_frictionless, frictionless_amount_home, updated_at)
  SELECT ?1, ?2, 1, 0, ?3, 1, 0, CASE ?5 WHEN 'Y' THEN 1 ELSE 0 END, CASE ?5 WHEN 'Y' THEN ?6 ELSE 0 END, ?4
  WHERE EXISTS (SELECT 1 FROM transactions WHERE acs_trans_id = ?7)
  ON CONFLICT (card_id) DO UPDATE SET
    hour_count = CASE WHEN hour_window_start >= ?2 THEN hour_count + 1 ELSE 1 END,
    prev_hour_count = CASE WHEN hour_window_start >= ?2 THEN prev_hour_count WHEN hour_window_start = ?2 - ${HOUR_MS} THEN hour_count ELSE 0 END,
    hour_window_start = max(hour_window_start, ?2),
    day_count = CASE WHEN day_window_start >= ?3 THEN day_count + 1 ELSE 1 END,
    prev_day_count = CASE WHEN day_window_start >= ?3 THEN prev_day_count WHEN day_window_start = ?3 - ${DAY_MS} THEN day_count ELSE 0 END,
    day_window_start = max(day_window_start, ?3),
    consecutive_frictionless = CASE ?5 WHEN 'Y' THEN consecutive_frictionless + 1 WHEN 'C' THEN 0 ELSE consecutive_frictionless END,
    frictionless_amount_home = CASE ?5 WHEN 'Y' THEN frictionless_amount_home + ?6 WHEN 'C' THEN 0 ELSE frictionless_amount_home END,
    updated_at = ?4`;

/** The statements of one AReq's history, in the AReq's own write (they apply only if its row `acsTransID` is stored). */
export function historyStatements(acsTransID: string, update: HistoryUpdate): InStatement[] {
  const { cardId, now } = update;
  const out: InStatement[] = [
    { sql: STATE_UPSERT, args: [cardId, windowStart(now, HOUR_MS), windowStart(now, DAY_MS), now, update.transStatus, Math.max(0, Math.round(update.amountHome)), acsTransID] },
  ];
  const seen = (['device', 'ip', 'merchant'] as SeenKind[]).filter((k) => update.seen[k] !== null);
  if (seen.length > 0) {
    const args: InValue[] = [];
    for (const kind of seen) args.push(cardId, kind, update.seen[kind]!, now);
    args.push(acsTransID);
    out.push({
      sql:
        `INSERT INTO card_seen (card_id, kind, value, first_seen, last_seen, count) ` +
        `SELECT v.column1, v.column2, v.column3, v.column4, v.column4, 1 FROM (VALUES ${seen.map(() => '(?, ?, ?, ?)').join(', ')}) AS v ` +
        `WHERE EXISTS (SELECT 1 FROM transactions WHERE acs_trans_id = ?) ` +
        `ON CONFLICT (card_id, kind, value) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen), count = count + 1`,
      args,
    });
  }
  return out;
}

/**
 * When a challenge ends (end-transaction.ts, in its batch, only where `reached` holds): a failed,
 * cancelled or abandoned one counts among the card's failed challenges of the last 24 h (a new
 * 24-h span starts with the first failure after the last span ended); a successful one is the
 * card's last challenge.
 */
export function challengeEndStatement(db: Database, acsTransID: string, to: 'completed' | 'failed' | 'cancelled' | 'expired', now: number, reached: SQL) {
  const card = sql`(SELECT card_id FROM transactions WHERE acs_trans_id = ${acsTransID} AND card_id IS NOT NULL)`;
  if (to === 'completed') {
    return db.run(sql`INSERT INTO card_risk_state (card_id, last_challenge_at, updated_at) SELECT ${card}, ${now}, ${now} WHERE ${card} IS NOT NULL AND ${reached}
      ON CONFLICT (card_id) DO UPDATE SET last_challenge_at = excluded.last_challenge_at, updated_at = excluded.updated_at`);
  }
  return db.run(sql`INSERT INTO card_risk_state (card_id, failed_challenges_day_start, failed_challenges_day_count, updated_at)
      SELECT ${card}, ${now}, 1, ${now} WHERE ${card} IS NOT NULL AND ${reached}
      ON CONFLICT (card_id) DO UPDATE SET
        failed_challenges_day_count = CASE WHEN ${now} - failed_challenges_day_start < ${DAY_MS} THEN failed_challenges_day_count + 1 ELSE 1 END,
        failed_challenges_day_start = CASE WHEN ${now} - failed_challenges_day_start < ${DAY_MS} THEN failed_challenges_day_start ELSE ${now} END,
        updated_at = excluded.updated_at`);
}
