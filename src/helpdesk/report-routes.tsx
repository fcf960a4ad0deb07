/** /admin/reports: the helpdesk's queue of cardholders' "this was not me" reports (H: portal-history). */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/http.ts';

export function reportRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();
  return routes;
}
