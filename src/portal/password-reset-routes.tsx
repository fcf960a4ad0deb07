/** The member's password reset by mailed link (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

export function passwordResetRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
