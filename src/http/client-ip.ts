/**
 * The address a request came from, by one rule for the whole app (the per-IP SMS limit, the
 * 3DS Method's record of the browser):
 *
 * - `CLIENT_IP_HEADER` set (the app runs behind the issuer's proxy, e.g. `x-forwarded-for`,
 *   `x-real-ip`): that header's last entry, the one the nearest proxy wrote. Entries before it
 *   came with the request and anyone can forge them, so they are never used.
 * - Otherwise the connection's address, from the runtime's `getConnInfo` (hono/conninfo): the
 *   socket on Node, the serve handler's remote address on Deno, and on Workers `cf-connecting-ip`,
 *   which Cloudflare's edge sets and a client cannot.
 *
 * Undefined when neither is known (e.g. `app.request()` in tests without the header).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../deps.ts';

export function clientIp(c: Context<AppEnv>): string | undefined {
  const { config, connInfo } = c.get('deps');
  if (config.CLIENT_IP_HEADER) {
    const entries = (c.req.header(config.CLIENT_IP_HEADER) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return entries.at(-1);
  }
  try {
    return connInfo?.(c).remote.address || undefined;
  } catch {
    return undefined; // a request that did not come through the runtime's server has no connection
  }
}
