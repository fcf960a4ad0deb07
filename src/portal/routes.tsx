/**
 * The member portal (/portal/…): one route group per errand, all behind the portal's plumbing
 * (http.ts: issuer, language, maintenance window, Origin check, the member's session). Pages deny
 * framing (the strict headers of every non-challenge page) and are never cached.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { accountRoutes } from './account-routes.tsx';
import { historyRoutes } from './history-routes.tsx';
import { portalContext, type PortalEnv } from './http.ts';
import { passwordResetRoutes } from './password-reset-routes.tsx';
import { phoneRoutes } from './phone-routes.tsx';
import { registrationRoutes } from './registration-routes.tsx';
import { settingsRoutes } from './settings-routes.tsx';

export function portalRoutes(): Hono<AppEnv> {
  const portal = new Hono<PortalEnv>();
  portal.use('/portal', portalContext());
  portal.use('/portal/*', portalContext());
  portal.route('/', accountRoutes());
  portal.route('/', registrationRoutes());
  portal.route('/', phoneRoutes());
  portal.route('/', settingsRoutes());
  portal.route('/', historyRoutes());
  // The mailed reset link's pages keep their own (bilingual) shell; the plumbing above still applies.
  portal.route('/', passwordResetRoutes() as unknown as Hono<PortalEnv>);
  return portal as unknown as Hono<AppEnv>;
}
