/** API keys in the console (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/http.ts';

export function apiKeyRoutes(): Hono<AdminEnv> {
  return new Hono<AdminEnv>();
}
