/**
 * The app channel's acsURL (`POST /3ds/app/challenge`): CReqs from the EMV 3DS SDK as compact JWE
 * (`application/jose`), CRes back encrypted; Erro messages from the SDK as JSON. The SDK talks to
 * the ACS directly (no browser, no cookie, no framing); what each request does is challenge.ts.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { handleAppRequest, transientFailure } from './challenge.ts';

/** The acsURL the signed content announces (src/app-channel/ares.ts). */
export const APP_ACS_PATH = '/3ds/app/challenge';

export const appChannelRoutes = new Hono<AppEnv>();

appChannelRoutes.post(APP_ACS_PATH, async (c) => {
  const deps = c.get('deps');
  const body = await c.req.text();
  let reply;
  try {
    reply = await handleAppRequest(deps, { contentType: c.req.header('content-type') ?? '', body });
  } catch (error) {
    // Never fail open, and never an HTML error page to an SDK: a defined Erro it can act on.
    deps.log.error('app channel request failed', { error });
    reply = transientFailure(body);
  }
  // An SDK's Erro is acknowledged with an empty 200; everything else has a body (CRes or Erro).
  return reply.body === '' ? c.body(null, 200, reply.headers) : c.body(reply.body, 200, reply.headers);
});
