import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers by route group, built on Hono's secureHeaders.
 * Only the pages a merchant frames (the challenge at the acsURL and the hidden 3DS Method
 * page) may be framed, by anyone; every other page denies framing.
 */
export const FRAMEABLE_PATHS = ['/3ds/challenge', '/3ds/method'];

export function securityHeaders(options: { production: boolean; development: boolean }): MiddlewareHandler {
  const hsts = options.development ? false : 'max-age=31536000; includeSubDomains';
  // Challenge and method pages post onward to merchants' own URLs (notificationURL).
  const formTargets = options.production ? ["'self'", 'https:'] : ["'self'", 'https:', 'http:'];
  const base = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
  };

  const strict = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { ...base, formAction: ["'self'"], frameAncestors: ["'none'"], frameSrc: ["'self'"] },
  });
  const frameable = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: false,
    // The page must load inside a cross-origin iframe and post to the merchant.
    crossOriginResourcePolicy: 'cross-origin',
    crossOriginOpenerPolicy: false,
    contentSecurityPolicy: { ...base, formAction: formTargets, frameAncestors: ['*'] },
  });

  return (c, next) => (isFrameable(c.req.path) ? frameable(c, next) : strict(c, next));
}

export function isFrameable(path: string): boolean {
  return FRAMEABLE_PATHS.some((p) => path === p || path.startsWith(p + '/'));
}
