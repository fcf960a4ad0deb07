import { isFrameable } from './security-headers.ts';

/**
 * Routes machines call (Directory Servers, monitors, scripts): they get JSON answers,
 * never an HTML page, for a 404 or an error alike. Under /3ds/ only the challenge and
 * 3DS Method pages are for people.
 */
const MACHINE_PREFIXES = ['/3ds/', '/healthz', '/api/', '/sandbox/ds/'];

export function isMachineRoute(path: string, accept?: string | null): boolean {
  if (MACHINE_PREFIXES.some((p) => path === p || path.startsWith(p)) && !isFrameable(path)) return true;
  // A client that asks for JSON only is a machine too.
  return !!accept && accept.includes('application/json') && !accept.includes('text/html');
}
