/**
 * The app channel's crypto module against EMVCo's worked samples (Examples 7, 9–12), plus the
 * refusals: off-curve and malformed SDK keys, wrong headers, flipped bytes, sealed keys altered.
 */
import { describe, expect, it } from 'vitest';
import {
  decryptCReq,
  deriveSessionKey,
  encryptCRes,
  generateEphemeralKeyPair,
  importSdkPublicKey,
  openSessionKey,
  readJweHeader,
  sealSessionKey,
} from '../../src/app-channel/crypto.ts';
import { generateSecret } from '../../src/config.ts';
import { base64urlToBytes, bytesToBase64url } from '../../src/encoding.ts';
import { importKeys } from '../../src/keys.ts';
import samples from '../fixtures/app-channel/emvco-crypto.json' with { type: 'json' };

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
const cek = hex(samples.example7.cekHex);

async function importPrivate(jwk: JsonWebKey): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
}

function secrets() {
  return { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };
}

/** Flip one bit of the character at `index` of a base64url part (stays in the alphabet). */
function flip(jwe: string, part: number, index = 5): string {
  const parts = jwe.split('.');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = parts[part][index];
  parts[part] = parts[part].slice(0, index) + alphabet[alphabet.indexOf(c) ^ 1] + parts[part].slice(index + 1);
  return parts.join('.');
}

