/**
 * A test EMV 3DS SDK for the app channel (deviceChannel 01), built on node:crypto and `jose` only:
 * never on src/app-channel/crypto.ts, so that the tests check our crypto against an independent
 * implementation of the same spec (reference app-channel.md §3.2, §4).
 *
 * - `appAReq` builds a valid 2.2.0 / 2.3.1 app AReq as the DS forwards it, with a fresh ephemeral key.
 * - `verifyAcsSignedContent` checks acsSignedContent like a live-mode SDK: x5c chain to the DS root,
 *   signature with the leaf's key, exactly the three payload members.
 * - `deriveCek`, `encryptCReq`, `decryptCRes`: the secure channel (3DS Concat KDF, JWE `dir`).
 * - `TestSdk` ties them together: AReq → ARes C → verified signed content → CReqs posted to the acsURL.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';

export type EcJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string; [member: string]: unknown };
export type Enc = 'A128CBC-HS256' | 'A128GCM';
type Json = Record<string, any>;

// --- the AReq ------------------------------------------------------------------------------

export interface AppAReqOptions {
  pan: string;
  messageVersion?: '2.2.0' | '2.3.1';
  purchaseAmount?: string;
  merchantName?: string;
  challengeInd?: string;
  /** deviceRenderOptions.sdkInterface: 01 Native, 02 HTML, 03 both (default). */
  sdkInterface?: '01' | '02' | '03';
  /** deviceRenderOptions.sdkUiType (default: every type of the version). */
  sdkUiType?: string[];
  sdkMaxTimeout?: string;
  sdkReferenceNumber?: string;
  /** The device's locale in deviceInfo (C005), e.g. en_US; default ja_JP. */
  locale?: string;
  /** Replaces the generated sdkEphemPubKey (e.g. an off-curve point); the private key then does not match it. */
  sdkEphemPubKey?: unknown;
  /** Extra members in the generated JWK (real SDKs send kid/use). */
  jwkExtras?: Record<string, unknown>;
  dsURL?: string;
  threeDSServerTransID?: string;
  purchaseDate?: string;
  /** Merged last: any field, `undefined` deletes it. */
  extra?: Record<string, unknown>;
}

export interface AppAReq {
  areq: Json;
  /** The SDK's ephemeral key pair (dC, QC). */
  privateKey: KeyObject;
  publicJwk: EcJwk;
  sdkReferenceNumber: string;
}

const BROWSER_ONLY = [
  'browserAcceptHeader', 'browserIP', 'browserJavaEnabled', 'browserJavascriptEnabled', 'browserLanguage', 'browserColorDepth',
  'browserScreenHeight', 'browserScreenWidth', 'browserTZ', 'browserUserAgent', 'notificationURL', 'threeDSCompInd', 'acceptLanguage',
];

export function newEphemeralKey(extras: Record<string, unknown> = {}): { privateKey: KeyObject; publicJwk: EcJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as EcJwk;
  return { privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ...extras } };
}

/** An off-curve P-256 "point": a valid key's x with y changed (43 base64url chars, well-formed, not on the curve). */
export function offCurveJwk(): EcJwk {
  const { publicJwk } = newEphemeralKey();
  const y = Buffer.from(publicJwk.y, 'base64url');
  y[31] ^= 0x01;
  return { ...publicJwk, y: y.toString('base64url') };
}

export function deviceInfo(locale = 'ja_JP'): string {
  const info = {
    DV: '1.0',
    DD: { C001: 'Android', C002: 'Pixel 8', C004: '14', C005: locale, C006: 'Asia/Tokyo', C007: crypto.randomUUID(), C009: 'Test phone' },
    DPNA: { C010: 'RE02' },
    SW: ['SW01'],
  };
  return Buffer.from(JSON.stringify(info)).toString('base64url');
}

