/**
 * The sandbox's "app checkout" (`/sandbox/app…`): the sandbox plays the merchant's app and its EMV
 * 3DS SDK, so a tester can walk an app challenge.
 *
 * STUB (foundation): the app-sandbox helper fills this in.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

export function sandboxAppRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
