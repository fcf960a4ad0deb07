/** The portal's registration, re-registration, 本登録 (H: portal-registration). */
import { Hono } from 'hono';
import type { PortalEnv } from './http.ts';

export function registrationRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  return routes;
}
