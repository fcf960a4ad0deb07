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
 * AReq's one durable write (`historyBatchStatements`, transaction-writer.ts: one set for the whole group commit) and into the ending of a
 * challenge (`challengeEndStatement`, end-transaction.ts). Every write applies only where the
 * AReq's transaction row exists, so a replayed twin counts nothing.
 */
import type { InStatement, InValue } from '@libsql/client';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { bool, selectRows } from '../db/statements.ts';
import { cardRiskState, type SeenKind } from '../db/schema.ts';
import { hmacBase64url } from '../encoding.ts';
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
  return hmacBase64url(await seenKey(keys), `${kind}|${cardId}|${value}`);
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

/**
 * The history an AReq reads, in one statement of indexed look-ups (one snapshot, one prepare): the
 * card's counters (primary key), whether its device, IP prefix and merchant were seen (card_seen's
 * primary key), its merchants of the last 24 h (index card_seen_last: card, kind, last_seen) and
 * the member's "not me" reports of 90 days (index member_reports_member). Fixed SQL: it runs on
 * every AReq. A null value matches nothing (= NULL), as an unknown device was never seen.
 */
const HISTORY_READ = `SELECT s.card_id, s.hour_window_start, s.hour_count, s.prev_hour_count, s.day_window_start, s.day_count, s.prev_day_count,
    s.consecutive_frictionless, s.frictionless_amount_home, s.last_challenge_at, s.failed_challenges_day_start, s.failed_challenges_day_count, s.updated_at,
    EXISTS (SELECT 1 FROM card_seen WHERE card_id = ?1 AND kind = 'device' AND value = ?2),
    EXISTS (SELECT 1 FROM card_seen WHERE card_id = ?1 AND kind = 'ip' AND value = ?3),
    (SELECT last_seen FROM card_seen WHERE card_id = ?1 AND kind = 'merchant' AND value = ?4),
    (SELECT count(*) FROM card_seen WHERE card_id = ?1 AND kind = 'merchant' AND last_seen >= ?5),
    (SELECT count(*) FROM member_reports WHERE member_id = ?6 AND kind = 'transaction' AND created_at >= ?7)
  FROM (SELECT 1) LEFT JOIN card_risk_state s ON s.card_id = ?1`;

export async function readHistory(
  db: Database,
  args: { cardId: number; memberId: number | null; values: SeenValues; now: number },
): Promise<HistoryRead> {
  const { cardId, memberId, values, now } = args;
  const [r] = await selectRows(db, HISTORY_READ, [cardId, values.device, values.ip, values.merchant, now - DAY_MS, memberId ?? -1, now - 90 * DAY_MS]);
  const num = (i: number) => Number(r[i]);
  const state: CardRiskState | undefined =
    r[0] === null
      ? undefined
      : {
          cardId: num(0),
          hourWindowStart: num(1),
          hourCount: num(2),
          prevHourCount: num(3),
          dayWindowStart: num(4),
          dayCount: num(5),
          prevDayCount: num(6),
          consecutiveFrictionless: num(7),
          frictionlessAmountHome: num(8),
          lastChallengeAt: r[9] === null ? null : num(9),
          failedChallengesDayStart: num(10),
          failedChallengesDayCount: num(11),
          updatedAt: num(12),
        };
  const merchantLastSeen = r[15] === null ? -Infinity : num(15);
  return {
    state,
    seen: { device: bool(r[13]), ip: bool(r[14]), merchant24h: merchantLastSeen >= now - DAY_MS },
    merchants24h: num(16),
    notMe90d: memberId === null ? null : num(17),
  };
}

