/**
 * What runs beside the HTTP server on Node and Deno: demo data on first start and the
 * interval that sweeps due timers. (Workers use a cron trigger for the same sweep.)
 */
import { runAcsScheduledWork } from './acs/scheduled.ts';
import { challengeTimeout } from './challenge/timeout.ts';
import type { AppDeps } from './deps.ts';
import { purgeOldCounters } from './messaging/rate-limit.ts';
import { continueImports } from './cards/import/runner.ts';
import { seedDemoIssuer } from './sandbox/demo-issuer.ts';
import { seedDemoStaff } from './admin/demo-staff.ts';

const SWEEP_INTERVAL_MS = 1000;
const MAX_OVERLAPPING_SWEEPS = 3;

/** The demo issuers, cards and staff on a fresh database (every runtime calls this once at boot). */
export async function seedDemoData(deps: AppDeps): Promise<void> {
  if (!deps.config.DEMO_DATA) return;
  await seedDemoIssuer(deps);
  await seedDemoStaff(deps);
}

export async function startServices(deps: AppDeps): Promise<{ stop(): void }> {
  await seedDemoData(deps);
  // A few sweeps may overlap (one held up by a slow DS must not hold back every other due timer;
  // claims keep them from running a timer twice), but not without bound: under a silent database
  // each sweep lasts until its calls' deadlines (DB_TIMEOUT_MS), and ticks meanwhile are skipped.
  let sweeping = 0;
  const timer = setInterval(() => {
    if (sweeping >= MAX_OVERLAPPING_SWEEPS) return;
    sweeping++;
    // Card imports a stopped process left open are taken over here (Workers: the cron, worker.ts).
    runScheduledWork(deps)
      .then(() => continueImports(deps))
      .catch((error) => deps.log.error('scheduled work failed', { error }))
      .finally(() => sweeping--);
  }, SWEEP_INTERVAL_MS);
  // Do not keep a process alive only for the sweeper.
  (timer as { unref?: () => void }).unref?.();
  return { stop: () => clearInterval(timer) };
}

const HOUR_MS = 60 * 60 * 1000;
let lastHourly = 0;

/** One sweep of everything that is due: CReq and challenge timeouts, RReq delivery, housekeeping. */
export async function runScheduledWork(deps: AppDeps): Promise<void> {
  await runAcsScheduledWork(deps, { challenge_timeout: challengeTimeout });
  const now = deps.clock.now();
  if (now - lastHourly >= HOUR_MS) {
    lastHourly = now;
    await purgeOldCounters(deps.db, now);
  }
}
