/**
 * The authentication value (CAVV / AAV) that Y and A results carry into authorisation.
 *
 * EMVCo leaves its algorithm to the schemes and the schemes keep theirs confidential, so Mamori
 * uses a documented keyed format the issuer's own authorisation host verifies (see README,
 * "Verifying an authentication value"). 20 bytes, base64 (28 characters), in the spirit of Visa's
 * CAVV layout:
 *
 *   byte 0     authentication result: 0x00 Y (authenticated), 0x07 A (attempt)
 *   byte 1     how: 0x01 static password, 0x02 SMS OTP, 0x99 frictionless (risk-based)
 *   byte 2     key indicator (0x01; room to rotate keys)
 *   byte 3     format version (0x01)
 *   bytes 4–19 HMAC-SHA-256 under AUTH_VALUE_KEY, first 16 bytes, over
 *              "MAMORI-AV1|<bytes 0–3 hex>|<PAN>|<dsTransID>|<eci>|<purchaseAmount>|<purchaseCurrency>"
 *
 * Everything the MAC covers is in the authorisation message the issuer receives (PAN, amount,
 * currency, ECI, the DS transaction ID), so the host can recompute it without calling the ACS.
 */
import { base64ToBytes, bytesToBase64, bytesToHex, timingSafeEqual, hmacBytes } from '../encoding.ts';

export type AuthenticationResult = 'Y' | 'A';
export type AuthenticationHow = 'password' | 'sms_otp' | 'frictionless';

const RESULT_BYTE: Record<AuthenticationResult, number> = { Y: 0x00, A: 0x07 };
const HOW_BYTE: Record<AuthenticationHow, number> = { password: 0x01, sms_otp: 0x02, frictionless: 0x99 };
const KEY_INDICATOR = 0x01;
const FORMAT_VERSION = 0x01;

export interface AuthenticationValueInput {
  transStatus: AuthenticationResult;
  how: AuthenticationHow;
  pan: string;
  dsTransID: string;
  eci: string;
  /** Minor units as in the AReq (absent for non-payment authentications). */
  purchaseAmount?: string;
  purchaseCurrency?: string;
}

export async function computeAuthenticationValue(key: CryptoKey, input: AuthenticationValueInput): Promise<string> {
  const header = new Uint8Array([RESULT_BYTE[input.transStatus], HOW_BYTE[input.how], KEY_INDICATOR, FORMAT_VERSION]);
  const mac = await macOver(key, header, input);
  const value = new Uint8Array(20);
  value.set(header, 0);
  value.set(mac.subarray(0, 16), 4);
  return bytesToBase64(value);
}

export type VerifyResult =
  | { valid: true; transStatus: AuthenticationResult; how: AuthenticationHow }
  | { valid: false; reason: string };

/**
 * What the issuer's authorisation host calls (or runs through `npm run av:verify`):
 * recomputes the MAC from the authorisation data and compares in constant time.
 */
export async function verifyAuthenticationValue(
  key: CryptoKey,
  value: string,
  data: Omit<AuthenticationValueInput, 'transStatus' | 'how'>,
): Promise<VerifyResult> {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(value);
  } catch {
    return { valid: false, reason: 'not base64' };
  }
  if (bytes.length !== 20) return { valid: false, reason: 'not 20 bytes' };
  if (bytes[3] !== FORMAT_VERSION) return { valid: false, reason: `unknown format version ${bytes[3]}` };
  if (bytes[2] !== KEY_INDICATOR) return { valid: false, reason: `unknown key indicator ${bytes[2]}` };
  const transStatus = lookup(RESULT_BYTE, bytes[0]);
  const how = lookup(HOW_BYTE, bytes[1]);
  if (!transStatus || !how) return { valid: false, reason: 'unknown result or method byte' };
  const mac = await macOver(key, bytes.subarray(0, 4), { ...data, transStatus, how });
  return timingSafeEqual(bytesToHex(mac.subarray(0, 16)), bytesToHex(bytes.subarray(4)))
    ? { valid: true, transStatus, how }
    : { valid: false, reason: 'MAC does not match the authorisation data' };
}

async function macOver(key: CryptoKey, header: Uint8Array, input: AuthenticationValueInput): Promise<Uint8Array> {
  const text = ['MAMORI-AV1', bytesToHex(header), input.pan, input.dsTransID.toLowerCase(), input.eci, input.purchaseAmount ?? '', input.purchaseCurrency ?? ''].join('|');
  return hmacBytes(key, text);
}

function lookup<K extends string>(table: Record<K, number>, byte: number): K | undefined {
  return (Object.keys(table) as K[]).find((k) => table[k] === byte);
}
