/**
 * The ARes side of an app challenge (deviceChannel 01): a fresh ephemeral P-256 key, the session
 * key agreed with the SDK's sdkEphemPubKey, `acsSignedContent` over exactly
 * `{acsEphemPubKey, sdkEphemPubKey, acsURL}`, the rendering chosen from deviceRenderOptions, and the
 * app_sessions row (session key sealed) written in the AReq's own commit.
 *
 * The ephemeral private key lives only in this call (spec §6.2.3.2: delete dT once the CEK is
 * derived); the CEK leaves it only sealed with `keys.channel`.
 */
import type { InStatement } from '@libsql/client';
import type { AuthenticateDeps } from '../acs/authenticate.ts';
import type { AReq } from '../protocol/areq.ts';
import type { Brand } from '../protocol/brands.ts';
import { deriveSessionKey, generateEphemeralKeyPair, importSdkPublicKey, sealSessionKey, type EcPublicJwk } from './crypto.ts';
import { APP_ACS_PATH } from './routes.ts';
import { insertSessionStatement } from './session-store.ts';
import { acsSignerFor, signAcsContent, SigningUnavailable } from './signing.ts';

export interface AppChallengeSetup {
  /** The ARes's app fields (no top-level acsURL: the SDK reads it from the signed content). */
  fields: { acsSignedContent: string; acsRenderingType: Record<string, string> };
  /** The app_sessions insert, applied only where the transaction row is stored (same group commit). */
  statements: InStatement[];
}

/**
 * Why an app challenge cannot be offered although one is due: the SDK renders nothing we can show,
 * or there is no signing key for the scheme (production without ACS_SIGNING_KEY…). The AReq is then
 * answered U with transStatusReason 03 (device not supported): the spec's answer for an app
 * challenge the ACS cannot run.
 */
export interface AppChallengeUnavailable {
  unavailable: 'rendering' | 'signing';
  transStatus: 'U';
  transStatusReason: '03';
}

/**
 * sdkEphemPubKey that WebCrypto refuses although the AReq's check (protocol/areq.ts, on the curve)
 * passed: answered as that check would, Erro 203 naming the element.
 */
export class InvalidAppAReqElement extends Error {
  readonly errorCode = '203';
  constructor(readonly element: 'sdkEphemPubKey') {
    super(`${element}: not an EC P-256 public key on the curve`);
    this.name = 'InvalidAppAReqElement';
  }
}

type DeviceRenderOptions = { sdkInterface?: string; sdkUiType?: string[] };

/**
 * The rendering for a one-field challenge (SMS OTP or static password): Native 01 Text where the
 * SDK does native and offers Text, else HTML 05 where it does HTML and offers 05. 2.3.1 also
 * names the device's mode: portrait (01), the only layout we design for. Undefined: nothing fits.
 * A 2.2.0 SDK that leaves out sdkInterface (optional there) is taken to do both.
 */
export function chooseRendering(messageVersion: string, options: DeviceRenderOptions | undefined): Record<string, string> | undefined {
  const sdkInterface = options?.sdkInterface ?? '03';
  const uiTypes = options?.sdkUiType ?? [];
  const mode: Record<string, string> = messageVersion === '2.3.1' ? { deviceUserInterfaceMode: '01' } : {};
  if (['01', '03'].includes(sdkInterface) && uiTypes.includes('01')) return { acsInterface: '01', acsUiTemplate: '01', ...mode };
  if (['02', '03'].includes(sdkInterface) && uiTypes.includes('05')) return { acsInterface: '02', acsUiTemplate: '05', ...mode };
  return undefined;
}

export async function prepareAppChallenge(
  deps: AuthenticateDeps,
  areq: AReq,
  at: { acsTransID: string; brand: Brand; now: number },
): Promise<AppChallengeSetup | AppChallengeUnavailable> {
  const app = areq as AReq & { sdkEphemPubKey: Record<string, unknown>; sdkReferenceNumber: string; sdkTransID: string; sdkMaxTimeout: string; deviceRenderOptions?: DeviceRenderOptions };
  const rendering = chooseRendering(areq.messageVersion, app.deviceRenderOptions);
  if (!rendering) return unavailable('rendering');

  // No signer is a configuration state (U/03); anything else (the database) is a transient failure (Erro 403).
  const signer = await acsSignerFor(deps, at.brand).catch((error: unknown) => {
    if (!(error instanceof SigningUnavailable)) throw error;
    deps.log.warn('app challenge: no ACS signing key', { reason: error.message, brand: at.brand });
    return undefined;
  });
  if (!signer) return unavailable('signing');

  const sdkPublicKey = await importSdkPublicKey(app.sdkEphemPubKey);
  if (!sdkPublicKey) throw new InvalidAppAReqElement('sdkEphemPubKey');

  const ephemeral = await generateEphemeralKeyPair();
  const cek = await deriveSessionKey(ephemeral.privateKey, sdkPublicKey, app.sdkReferenceNumber);
  try {
    const acsSignedContent = await signAcsContent(signer, {
      acsEphemPubKey: ephemeral.publicJwk,
      // Echoed as the SDK sent it, extra members included (some SDKs compare it).
      sdkEphemPubKey: app.sdkEphemPubKey as EcPublicJwk,
      acsURL: `${deps.config.PUBLIC_URL}${APP_ACS_PATH}`,
    });
    const keyCipher = await sealSessionKey(deps.keys.channel, cek);
    return {
      fields: { acsSignedContent, acsRenderingType: rendering },
      statements: [
        insertSessionStatement({
          acsTransID: at.acsTransID,
          sdkTransID: app.sdkTransID,
          keyCipher,
          rendering,
          sdkMaxTimeout: Number(app.sdkMaxTimeout),
          now: at.now,
        }),
      ],
    };
  } finally {
    cek.fill(0); // only the sealed copy stays
  }
}

function unavailable(why: AppChallengeUnavailable['unavailable']): AppChallengeUnavailable {
  return { unavailable: why, transStatus: 'U', transStatusReason: '03' };
}

export function isUnavailable(setup: AppChallengeSetup | AppChallengeUnavailable | undefined): setup is AppChallengeUnavailable {
  return setup !== undefined && 'unavailable' in setup;
}
