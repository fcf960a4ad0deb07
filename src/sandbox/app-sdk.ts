/**
 * The sandbox's EMV 3DS SDK (the phone's side of the app channel), on WebCrypto and `jose` so it
 * runs on Node, Deno and Workers alike. It checks what the ACS sends instead of trusting it: the
 * signed content against the sandbox DS root, its own key echoed, the counters, the IDs. The key
 * agreement is written here again (not imported from src/app-channel/crypto.ts) so that the
 * sandbox is an independent second implementation of the same 3-D Secure Concat KDF.
 */
import { CompactEncrypt, compactDecrypt, compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { base64ToBytes, base64urlToBytes, bytesToBase64url } from '../encoding.ts';

export type JweEnc = 'A128CBC-HS256' | 'A128GCM';
export type EcPublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

/** What the SDK keeps between CReqs (the sandbox carries it sealed in the page's form). */
export interface SdkSession {
  threeDSServerTransID: string;
  acsTransID: string;
  sdkTransID: string;
  messageVersion: string;
  acsURL: string;
  enc: JweEnc;
  /** The 32-byte session key, base64url. */
  cek: string;
  /** sdkCounterStoA of the next CReq, and the acsCounterAtoS the next CRes must carry. */
  sdkCounter: number;
  acsCounter: number;
}

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** A fresh ephemeral key pair; the private half as a JWK because it waits for the ARes in the form. */
export async function newEphemeralKey(): Promise<{ privateJwk: JsonWebKey; publicJwk: EcPublicJwk }> {
  const pair = (await crypto.subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return { privateJwk: jwk, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

export interface SignedContent {
  acsEphemPubKey: EcPublicJwk;
  sdkEphemPubKey: EcPublicJwk;
  acsURL: string;
}

export type Verified =
  | { ok: true; payload: SignedContent; alg: string; chain: { subject: string; issuer: string; notAfter: string }[] }
  | { ok: false; reason: string };

/**
 * acsSignedContent as an SDK checks it (A1 §6.2.3.3): the x5c chain up to the DS root it ships,
 * each certificate valid at `now`, the JWS signed by the leaf (PS256 or ES256), the payload with
 * exactly the three members, and the sdkEphemPubKey inside equal to the one this SDK sent.
 */
export async function verifySignedContent(jws: string, rootPem: string, ownKey: EcPublicJwk, now: number): Promise<Verified> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, reason: 'not a compact JWS' };
  }
  if (header.alg !== 'PS256' && header.alg !== 'ES256') return { ok: false, reason: `alg ${String(header.alg)} is neither PS256 nor ES256` };
  if (!Array.isArray(header.x5c) || header.x5c.length === 0) return { ok: false, reason: 'no x5c in the header' };
  const { X509Certificate } = await x509();
  const date = new Date(now);
  const root = new X509Certificate(rootPem);
  const certs = header.x5c.map((der) => new X509Certificate(base64ToBytes(der)));
  // Each certificate signed by the next one, the last by the root (which x5c should not carry).
  const issuers = [...certs.slice(1), root];
  for (const [i, cert] of certs.entries()) {
    if (cert.notBefore > date || cert.notAfter < date) return { ok: false, reason: `certificate ${i} (${cert.subject}) is not valid now` };
    if (cert.issuer !== issuers[i].subject || !(await cert.verify({ publicKey: issuers[i].publicKey, signatureOnly: true }))) {
      return { ok: false, reason: `certificate ${i} (${cert.subject}) is not issued by ${issuers[i].subject}` };
    }
  }
  let payload: Record<string, unknown>;
  try {
    const key = await importX509(certs[0].toString('pem'), header.alg);
    const { payload: bytes } = await compactVerify(jws, key, { algorithms: ['PS256', 'ES256'] });
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: 'the signature does not verify with the leaf certificate' };
  }
  const members = Object.keys(payload).sort().join(',');
  if (members !== 'acsEphemPubKey,acsURL,sdkEphemPubKey') return { ok: false, reason: `payload members ${members}` };
  const echoed = payload.sdkEphemPubKey as Partial<EcPublicJwk>;
  if (echoed?.x !== ownKey.x || echoed?.y !== ownKey.y) return { ok: false, reason: 'sdkEphemPubKey is not the key this SDK sent' };
  if (typeof payload.acsURL !== 'string' || !/^https?:\/\//.test(payload.acsURL)) return { ok: false, reason: 'acsURL is not an http(s) URL' };
  const chain = certs.map((c) => ({ subject: c.subject, issuer: c.issuer, notAfter: c.notAfter.toISOString() }));
  return { ok: true, payload: payload as unknown as SignedContent, alg: header.alg, chain };
}

/** CEK = SHA-256(00000001 ‖ Z ‖ AlgorithmID "" ‖ PartyUInfo "" ‖ PartyVInfo sdkReferenceNumber ‖ 256), as the ACS derives it. */
export async function agreeSessionKey(privateJwk: JsonWebKey, acsEphemPubKey: EcPublicJwk, sdkReferenceNumber: string): Promise<Uint8Array> {
  const own = await crypto.subtle.importKey('jwk', privateJwk, ECDH, false, ['deriveBits']);
  const peer = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: acsEphemPubKey.x, y: acsEphemPubKey.y }, ECDH, false, []);
  const z = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, own, 256));
  const v = new TextEncoder().encode(sdkReferenceNumber);
  const input = new Uint8Array([...u32(1), ...z, ...u32(0), ...u32(0), ...u32(v.length), ...v, ...u32(256)]);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** A CReq as compact JWE (`dir`, kid = acsTransID); GCM: left half of the key, IV 00…00 ‖ counter. */
