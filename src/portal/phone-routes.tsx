/** The portal's the OTP phone and the authentication method (H: portal-phone). */
import { Hono } from 'hono';
import type { PortalEnv } from './http.ts';

export function phoneRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  return routes;
}
