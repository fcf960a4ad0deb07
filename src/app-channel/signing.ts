/**
 * The ACS's signing key for `acsSignedContent` (spec §6.2.3.2): a compact JWS, PS256 (RSA) or
 * ES256 (P-256), whose `x5c` carries the certificate the scheme's DS CA issued, leaf first, without
 * the root (the SDK ships the root).
 *
 * Where the key comes from, per scheme: ACS_SIGNING_KEY_<BRAND> + ACS_SIGNING_CHAIN_<BRAND>, else
 * ACS_SIGNING_KEY + ACS_SIGNING_CHAIN (PEM text, or `file:/path` on Node and Deno). Outside
 * production without either, the sandbox's throw-away chain "Mamori Sandbox DS Root" → "Mamori
 * Sandbox ACS", made once and kept in `sandbox_signing` (key sealed) so that every process and
 * isolate signs with the same chain. In production without a key there is no signer: app AReqs
 * that need a challenge are answered U/03 (ares.ts) and `checkAcsSigning` says so at start-up.
 */
import { eq } from 'drizzle-orm';
import { CompactSign } from 'jose';
import { ConfigError, type Config } from '../config.ts';
import { sandboxSigning } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { base64ToBytes, bytesToBase64 } from '../encoding.ts';
import { BRAND_IDS, type Brand } from '../protocol/brands.ts';
import { openBytes, sealBytes, type EcPublicJwk } from './crypto.ts';

export type AcsSigner = { alg: 'PS256' | 'ES256'; key: CryptoKey; x5c: string[] };
type SigningDeps = Pick<AppDeps, 'db' | 'config' | 'keys' | 'log'>;

/** No signer for the scheme (production without a key, or its certificate out of date). */
export class SigningUnavailable extends Error {
  override name = 'SigningUnavailable';
}

/** The content the SDK verifies: exactly these three members, in this order. */
export async function signAcsContent(
  signer: AcsSigner,
  payload: { acsEphemPubKey: EcPublicJwk; sdkEphemPubKey: EcPublicJwk; acsURL: string },
): Promise<string> {
  const content = { acsEphemPubKey: payload.acsEphemPubKey, sdkEphemPubKey: payload.sdkEphemPubKey, acsURL: payload.acsURL };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(content)))
    .setProtectedHeader({ alg: signer.alg, x5c: signer.x5c })
    .sign(signer.key);
}

/** The scheme's signer, loaded and checked once per app (its database) and then reused. */
export async function acsSignerFor(deps: SigningDeps, brand: Brand): Promise<AcsSigner> {
  const loaded = await loadedSigner(deps, brand);
  // An expired leaf would be refused by every SDK: no challenge rather than a broken one.
  const now = Date.now();
  if (now < loaded.notBefore || now > loaded.notAfter) {
    throw new SigningUnavailable(`the ACS signing certificate for ${brand} (${loaded.source}) is not valid now`);
  }
  return loaded.signer;
}

/** The sandbox DS root (PEM) the sandbox SDK trusts; made with the sandbox chain when missing. */
export async function sandboxDsRoot(deps: SigningDeps): Promise<string> {
  return (await sandboxChain(deps)).rootPem;
}

/**
 * Start-up check, one line per scheme: which key signs, or why none does. Throws ConfigError
 * (the entry stops, naming the variable) when configured material is unreadable or inconsistent.
 */
