/**
 * The app channel's cryptography, WebCrypto only (Workers, Node, Deno): the ephemeral key pair,
 * the 3-D Secure Concat KDF (not JOSE's ECDH-ES parameters), the JWE `dir` messages both ways
 * (A128CBC-HS256 with the whole key, A128GCM with its left half SDK→ACS and right half ACS→SDK,
 * counter IVs), and the session key sealed at rest (the signed content is signing.ts).
 *
 * `jose` frames the JWE; the key agreement is ours because the spec's KDF inputs differ from JOSE's
 * (empty AlgorithmID and PartyUInfo, PartyVInfo = sdkReferenceNumber): reference §4.1, EMVCo Example 7.
 */
import { CompactEncrypt, compactDecrypt } from 'jose';
import { base64urlToBytes, bytesToBase64url } from '../encoding.ts';

export type EcPublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };
export type JweEnc = 'A128CBC-HS256' | 'A128GCM';
export interface JweHeader { alg: string; enc: string; kid?: string }

const ENCS: readonly string[] = ['A128CBC-HS256', 'A128GCM'] satisfies JweEnc[];
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

export async function generateEphemeralKeyPair(): Promise<{ privateKey: CryptoKey; publicJwk: EcPublicJwk }> {
  // The private half is not extractable: it lives only until the CEK is derived (spec §6.2.3.2).
  const pair = (await crypto.subtle.generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: x!, y: y! } };
}

/** The SDK's sdkEphemPubKey as a key, or null when it is not an EC P-256 point on the curve. */
export async function importSdkPublicKey(jwk: unknown): Promise<CryptoKey | null> {
  if (!isP256Jwk(jwk) || !onP256(jwk)) return null;
  try {
    // Only the four members: SDKs add `kid`/`use`, which WebCrypto would check against our usage.
    return await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, ECDH, true, []);
  } catch {
    return null;
  }
}

/** CEK = SHA-256(00000001 ‖ Z ‖ 00000000 ‖ 00000000 ‖ len ‖ sdkReferenceNumber ‖ 00000100), 32 bytes. */
export async function deriveSessionKey(privateKey: CryptoKey, sdkPublicKey: CryptoKey, sdkReferenceNumber: string): Promise<Uint8Array> {
  const z = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: sdkPublicKey }, privateKey, 256));
  const partyV = new TextEncoder().encode(sdkReferenceNumber);
  const input = concat(u32(1), z, u32(0), u32(0), u32(partyV.length), partyV, u32(256));
  const cek = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  z.fill(0);
  input.fill(0);
  return cek;
}

/** The protected header of a compact JWE, or null when it is not one (5 parts, JSON header). */
export function readJweHeader(jwe: string): JweHeader | null {
  const parts = compact(jwe).split('.');
  if (parts.length !== 5) return null;
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64urlToBytes(parts[0])));
    if (!header || typeof header !== 'object' || Array.isArray(header)) return null;
    const { alg, enc, kid } = header as Record<string, unknown>;
    if (typeof alg !== 'string' || typeof enc !== 'string' || (kid !== undefined && typeof kid !== 'string')) return null;
    return { ...(header as object), alg, enc, ...(kid === undefined ? {} : { kid }) };
  } catch {
    return null;
  }
}

/**
 * A CReq JWE opened with the session key. `malformed`: not a compact JWE; `header`: not `dir` with
 * one of the two encs (or an encrypted-key part, which `dir` has not); `decryption`: the tag does not
 * verify (wrong key, flipped byte) or the plaintext is not UTF-8. The caller answers each with Erro 302.
 */
export async function decryptCReq(
  cek: Uint8Array,
  jwe: string,
): Promise<{ ok: true; header: JweHeader & { enc: JweEnc }; plaintext: string } | { ok: false; reason: 'malformed' | 'header' | 'decryption' }> {
  const text = compact(jwe);
  const header = readJweHeader(text);
  if (!header) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'dir' || !ENCS.includes(header.enc) || text.split('.')[1] !== '') return { ok: false, reason: 'header' };
  const enc = header.enc as JweEnc;
  try {
    const { plaintext } = await compactDecrypt(text, keyFor(cek, enc, 'sdk-to-acs'), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: [enc],
    });
    return { ok: true, header: { ...header, enc }, plaintext: new TextDecoder('utf-8', { fatal: true }).decode(plaintext) };
  } catch {
    return { ok: false, reason: 'decryption' };
  }
}