export async function encryptCReq(session: SdkSession, creq: Record<string, unknown>): Promise<string> {
  const cek = base64urlToBytes(session.cek);
  const jwe = new CompactEncrypt(new TextEncoder().encode(JSON.stringify(creq))).setProtectedHeader({ alg: 'dir', enc: session.enc, kid: session.acsTransID });
  if (session.enc === 'A128GCM') {
    const iv = new Uint8Array(12);
    iv[11] = session.sdkCounter;
    return jwe.setInitializationVector(iv).encrypt(cek.slice(0, 16));
  }
  return jwe.encrypt(cek);
}

export type Opened = { ok: true; cres: Record<string, unknown>; problems: string[] } | { ok: false; reason: string };

/**
 * A CRes the ACS answered with: decrypted (GCM: right half of the key) and checked as the SDK
 * checks it: the enc it used, the counter, IDs and version. Problems are listed, not thrown,
 * so the sandbox can show what a real SDK would have refused.
 */
export async function decryptCRes(session: SdkSession, jwe: string): Promise<Opened> {
  const cek = base64urlToBytes(session.cek);
  let text: string;
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe.trim(), session.enc === 'A128GCM' ? cek.slice(16) : cek, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: [session.enc],
    });
    if (protectedHeader.enc !== session.enc) return { ok: false, reason: `enc ${protectedHeader.enc} is not the CReq's ${session.enc}` };
    text = new TextDecoder().decode(plaintext);
  } catch {
    return { ok: false, reason: 'the CRes does not decrypt with the session key' };
  }
  let cres: Record<string, unknown>;
  try {
    cres = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the CRes is not JSON' };
  }
  const problems: string[] = [];
  const expect = (field: string, value: unknown) => {
    if (cres[field] !== value) problems.push(`${field} ${JSON.stringify(cres[field])}, expected ${JSON.stringify(value)}`);
  };
  expect('messageType', 'CRes');
  expect('messageVersion', session.messageVersion);
  expect('acsCounterAtoS', counter(session.acsCounter));
  expect('acsTransID', session.acsTransID);
  expect('threeDSServerTransID', session.threeDSServerTransID);
  expect('sdkTransID', session.sdkTransID);
  return { ok: true, cres, problems };
}

/** The 3-digit counter of CReq and CRes ("000"–"255"). */
export const counter = (n: number) => String(n).padStart(3, '0');

/**
 * The SDK's state sealed for the page's form (AES-GCM under a key derived from the session
 * secret): the tester's browser carries it but can neither read the session key nor change it.
 */
export async function sealSdkState(sessionKey: CryptoKey, state: SdkSession): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await stateKey(sessionKey), new TextEncoder().encode(JSON.stringify(state)));
  return `${bytesToBase64url(iv)}.${bytesToBase64url(sealed)}`;
}

export async function openSdkState(sessionKey: CryptoKey, token: unknown): Promise<SdkSession | undefined> {
  if (typeof token !== 'string' || token.length > 4096) return undefined;
  const [iv, body] = token.split('.');
  if (!iv || !body) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: base64urlToBytes(iv) }, await stateKey(sessionKey), base64urlToBytes(body));
    return JSON.parse(new TextDecoder().decode(plain)) as SdkSession;
  } catch {
    return undefined;
  }
}

async function stateKey(sessionKey: CryptoKey): Promise<CryptoKey> {
  const raw = await crypto.subtle.sign('HMAC', sessionKey, new TextEncoder().encode('mamori sandbox app sdk state'));
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * @peculiar/x509 loaded only when a signed content is checked (the AReq path and start-up never
 * load it), after the Reflect metadata polyfill it needs.
 */
async function x509() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
