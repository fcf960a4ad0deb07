/** The portal's sign-in, sign-out, the home page, terms, forgot ID, forgot password (H: portal-account). */
import { Hono } from 'hono';
import type { PortalEnv } from './http.ts';

export function accountRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  return routes;
}
