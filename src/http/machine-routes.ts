import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { isFrameable } from './security-headers.ts';

/**
 * Routes machines call (Directory Servers, core systems, monitors, scripts): they get JSON answers,
 * never an HTML page, for a 404 or an error alike. Under /3ds/ only the challenge and
 * 3DS Method pages are for people.
 */
const MACHINE_PREFIXES = ['/3ds/', '/healthz', '/sandbox/ds/', '/api/', '/metrics'];

export function isMachineRoute(path: string): boolean {
  return MACHINE_PREFIXES.some((p) => path === p || path.startsWith(p)) && !isFrameable(path);
}

/**
 * Whether the client asks for JSON before HTML (the Accept header by quality, hono/accepts).
 * No Accept header, or only a wildcard, means HTML: browsers and people come first.
 */
export function prefersJson(c: Context): boolean {
  return accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' }) === 'application/json';
}

/** Whether a 404 or an error is answered in JSON: on a machine route, or to a client that prefers JSON. */
export function answersJson(c: Context): boolean {
  return isMachineRoute(c.req.path) || prefersJson(c);
}
