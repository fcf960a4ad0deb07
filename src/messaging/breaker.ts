/**
 * The SMS provider's circuit breaker, kept in one database row (`sms_breaker`, id 1) so every
 * process and Workers isolate agrees:
 *
 *   closed ──(SMS_BREAKER_THRESHOLD consecutive provider failures)──> open
 *   open ──(SMS_BREAKER_OPEN_SECONDS later, the next send claims the probe)──> half_open
 *   half_open ──(probe succeeds)──> closed     half_open ──(probe fails)──> open
 *
 * While it is open (or a probe is under way) no SMS is sent and the ACS offers no SMS challenge:
 * an AReq that would need one is answered U with SMS_BREAKER_TRANS_STATUS_REASON (22). Every move
 * is one guarded UPDATE or UPSERT, so of two processes only one makes it, and only that one logs it.
 * The AReq path reads the state through a one-second in-process cache; sends read it fresh.
 */
import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { selectRows } from '../db/statements.ts';
import { smsBreaker, type SmsBreakerState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

const ROW_ID = 1;
/** How stale the AReq path's view may be; a send always reads the row itself. */
const CACHE_MS = 1000;
/** A probe that has not reported within this much of the send budget is presumed lost (its process died). */
const PROBE_LEASE_EXTRA_MS = 5000;

export type BreakerRow = Pick<typeof smsBreaker.$inferSelect, 'state' | 'consecutiveFailures' | 'openedAt' | 'probeStartedAt'>;

/** What the breaker means right now: the state to report, and whether a send may go out (as a probe). */
export interface BreakerView {
  state: SmsBreakerState;
  sends: 'yes' | 'probe' | 'no';
}

type BreakerDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'log'>;

const cache = new WeakMap<Database, { row: BreakerRow | undefined; at: number }>();

export function breakerView(row: BreakerRow | undefined, now: number, deps: Pick<AppDeps, 'config'>): BreakerView {
  if (!row || row.state === 'closed') return { state: 'closed', sends: 'yes' };
  if (row.state === 'open') {
    const due = (row.openedAt ?? 0) + deps.config.SMS_BREAKER_OPEN_SECONDS * 1000 <= now;
    return due ? { state: 'half_open', sends: 'probe' } : { state: 'open', sends: 'no' };
  }
  const lost = (row.probeStartedAt ?? 0) + probeLeaseMs(deps) <= now;
  return { state: 'half_open', sends: lost ? 'probe' : 'no' };
}

/** The breaker row, from the cache when it is younger than `maxAgeMs`. Fixed SQL: the AReq path reads it every second. */
export async function readBreaker(deps: BreakerDeps, maxAgeMs = 0): Promise<BreakerRow | undefined> {
  const now = deps.clock.now();
  const hit = cache.get(deps.db);
  if (hit && maxAgeMs > 0 && now - hit.at < maxAgeMs) return hit.row;
  const [r] = await selectRows(deps.db, BREAKER_READ, [ROW_ID]);
  const row: BreakerRow | undefined = r
    ? { state: r[0] as SmsBreakerState, consecutiveFailures: Number(r[1]), openedAt: r[2] === null ? null : Number(r[2]), probeStartedAt: r[3] === null ? null : Number(r[3]) }
    : undefined;
  cache.set(deps.db, { row, at: now });
  return row;
}
const BREAKER_READ = 'SELECT state, consecutive_failures, opened_at, probe_started_at FROM sms_breaker WHERE id = ?';

/**
 * The breaker row for /healthz, which is also its database answer: read afresh at most every
 * HEALTH_MS of real time (a monitor or a load balancer polling many times a second costs one read;
 * the injected clock may stand still), at once after this process changed the breaker, and again
 * on the next call after a failed read (so a database that stops answering is reported at once).
 */
const HEALTH_MS = 500;
const forHealth = new WeakMap<Database, { at: number; row: Promise<BreakerRow | undefined> }>();
export function readBreakerForHealth(deps: BreakerDeps): Promise<BreakerRow | undefined> {
  const at = performance.now();
  const hit = forHealth.get(deps.db);
  if (hit && at - hit.at < HEALTH_MS) return hit.row;
  const row = readBreaker(deps);
  forHealth.set(deps.db, { at, row });
  row.catch(() => {
    if (forHealth.get(deps.db)?.row === row) forHealth.delete(deps.db);
  });
  return row;
}

/**
 * Whether the ACS may offer an SMS challenge now (for the AReq decision): false while the breaker is
 * open and its delay has not passed, or while a probe is under way. One cheap read, cached for a second.
 */
export async function smsChallengesAvailable(deps: BreakerDeps): Promise<boolean> {
  const row = await readBreaker(deps, CACHE_MS);
  return breakerView(row, deps.clock.now(), deps).sends !== 'no';
}

/**
 * Asks to send: `{ ok: true, probe: false }` while closed; when a probe is due, exactly one caller
 * claims it (`probe: true`); everyone else is refused until the probe reports.
 */
export async function acquireSend(deps: BreakerDeps): Promise<{ ok: true; probe: boolean } | { ok: false }> {
  const now = deps.clock.now();
  const view = breakerView(await readBreaker(deps), now, deps);
  if (view.sends === 'yes') return { ok: true, probe: false };
  if (view.sends === 'no') return { ok: false };
  const openMs = deps.config.SMS_BREAKER_OPEN_SECONDS * 1000;
  const claimed = await deps.db
    .update(smsBreaker)
    .set({ state: 'half_open', probeStartedAt: now, updatedAt: now })
    .where(
      and(
        eq(smsBreaker.id, ROW_ID),
        or(
          and(eq(smsBreaker.state, 'open'), lte(smsBreaker.openedAt, now - openMs)),
          and(eq(smsBreaker.state, 'half_open'), lte(smsBreaker.probeStartedAt, now - probeLeaseMs(deps))),
        ),
      ),
    )
    .returning();
  remember(deps, claimed[0]);
  if (claimed.length === 0) return { ok: false };
  deps.log.warn('sms breaker half-open: this send is the probe', { breaker: 'half_open', failures: claimed[0].consecutiveFailures });
  return { ok: true, probe: true };
}

/** A provider call succeeded: a probe closes the breaker; otherwise the failure count restarts. */
export async function recordSuccess(deps: BreakerDeps, probe: boolean): Promise<void> {
  const now = deps.clock.now();
  if (probe) {
    const closed = await deps.db
      .update(smsBreaker)
      .set({ state: 'closed', consecutiveFailures: 0, openedAt: null, probeStartedAt: null, lastError: null, updatedAt: now })
      .where(and(eq(smsBreaker.id, ROW_ID), eq(smsBreaker.state, 'half_open')))
      .returning();
    remember(deps, closed[0]);
    if (closed.length > 0) deps.log.info('sms breaker closed: the probe succeeded', { breaker: 'closed' });
    return;
  }
  const reset = await deps.db
    .update(smsBreaker)
    .set({ consecutiveFailures: 0, lastError: null, updatedAt: now })
    .where(and(eq(smsBreaker.id, ROW_ID), eq(smsBreaker.state, 'closed'), gt(smsBreaker.consecutiveFailures, 0)))
    .returning();
  if (reset.length > 0) remember(deps, reset[0]);
}

/**
 * A provider call failed. A probe re-opens the breaker; otherwise the consecutive count rises and
 * the call that reaches the threshold opens it. Returns whether this call opened it.
 */
export async function recordFailure(deps: BreakerDeps, probe: boolean, error: string): Promise<boolean> {
  const now = deps.clock.now();
  const lastError = error.slice(0, 300);
  if (probe) {
    const reopened = await deps.db
      .update(smsBreaker)
      .set({ state: 'open', openedAt: now, probeStartedAt: null, lastError, updatedAt: now })
      .where(and(eq(smsBreaker.id, ROW_ID), eq(smsBreaker.state, 'half_open')))
      .returning();
    remember(deps, reopened[0]);
    if (reopened.length > 0) {
      deps.log.warn('sms breaker re-opened: the probe failed', { breaker: 'open', error: lastError, openSeconds: deps.config.SMS_BREAKER_OPEN_SECONDS });
    }
    return reopened.length > 0;
  }
  const threshold = deps.config.SMS_BREAKER_THRESHOLD;
  const reaches = sql`${smsBreaker.consecutiveFailures} + 1 >= ${threshold}`;
  const rows = await deps.db
    .insert(smsBreaker)
    .values({
      id: ROW_ID,
      state: threshold <= 1 ? 'open' : 'closed',
      consecutiveFailures: 1,
      openedAt: threshold <= 1 ? now : null,
      lastError,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: smsBreaker.id,
      set: {
        consecutiveFailures: sql`${smsBreaker.consecutiveFailures} + 1`,
        state: sql`case when ${reaches} then 'open' else 'closed' end`,
        openedAt: sql`case when ${reaches} then ${now} else ${smsBreaker.openedAt} end`,
        lastError,
        updatedAt: now,
      },
      // Only a closed breaker counts; an open one is already open.
      setWhere: eq(smsBreaker.state, 'closed'),
    })
    .returning();
  const row = rows[0];
  remember(deps, row);
  const opened = row?.state === 'open';
  if (opened) {
    deps.log.warn('sms breaker opened: SMS challenges stop until a probe succeeds', {
      breaker: 'open',
      failures: row.consecutiveFailures,
      error: lastError,
      openSeconds: deps.config.SMS_BREAKER_OPEN_SECONDS,
    });
  }
  return opened;
}

function probeLeaseMs(deps: Pick<AppDeps, 'config'>): number {
  return deps.config.SMS_SEND_BUDGET_MS + PROBE_LEASE_EXTRA_MS;
}

/** Keeps this process's cache in step with its own writes; a write that matched nothing forgets it. */
function remember(deps: BreakerDeps, row: (BreakerRow & Record<string, unknown>) | undefined) {
  forHealth.delete(deps.db);
  if (!row) {
    cache.delete(deps.db);
    return;
  }
  const { state, consecutiveFailures, openedAt, probeStartedAt } = row;
  cache.set(deps.db, { row: { state, consecutiveFailures, openedAt, probeStartedAt }, at: deps.clock.now() });
}
