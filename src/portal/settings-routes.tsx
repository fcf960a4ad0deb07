/** The portal's personal message, password, e-mail, data sharing, change reports (H: portal-settings). */
import { Hono } from 'hono';
import type { PortalEnv } from './http.ts';

export function settingsRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  return routes;
}
