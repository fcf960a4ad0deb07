/** Helpdesk actions and four-eyes requests (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/http.ts';

export function actionRoutes(): Hono<AdminEnv> {
  return new Hono<AdminEnv>();
}