/** A valid app AReq as the DS forwards it to the ACS (dsTransID, dsReferenceNumber, dsURL added). */
export function appAReq(o: AppAReqOptions): AppAReq {
  const v231 = o.messageVersion === '2.3.1';
  const base = browserAReq({
    pan: o.pan,
    messageVersion: o.messageVersion,
    purchaseAmount: o.purchaseAmount,
    merchantName: o.merchantName,
    challengeInd: o.challengeInd,
    dsURL: o.dsURL,
    threeDSServerTransID: o.threeDSServerTransID,
    purchaseDate: o.purchaseDate,
  });
  for (const field of BROWSER_ONLY) delete base[field];
  const { privateKey, publicJwk } = newEphemeralKey(o.jwkExtras);
  const sdkReferenceNumber = o.sdkReferenceNumber ?? '3DS_LOA_SDK_MAMO_020200_00001';
  const areq: Json = {
    ...base,
    deviceChannel: '01',
    sdkAppID: crypto.randomUUID(),
    sdkTransID: crypto.randomUUID(),
    sdkReferenceNumber,
    sdkMaxTimeout: o.sdkMaxTimeout ?? '05',
    sdkEphemPubKey: o.sdkEphemPubKey ?? publicJwk,
    deviceInfo: deviceInfo(o.locale),
    deviceRenderOptions: {
      sdkInterface: o.sdkInterface ?? '03',
      sdkUiType: o.sdkUiType ?? (v231 ? ['01', '02', '03', '04', '05', '06', '07'] : ['01', '02', '03', '04', '05']),
    },
    ...(v231 ? { sdkType: '01', defaultSdkType: { sdkVariant: '01', wrappedInd: 'N' }, appIp: '192.0.2.20' } : {}),
  };
  for (const [k, v] of Object.entries(o.extra ?? {})) {
    if (v === undefined) delete areq[k];
    else areq[k] = v;
  }
  return { areq: JSON.parse(JSON.stringify(areq)), privateKey, publicJwk, sdkReferenceNumber };
}

// --- the signed content ----------------------------------------------------------------------

export interface SignedContent {
  alg: 'PS256' | 'ES256';
  payload: { acsEphemPubKey: EcJwk; sdkEphemPubKey: EcJwk; acsURL: string };
  /** The x5c certificates, leaf first. */
  chain: X509Certificate[];
  /** Whether x5c carried the root itself (the spec says it should not). */
  rootIncluded: boolean;
}

/**
 * Verifies acsSignedContent as a live-mode SDK does, and throws with the reason otherwise: compact JWS,
 * alg PS256 (RSA leaf) or ES256 (P-256 leaf), x5c standard base64 DER linking leaf → … → the DS root
 * (each signature checked), signature valid with the leaf's key, payload exactly
 * {acsEphemPubKey, sdkEphemPubKey, acsURL}. `at`: also check every certificate's validity at that time;
 * `allowHttp`: accept an http acsURL (EMVCo's worked samples use one).
 */
