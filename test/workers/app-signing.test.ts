/**
 * The app channel's crypto and signing inside workerd (WebCrypto only, @peculiar/x509 with its
 * Reflect polyfill): the sandbox chain made or read from the shared sqld, a configured chain
 * checked and used, and a key agreement + CRes round trip. The JWS is verified with jose and the
 * chain with @peculiar/x509, as an SDK would.
 */
import 'reflect-metadata';
import { env } from 'cloudflare:test';
import { createClient } from '@libsql/client/web';
import * as x509 from '@peculiar/x509';
import { compactDecrypt, compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { describe, expect, it } from 'vitest';
import { deriveSessionKey, encryptCRes, generateEphemeralKeyPair, importSdkPublicKey, openSessionKey, sealSessionKey } from '../../src/app-channel/crypto.ts';
import { acsSignerFor, checkAcsSigning, sandboxDsRoot, signAcsContent } from '../../src/app-channel/signing.ts';
import { parseConfig } from '../../src/config.ts';
import { createDatabase } from '../../src/db/client.ts';
import { importKeys } from '../../src/keys.ts';
import { createLogger } from '../../src/log.ts';
import { TEST_WORKER_SECRETS } from './secrets.ts';

const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const lines: string[] = [];
const log = createLogger({ level: 'info', sink: (line) => lines.push(line) });

async function deps(extra: Record<string, string> = {}) {
  const config = parseConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://acs.test', DATABASE_URL: env.DATABASE_URL, ...TEST_WORKER_SECRETS, ...extra });
  return { config, db: createDatabase(createClient({ url: env.DATABASE_URL })), keys: await importKeys(TEST_WORKER_SECRETS), log };
}

async function content() {
  const [acs, sdk] = [await generateEphemeralKeyPair(), await generateEphemeralKeyPair()];
  return { acsEphemPubKey: acs.publicJwk, sdkEphemPubKey: sdk.publicJwk, acsURL: 'https://acs.test/3ds/app/challenge' };
}

/** Signature with x5c[0], then each x5c certificate issued by the next, the last by the root. */
async function verify(jws: string, rootPem: string) {
  const header = decodeProtectedHeader(jws) as { alg: string; x5c: string[] };
  const chain = [...header.x5c.map((b64) => new x509.X509Certificate(b64)), new x509.X509Certificate(rootPem)];
  for (let i = 0; i + 1 < chain.length; i++) {
    expect(await chain[i].verify({ publicKey: chain[i + 1].publicKey, signatureOnly: true })).toBe(true);
  }
  const leafPem = new x509.X509Certificate(header.x5c[0]).toString('pem');
  const { payload } = await compactVerify(jws, await importX509(leafPem, header.alg));
  return { alg: header.alg, x5c: header.x5c, payload: JSON.parse(new TextDecoder().decode(payload)) };
}

describe('app-channel signing inside workerd', () => {
  it('signs with the sandbox chain kept in the database', async () => {
    const d = await deps();
    const signed = await content();
    const verified = await verify(await signAcsContent(await acsSignerFor(d, 'visa'), signed), await sandboxDsRoot(d));
    expect(verified.alg).toBe('ES256');
    expect(verified.payload).toEqual(signed);
    // A second isolate's view (fresh deps, no cache): the same stored chain.
    const again = await acsSignerFor(await deps(), 'jcb');
    expect(again.x5c).toEqual(verified.x5c);
  });

  it('checks and uses a configured chain (PEM from a Worker secret)', async () => {
    const rootKeys = (await crypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leafKeys = (await crypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const period = { notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 30 * 86_400_000) };
    const root = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=Worker Test DS Root', keys: rootKeys, signingAlgorithm: ES256, ...period, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] });
    const leaf = await x509.X509CertificateGenerator.create({ serialNumber: '02', subject: 'CN=Worker Test ACS', issuer: root.subject, publicKey: leafKeys.publicKey, signingKey: rootKeys.privateKey, signingAlgorithm: ES256, ...period });
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...pkcs8))}\n-----END PRIVATE KEY-----`;
    const d = await deps({ ACS_SIGNING_KEY_MASTERCARD: keyPem, ACS_SIGNING_CHAIN_MASTERCARD: `${leaf.toString('pem')}\n${root.toString('pem')}` });
    await checkAcsSigning(d);
    expect(lines.some((l) => l.includes('mastercard signs acsSignedContent with ES256') && l.includes('CN=Worker Test ACS'))).toBe(true);
    const verified = await verify(await signAcsContent(await acsSignerFor(d, 'mastercard'), await content()), root.toString('pem'));
    expect(verified.x5c).toHaveLength(1);
  });

  it('agrees a session key, seals it, and encrypts a CRes the SDK half opens', async () => {
    const d = await deps();
    const [acs, sdk] = [await generateEphemeralKeyPair(), await generateEphemeralKeyPair()];
    const cek = await deriveSessionKey(acs.privateKey, (await importSdkPublicKey(sdk.publicJwk))!, 'REF');
    const same = await deriveSessionKey(sdk.privateKey, (await importSdkPublicKey(acs.publicJwk))!, 'REF');
    expect(same).toEqual(cek);
    expect(await openSessionKey(d.keys.channel, await sealSessionKey(d.keys.channel, cek))).toEqual(cek);
    const jwe = await encryptCRes(cek, 'A128GCM', 'kid-1', 7, '{"acsCounterAtoS":"007"}');
    const { plaintext } = await compactDecrypt(jwe, cek.slice(16), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A128GCM'] });
    expect(new TextDecoder().decode(plaintext)).toBe('{"acsCounterAtoS":"007"}');
  });
});
