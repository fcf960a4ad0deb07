/**
 * The AReq a Directory Server forwards for an in-app purchase (deviceChannel 01), as the sandbox's
 * "app checkout" builds it: the browser builder's purchase and requestor fields without the
 * browser's, plus the SDK's (its ephemeral key, reference number, render options, and deviceInfo
 * as the DS passes it on: base64url of the JSON the DS decrypted from sdkEncData).
 */
import { encodeJsonBase64Url } from '../protocol/base64url.ts';
import { browserAReq, type AReqOptions } from './areq-builder.ts';
import type { EcPublicJwk } from './app-sdk.ts';

/** The sandbox SDK's EMVCo reference number: the Concat KDF's PartyVInfo. */
export const SANDBOX_SDK_REFERENCE = '3DS_LOA_SDK_MAMO_020200_00001';

export interface AppAReqOptions extends Omit<AReqOptions, 'deviceChannel' | 'browserLanguage' | 'notificationURL' | 'threeDSCompInd'> {
  sdkEphemPubKey: EcPublicJwk;
  sdkTransID?: string;
  /** deviceRenderOptions.sdkInterface: 01 native, 02 HTML, 03 both. */
  sdkInterface?: '01' | '02' | '03';
  sdkUiType?: string[];
  sdkMaxTimeout?: string;
  /** The phone's locale (deviceInfo C005), e.g. ja_JP or en_US. */
  locale?: string;
}

const BROWSER_ONLY = [
  'browserAcceptHeader', 'browserIP', 'browserJavaEnabled', 'browserJavascriptEnabled', 'browserLanguage', 'browserColorDepth',
  'browserScreenHeight', 'browserScreenWidth', 'browserTZ', 'browserUserAgent', 'notificationURL', 'threeDSCompInd', 'acceptLanguage',
];

export function appAReq(o: AppAReqOptions): Record<string, unknown> {
  const { sdkEphemPubKey, sdkTransID, sdkInterface, sdkUiType, sdkMaxTimeout, locale, extra, ...purchase } = o;
  const areq = browserAReq({ ...purchase, deviceChannel: '01' });
  for (const field of BROWSER_ONLY) delete areq[field];
  const v231 = o.messageVersion === '2.3.1';
  return {
    ...areq,
    deviceChannel: '01',
    sdkAppID: '5f1b1c1e-6d1a-4a3e-9a55-5a4d0b0c0a01',
    sdkTransID: sdkTransID ?? crypto.randomUUID(),
    sdkReferenceNumber: SANDBOX_SDK_REFERENCE,
    sdkMaxTimeout: sdkMaxTimeout ?? '05',
    sdkEphemPubKey,
    deviceRenderOptions: {
      sdkInterface: sdkInterface ?? '03',
      sdkUiType: sdkUiType ?? (v231 ? ['01', '02', '03', '04', '05', '06', '07'] : ['01', '02', '03', '04', '05']),
    },
    deviceInfo: encodeJsonBase64Url({
      DV: '1.4',
      DD: { C001: 'iOS', C002: 'iPhone15,2', C004: '17.5', C005: locale ?? 'ja_JP', C006: 'Asia/Tokyo', C009: 'Sandbox iPhone' },
      DPNA: { C010: 'RE02' },
      SW: [],
    }),
    ...(v231 ? { sdkType: '01', defaultSdkType: { sdkVariant: '01', wrappedInd: 'N' }, appIp: '192.0.2.44' } : {}),
    ...extra,
  };
}
