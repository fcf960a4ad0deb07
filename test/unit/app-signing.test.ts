/**
 * acsSignedContent's signer (src/app-channel/signing.ts): the sandbox's throw-away chain (made
 * once, kept in the database, shared by every app on it), configured ES256 and PS256 chains per
 * scheme, and the start-up check's lines and refusals. The JWS is verified with jose and the
 * chain with node:crypto, independently of the code under test.
 */
import 'reflect-metadata';
import * as nodeCrypto from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEphemeralKeyPair } from '../../src/app-channel/crypto.ts';
import { acsSignerFor, checkAcsSigning, sandboxDsRoot, signAcsContent, SigningUnavailable } from '../../src/app-channel/signing.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { verifyAcsSignedContent } from '../support/app-sdk.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => open.splice(0).forEach((t) => t.close()));
async function app(env: Record<string, string> = {}, databaseFile?: string) {
  const t = await createTestApp({ env, databaseFile });
  open.push(t);
  return t;
}

const DAY = 86_400_000;
const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

const pem = (label: string, der: ArrayBuffer | Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(new Uint8Array(der)).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
const certPem = (b64: string) => pem('CERTIFICATE', Buffer.from(b64, 'base64'));

/** A DS root → intermediate → ACS leaf chain, as a scheme's DS CA would issue it. */
async function issueChain(options: { leaf: 'EC' | 'RSA'; validDays?: [number, number]; name?: string }) {
  const now = Date.now();
  const period = (from: number, to: number) => ({ notBefore: new Date(now + from * DAY), notAfter: new Date(now + to * DAY) });
  const rootKeys = (await crypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=${options.name ?? 'Test'} DS Root`, keys: rootKeys, signingAlgorithm: ES256, ...period(-10, 3650),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const subKeys = (await crypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const sub = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: `CN=${options.name ?? 'Test'} DS Sub CA`, issuer: root.subject, publicKey: subKeys.publicKey, signingKey: rootKeys.privateKey,
    signingAlgorithm: ES256, ...period(-10, 3650),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const leafKeys = (await crypto.subtle.generateKey(options.leaf === 'EC' ? ES256 : RS256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const [from, to] = options.validDays ?? [-1, 365];
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '03', subject: `CN=${options.name ?? 'Test'} ACS`, issuer: sub.subject, publicKey: leafKeys.publicKey, signingKey: subKeys.privateKey,
    signingAlgorithm: ES256, ...period(from, to),
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return {
    keyPem: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey)),
    leafPem: leaf.toString('pem') + '\n',
    subPem: sub.toString('pem') + '\n',
    rootPem: root.toString('pem') + '\n',
  };
}

async function payload() {
  const acs = await generateEphemeralKeyPair();
  const sdk = await generateEphemeralKeyPair();
  return { acsEphemPubKey: acs.publicJwk, sdkEphemPubKey: sdk.publicJwk, acsURL: 'https://acs.test/3ds/app/challenge' };
}

/** The JWS's signature with its leaf, the x5c chain up to `rootPem`, and its exact payload. */
async function verifyAgainst(jws: string, rootPem: string) {
  const header = decodeProtectedHeader(jws) as { alg: string; x5c: string[] };
  const certs = header.x5c.map((b64) => new nodeCrypto.X509Certificate(Buffer.from(b64, 'base64')));
  const root = new nodeCrypto.X509Certificate(rootPem);
  for (const [i, cert] of certs.entries()) {
    const parent = certs[i + 1] ?? root;
    expect(cert.checkIssued(parent) && cert.verify(parent.publicKey), `${cert.subject} issued by ${parent.subject}`).toBe(true);
  }
  expect(certs.some((c) => c.fingerprint256 === root.fingerprint256)).toBe(false); // the root stays out
  const { payload: bytes } = await compactVerify(jws, await importX509(certPem(header.x5c[0]), header.alg));
  return { alg: header.alg, x5c: header.x5c, content: JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown> };
}

describe('the sandbox chain (no configuration outside production)', () => {
  it('signs ES256 over exactly the three members, verifiable against the sandbox DS root', async () => {
    const t = await app();
    const signer = await acsSignerFor(t.deps, 'jcb');
    const content = await payload();
    const jws = await signAcsContent(signer, content);
    const rootPem = await sandboxDsRoot(t.deps);
    const verified = await verifyAgainst(jws, rootPem);
    expect(verified.alg).toBe('ES256');
    expect(verified.x5c).toHaveLength(1);
    expect(Object.keys(verified.content)).toEqual(['acsEphemPubKey', 'sdkEphemPubKey', 'acsURL']);
    expect(verified.content).toEqual(content);
    expect(new nodeCrypto.X509Certificate(rootPem).subject).toContain('CN=Mamori Sandbox DS Root');
    expect(new nodeCrypto.X509Certificate(Buffer.from(verified.x5c[0], 'base64')).subject).toContain('CN=Mamori Sandbox ACS');
    // The test SDK's own check (another implementation) agrees.
    expect((await verifyAcsSignedContent(jws, rootPem)).payload.acsURL).toBe(content.acsURL);
  });

  it('is made once: every scheme and every app on the same database sign with the same chain, key sealed', async () => {
    const first = await app();
    const jcb = await acsSignerFor(first.deps, 'jcb');
    expect((await acsSignerFor(first.deps, 'visa')).x5c).toEqual(jcb.x5c);
    const rows = await first.client.execute('SELECT id, key_cipher, chain_pem, root_pem FROM sandbox_signing');
    expect(rows.rows).toHaveLength(1);
    expect(String(rows.rows[0].key_cipher)).not.toContain('PRIVATE KEY');
    expect(String(rows.rows[0].chain_pem)).toContain(String(rows.rows[0].root_pem).trim());

    // Another process on the same database (same secrets): the stored chain, not a new one.
    const second = await app({}, first.databaseFile);
    const again = await acsSignerFor(second.deps, 'mastercard');
    expect(again.x5c).toEqual(jcb.x5c);
    const jws = await signAcsContent(again, await payload());
    await verifyAgainst(jws, await sandboxDsRoot(first.deps));
  });

  it('replaces a chain sealed under another PAN_ENCRYPTION_KEY (a throw-away chain) and says so', async () => {
    const first = await app();
    const old = await acsSignerFor(first.deps, 'jcb');
    const other = await app({ PAN_ENCRYPTION_KEY: Buffer.from(nodeCrypto.randomBytes(32)).toString('base64') }, first.databaseFile);
    const renewed = await acsSignerFor(other.deps, 'jcb');
    expect(renewed.x5c).not.toEqual(old.x5c);
    expect(other.logs.some((line) => line.includes('sandbox signing chain unreadable'))).toBe(true);
    await verifyAgainst(await signAcsContent(renewed, await payload()), await sandboxDsRoot(other.deps));
  });

  it('start-up names the sandbox chain for each scheme', async () => {
    const t = await app();
    await checkAcsSigning(t.deps);
    for (const brand of ['jcb', 'visa', 'mastercard']) {
      expect(t.logs.some((line) => line.includes(`app channel: ${brand} signs acsSignedContent with ES256`) && line.includes('Mamori Sandbox'))).toBe(true);
    }
  });
});

describe('configured chains', () => {
  it('signs PS256 with an RSA leaf; x5c = leaf and intermediate, the root left out', async () => {
    const chain = await issueChain({ leaf: 'RSA' });
    const t = await app({ ACS_SIGNING_KEY: chain.keyPem, ACS_SIGNING_CHAIN: chain.leafPem + chain.subPem + chain.rootPem });
    await checkAcsSigning(t.deps);
    const verified = await verifyAgainst(await signAcsContent(await acsSignerFor(t.deps, 'visa'), await payload()), chain.rootPem);
    expect(verified.alg).toBe('PS256');
    expect(verified.x5c).toHaveLength(2);
    // The sandbox chain was never made: configuration wins.
    expect((await t.client.execute('SELECT count(*) AS n FROM sandbox_signing')).rows[0].n).toBe(0);
  });

  it('signs ES256 with a P-256 leaf, from file: paths and from one-line PEM with \\n escapes', async () => {
    const chain = await issueChain({ leaf: 'EC' });
    const dir = mkdtempSync(join(tmpdir(), 'mamori-signing-'));
    writeFileSync(join(dir, 'key.pem'), chain.keyPem);
    const t = await app({ ACS_SIGNING_KEY: `file:${join(dir, 'key.pem')}`, ACS_SIGNING_CHAIN: (chain.leafPem + chain.subPem).replace(/\n/g, '\\n') });
    const verified = await verifyAgainst(await signAcsContent(await acsSignerFor(t.deps, 'jcb'), await payload()), chain.rootPem);
    expect(verified.alg).toBe('ES256');
    expect(verified.x5c).toHaveLength(2);
  });

  it('uses a scheme’s own pair where set, the default pair for the others', async () => {
    const shared = await issueChain({ leaf: 'EC', name: 'Shared' });
    const visa = await issueChain({ leaf: 'RSA', name: 'Visa' });
    const t = await app({
      ACS_SIGNING_KEY: shared.keyPem, ACS_SIGNING_CHAIN: shared.leafPem + shared.subPem,
      ACS_SIGNING_KEY_VISA: visa.keyPem, ACS_SIGNING_CHAIN_VISA: visa.leafPem + visa.subPem + visa.rootPem,
    });
    await checkAcsSigning(t.deps);
    await verifyAgainst(await signAcsContent(await acsSignerFor(t.deps, 'visa'), await payload()), visa.rootPem);
    await verifyAgainst(await signAcsContent(await acsSignerFor(t.deps, 'mastercard'), await payload()), shared.rootPem);
    expect(t.logs.some((l) => l.includes('visa signs acsSignedContent with PS256') && l.includes('ACS_SIGNING_KEY_VISA'))).toBe(true);
    expect(t.logs.some((l) => l.includes('jcb signs acsSignedContent with ES256') && l.includes('ACS_SIGNING_KEY + ACS_SIGNING_CHAIN'))).toBe(true);
  });
});

describe('configuration errors: one line naming the variable', () => {
  const configError = async (env: Record<string, string>) => {
    try {
      const t = await app(env);
      await checkAcsSigning(t.deps);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('no ConfigError');
  };

  it('a key without its chain, or a chain without its key', async () => {
    const chain = await issueChain({ leaf: 'EC' });
    expect(() => parseConfig({ ...TEST_SECRETS, ACS_SIGNING_KEY: chain.keyPem })).toThrow(/ACS_SIGNING_CHAIN is required with ACS_SIGNING_KEY/);
    expect(() => parseConfig({ ...TEST_SECRETS, ACS_SIGNING_CHAIN_JCB: chain.leafPem })).toThrow(/ACS_SIGNING_KEY_JCB is required with ACS_SIGNING_CHAIN_JCB/);
  });

  it('not PEM, or a key that is not PKCS#8', async () => {
    const chain = await issueChain({ leaf: 'EC' });
    expect(() => parseConfig({ ...TEST_SECRETS, ACS_SIGNING_KEY: 'secret', ACS_SIGNING_CHAIN: chain.leafPem })).toThrow(/ACS_SIGNING_KEY must be an unencrypted PKCS#8 PEM/);
    const sec1 = nodeCrypto.createPrivateKey(chain.keyPem).export({ format: 'pem', type: 'sec1' }).toString();
    expect(() => parseConfig({ ...TEST_SECRETS, ACS_SIGNING_KEY: sec1, ACS_SIGNING_CHAIN: chain.leafPem })).toThrow(/ACS_SIGNING_KEY must be an unencrypted PKCS#8/);
    expect(() => parseConfig({ ...TEST_SECRETS, ACS_SIGNING_KEY: chain.keyPem, ACS_SIGNING_CHAIN: chain.keyPem })).toThrow(/ACS_SIGNING_CHAIN must be PEM certificates/);
  });

  it('a key that does not match the leaf', async () => {
    const [a, b] = [await issueChain({ leaf: 'EC' }), await issueChain({ leaf: 'EC' })];
    expect(await configError({ ACS_SIGNING_KEY: a.keyPem, ACS_SIGNING_CHAIN: b.leafPem })).toMatch(/^Invalid configuration: ACS_SIGNING_KEY does not match the leaf certificate of ACS_SIGNING_CHAIN/);
    const rsa = await issueChain({ leaf: 'RSA' });
    expect(await configError({ ACS_SIGNING_KEY_MASTERCARD: rsa.keyPem, ACS_SIGNING_CHAIN_MASTERCARD: a.leafPem })).toMatch(/ACS_SIGNING_KEY_MASTERCARD is not a P-256 EC private key matching the leaf certificate of ACS_SIGNING_CHAIN_MASTERCARD/);
  });

  it('a chain that does not link (out of order, or another CA’s intermediate)', async () => {
    const [a, b] = [await issueChain({ leaf: 'EC' }), await issueChain({ leaf: 'EC' })];
    expect(await configError({ ACS_SIGNING_KEY: a.keyPem, ACS_SIGNING_CHAIN: a.leafPem + a.rootPem + a.subPem })).toMatch(/ACS_SIGNING_CHAIN does not link/);
    expect(await configError({ ACS_SIGNING_KEY: a.keyPem, ACS_SIGNING_CHAIN: a.leafPem + b.subPem })).toMatch(/ACS_SIGNING_CHAIN does not link/);
  });

  it('an expired leaf, and one not yet valid', async () => {
    const expired = await issueChain({ leaf: 'EC', validDays: [-30, -1] });
    expect(await configError({ ACS_SIGNING_KEY: expired.keyPem, ACS_SIGNING_CHAIN: expired.leafPem + expired.subPem })).toMatch(/ACS_SIGNING_CHAIN: CN=Test ACS is not valid now/);
    const early = await issueChain({ leaf: 'EC', validDays: [2, 30] });
    expect(await configError({ ACS_SIGNING_KEY: early.keyPem, ACS_SIGNING_CHAIN: early.leafPem })).toMatch(/is not valid now/);
  });

  it('a file that cannot be read', async () => {
    const chain = await issueChain({ leaf: 'EC' });
    expect(await configError({ ACS_SIGNING_KEY_VISA: 'file:/nonexistent/acs-key.pem', ACS_SIGNING_CHAIN_VISA: chain.leafPem })).toMatch(/ACS_SIGNING_KEY_VISA: cannot read \/nonexistent\/acs-key.pem \(ENOENT\)/);
  });
});

describe('production without a key', () => {
  it('has no signer (the AReq gets U/03) and start-up says so per scheme, naming the variables', async () => {
    const t = await app();
    const lines: string[] = [];
    const config = parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', ...TEST_SECRETS });
    const deps = { db: t.deps.db, keys: t.deps.keys, config, log: createLogger({ level: 'info', sink: (line) => lines.push(line) }) };
    await expect(acsSignerFor(deps, 'jcb')).rejects.toBeInstanceOf(SigningUnavailable);
    await checkAcsSigning(deps);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('app channel: no ACS signing key for jcb (set ACS_SIGNING_KEY_JCB and ACS_SIGNING_CHAIN_JCB, or ACS_SIGNING_KEY and ACS_SIGNING_CHAIN)');
    expect(lines[0]).toContain('answered U/03');
    expect((await t.client.execute('SELECT count(*) AS n FROM sandbox_signing')).rows[0].n).toBe(0);
  });
});
