/**
 * GET /metrics for a Prometheus scraper, behind `Authorization: Bearer $METRICS_TOKEN`: 404 when
 * the token is unset (off: the route does not exist), 401 with WWW-Authenticate for a wrong or
 * missing token (compared in constant time). Also times the challenge steps for the latency
 * histogram, since this group is mounted before the challenge routes.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { sha256Hex, timingSafeEqual } from '../encoding.ts';
import { countChallengeStep } from './count-http.ts';
import { issuerCodes, readGauges, renderMetrics, statTotals } from './metrics.ts';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/metrics', async (c) => {
    const deps = c.get('deps');
    const token = deps.config.METRICS_TOKEN;
    if (!token) return c.notFound();
    const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    // Digests first, so the comparison's time depends on neither the token's length nor its content.
    if (!timingSafeEqual(await sha256Hex(given), await sha256Hex(token))) {
      return c.text('unauthorized\n', 401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' });
    }
    const [totals, codes, gauges] = await Promise.all([statTotals(deps.db), issuerCodes(deps.db), readGauges(deps)]);
    return c.body(renderMetrics(totals, codes, gauges), 200, { 'Content-Type': CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });

  routes.use('/3ds/challenge', timeChallengeStep('creq'));
  routes.use('/3ds/challenge/:step', async (c, next) => timeChallengeStep(c.req.param('step'))(c, next));

  return routes;
}

const STEPS = new Set(['creq', 'submit', 'resend', 'cancel', 'language']);

/** Request in to page ready, real time (the injected clock may stand still), counted after the page is made. */
function timeChallengeStep(step: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' || !STEPS.has(step)) return next();
    const started = performance.now();
    await next();
    // A 5xx is the database failing (503): counting would only wait on it too.
    if (c.res.status < 500) await countChallengeStep(c, step, performance.now() - started);
  };
}
