/** Cardholder look-up and the cardholder page (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/http.ts';

export function lookupRoutes(): Hono<AdminEnv> {
  return new Hono<AdminEnv>();
}
