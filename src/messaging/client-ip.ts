/**
 * The cardholder's address as the challenge request reached us, for the per-IP SMS limit.
 *
 * With `CLIENT_IP_HEADER` set (behind a proxy or on Workers: `cf-connecting-ip`,
 * `x-forwarded-for`, `x-real-ip`), the header's last entry: the one the nearest proxy added, which
 * the client cannot forge. Without it, the connection's own address where the runtime gives one
 * (Node: the socket; Deno: the serve handler's remote address). Undefined when unknown.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../deps.ts';

interface RuntimeEnv {
  /** @hono/node-server */
  incoming?: { socket?: { remoteAddress?: string } };
  /** Deno.serve's handler info */
  remoteAddr?: { hostname?: string };
}

export function clientIp(c: Context<AppEnv>): string | undefined {
  const header = c.get('deps').config.CLIENT_IP_HEADER;
  if (header) {
    const entries = (c.req.header(header) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return entries.at(-1);
  }
  const env = c.env as RuntimeEnv | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname ?? undefined;
}
