/**
 * Counting from a route, where there is no batch to join: the Erros the ACS answers with, and the
 * challenge steps' latency. A count never changes the answer: a failed increment is logged and
 * dropped. When the database is the reason for the answer (Erro 403), the answer does not wait
 * for the count either (on Workers the count is kept alive with waitUntil).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../deps.ts';
import { challengeLatencyLabel, countStat, type StatIncrement } from './stats.ts';

/** Counts an Erro the ACS sent (issuer 0: an Erro is answered before, or instead of, knowing the card). */
export function countErro(c: Context<AppEnv>, errorCode: string): Promise<void> {
  const deps = c.get('deps');
  return count(c, { issuerId: 0, at: deps.clock.now(), metric: 'erro', label: errorCode }, errorCode !== '403');
}

/** Counts one challenge step's latency (request in to page ready, real time). */
export function countChallengeStep(c: Context<AppEnv>, step: string, ms: number): Promise<void> {
  const deps = c.get('deps');
  return count(c, { issuerId: 0, at: deps.clock.now(), metric: 'challenge_ms', label: challengeLatencyLabel(step, ms), sum: Math.round(ms) }, true);
}

function count(c: Context<AppEnv>, inc: StatIncrement, wait: boolean): Promise<void> {
  const deps = c.get('deps');
  const done = countStat(deps.db, inc).catch((error: unknown) => deps.log.warn('stats: increment failed', { metric: inc.metric, label: inc.label, error }));
  if (wait) return done;
  try {
    c.executionCtx.waitUntil(done);
  } catch {
    // Node and Deno: no execution context; the promise runs on by itself.
  }
  return Promise.resolve();
}
