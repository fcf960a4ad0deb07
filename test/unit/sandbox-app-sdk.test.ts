/**
 * The sandbox's SDK (src/sandbox/app-sdk.ts) on its own: EMVCo's worked samples for the key
 * agreement and the CReq JWE, a CRes it must refuse (wrong counter, wrong key), the signed
 * content checked against a chain made here, and the sealed form state.
 */
import 'reflect-metadata';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509CertificateGenerator } from '@peculiar/x509';
import { CompactEncrypt, CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { bytesToBase64url } from '../../src/encoding.ts';
import { agreeSessionKey, decryptCRes, encryptCReq, newEphemeralKey, openSdkState, sealSdkState, verifySignedContent, type SdkSession } from '../../src/sandbox/app-sdk.ts';

// EMVCo "3-D Secure App-based Crypto Worked Samples" v3.0.0, Examples 7 and 10 (via unravelin/go-jose ravelin_test.go).
const ACS_EPHEMERAL = { kty: 'EC', crv: 'P-256', x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0', y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps' } as const;
const SDK_EPHEMERAL = { kty: 'EC', crv: 'P-256', x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ', y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck', d: 'VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw' };
const EXAMPLE_7_CEK = '4B57071C56A1393B613B05948621D2FAC5D37C30CBEF51D4642A8D1BB22A1C23';
const EXAMPLE_10 =
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIiwia2lkIjoiQUNTVHJhbnNhY3Rpb25JRCJ9..AAAAAAAAAAAAAAAB.nOYtGTrUX4UueQeIS5JAvA2HinGcprqFzOjjgeK3zgVngx6K99BXJngIocxElx5R1HhCqBftV4GMjp084HcmCC4VSceEKS9ko3_7W76trbTuwcSsT-CGL30BQiNSvA8skt3e57bjjx7_hYd2kQ6jc2ODI6pdrzSCEbT9znOLXmEclWCqaejvWy2z4ZDypnc0O3vLz4VwOtRckk10QoXAqAMfD3DSDLkd0aD0xn6B3G44t8VbRwlhvKafhZt3svqDXhz1SFU2PKNPmmKzLDShtm_7iX-2O7vZb8jQJGN5uyBo81QPmR7-6dfuxG8.VewWjSnOG40Bh-sArISbBQ';
const EXAMPLE_CREQ = {
  threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
  acsTransID: 'd7c1ee99-9478-44a6-b1f2-391e29c6b340',
  messageType: 'CReq',
  messageVersion: '2.1.0',
  sdkTransID: 'b2385523-a66c-4907-ac3c-91848e8c0067',
  sdkCounterStoA: '001',
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();

function session(cek: Uint8Array, patch: Partial<SdkSession> = {}): SdkSession {
  return {
    threeDSServerTransID: EXAMPLE_CREQ.threeDSServerTransID,
    acsTransID: 'ACSTransactionID',
    sdkTransID: EXAMPLE_CREQ.sdkTransID,
    messageVersion: '2.2.0',
    acsURL: 'https://acs.test/3ds/app/challenge',
    enc: 'A128GCM',
    cek: bytesToBase64url(cek),
    sdkCounter: 1,
    acsCounter: 0,
    ...patch,
  };
}

describe('the sandbox SDK against EMVCo samples', () => {
  it('derives Example 7’s session key from the SDK side', async () => {
    const cek = await agreeSessionKey(SDK_EPHEMERAL, ACS_EPHEMERAL, 'A Dummy SDK Reference Number');
    expect(hex(cek)).toBe(EXAMPLE_7_CEK);
  });

  it('encrypts Example 10’s CReq byte for byte (A128GCM, left half, IV 00…00 ‖ counter)', async () => {
    const cek = Buffer.from(EXAMPLE_7_CEK, 'hex');
    expect(await encryptCReq(session(cek), EXAMPLE_CREQ)).toBe(EXAMPLE_10);
  });
});

/** A CRes as an ACS would encrypt it: GCM with the right half and IV FF…FF ‖ counter, CBC with the whole key. */
async function acsCRes(cek: Uint8Array, enc: 'A128GCM' | 'A128CBC-HS256', cres: Record<string, unknown>, key = cek) {
  const jwe = new CompactEncrypt(new TextEncoder().encode(JSON.stringify(cres))).setProtectedHeader({ alg: 'dir', enc, kid: 'ACSTransactionID' });
  if (enc === 'A128GCM') return jwe.setInitializationVector(new Uint8Array([...new Array(11).fill(0xff), Number(cres.acsCounterAtoS)])).encrypt(key.slice(16));
  return jwe.encrypt(key);
}

describe('CRes checks', () => {
  const cek = crypto.getRandomValues(new Uint8Array(32));
  const cres = { messageType: 'CRes', messageVersion: '2.2.0', threeDSServerTransID: EXAMPLE_CREQ.threeDSServerTransID, acsTransID: 'ACSTransactionID', sdkTransID: EXAMPLE_CREQ.sdkTransID, acsCounterAtoS: '000', challengeCompletionInd: 'N', acsUiType: '01' };

  it.each(['A128GCM', 'A128CBC-HS256'] as const)('reads a good %s CRes with no problem', async (enc) => {
    const opened = await decryptCRes(session(cek, { enc }), await acsCRes(cek, enc, cres));
    expect(opened).toEqual({ ok: true, cres, problems: [] });
  });

  it('names a counter out of step and a changed ID', async () => {
    const opened = await decryptCRes(session(cek), await acsCRes(cek, 'A128GCM', { ...cres, acsCounterAtoS: '001', sdkTransID: crypto.randomUUID() }));
    expect(opened.ok && opened.problems).toEqual([expect.stringMatching(/^acsCounterAtoS "001", expected "000"/), expect.stringMatching(/^sdkTransID/)]);
  });

  it('refuses a CRes under another key, and a flipped ciphertext byte', async () => {
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect(await decryptCRes(session(cek), await acsCRes(cek, 'A128GCM', cres, other))).toMatchObject({ ok: false });
    const jwe = (await acsCRes(cek, 'A128GCM', cres)).split('.');
    jwe[3] = (jwe[3][0] === 'A' ? 'B' : 'A') + jwe[3].slice(1);
    expect(await decryptCRes(session(cek), jwe.join('.'))).toEqual({ ok: false, reason: 'the CRes does not decrypt with the session key' });
  });
});

describe('acsSignedContent as the sandbox SDK checks it', () => {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const now = Date.UTC(2026, 5, 1);

  async function chain() {
    const rootKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leafKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const root = await X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: 'CN=Test DS Root', notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2027, 0, 1)), keys: rootKeys, signingAlgorithm: alg,
      extensions: [new BasicConstraintsExtension(true, undefined, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true)],
    });
    const leaf = await X509CertificateGenerator.create({
      serialNumber: '02', subject: 'CN=Test ACS', issuer: root.subject, notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2026, 11, 1)),
      publicKey: leafKeys.publicKey, signingKey: rootKeys.privateKey, signingAlgorithm: alg,
    });
    return { rootPem: root.toString('pem'), leaf, leafKey: leafKeys.privateKey };
  }

  const sign = async (leafDer: ArrayBuffer, key: CryptoKey, payload: unknown) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', x5c: [Buffer.from(leafDer).toString('base64')] }).sign(key);

  it('accepts content signed by a leaf of the root that echoes its key, and refuses every other', async () => {
    const { rootPem, leaf, leafKey } = await chain();
    const sdk = await newEphemeralKey();
    const acs = await newEphemeralKey();
    const payload = { acsEphemPubKey: acs.publicJwk, sdkEphemPubKey: sdk.publicJwk, acsURL: 'https://acs.test/3ds/app/challenge' };
    const good = await sign(leaf.rawData, leafKey, payload);
    const verified = await verifySignedContent(good, rootPem, sdk.publicJwk, now);
    expect(verified).toMatchObject({ ok: true, alg: 'ES256', payload, chain: [{ subject: 'CN=Test ACS', issuer: 'CN=Test DS Root' }] });

    const otherRoot = (await chain()).rootPem;
    expect(await verifySignedContent(good, otherRoot, sdk.publicJwk, now)).toMatchObject({ ok: false, reason: expect.stringContaining('not issued by') });
    expect(await verifySignedContent(good, rootPem, (await newEphemeralKey()).publicJwk, now)).toEqual({ ok: false, reason: 'sdkEphemPubKey is not the key this SDK sent' });
    expect(await verifySignedContent(good, rootPem, sdk.publicJwk, Date.UTC(2026, 11, 2))).toMatchObject({ ok: false, reason: expect.stringContaining('not valid now') });
    const extra = await sign(leaf.rawData, leafKey, { ...payload, acsTransID: 'x' });
    expect(await verifySignedContent(extra, rootPem, sdk.publicJwk, now)).toMatchObject({ ok: false, reason: 'payload members acsEphemPubKey,acsTransID,acsURL,sdkEphemPubKey' });
    const [h, p, s] = good.split('.');
    const forged = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    expect(await verifySignedContent(forged, rootPem, sdk.publicJwk, now)).toEqual({ ok: false, reason: 'the signature does not verify with the leaf certificate' });
  });
});

describe('the sealed form state', () => {
  it('round-trips, and a changed byte is refused', async () => {
    const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const state = session(crypto.getRandomValues(new Uint8Array(32)));
    const token = await sealSdkState(key, state);
    expect(token).not.toContain(state.cek);
    expect(await openSdkState(key, token)).toEqual(state);
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    expect(await openSdkState(key, flipped)).toBeUndefined();
  });
});
