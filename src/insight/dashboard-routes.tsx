/** The dashboard (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/http.ts';

export function dashboardRoutes(): Hono<AdminEnv> {
  return new Hono<AdminEnv>();
}
