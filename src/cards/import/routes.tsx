/** Card data in the console: import, export (being built: see the owner's brief). */
import { Hono } from 'hono';
import type { AdminEnv } from '../../admin/http.ts';

export function cardDataRoutes(): Hono<AdminEnv> {
  return new Hono<AdminEnv>();
}