export async function checkAcsSigning(deps: SigningDeps): Promise<void> {
  for (const brand of BRAND_IDS) {
    const source = signingSource(deps.config, brand);
    if (!source && deps.config.NODE_ENV === 'production') {
      deps.log.warn(
        `app channel: no ACS signing key for ${brand} (set ACS_SIGNING_KEY_${brand.toUpperCase()} and ACS_SIGNING_CHAIN_${brand.toUpperCase()}, or ACS_SIGNING_KEY and ACS_SIGNING_CHAIN): its app AReqs that need a challenge are answered U/03`,
      );
      continue;
    }
    let loaded: LoadedSigner;
    try {
      loaded = await loadedSigner(deps, brand);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      // The sandbox chain is made again on the first app challenge: a database hiccup must not stop the start.
      if (!source) {
        deps.log.warn(`app channel: the sandbox signing chain could not be loaded yet for ${brand}`, { error });
        continue;
      }
      throw new ConfigError(`Invalid configuration: ACS signing for ${brand}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const validTo = new Date(loaded.notAfter).toISOString().slice(0, 10);
    if (Date.now() > loaded.notAfter || Date.now() < loaded.notBefore) {
      throw new ConfigError(`Invalid configuration: ${loaded.source.split(' + ')[1] ?? loaded.source}: the leaf certificate is not valid now (valid to ${validTo})`);
    }
    deps.log.info(`app channel: ${brand} signs acsSignedContent with ${loaded.signer.alg}, ${loaded.subject} (${loaded.source}), valid to ${validTo}`);
  }
}

// ─── Where the key comes from ──────────────────────────────────────────────────────────────────

type SigningVariable = `ACS_SIGNING_${'KEY' | 'CHAIN'}${'' | `_${Uppercase<Brand>}`}`;

/** The variable pair for the scheme: its own when either of its own is set, else the default pair. */
export function signingSource(config: Config, brand: Brand): { keyVar: SigningVariable; chainVar: SigningVariable } | undefined {
  const own = brand.toUpperCase() as Uppercase<Brand>;
  const keyVar = `ACS_SIGNING_KEY_${own}` as const;
  const chainVar = `ACS_SIGNING_CHAIN_${own}` as const;
  // config.ts's superRefine makes each pair complete; here only which pair applies.
  if (config[keyVar] || config[chainVar]) return { keyVar, chainVar };
  if (config.ACS_SIGNING_KEY || config.ACS_SIGNING_CHAIN) return { keyVar: 'ACS_SIGNING_KEY', chainVar: 'ACS_SIGNING_CHAIN' };
  return undefined;
}

interface LoadedSigner {
  signer: AcsSigner;
  subject: string;
  source: string;
  notBefore: number;
  notAfter: number;
}

const cache = new WeakMap<object, Map<Brand, Promise<LoadedSigner>>>();

function loadedSigner(deps: SigningDeps, brand: Brand): Promise<LoadedSigner> {
  let perApp = cache.get(deps.db);
  if (!perApp) cache.set(deps.db, (perApp = new Map()));
  let pending = perApp.get(brand);
  if (!pending) {
    const source = signingSource(deps.config, brand);
    pending = source
      ? configuredSigner(deps.config, source.keyVar, source.chainVar)
      : deps.config.NODE_ENV === 'production'
        ? Promise.reject(new SigningUnavailable(`no ACS signing key for ${brand} in production`))
        : sandboxChain(deps).then((chain) => chain.loaded);
    perApp.set(brand, pending);
    // A failure (a database hiccup, a file being replaced) is tried again next time.
    pending.catch(() => perApp.get(brand) === pending && perApp.delete(brand));
  }
  return pending;
}

async function configuredSigner(config: Config, keyVar: SigningVariable, chainVar: SigningVariable): Promise<LoadedSigner> {
  const keyPem = await readPem(config[keyVar]!, keyVar);
  const chainPem = await readPem(config[chainVar]!, chainVar);
  const x509 = await x509Module();
  const certs = pemBlocks(chainPem, 'CERTIFICATE').map((der) => new x509.X509Certificate(der));
  if (certs.length === 0) throw new ConfigError(`Invalid configuration: ${chainVar} holds no certificate (PEM "-----BEGIN CERTIFICATE-----")`);
  const keyDer = pemBlocks(keyPem, 'PRIVATE KEY')[0];
  if (!keyDer) throw new ConfigError(`Invalid configuration: ${keyVar} must be an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"; convert with openssl pkcs8 -topk8 -nocrypt)`);

  const leaf = certs[0];
  const algorithm = leaf.publicKey.algorithm as RsaHashedKeyAlgorithm | EcKeyAlgorithm;
  let alg: AcsSigner['alg'];
  let importAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'RSA-PSS' || algorithm.name === 'RSA-OAEP') {
    alg = 'PS256';
    importAlgorithm = { name: 'RSA-PSS', hash: 'SHA-256' };
  } else if (algorithm.name === 'ECDSA' || algorithm.name === 'ECDH') {
    if ((algorithm as EcKeyAlgorithm).namedCurve !== 'P-256') throw new ConfigError(`Invalid configuration: ${chainVar}: the leaf's EC key must be on P-256 (ES256)`);
    alg = 'ES256';
    importAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  } else {
    throw new ConfigError(`Invalid configuration: ${chainVar}: the leaf's key must be RSA (PS256) or EC P-256 (ES256), not ${algorithm.name}`);
  }

  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('pkcs8', keyDer, importAlgorithm, false, ['sign']);
  } catch {
    throw new ConfigError(`Invalid configuration: ${keyVar} is not a ${alg === 'PS256' ? 'RSA' : 'P-256 EC'} private key matching the leaf certificate of ${chainVar}`);
  }
  if (alg === 'PS256' && ((key.algorithm as RsaHashedKeyAlgorithm).modulusLength ?? 0) < 2048) {
    throw new ConfigError(`Invalid configuration: ${keyVar}: an RSA key must have at least 2048 bits`);
  }
  if (!(await keyMatchesLeaf(key, alg, leaf, importAlgorithm))) {
    throw new ConfigError(`Invalid configuration: ${keyVar} does not match the leaf certificate of ${chainVar} (${leaf.subject})`);
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const [child, parent] = [certs[i], certs[i + 1]];
    if (child.issuer !== parent.subject || !(await child.verify({ publicKey: parent.publicKey, signatureOnly: true }))) {
      throw new ConfigError(`Invalid configuration: ${chainVar} does not link: certificate ${i + 1} (${child.subject}) is not signed by certificate ${i + 2} (${parent.subject}); order them leaf first`);
    }
  }
  const now = Date.now();
  const outOfDate = certs.find((c) => now < c.notBefore.getTime() || now > c.notAfter.getTime());
  if (outOfDate) throw new ConfigError(`Invalid configuration: ${chainVar}: ${outOfDate.subject} is not valid now (${outOfDate.notBefore.toISOString()} – ${outOfDate.notAfter.toISOString()})`);

  // The root stays out of x5c (spec §6.2.3.2): the SDK has it already.
  const last = certs[certs.length - 1];
  const rootIncluded = certs.length > 1 && (await isSelfSigned(last));
  const x5c = (rootIncluded ? certs.slice(0, -1) : certs).map((c) => bytesToBase64(c.rawData));
  return {
    signer: { alg, key, x5c },
    subject: leaf.subject,
    source: `${keyVar} + ${chainVar}`,
    notBefore: leaf.notBefore.getTime(),
    notAfter: leaf.notAfter.getTime(),
  };
}

/** Sign and verify one message: the only check that works for RSA and EC keys on every runtime. */
async function keyMatchesLeaf(
  key: CryptoKey,
  alg: AcsSigner['alg'],
  leaf: { publicKey: { export(algorithm: RsaHashedImportParams | EcKeyImportParams, usages: KeyUsage[]): Promise<CryptoKey> } },
  importAlgorithm: RsaHashedImportParams | EcKeyImportParams,
): Promise<boolean> {
  const params = alg === 'PS256' ? { name: 'RSA-PSS', saltLength: 32 } : { name: 'ECDSA', hash: 'SHA-256' };
  const probe = new TextEncoder().encode('mamori acs signing key check');
  try {
    const signature = await crypto.subtle.sign(params, key, probe);
    return await crypto.subtle.verify(params, await leaf.publicKey.export(importAlgorithm, ['verify']), signature, probe);
  } catch {
    return false;
  }
}

async function isSelfSigned(cert: { subject: string; issuer: string; isSelfSigned(): Promise<boolean> }): Promise<boolean> {
  return cert.subject === cert.issuer && (await cert.isSelfSigned());
}

/** PEM text as configured, or the file a `file:` value names (Node and Deno; Workers take secrets). */
async function readPem(value: string, name: string): Promise<string> {
  if (!value.startsWith('file:')) return value;
  const path = value.slice('file:'.length);
  if (typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers') {
    throw new ConfigError(`Invalid configuration: ${name}: file: paths cannot be read on Workers; put the PEM text in a Worker secret (wrangler secret put ${name})`);
  }
  try {
    const { readFile } = await import('node:fs/promises');
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function pemBlocks(text: string, label: string): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  for (const m of text.matchAll(re)) out.push(base64ToBytes(m[1].replace(/\s+/g, '')));
  return out;
}

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  return `-----BEGIN ${label}-----\n${bytesToBase64(der).replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

// ─── The sandbox's throw-away chain ────────────────────────────────────────────────────────────

const SANDBOX_ROW = 'sandbox';
const SANDBOX_PURPOSE = 'sandbox signing key';
const ES256_KEY = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

interface SandboxChain {
  rootPem: string;
  loaded: LoadedSigner;
}

const sandboxCache = new WeakMap<object, Promise<SandboxChain>>();

function sandboxChain(deps: SigningDeps): Promise<SandboxChain> {
  let pending = sandboxCache.get(deps.db);
  if (!pending) {
    pending = storedSandboxChain(deps);
    sandboxCache.set(deps.db, pending);
    pending.catch(() => sandboxCache.get(deps.db) === pending && sandboxCache.delete(deps.db));
  }
  return pending;
}

/** The stored chain, or a new one stored first (INSERT OR IGNORE: the first isolate's wins). */
async function storedSandboxChain(deps: SigningDeps): Promise<SandboxChain> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let row = await deps.db.select().from(sandboxSigning).where(eq(sandboxSigning.id, SANDBOX_ROW)).get();
    if (!row) {
      await deps.db.insert(sandboxSigning).values(await newSandboxChain(deps)).onConflictDoNothing();
      row = await deps.db.select().from(sandboxSigning).where(eq(sandboxSigning.id, SANDBOX_ROW)).get();
    }
    if (!row) throw new Error('sandbox signing chain: not stored');
    try {
      const pkcs8 = await openBytes(deps.keys.channel, SANDBOX_PURPOSE, row.keyCipher);
      const key = await crypto.subtle.importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
      pkcs8.fill(0);
      const x509 = await x509Module();
      const leaf = new x509.X509Certificate(pemBlocks(row.chainPem, 'CERTIFICATE')[0]);
      return {
        rootPem: row.rootPem,
        loaded: {
          signer: { alg: 'ES256', key, x5c: [bytesToBase64(leaf.rawData)] },
          subject: leaf.subject,
          source: 'the sandbox chain "Mamori Sandbox DS Root"',
          notBefore: leaf.notBefore.getTime(),
          notAfter: leaf.notAfter.getTime(),
        },
      };
    } catch (error) {
      // Sealed under another PAN_ENCRYPTION_KEY (a development database kept across secrets):
      // the chain is throw-away, so make a new one; SDKs must fetch the new root.
      deps.log.warn('sandbox signing chain unreadable with this PAN_ENCRYPTION_KEY: replacing it', { error });
      await deps.db.delete(sandboxSigning).where(eq(sandboxSigning.id, SANDBOX_ROW));
    }
  }
  throw new Error('sandbox signing chain: cannot be stored and read back');
}

async function newSandboxChain(deps: SigningDeps): Promise<typeof sandboxSigning.$inferInsert> {
  const x509 = await x509Module();
  const now = Date.now();
  // A day back for clocks behind ours; ten years ahead: a sandbox chain is never rotated on its own.
  const notBefore = new Date(now - 86_400_000);
  const notAfter = new Date(now + 10 * 365 * 86_400_000);
  const serial = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('').replace(/^[89a-f]/, '1');
  const rootKeys = (await crypto.subtle.generateKey(ES256_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leafKeys = (await crypto.subtle.generateKey(ES256_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Mamori Sandbox DS Root, O=Mamori Sandbox',
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: ES256_KEY,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=Mamori Sandbox ACS, O=Mamori Sandbox',
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ES256_KEY,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const keyCipher = await sealBytes(deps.keys.channel, SANDBOX_PURPOSE, pkcs8);
  pkcs8.fill(0);
  const rootPem = pem('CERTIFICATE', root.rawData);
  deps.log.info('sandbox: made the throw-away ACS signing chain (Mamori Sandbox DS Root → Mamori Sandbox ACS)');
  return { id: SANDBOX_ROW, keyCipher, chainPem: pem('CERTIFICATE', leaf.rawData) + rootPem, rootPem, createdAt: now };
}

/** @peculiar/x509 only where certificates are read or made, after the Reflect polyfill it needs. */
async function x509Module() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}
