/**
 * The fraud-detection provider's circuit breaker, one row per issuer (risk_provider_breaker), the
 * same machine as the SMS breaker (src/messaging/breaker.ts):
 *
 *   closed ──(RISK_PROVIDER_BREAKER_THRESHOLD consecutive failed consultations)──> open
 *   open ──(RISK_PROVIDER_BREAKER_OPEN_SECONDS later, the next AReq claims the probe)──> half_open
 *   half_open ──(probe answers)──> closed     half_open ──(probe fails)──> open
 *
 * While open (or while a probe is out) no request goes to the provider and the AReq's rules decide
 * alone. Every move is one guarded UPDATE or UPSERT, so of two processes only one makes it. The
 * AReq reads the row through a one-second in-process cache: a healthy provider costs no query.
 */
import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { riskProviderBreaker, type SmsBreakerState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

const CACHE_MS = 1000;
/** A probe that has not reported within its own time budget plus this is presumed lost (its process died). */
const PROBE_LEASE_EXTRA_MS = 5000;

type Row = Pick<typeof riskProviderBreaker.$inferSelect, 'state' | 'consecutiveFailures' | 'openedAt' | 'probeStartedAt'>;
type BreakerDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'log'>;

export interface ProviderBreakerView {
  state: SmsBreakerState;
  consecutiveFailures: number;
  /** Whether a consultation may go out now: freely, as the one probe, or not at all. */
  calls: 'yes' | 'probe' | 'no';
}

const cache = new WeakMap<Database, Map<number, { row: Row | undefined; at: number }>>();

function viewOf(row: Row | undefined, now: number, deps: Pick<AppDeps, 'config'>, leaseMs: number): ProviderBreakerView {
  const consecutiveFailures = row?.consecutiveFailures ?? 0;
  if (!row || row.state === 'closed') return { state: 'closed', consecutiveFailures, calls: 'yes' };
  if (row.state === 'open') {
    const due = (row.openedAt ?? 0) + deps.config.RISK_PROVIDER_BREAKER_OPEN_SECONDS * 1000 <= now;
    return { state: due ? 'half_open' : 'open', consecutiveFailures, calls: due ? 'probe' : 'no' };
  }
  const lost = (row.probeStartedAt ?? 0) + leaseMs + PROBE_LEASE_EXTRA_MS <= now;
  return { state: 'half_open', consecutiveFailures, calls: lost ? 'probe' : 'no' };
}

async function readRow(deps: BreakerDeps, issuerId: number, maxAgeMs: number): Promise<Row | undefined> {
  const now = deps.clock.now();
  const hit = cache.get(deps.db)?.get(issuerId);
  if (hit && maxAgeMs > 0 && now - hit.at < maxAgeMs) return hit.row;
  const row = await deps.db
    .select({
      state: riskProviderBreaker.state,
      consecutiveFailures: riskProviderBreaker.consecutiveFailures,
      openedAt: riskProviderBreaker.openedAt,
      probeStartedAt: riskProviderBreaker.probeStartedAt,
    })
    .from(riskProviderBreaker)
    .where(eq(riskProviderBreaker.issuerId, issuerId))
    .get();
  byIssuerOf(deps.db).set(issuerId, { row, at: now });
  return row;
}

/** The breaker as the console shows it (read fresh). `leaseMs`: the provider's time budget per consultation. */
export async function providerBreakerView(deps: BreakerDeps, issuerId: number, leaseMs: number): Promise<ProviderBreakerView> {
  return viewOf(await readRow(deps, issuerId, 0), deps.clock.now(), deps, leaseMs);
}

/**
 * May this AReq consult the provider? `{ ok: true, probe: false }` while closed; when a probe is
 * due exactly one caller claims it; everyone else is refused until the probe reports.
 * `leaseMs` is the longest one consultation can take (timeout × attempts).
 */
export async function acquireConsultation(deps: BreakerDeps, issuerId: number, leaseMs: number): Promise<{ ok: true; probe: boolean } | { ok: false }> {
  const now = deps.clock.now();
  const view = viewOf(await readRow(deps, issuerId, CACHE_MS), now, deps, leaseMs);
  if (view.calls === 'yes') return { ok: true, probe: false };
  if (view.calls === 'no') return { ok: false };
  // A probe is due: of every caller in every process, only the one whose guarded UPDATE matches takes it.
  const openMs = deps.config.RISK_PROVIDER_BREAKER_OPEN_SECONDS * 1000;
  const claimed = await deps.db
    .update(riskProviderBreaker)
    .set({ state: 'half_open', probeStartedAt: now, updatedAt: now })
    .where(
      and(
        eq(riskProviderBreaker.issuerId, issuerId),
        or(
          and(eq(riskProviderBreaker.state, 'open'), lte(riskProviderBreaker.openedAt, now - openMs)),
          and(eq(riskProviderBreaker.state, 'half_open'), lte(riskProviderBreaker.probeStartedAt, now - leaseMs - PROBE_LEASE_EXTRA_MS)),
        ),
      ),
    )
    .returning();
  remember(deps, issuerId, claimed[0]);
  if (claimed.length === 0) return { ok: false };
  deps.log.warn('risk provider breaker half-open: this consultation is the probe', { issuerId, breaker: 'half_open' });
  return { ok: true, probe: true };
}

/** The provider answered: a probe closes the breaker; otherwise a failure count restarts (only written when there is one). */
export async function recordConsultationSuccess(deps: BreakerDeps, issuerId: number, probe: boolean): Promise<void> {
  const now = deps.clock.now();
  if (probe) {
    const closed = await deps.db
      .update(riskProviderBreaker)
      .set({ state: 'closed', consecutiveFailures: 0, openedAt: null, probeStartedAt: null, lastError: null, updatedAt: now })
      .where(and(eq(riskProviderBreaker.issuerId, issuerId), eq(riskProviderBreaker.state, 'half_open')))
      .returning();
    remember(deps, issuerId, closed[0]);
    if (closed.length > 0) deps.log.info('risk provider breaker closed: the probe answered', { issuerId, breaker: 'closed' });
    return;
  }
  // The AReq's hot path: no write while the cached row says there is nothing to reset.
  const known = cache.get(deps.db)?.get(issuerId);
  if (known && (known.row?.consecutiveFailures ?? 0) === 0) return;
  const reset = await deps.db
    .update(riskProviderBreaker)
    .set({ consecutiveFailures: 0, lastError: null, updatedAt: now })
    .where(and(eq(riskProviderBreaker.issuerId, issuerId), eq(riskProviderBreaker.state, 'closed'), gt(riskProviderBreaker.consecutiveFailures, 0)))
    .returning();
  remember(deps, issuerId, reset[0]);
}

/** A consultation failed (error: a short kind, never the provider's body). Returns whether this one opened the breaker. */
export async function recordConsultationFailure(deps: BreakerDeps, issuerId: number, probe: boolean, error: string): Promise<boolean> {
  const now = deps.clock.now();
  const lastError = error.slice(0, 100);
  const openSeconds = deps.config.RISK_PROVIDER_BREAKER_OPEN_SECONDS;
  if (probe) {
    const reopened = await deps.db
      .update(riskProviderBreaker)
      .set({ state: 'open', openedAt: now, probeStartedAt: null, lastError, updatedAt: now })
      .where(and(eq(riskProviderBreaker.issuerId, issuerId), eq(riskProviderBreaker.state, 'half_open')))
      .returning();
    remember(deps, issuerId, reopened[0]);
    if (reopened.length > 0) deps.log.warn('risk provider breaker re-opened: the probe failed', { issuerId, breaker: 'open', error: lastError, openSeconds });
    return reopened.length > 0;
  }
  const threshold = deps.config.RISK_PROVIDER_BREAKER_THRESHOLD;
  const reaches = sql`${riskProviderBreaker.consecutiveFailures} + 1 >= ${threshold}`;
  const rows = await deps.db
    .insert(riskProviderBreaker)
    .values({ issuerId, state: threshold <= 1 ? 'open' : 'closed', consecutiveFailures: 1, openedAt: threshold <= 1 ? now : null, lastError, updatedAt: now })
    .onConflictDoUpdate({
      target: riskProviderBreaker.issuerId,
      set: {
        consecutiveFailures: sql`${riskProviderBreaker.consecutiveFailures} + 1`,
        state: sql`case when ${reaches} then 'open' else 'closed' end`,
        openedAt: sql`case when ${reaches} then ${now} else ${riskProviderBreaker.openedAt} end`,
        lastError,
        updatedAt: now,
      },
      // Only a closed breaker counts; an open one is already open.
      setWhere: eq(riskProviderBreaker.state, 'closed'),
    })
    .returning();
  const row = rows[0];
  remember(deps, issuerId, row);
  const opened = row?.state === 'open';
  if (opened) deps.log.warn('risk provider breaker opened: the rules decide alone until a probe answers', { issuerId, breaker: 'open', failures: row.consecutiveFailures, error: lastError, openSeconds });
  return opened;
}

/** Keeps this process's cache in step with its own writes; a write that matched nothing forgets it. */
function remember(deps: BreakerDeps, issuerId: number, row: (Row & Record<string, unknown>) | undefined) {
  if (!row) {
    byIssuerOf(deps.db).delete(issuerId);
    return;
  }
  const { state, consecutiveFailures, openedAt, probeStartedAt } = row;
  byIssuerOf(deps.db).set(issuerId, { row: { state, consecutiveFailures, openedAt, probeStartedAt }, at: deps.clock.now() });
}

function byIssuerOf(db: Database): Map<number, { row: Row | undefined; at: number }> {
  let byIssuer = cache.get(db);
  if (!byIssuer) cache.set(db, (byIssuer = new Map()));
  return byIssuer;
}
