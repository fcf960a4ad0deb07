/**
 * The ARes side of an app challenge (deviceChannel 01): a fresh ephemeral P-256 key, the session
 * key agreed with the SDK's sdkEphemPubKey, `acsSignedContent` over exactly
 * `{acsEphemPubKey, sdkEphemPubKey, acsURL}`, the rendering chosen from deviceRenderOptions, and the
 * app_sessions row (session key sealed) written in the AReq's own commit.
 *
 * STUB (foundation): the app-ares helper fills this in.
 */
import type { InStatement } from '@libsql/client';
import type { AuthenticateDeps } from '../acs/authenticate.ts';
import type { AReq } from '../protocol/areq.ts';
import type { Brand } from '../protocol/brands.ts';

export interface AppChallengeSetup {
  /** The ARes's app fields (no top-level acsURL: the SDK reads it from the signed content). */
  fields: { acsSignedContent: string; acsRenderingType: Record<string, string> };
  /** The app_sessions insert, applied only where the transaction row is stored (same group commit). */
  statements: InStatement[];
}

export async function prepareAppChallenge(
  _deps: AuthenticateDeps,
  _areq: AReq,
  _at: { acsTransID: string; brand: Brand; now: number },
): Promise<AppChallengeSetup> {
  throw new Error('app challenge not implemented yet');
}
