/** The integration API /api/v1 (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

export function apiRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
