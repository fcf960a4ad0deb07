/**
 * Staff TOTP (RFC 6238 as every authenticator app does it: SHA-1, 6 digits, 30 s, one step of
 * drift either way), its QR code as server-rendered SVG, and the secret's encryption at rest.
 * The time is the injected clock's, so the sandbox's movable clock moves TOTP with it.
 */
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';
import { decodeSecret } from '../config.ts';
import { base64urlToBytes, bytesToBase64url } from '../encoding.ts';

const PERIOD = 30;
const DIGITS = 6;

/** 160 random bits, base32 (what an authenticator app takes as "setup key"). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'staff', issuer = 'Mamori'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secretBase32) });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, username: string, issuerLabel: string): string {
  return totp(secretBase32, username, issuerLabel).toString();
}

/**
 * The time step a code is good for (now, or one step either side), or null. The caller must
 * still make sure the step is newer than the last one accepted (see staff-store.ts).
 */
export function totpStepFor(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp: now }) + delta;
}

/** The code an authenticator shows at a time (for the sandbox's demo staff and for tests). */
export function totpCodeAt(secretBase32: string, now: number): string {
  return totp(secretBase32).generate({ timestamp: now });
}

/** The QR code of a URI as an inline SVG image with a text alternative. */
export function qrSvg(uri: string, label: string): string {
  const svg = renderSVG(uri, { ecc: 'M', border: 2, pixelSize: 6 });
  const safeLabel = label.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${safeLabel}" width="220" height="220" `);
}

// ─── The secret at rest ─────────────────────────────────────────────────────────

const keys = new Map<string, Promise<CryptoKey>>();

/**
 * AES-GCM key for TOTP secrets, derived with HKDF from PAN_ENCRYPTION_KEY (the appliance's data
 * encryption key) under its own label, so the two uses never share a key.
 */
function totpKey(dataKey: string): Promise<CryptoKey> {
  let key = keys.get(dataKey);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey('raw', decodeSecret(dataKey)!, 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('mamori staff totp v1') },
        base,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      );
    })();
    keys.set(dataKey, key);
  }
  return key;
}

/** `v1.<iv>.<ciphertext>`, base64url. */
export async function encryptTotpSecret(dataKey: string, secretBase32: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await totpKey(dataKey), new TextEncoder().encode(secretBase32));
  return `v1.${bytesToBase64url(iv)}.${bytesToBase64url(cipher)}`;
}

export async function decryptTotpSecret(dataKey: string, stored: string): Promise<string> {
  const [version, iv, cipher] = stored.split('.');
  if (version !== 'v1' || !iv || !cipher) throw new Error('unknown TOTP secret format');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: base64urlToBytes(iv) }, await totpKey(dataKey), base64urlToBytes(cipher));
  return new TextDecoder().decode(plain);
}
