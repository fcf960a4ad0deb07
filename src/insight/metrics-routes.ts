/** GET /metrics (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

export function metricsRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