/** A CRes as compact JWE; the GCM IV is FF…FF ‖ counter; `iv` fixes the IV (test vectors only). */
export async function encryptCRes(cek: Uint8Array, enc: JweEnc, kid: string, counter: number, plaintext: string, iv?: Uint8Array): Promise<string> {
  if (!Number.isInteger(counter) || counter < 0 || counter > 255) throw new RangeError(`acsCounterAtoS ${counter} is not 0–255`);
  // GCM: 11 × FF then the counter, so the ACS's nonces never meet the SDK's (00…00 ‖ counter).
  // CBC: a fresh random IV, as the 2.3.1 text asks.
  const nonce = iv ?? (enc === 'A128GCM' ? gcmCResIv(counter) : crypto.getRandomValues(new Uint8Array(16)));
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'dir', enc, kid })
    .setInitializationVector(nonce)
    .encrypt(keyFor(cek, enc, 'acs-to-sdk'));
}

/** The session key AES-GCM-sealed with `keys.channel`: base64url(IV ‖ ciphertext ‖ tag). */
export async function sealSessionKey(dataKey: CryptoKey, cek: Uint8Array): Promise<string> {
  if (cek.length !== 32) throw new RangeError('the session key must be 32 bytes');
  return sealBytes(dataKey, 'session key', cek);
}

/** The session key back; throws when the sealed text was altered or sealed with another key. */
export async function openSessionKey(dataKey: CryptoKey, sealed: string): Promise<Uint8Array> {
  const cek = await openBytes(dataKey, 'session key', sealed);
  if (cek.length !== 32) throw new Error('sealed session key: wrong length');
  return cek;
}

/**
 * Any secret sealed with `keys.channel` (the sandbox's signing key uses it too). `purpose` is the
 * AES-GCM additional data, so a blob sealed for one use never opens as another.
 */
export async function sealBytes(dataKey: CryptoKey, purpose: string, bytes: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = new TextEncoder().encode(`mamori ${purpose}`);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, dataKey, bytes as Uint8Array<ArrayBuffer>));
  return bytesToBase64url(concat(iv, sealed));
}

export async function openBytes(dataKey: CryptoKey, purpose: string, sealed: string): Promise<Uint8Array> {
  const bytes = base64urlToBytes(sealed);
  if (bytes.length < 12 + 16) throw new Error(`sealed ${purpose}: too short`);
  const aad = new TextEncoder().encode(`mamori ${purpose}`);
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: aad }, dataKey, bytes.subarray(12)));
}

/** A128CBC-HS256 takes the whole CEK both ways; A128GCM its left half SDK→ACS, right half ACS→SDK. */
function keyFor(cek: Uint8Array, enc: JweEnc, direction: 'sdk-to-acs' | 'acs-to-sdk'): Uint8Array {
  if (cek.length !== 32) throw new RangeError('the session key must be 32 bytes');
  if (enc === 'A128CBC-HS256') return cek;
  return direction === 'sdk-to-acs' ? cek.slice(0, 16) : cek.slice(16, 32);
}

function gcmCResIv(counter: number): Uint8Array {
  const iv = new Uint8Array(12).fill(0xff);
  iv[11] = counter;
  return iv;
}

/** Some SDKs wrap or pad the JWE with whitespace (reference §4.2). */
function compact(jwe: string): string {
  return jwe.replace(/\s+/g, '');
}

function isP256Jwk(jwk: unknown): jwk is EcPublicJwk {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return false;
  const { kty, crv, x, y, d } = jwk as Record<string, unknown>;
  const coordinate = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
  // A private member means the SDK leaked its key: not a public key we accept.
  return kty === 'EC' && crv === 'P-256' && coordinate(x) && coordinate(y) && d === undefined;
}

// P-256 (SEC 2 / FIPS 186-4): y² = x³ − 3x + b over p. Checked here, not left to the runtime, so
// that every runtime refuses the same keys (an invalid-curve point would leak our private key).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function onP256(jwk: EcPublicJwk): boolean {
  const x = bigint(base64urlToBytes(jwk.x));
  const y = bigint(base64urlToBytes(jwk.y));
  if (x >= P || y >= P) return false;
  return (y * y - (x * x * x - 3n * x + B)) % P === 0n;
}

function bigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
