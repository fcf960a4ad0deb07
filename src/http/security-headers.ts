import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers by route group, built on Hono's secureHeaders.
 * Only the pages a merchant frames (the challenge at the acsURL and the hidden 3DS Method
 * page) may be framed, by anyone; every other page denies framing.
 */
export const FRAMEABLE_PATHS = ['/3ds/challenge', '/3ds/method'];
/** The sandbox merchant's own notification pages load inside its own checkout page. */
export const SAME_ORIGIN_FRAME_PATHS = ['/sandbox/merchant/'];

export function securityHeaders(options: { production: boolean; development: boolean; publicUrl: string }): MiddlewareHandler {
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

  const sameOrigin = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: 'SAMEORIGIN',
    contentSecurityPolicy: { ...base, formAction: ["'self'"], frameAncestors: ["'self'"], frameSrc: ["'self'"] },
  });

  // The sandbox's test merchant frames the ACS and posts to it, as a merchant on another origin would.
  const acsOrigin = new URL(options.publicUrl).origin;
  const sandboxMerchant = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { ...base, formAction: ["'self'", acsOrigin], frameAncestors: ["'none'"], frameSrc: ["'self'", acsOrigin] },
  });

  // The sandbox's app checkout shows the ACS's HTML UI (05) in a sandboxed srcdoc iframe, which
  // inherits this policy: that self-contained document carries its styles inline.
  const sandboxApp = secureHeaders({
    strictTransportSecurity: hsts,
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { ...base, styleSrc: ["'self'", "'unsafe-inline'"], formAction: ["'self'"], frameAncestors: ["'none'"], frameSrc: ["'self'"] },
  });

  return (c, next) => {
    if (isFrameable(c.req.path)) return frameable(c, next);
    if (c.req.path === '/sandbox') return sandboxMerchant(c, next);
    if (c.req.path === '/sandbox/app' || c.req.path.startsWith('/sandbox/app/')) return sandboxApp(c, next);
    if (SAME_ORIGIN_FRAME_PATHS.some((p) => c.req.path.startsWith(p))) return sameOrigin(c, next);
    if (c.req.path.startsWith('/assets/')) return uploadedImage(c, next);
    return strict(c, next);
  };

  // An uploaded logo (issuers/assets.ts) opened on its own: an SVG's script must never run here.
  async function uploadedImage(...[c, next]: Parameters<MiddlewareHandler>) {
    await strict(c, next);
    c.res.headers.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  }
}

export function isFrameable(path: string): boolean {
  return FRAMEABLE_PATHS.some((p) => path === p || path.startsWith(p + '/'));
}