describe('key agreement (EMVCo Example 7/8)', () => {
  it('derives Example 7’s CEK on the ACS side and the same on the SDK side (Example 8)', async () => {
    const { example7: ex } = samples;
    const acs = await deriveSessionKey(await importPrivate(ex.acsPrivateJwk), (await importSdkPublicKey(ex.sdkPublicJwk))!, ex.sdkReferenceNumber);
    expect(toHex(acs)).toBe(ex.cekHex);
    const sdk = await deriveSessionKey(await importPrivate(ex.sdkPrivateJwk), (await importSdkPublicKey(ex.acsPublicJwk))!, ex.sdkReferenceNumber);
    expect(toHex(sdk)).toBe(ex.cekHex);
  });

  it('binds the key to sdkReferenceNumber (another PartyVInfo, another key)', async () => {
    const { example7: ex } = samples;
    const other = await deriveSessionKey(await importPrivate(ex.acsPrivateJwk), (await importSdkPublicKey(ex.sdkPublicJwk))!, 'Another SDK Reference Number');
    expect(toHex(other)).not.toBe(ex.cekHex);
  });

  it('agrees with itself between two fresh ephemeral pairs', async () => {
    const a = await generateEphemeralKeyPair();
    const b = await generateEphemeralKeyPair();
    expect(Object.keys(a.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(a.privateKey.extractable).toBe(false);
    const ab = await deriveSessionKey(a.privateKey, (await importSdkPublicKey(b.publicJwk))!, 'REF');
    const ba = await deriveSessionKey(b.privateKey, (await importSdkPublicKey(a.publicJwk))!, 'REF');
    expect(ab).toHaveLength(32);
    expect(toHex(ab)).toBe(toHex(ba));
  });
});

describe('importSdkPublicKey', () => {
  const good = samples.example7.sdkPublicJwk;

  it('accepts a P-256 key with extra members (kid, use) as real SDKs send', async () => {
    expect(await importSdkPublicKey({ ...good, kid: 'k1', use: 'sig' })).not.toBeNull();
  });

  it('refuses a point off the curve', async () => {
    // y + 1: still 32 bytes, no longer on y² = x³ − 3x + b.
    const y = base64urlToBytes(good.y);
    y[31] ^= 1;
    const offCurve = { ...good, y: bytesToBase64url(y) };
    expect(await importSdkPublicKey(offCurve)).toBeNull();
  });

  it.each([
    ['not an object', 'EC'],
    ['an array', [good]],
    ['another curve', { ...good, crv: 'P-384' }],
    ['RSA', { ...good, kty: 'RSA' }],
    ['a short coordinate', { ...good, x: good.x.slice(1) }],
    ['standard base64 (+/) coordinates', { ...good, x: good.x.replace(/_/g, '/') }],
    ['a private key', { ...good, d: samples.example7.sdkPrivateJwk.d }],
    ['the point at x = p', { ...good, x: '_____wAAAAEAAAAAAAAAAAAAAAD_______________8' }],
  ])('refuses %s', async (_name, jwk) => {
    expect(await importSdkPublicKey(jwk)).toBeNull();
  });
});

describe('CReq decryption (EMVCo Examples 9 and 10)', () => {
  it('decrypts Example 9 (A128CBC-HS256, the whole key)', async () => {
    const out = await decryptCReq(cek, samples.example9);
    expect(out).toEqual({ ok: true, header: { alg: 'dir', enc: 'A128CBC-HS256', kid: 'ACSTransactionID' }, plaintext: samples.creqPlaintext });
  });

  it('decrypts Example 10 (A128GCM, the left half of the key)', async () => {
    const out = await decryptCReq(cek, samples.example10);
    expect(out).toEqual({ ok: true, header: { alg: 'dir', enc: 'A128GCM', kid: 'ACSTransactionID' }, plaintext: samples.creqPlaintext });
  });

  it('tolerates whitespace around and inside the compact form', async () => {
    const wrapped = `\n ${samples.example10.slice(0, 80)}\r\n${samples.example10.slice(80)} \n`;
    expect((await decryptCReq(cek, wrapped)).ok).toBe(true);
  });

  it.each([
    ['ciphertext', 3],
    ['tag', 4],
    ['IV', 2],
  ])('fails on a flipped %s byte (CBC and GCM)', async (_name, part) => {
    expect(await decryptCReq(cek, flip(samples.example9, part))).toEqual({ ok: false, reason: 'decryption' });
    expect(await decryptCReq(cek, flip(samples.example10, part))).toEqual({ ok: false, reason: 'decryption' });
  });

  it('fails with another session key, and with the CRes half for GCM', async () => {
    const other = cek.slice();
    other[0] ^= 1;
    expect(await decryptCReq(other, samples.example9)).toEqual({ ok: false, reason: 'decryption' });
    const swapped = new Uint8Array([...cek.slice(16), ...cek.slice(0, 16)]);
    expect(await decryptCReq(swapped, samples.example10)).toEqual({ ok: false, reason: 'decryption' });
  });

  it('refuses headers other than dir with the two encs', async () => {
    const withHeader = (header: object) => [bytesToBase64url(new TextEncoder().encode(JSON.stringify(header))), ...samples.example10.split('.').slice(1)].join('.');
    expect(await decryptCReq(cek, withHeader({ alg: 'A128KW', enc: 'A128GCM', kid: 'x' }))).toEqual({ ok: false, reason: 'header' });
    expect(await decryptCReq(cek, withHeader({ alg: 'dir', enc: 'A256GCM', kid: 'x' }))).toEqual({ ok: false, reason: 'header' });
    const parts = samples.example10.split('.');
    parts[1] = 'AAAA';
    expect(await decryptCReq(cek, parts.join('.'))).toEqual({ ok: false, reason: 'header' });
  });

  it('calls anything that is not a compact JWE malformed', async () => {
    for (const text of ['', 'abc', samples.example10.split('.').slice(0, 4).join('.'), `e30.${samples.example10}`, `bm90IGpzb24..a.b.c`]) {
      expect(await decryptCReq(cek, text)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('readJweHeader', () => {
  it('reads alg, enc and kid', () => {
    expect(readJweHeader(samples.example9)).toEqual({ alg: 'dir', enc: 'A128CBC-HS256', kid: 'ACSTransactionID' });
  });
  it('returns null for a JWS or a non-object header', () => {
    expect(readJweHeader('eyJhbGciOiJFUzI1NiJ9.e30.sig')).toBeNull();
    expect(readJweHeader('WzFd....')).toBeNull();
  });
});

describe('CRes encryption (EMVCo Examples 11 and 12)', () => {
  it('reproduces Example 11 byte for byte with its IV (A128CBC-HS256)', async () => {
    const jwe = await encryptCRes(cek, 'A128CBC-HS256', 'ACSTransactionID', 1, samples.cresPlaintext, hex(samples.example11.ivHex));
    expect(jwe).toBe(samples.example11.jwe);
  });

  it('reproduces Example 12 byte for byte with the counter IV FF…FF01 it derives itself (A128GCM, right half)', async () => {
    const jwe = await encryptCRes(cek, 'A128GCM', 'ACSTransactionID', 1, samples.cresPlaintext);
    expect(jwe).toBe(samples.example12.jwe);
  });

  it('uses a fresh random IV for CBC', async () => {
    const a = await encryptCRes(cek, 'A128CBC-HS256', 'k', 0, '{}');
    const b = await encryptCRes(cek, 'A128CBC-HS256', 'k', 0, '{}');
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('refuses a counter outside one byte', async () => {
    await expect(encryptCRes(cek, 'A128GCM', 'k', 256, '{}')).rejects.toThrow(RangeError);
    await expect(encryptCRes(cek, 'A128GCM', 'k', -1, '{}')).rejects.toThrow(RangeError);
  });
});

describe('the session key at rest', () => {
  it('round-trips, never in the clear, and differs each time it is sealed', async () => {
    const keys = await importKeys(secrets());
    const a = await sealSessionKey(keys.channel, cek);
    const b = await sealSessionKey(keys.channel, cek);
    expect(a).not.toBe(b);
    expect(a.toUpperCase()).not.toContain(samples.example7.cekHex);
    expect(toHex(await openSessionKey(keys.channel, a))).toBe(samples.example7.cekHex);
  });

  it('fails on a flipped byte and under another appliance’s key', async () => {
    const keys = await importKeys(secrets());
    const sealed = await sealSessionKey(keys.channel, cek);
    const bytes = base64urlToBytes(sealed);
    bytes[20] ^= 0x01;
    const altered = bytesToBase64url(bytes);
    await expect(openSessionKey(keys.channel, altered)).rejects.toThrow();
    const other = await importKeys(secrets());
    await expect(openSessionKey(other.channel, sealed)).rejects.toThrow();
  });

  it('derives the channel key from PAN_ENCRYPTION_KEY only (same secret, same key)', async () => {
    const s = secrets();
    const sealed = await sealSessionKey((await importKeys(s)).channel, cek);
    const sameKeyOtherSecrets = await importKeys({ ...secrets(), PAN_ENCRYPTION_KEY: s.PAN_ENCRYPTION_KEY });
    expect(toHex(await openSessionKey(sameKeyOtherSecrets.channel, sealed))).toBe(samples.example7.cekHex);
  });

  it('is not the PAN key itself', async () => {
    const keys = await importKeys(secrets());
    const sealed = await sealSessionKey(keys.channel, cek);
    const bytes = base64urlToBytes(sealed);
    await expect(crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, keys.panEncryption, bytes.subarray(12))).rejects.toThrow();
  });
});