export async function verifyAcsSignedContent(jws: string, rootPem: string, opts: { at?: Date; allowHttp?: boolean } = {}): Promise<SignedContent> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws)) throw new Error('acsSignedContent: not a compact JWS');
  const header = decodeProtectedHeader(jws);
  if (header.alg !== 'PS256' && header.alg !== 'ES256') throw new Error(`acsSignedContent: alg ${String(header.alg)}`);
  if (!Array.isArray(header.x5c) || header.x5c.length === 0) throw new Error('acsSignedContent: no x5c');
  for (const der of header.x5c) if (!/^[A-Za-z0-9+/]+=*$/.test(der)) throw new Error('acsSignedContent: x5c entry is not standard base64');
  const chain = header.x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  const root = new X509Certificate(rootPem);
  if (!root.verify(root.publicKey)) throw new Error('DS root is not self-signed');

  const rootIncluded = chain.at(-1)!.fingerprint256 === root.fingerprint256;
  const path = rootIncluded ? chain : [...chain, root];
  for (let i = 0; i < path.length - 1; i++) {
    const [cert, issuer] = [path[i]!, path[i + 1]!];
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) throw new Error(`x5c[${i}] (${cert.subject}) is not signed by ${issuer.subject}`);
    if (!issuer.ca) throw new Error(`${issuer.subject} is not a CA`);
  }
  if (opts.at) {
    for (const cert of path) {
      if (opts.at < new Date(cert.validFrom) || opts.at > new Date(cert.validTo)) throw new Error(`${cert.subject} not valid at ${opts.at.toISOString()}`);
    }
  }

  const leafKey = chain[0]!.publicKey;
  if (header.alg === 'PS256' ? leafKey.asymmetricKeyType !== 'rsa' : leafKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${header.alg} with a ${leafKey.asymmetricKeyType} leaf key`);
  }
  const { payload: bytes } = await compactVerify(jws, leafKey, { algorithms: ['PS256', 'ES256'] });
  const payload = JSON.parse(Buffer.from(bytes).toString('utf8'));
  const members = Object.keys(payload).sort().join(',');
  if (members !== 'acsEphemPubKey,acsURL,sdkEphemPubKey') throw new Error(`signed content members: ${members}`);
  if (!(opts.allowHttp ? /^https?:\/\// : /^https:\/\//).test(payload.acsURL)) throw new Error(`acsURL ${payload.acsURL} is not https`);
  // The ACS's key must be a P-256 point: importing it checks the curve.
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: payload.acsEphemPubKey.x, y: payload.acsEphemPubKey.y }, format: 'jwk' });
  return { alg: header.alg, payload, chain, rootIncluded };
}

// --- the secure channel ------------------------------------------------------------------------

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** CEK = SHA-256(00000001 ‖ Z ‖ 00000000 ‖ 00000000 ‖ len ‖ sdkReferenceNumber ‖ 00000100) (reference §4.1). */
export function deriveCek(sdkPrivateKey: KeyObject | JsonWebKey, acsEphemPubKey: JsonWebKey, sdkReferenceNumber: string): Buffer {
  const privateKey = 'asymmetricKeyType' in sdkPrivateKey ? (sdkPrivateKey as KeyObject) : createPrivateKey({ key: sdkPrivateKey as import('node:crypto').JsonWebKey, format: 'jwk' });
  const { kty, crv, x, y } = acsEphemPubKey;
  const Z = diffieHellman({ privateKey, publicKey: createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }) });
  const v = Buffer.from(sdkReferenceNumber, 'ascii');
  return createHash('sha256').update(Buffer.concat([u32(1), Z, u32(0), u32(0), u32(v.length), v, u32(256)])).digest();
}

/** 12 bytes: 11 × 00 (SDK → ACS) or FF (ACS → SDK), then the counter. */
export function gcmIv(counter: number, fromAcs: boolean): Uint8Array {
  const iv = Buffer.alloc(12, fromAcs ? 0xff : 0x00);
  iv[11] = counter;
  return iv;
}

/** The CReq key: the whole CEK for A128CBC-HS256, its left half for A128GCM (the CRes uses the right half). */
const creqKey = (cek: Uint8Array, enc: Enc) => (enc === 'A128GCM' ? cek.subarray(0, 16) : cek);
const cresKey = (cek: Uint8Array, enc: Enc) => (enc === 'A128GCM' ? cek.subarray(16, 32) : cek);

/** A CReq as compact JWE `dir`: GCM IV = 00…00 ‖ counter, CBC a random IV (or `iv`). */
export async function encryptCReq(cek: Uint8Array, enc: Enc, kid: string, counter: number, json: Json | string, iv?: Uint8Array): Promise<string> {
  const plaintext = new TextEncoder().encode(typeof json === 'string' ? json : JSON.stringify(json));
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'dir', enc, kid })
    .setInitializationVector(iv ?? (enc === 'A128GCM' ? gcmIv(counter, false) : randomBytes(16)))
    .encrypt(creqKey(cek, enc));
}

/** A CRes: decrypted with the key for the header's enc (which must be `enc`), plus its header and IV. */
export async function decryptCRes(cek: Uint8Array, enc: Enc, jwe: string): Promise<{ message: Json; header: Json; iv: Buffer }> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe.replace(/\s+/g, ''), cresKey(cek, enc), {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: [enc],
  });
  return { message: JSON.parse(new TextDecoder().decode(plaintext)), header: protectedHeader, iv: Buffer.from(jwe.split('.')[2]!, 'base64url') };
}

// --- TestSdk -------------------------------------------------------------------------------------

/** Anything with Hono's app.request shape: the app in-process, or a fetch wrapper for a real server. */
export interface Requester {
  request: (path: string, init: RequestInit) => Response | Promise<Response>;
}

export type SdkAnswer =
  | { kind: 'CRes'; status: number; contentType: string; headers: Headers; jwe: string; cres: Json; header: Json; iv: Buffer }
  | { kind: 'Erro'; status: number; contentType: string; headers: Headers; erro: Json }
  | { kind: 'empty'; status: number; contentType: string; headers: Headers; body: string };

export interface TestSdkOptions extends AppAReqOptions {
  enc?: Enc;
  /** The DS root that signs the ACS's certificate. Default: the sandbox's, read from the `sandbox_signing` table. */
  rootPem?: string;
  /** Needed to read the sandbox root when `rootPem` is not given. */
  db?: { run?: unknown; all?: unknown } & Record<string, any>;
}

/**
 * One app transaction seen from the SDK. `start()` sends the AReq and, on C, verifies the signed
 * content and agrees the key; `send(fields)` posts one CReq (IDs, version and counter filled in)
 * and checks the CRes the way Stripe's SDK does (counter, IDs, version) before returning it.
 *
 * @example
 * const sdk = new TestSdk(t.app, { pan: demoCard('jcb-otp').pan, purchaseAmount: '98000', db: t.deps.db });
 * await sdk.start();                      // ARes C, signed content verified
 * const first = await sdk.send({});       // the initiation CReq (counter 000) → CRes with the UI
 * const done = await sdk.send({ challengeDataEntry: otp });
 */
export class TestSdk {
  readonly built: AppAReq;
  ares?: Json;
  signed?: SignedContent;
  cek?: Buffer;
  enc: Enc;
  /** The next sdkCounterStoA, and the acsCounterAtoS the next CRes must carry. */
  sdkCounter = 0;
  acsCounter = 0;

  constructor(readonly app: Requester, readonly options: TestSdkOptions) {
    this.built = appAReq(options);
    this.enc = options.enc ?? 'A128CBC-HS256';
  }

  get areq(): Json {
    return this.built.areq;
  }

  /** The acsURL's path (the app is addressed in-process). */
  get acsPath(): string {
    return new URL(this.signed!.payload.acsURL).pathname;
  }

  /** Posts the AReq; returns the ARes (or Erro) as JSON. On C, verifies the signed content and derives the CEK. */
  async start(): Promise<Json> {
    const res = await this.app.request('/3ds/areq', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(this.areq),
    });
    this.ares = (await res.json()) as Json;
    if (this.ares.messageType === 'ARes' && this.ares.transStatus === 'C' && this.ares.acsSignedContent) {
      const rootPem = this.options.rootPem ?? (await sandboxRootPem(this.options.db));
      this.signed = await verifyAcsSignedContent(this.ares.acsSignedContent, rootPem);
      if (JSON.stringify(this.signed.payload.sdkEphemPubKey) !== JSON.stringify(this.areq.sdkEphemPubKey)) {
        throw new Error('signed content: sdkEphemPubKey is not the one the SDK sent');
      }
      this.cek = deriveCek(this.built.privateKey, this.signed.payload.acsEphemPubKey, this.built.sdkReferenceNumber);
    }
    return this.ares;
  }

  /** The CReq with this transaction's IDs, version and counter; `fields` may override any (undefined deletes). */
  creq(fields: Json = {}): Json {
    const ares = this.ares!;
    const creq: Json = {
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      messageType: 'CReq',
      messageVersion: ares.messageVersion,
      sdkTransID: this.areq.sdkTransID,
      sdkCounterStoA: String(this.sdkCounter).padStart(3, '0'),
      ...(ares.messageVersion === '2.3.1' ? { oobAppURLInd: '02' } : {}),
    };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete creq[k];
      else creq[k] = v;
    }
    return creq;
  }

  /**
   * Encrypts and posts one CReq (counter moves on), then decrypts and checks the answer. `check: false`
   * returns a CRes even when its counter, IDs or version are wrong (to test the ACS's mistakes).
   */
  async send(fields: Json = {}, o: { kid?: string; enc?: Enc; check?: boolean } = {}): Promise<SdkAnswer> {
    const enc = o.enc ?? this.enc;
    const jwe = await encryptCReq(this.cek!, enc, o.kid ?? this.ares!.acsTransID, this.sdkCounter, this.creq(fields));
    this.sdkCounter++;
    const answer = await this.post(jwe, 'application/jose; charset=UTF-8', enc);
    if (answer.kind === 'CRes' && o.check !== false) this.checkCRes(answer.cres);
    if (answer.kind === 'CRes') this.acsCounter++;
    return answer;
  }

  /** Posts a body as it is (a tampered JWE, an Erro) to the acsURL and reads the answer. */
  async post(body: string, contentType = 'application/jose; charset=UTF-8', enc: Enc = this.enc): Promise<SdkAnswer> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (this.ares?.messageVersion === '2.3.1') headers['x-request-id'] = this.areq.sdkTransID;
    const res = await this.app.request(this.acsPath, { method: 'POST', headers, body });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    if (text === '') return { kind: 'empty', status: res.status, contentType: type, headers: res.headers, body: text };
    // As Stripe's SDK: JSON is an Erro, anything else a JWE.
    if (type.startsWith('application/json')) return { kind: 'Erro', status: res.status, contentType: type, headers: res.headers, erro: JSON.parse(text) };
    const { message, header, iv } = await decryptCRes(this.cek!, enc, text);
    return { kind: 'CRes', status: res.status, contentType: type, headers: res.headers, jwe: text, cres: message, header, iv };
  }

  /** An Erro from the SDK (e.g. 402 timeout, component C), posted as JSON. */
  async sendErro(errorCode: string, o: { errorDescription?: string; errorDetail?: string; errorMessageType?: string } = {}): Promise<SdkAnswer> {
    const ares = this.ares!;
    const erro = {
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      sdkTransID: this.areq.sdkTransID,
      messageType: 'Erro',
      messageVersion: ares.messageVersion,
      errorCode,
      errorComponent: 'C',
      errorDescription: o.errorDescription ?? 'Transaction timed out at the 3DS SDK',
      errorDetail: o.errorDetail ?? 'timeout',
      errorMessageType: o.errorMessageType ?? 'CRes',
    };
    return this.post(JSON.stringify(erro), 'application/json; charset=utf-8');
  }

  /** What a live-mode SDK checks on every CRes (reference §4.3, §6). */
  checkCRes(cres: Json): void {
    const ares = this.ares!;
    const expected = String(this.acsCounter).padStart(3, '0');
    if (cres.acsCounterAtoS !== expected) throw new Error(`CRes acsCounterAtoS ${cres.acsCounterAtoS}, expected ${expected}`);
    if (cres.messageType !== 'CRes') throw new Error(`messageType ${cres.messageType}`);
    if (cres.messageVersion !== ares.messageVersion) throw new Error(`CRes messageVersion ${cres.messageVersion}`);
    for (const id of ['threeDSServerTransID', 'acsTransID'] as const) if (cres[id] !== ares[id]) throw new Error(`CRes ${id} ${cres[id]}`);
    if (cres.sdkTransID !== this.areq.sdkTransID) throw new Error(`CRes sdkTransID ${cres.sdkTransID}`);
    if (cres.challengeCompletionInd === 'Y') {
      const allowed = new Set(['threeDSServerTransID', 'acsCounterAtoS', 'acsTransID', 'challengeCompletionInd', 'messageExtension', 'messageType', 'messageVersion', 'sdkTransID', 'transStatus']);
      const extra = Object.keys(cres).filter((k) => !allowed.has(k));
      if (extra.length > 0) throw new Error(`final CRes has other members: ${extra.join(',')}`);
      if (!cres.transStatus) throw new Error('final CRes without transStatus');
    } else if (!cres.acsUiType) {
      throw new Error('CRes without acsUiType');
    }
  }
}

/** The sandbox DS root (PEM) from the `sandbox_signing` table (made on the first app challenge). */
export async function sandboxRootPem(db: any): Promise<string> {
  if (!db) throw new Error('TestSdk: give rootPem or db');
  const { sql } = await import('drizzle-orm');
  const row = (await db.get(sql`SELECT root_pem AS rootPem FROM sandbox_signing LIMIT 1`)) as { rootPem?: string } | undefined;
  if (!row?.rootPem) throw new Error('no sandbox signing chain stored');
  return row.rootPem;
}
