/**
 * The app channel's acsURL (`POST /3ds/app/challenge`): CReqs from the EMV 3DS SDK as compact JWE
 * (`application/jose`), CRes back encrypted; Erro messages from the SDK as JSON.
 *
 * STUB (foundation): the app-creq helper fills this in.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

/** The acsURL the signed content announces (src/app-channel/ares.ts). */
export const APP_ACS_PATH = '/3ds/app/challenge';

export const appChannelRoutes = new Hono<AppEnv>();