/** The 3DS Method's data for this AReq, while it is kept (src/acs/method.tsx stores it). */
export async function readMethodData(db: Database, threeDSServerTransID: string, now: number): Promise<string | undefined> {
  const [row] = await selectRows(db, 'SELECT data FROM method_data WHERE three_ds_server_trans_id = ? AND expires_at >= ?', [threeDSServerTransID, now]);
  return row ? (row[0] as string) : undefined;
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

/**
 * The statements of a group commit's history (transaction-writer.ts), whatever the number of
 * AReqs in it: each update applies only where its AReq's row `acsTransID` is stored. The counters
 * are one INSERT of the cards not yet counted and one UPDATE … FROM of all of them (an UPDATE
 * applies one source row per card, so a card twice in the batch moves on in a second round, in
 * submission order); what the cards were seen with is one UPSERT.
 */
export function historyBatchStatements(updates: { acsTransID: string; update: HistoryUpdate }[]): InStatement[] {
  const out: InStatement[] = [];
  let rest = updates;
  while (rest.length > 0) {
    const cards = new Set<number>();
    const round: typeof updates = [];
    const later: typeof updates = [];
    for (const u of rest) (cards.has(u.update.cardId) ? later : (cards.add(u.update.cardId), round)).push(u);
    out.push(...stateStatements(round));
    rest = later;
  }
  const seenArgs: InValue[] = [];
  const seenTuples: string[] = [];
  for (const { acsTransID, update } of updates) {
    for (const kind of ['device', 'ip', 'merchant'] as SeenKind[]) {
      const value = update.seen[kind];
      if (value === null) continue;
      seenTuples.push('(?, ?, ?, ?, ?)');
      seenArgs.push(update.cardId, kind, value, update.now, acsTransID);
    }
  }
  if (seenTuples.length > 0) {
    out.push({
      sql:
        `INSERT INTO card_seen (card_id, kind, value, first_seen, last_seen, count) ` +
        `SELECT v.column1, v.column2, v.column3, v.column4, v.column4, 1 FROM (VALUES ${seenTuples.join(', ')}) AS v ` +
        `WHERE EXISTS (SELECT 1 FROM transactions WHERE acs_trans_id = v.column5) ` +
        `ON CONFLICT (card_id, kind, value) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen), count = count + 1`,
      args: seenArgs,
    });
  }
  return out;
}

/** One round (each card once): a zero row for a card never counted, then every card's counters moved on. */
function stateStatements(round: { acsTransID: string; update: HistoryUpdate }[]): InStatement[] {
  const args: InValue[] = [];
  for (const { acsTransID, update } of round) {
    const { cardId, now } = update;
    args.push(cardId, windowStart(now, HOUR_MS), windowStart(now, DAY_MS), now, update.transStatus, Math.max(0, Math.round(update.amountHome)), acsTransID);
  }
  // v.column1 card, 2 hour window, 3 day window, 4 now, 5 transStatus, 6 amount (home), 7 acsTransID
  const values = `(VALUES ${round.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}) AS v`;
  const stored = 'EXISTS (SELECT 1 FROM transactions WHERE acs_trans_id = v.column7)';
  return [
    {
      sql: `INSERT INTO card_risk_state (card_id, updated_at) SELECT v.column1, v.column4 FROM ${values} WHERE ${stored} ON CONFLICT (card_id) DO NOTHING`,
      args,
    },
    {
      // A row just inserted has its windows at 0: it counts this AReq as its first.
      sql: `UPDATE card_risk_state AS s SET
    hour_count = CASE WHEN s.hour_window_start >= v.column2 THEN s.hour_count + 1 ELSE 1 END,
    prev_hour_count = CASE WHEN s.hour_window_start >= v.column2 THEN s.prev_hour_count WHEN s.hour_window_start = v.column2 - ${HOUR_MS} THEN s.hour_count ELSE 0 END,
    hour_window_start = max(s.hour_window_start, v.column2),
    day_count = CASE WHEN s.day_window_start >= v.column3 THEN s.day_count + 1 ELSE 1 END,
    prev_day_count = CASE WHEN s.day_window_start >= v.column3 THEN s.prev_day_count WHEN s.day_window_start = v.column3 - ${DAY_MS} THEN s.day_count ELSE 0 END,
    day_window_start = max(s.day_window_start, v.column3),
    consecutive_frictionless = CASE v.column5 WHEN 'Y' THEN s.consecutive_frictionless + 1 WHEN 'C' THEN 0 ELSE s.consecutive_frictionless END,
    frictionless_amount_home = CASE v.column5 WHEN 'Y' THEN s.frictionless_amount_home + v.column6 WHEN 'C' THEN 0 ELSE s.frictionless_amount_home END,
    updated_at = v.column4
  FROM ${values} WHERE s.card_id = v.column1 AND ${stored}`,
      args,
    },
  ];
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
