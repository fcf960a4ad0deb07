/** The portal's my authentications and not-me reports (H: portal-history). */
import { Hono } from 'hono';
import type { PortalEnv } from './http.ts';

export function historyRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  return routes;
}
