/**
 * The ARes side of the app channel (deviceChannel 01), through POST /3ds/areq on a real libSQL file
 * with the demo issuer, played by the test SDK (test/support/app-sdk.ts: node:crypto + jose, not our
 * crypto module): the signed content verified against the sandbox DS root and the key agreed on both
 * sides, the rendering chosen from deviceRenderOptions, the AReq checks of the app fields, the session
 * row (sealed key, deleted with the transaction) and the RReq's app fields after the 30-second timer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openSessionKey } from '../../src/app-channel/crypto.ts';
import { checkAcsSigning } from '../../src/app-channel/signing.ts';
import { acceptCReqCounter, insertSessionStatement, loadSession, setEncOnce, storeUi, takeAcsCounter } from '../../src/app-channel/session-store.ts';
import { appSessions, transactions } from '../../src/db/schema.ts';
import { RREQ_SCHEMAS } from '../../src/protocol/rreq.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { runScheduledWork } from '../../src/services.ts';
import { postAReq } from '../support/areq.ts';
import { appAReq, deriveCek, encryptCReq, newEphemeralKey, offCurveJwk, sandboxRootPem, TestSdk, verifyAcsSignedContent } from '../support/app-sdk.ts';
import { startDsReceiver } from '../support/ds-receiver.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const VERSIONS = ['2.2.0', '2.3.1'] as const;
const CHALLENGE = '98000'; // above the demo threshold: C (SMS OTP for jcb-otp)

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(env: Record<string, string> = {}) {
  const ds = await startDsReceiver();
  cleanups.push(() => ds.close());
  const allow = { DS_ALLOWLIST_JCB: ds.prefix, DS_ALLOWLIST_VISA: ds.prefix, DS_ALLOWLIST_MASTERCARD: ds.prefix };
  const t = await createTestApp({ seed: true, env: { ...allow, ...env } });
  cleanups.push(() => t.close());
  // As every entry does at start-up (and so the sandbox chain exists before the first AReq).
  await checkAcsSigning(t.deps);
  return { t, ds };
}

function sdkFor(t: TestApp, o: Partial<ConstructorParameters<typeof TestSdk>[1]> = {}) {
  return new TestSdk(t.app, { pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE, db: t.deps.db, ...o });
}

async function answer(t: TestApp, areq: unknown) {
  return (await (await postAReq(t.app, areq)).json()) as Record<string, any>;
}

const sessionOf = (t: TestApp, acsTransID: string) => t.deps.db.select().from(appSessions).where(eq(appSessions.acsTransID, acsTransID)).get();

describe('the test SDK itself', () => {
  it("reproduces EMVCo's worked samples (Example 7's CEK, Example 10's CReq byte for byte)", async () => {
    const acs = { kty: 'EC', crv: 'P-256', x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0', y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps' };
    const sdk = { kty: 'EC', crv: 'P-256', x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ', y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck', d: 'VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw' };
    const cek = deriveCek(sdk, acs, 'A Dummy SDK Reference Number');
    expect(cek.toString('hex').toUpperCase()).toBe('4B57071C56A1393B613B05948621D2FAC5D37C30CBEF51D4642A8D1BB22A1C23');
    const creq =
      '{"threeDSServerTransID":"8a880dc0-d2d2-4067-bcb1-b08d1690b26e","acsTransID":"d7c1ee99-9478-44a6-b1f2-391e29c6b340","messageType":"CReq","messageVersion":"2.1.0","sdkTransID":"b2385523-a66c-4907-ac3c-91848e8c0067","sdkCounterStoA":"001"}';
    expect(await encryptCReq(cek, 'A128GCM', 'ACSTransactionID', 1, creq)).toBe(
      'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIiwia2lkIjoiQUNTVHJhbnNhY3Rpb25JRCJ9..AAAAAAAAAAAAAAAB.nOYtGTrUX4UueQeIS5JAvA2HinGcprqFzOjjgeK3zgVngx6K99BXJngIocxElx5R1HhCqBftV4GMjp084HcmCC4VSceEKS9ko3_7W76trbTuwcSsT-CGL30BQiNSvA8skt3e57bjjx7_hYd2kQ6jc2ODI6pdrzSCEbT9znOLXmEclWCqaejvWy2z4ZDypnc0O3vLz4VwOtRckk10QoXAqAMfD3DSDLkd0aD0xn6B3G44t8VbRwlhvKafhZt3svqDXhz1SFU2PKNPmmKzLDShtm_7iX-2O7vZb8jQJGN5uyBo81QPmR7-6dfuxG8.VewWjSnOG40Bh-sArISbBQ',
    );
  });
  it("verifies EMVCo's signed-content samples (Example 5 PS256, Example 6 ES256) against their DS root", async () => {
    const samples = JSON.parse(readFileSync(new URL('../fixtures/app-channel/emvco-acs-signed-content.json', import.meta.url), 'utf8'));
    for (const [jws, alg] of [[samples.example5Ps256, 'PS256'], [samples.example6Es256, 'ES256']]) {
      const verified = await verifyAcsSignedContent(jws, samples.dsRootPem, { allowHttp: true, at: new Date('2026-01-15T00:00:00Z') });
      expect(verified).toMatchObject({ alg, rootIncluded: false, payload: { acsURL: 'http://acsserver.domainname.com' } });
      // One flipped signature character and the SDK refuses it.
      const tampered = jws.slice(0, -2) + (jws.at(-2) === 'A' ? 'B' : 'A') + jws.at(-1);
      await expect(verifyAcsSignedContent(tampered, samples.dsRootPem, { allowHttp: true })).rejects.toThrow();
    }
  });
});

describe('ARes C for an app challenge', () => {
  it.each(VERSIONS)('%s: signed content verified against the sandbox DS root, the key agreed on both sides', async (messageVersion) => {
    const { t } = await start();
    const sdk = sdkFor(t, { messageVersion, jwkExtras: { kid: 'sdk-key-1', use: 'enc' } });
    const ares = await sdk.start();

    expect(ares).toMatchObject({ messageType: 'ARes', messageVersion, transStatus: 'C', sdkTransID: sdk.areq.sdkTransID, acsChallengeMandated: 'N' });
    expect(ares).not.toHaveProperty('acsURL'); // inside the signed content only
    expect(sdk.signed!.payload.acsURL).toBe('https://acs.test/3ds/app/challenge');
    // Echoed as sent, extra members included; and the ACS's own key is a fresh P-256 point.
    expect(sdk.signed!.payload.sdkEphemPubKey).toEqual(sdk.areq.sdkEphemPubKey);
    expect(sdk.signed!.payload.acsEphemPubKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(sdk.signed!.payload.acsEphemPubKey).not.toHaveProperty('d');
    expect(sdk.signed!.rootIncluded).toBe(false);

    if (messageVersion === '2.3.1') {
      expect(ares.acsRenderingType).toEqual({ acsInterface: '01', acsUiTemplate: '01', deviceUserInterfaceMode: '01' });
      expect(ares).toMatchObject({ authenticationMethod: ['02'], threeDSRequestorAppURLInd: 'N', deviceInfoRecognisedVersion: expect.any(String) });
    } else {
      expect(ares.acsRenderingType).toEqual({ acsInterface: '01', acsUiTemplate: '01' });
      expect(ares).toMatchObject({ authenticationType: '02' });
    }

    // The SDK's CEK (node:crypto) is the one the ACS stored, sealed.
    const row = await sessionOf(t, ares.acsTransID);
    expect(row).toMatchObject({ sdkTransID: sdk.areq.sdkTransID, sdkCounter: 0, acsCounter: 0, enc: null, sdkMaxTimeout: 5, rendering: ares.acsRenderingType });
    expect(Buffer.from(await openSessionKey(t.deps.keys.channel, row!.keyCipher)).equals(sdk.cek!)).toBe(true);
  });

  it('gives every transaction its own ephemeral key, and one chain signs them all', async () => {
    const { t } = await start();
    const [a, b] = [sdkFor(t), sdkFor(t)];
    await a.start();
    await b.start();
    expect(a.signed!.payload.acsEphemPubKey.x).not.toBe(b.signed!.payload.acsEphemPubKey.x);
    expect(a.cek!.equals(b.cek!)).toBe(false);
    expect(a.signed!.chain[0]!.fingerprint256).toBe(b.signed!.chain[0]!.fingerprint256);
  });

  it('is refused by an SDK holding another DS root', async () => {
    const { t } = await start();
    const ares = await answer(t, sdkFor(t).areq);
    await expect(verifyAcsSignedContent(ares.acsSignedContent, await selfSignedRootPem())).rejects.toThrow(/not signed by/);
    await expect(verifyAcsSignedContent(ares.acsSignedContent, await sandboxRootPem(t.deps.db))).resolves.toBeTruthy();
  });

  it('keeps the session key sealed: no encoding of the 32-byte key anywhere in the database file', async () => {
    const { t } = await start();
    const sdk = sdkFor(t);
    await sdk.start();
    await t.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const files = [t.databaseFile, `${t.databaseFile}-wal`].filter(existsSync).map((f) => readFileSync(f));
    const cek = sdk.cek!;
    const forms = [cek, Buffer.from(cek.toString('hex')), Buffer.from(cek.toString('hex').toUpperCase()), Buffer.from(cek.toString('base64')), Buffer.from(cek.toString('base64url')), cek.subarray(0, 16), cek.subarray(16)];
    for (const file of files) for (const form of forms) expect(file.includes(form)).toBe(false);
    // The row is really there (the search above would pass on an empty file too).
    expect((await sessionOf(t, sdk.ares!.acsTransID))?.keyCipher.length).toBeGreaterThan(40);
  });

  it('replays the stored ARes for a repeated AReq and keeps one session', async () => {
    const { t } = await start();
    const { areq } = appAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE });
    const first = await answer(t, areq);
    const again = await answer(t, areq);
    expect(again).toEqual(first);
    const rows = await t.deps.db.select().from(appSessions);
    expect(rows.map((r) => r.acsTransID)).toEqual([first.acsTransID]);
  });
});

describe('the rendering', () => {
  it.each([
    ['native and HTML, every UI type', '2.2.0', '03', ['01', '02', '03', '04', '05'], { acsInterface: '01', acsUiTemplate: '01' }],
    ['native only', '2.2.0', '01', ['01', '02', '03', '04'], { acsInterface: '01', acsUiTemplate: '01' }],
    ['HTML only', '2.2.0', '02', ['05'], { acsInterface: '02', acsUiTemplate: '05' }],
    ['both, but only HTML offered', '2.3.1', '03', ['05', '06'], { acsInterface: '02', acsUiTemplate: '05', deviceUserInterfaceMode: '01' }],
    ['HTML only, 2.3.1', '2.3.1', '02', ['01', '05', '07'], { acsInterface: '02', acsUiTemplate: '05', deviceUserInterfaceMode: '01' }],
  ] as const)('%s (%s, sdkInterface %s, %j) → %j', async (_, messageVersion, sdkInterface, sdkUiType, rendering) => {
    const { t } = await start();
    const sdk = sdkFor(t, { messageVersion, sdkInterface, sdkUiType: [...sdkUiType] });
    const ares = await sdk.start();
    expect(ares.acsRenderingType).toEqual(rendering);
    expect((await sessionOf(t, ares.acsTransID))?.rendering).toEqual(rendering);
  });

  it('takes a 2.2.0 SDK that leaves out sdkInterface for one that does both', async () => {
    const { t } = await start();
    const { areq } = appAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE, extra: { deviceRenderOptions: { sdkUiType: ['01'] } } });
    expect((await answer(t, areq)).acsRenderingType).toEqual({ acsInterface: '01', acsUiTemplate: '01' });
  });

  it.each([
    ['native only without Text', '01', ['02', '03', '04']],
    ['HTML only without 05', '02', ['01', '02']],
  ] as const)('answers U/03 (device not supported) when nothing fits: %s', async (_, sdkInterface, sdkUiType) => {
    const { t } = await start();
    const { areq } = appAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE, sdkInterface, sdkUiType: [...sdkUiType] });
    const ares = await answer(t, areq);
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'U', transStatusReason: '03', sdkTransID: areq.sdkTransID });
    expect(await t.deps.db.select().from(appSessions)).toEqual([]);
  });
});

describe('the AReq checks of the app fields', () => {
  async function erroFor(t: TestApp, o: Parameters<typeof appAReq>[0]) {
    return answer(t, appAReq(o).areq);
  }
  const pan = () => demoCard('jcb-otp').pan;

  it.each(VERSIONS)('%s: an off-curve sdkEphemPubKey is Erro 203 sdkEphemPubKey', async (messageVersion) => {
    const { t } = await start();
    const erro = await erroFor(t, { pan: pan(), messageVersion, purchaseAmount: CHALLENGE, sdkEphemPubKey: offCurveJwk() });
    expect(erro).toMatchObject({ messageType: 'Erro', errorCode: '203', errorDetail: 'sdkEphemPubKey', errorMessageType: 'AReq' });
  });

  it.each([
    ['an RSA key', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }],
    ['another curve', { ...newEphemeralKey().publicJwk, crv: 'P-384' }],
    ['a short coordinate', { ...newEphemeralKey().publicJwk, x: 'AAAA' }],
    ['a private key', { ...newEphemeralKey().publicJwk, d: 'VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw' }],
    ['a string', 'not a key'],
  ])('refuses %s as sdkEphemPubKey (203)', async (_, sdkEphemPubKey) => {
    const { t } = await start();
    const erro = await erroFor(t, { pan: pan(), purchaseAmount: '800', sdkEphemPubKey });
    expect(erro).toMatchObject({ messageType: 'Erro', errorCode: '203', errorDetail: 'sdkEphemPubKey' });
  });

  it.each(VERSIONS)('%s: sdkMaxTimeout 04 is Erro 203 sdkMaxTimeout; 05 and 99 pass', async (messageVersion) => {
    const { t } = await start();
    expect(await erroFor(t, { pan: pan(), messageVersion, purchaseAmount: '800', sdkMaxTimeout: '04' })).toMatchObject({ errorCode: '203', errorDetail: 'sdkMaxTimeout' });
    expect(await erroFor(t, { pan: pan(), messageVersion, purchaseAmount: '800', sdkMaxTimeout: '99' })).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
  });

  it('checks deviceRenderOptions per version', async () => {
    const { t } = await start();
    // 06/07 came with 2.3.1.
    expect(await erroFor(t, { pan: pan(), purchaseAmount: '800', sdkUiType: ['01', '06'] })).toMatchObject({ errorCode: '203', errorDetail: 'deviceRenderOptions.sdkUiType' });
    expect(await erroFor(t, { pan: pan(), messageVersion: '2.3.1', purchaseAmount: '800', sdkUiType: ['01', '07'] })).toMatchObject({ messageType: 'ARes' });
    // sdkInterface is required from 2.3.1 on; an empty UI list counts as missing.
    const noInterface = appAReq({ pan: pan(), messageVersion: '2.3.1', purchaseAmount: '800', extra: { deviceRenderOptions: { sdkUiType: ['01'] } } }).areq;
    expect(await answer(t, noInterface)).toMatchObject({ errorCode: '201', errorDetail: 'deviceRenderOptions.sdkInterface' });
    expect(await erroFor(t, { pan: pan(), purchaseAmount: '800', sdkUiType: [] })).toMatchObject({ errorCode: '201', errorDetail: 'deviceRenderOptions.sdkUiType' });
    expect(await erroFor(t, { pan: pan(), purchaseAmount: '800', sdkInterface: '04' as '01' })).toMatchObject({ errorCode: '203', errorDetail: 'deviceRenderOptions.sdkInterface' });
  });

  it('2.3.1 needs sdkType; deviceInfo must be base64url', async () => {
    const { t } = await start();
    expect(await erroFor(t, { pan: pan(), messageVersion: '2.3.1', purchaseAmount: '800', extra: { sdkType: undefined, defaultSdkType: undefined } })).toMatchObject({ errorCode: '201', errorDetail: 'sdkType' });
    expect(await erroFor(t, { pan: pan(), purchaseAmount: '800', extra: { deviceInfo: 'not base64url!' } })).toMatchObject({ errorCode: '203', errorDetail: 'deviceInfo' });
  });
});

describe('other outcomes on the app channel', () => {
  it.each(VERSIONS)('%s: a small purchase is still frictionless Y, with no session', async (messageVersion) => {
    const { t } = await start();
    const { areq } = appAReq({ pan: demoCard('jcb-otp').pan, messageVersion, purchaseAmount: '800' });
    const ares = await answer(t, areq);
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'Y', eci: '05', sdkTransID: areq.sdkTransID });
    expect(ares).not.toHaveProperty('acsSignedContent');
    if (messageVersion === '2.3.1') expect(ares).toMatchObject({ threeDSRequestorAppURLInd: 'N', deviceInfoRecognisedVersion: expect.any(String) });
    expect(await t.deps.db.select().from(appSessions)).toEqual([]);
  });

  it.each([
    ['an unregistered card', 'visa-unregistered'],
    ['a member without a usable phone (browser: phone guidance)', 'mc-no-otp'],
  ])('declines %s N/13: the guidance pages exist only in the browser', async (_, key) => {
    const { t } = await start();
    const { areq } = appAReq({ pan: demoCard(key).pan, purchaseAmount: CHALLENGE });
    expect(await answer(t, areq)).toMatchObject({ messageType: 'ARes', transStatus: 'N', transStatusReason: '13' });
  });

  it('challenges a static-password member on the app channel too', async () => {
    const { t } = await start();
    const sdk = sdkFor(t, { pan: demoCard('jcb-password').pan });
    expect(await sdk.start()).toMatchObject({ transStatus: 'C', authenticationType: '01', acsRenderingType: { acsInterface: '01', acsUiTemplate: '01' } });
  });
});

describe('signing configuration', () => {
  it('production without a signing key: U/03 for an app challenge, and the start-up line says so', async () => {
    const { t } = await start({ NODE_ENV: 'production', SANDBOX: 'false' });
    expect(t.logs.some((l) => l.includes('no ACS signing key for jcb') && l.includes('ACS_SIGNING_KEY_JCB') && l.includes('U/03'))).toBe(true);
    const { areq } = appAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE });
    expect(await answer(t, areq)).toMatchObject({ messageType: 'ARes', transStatus: 'U', transStatusReason: '03', sdkTransID: areq.sdkTransID });
    expect(await t.deps.db.select().from(appSessions)).toEqual([]);
    // The browser channel is unaffected.
    expect((await answer(t, appAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '800' }).areq)).transStatus).toBe('Y');
  });

  it("production with the issuer's key and chain: the SDK verifies the content against that DS root", async () => {
    const pki = await testPki();
    const { t } = await start({ NODE_ENV: 'production', SANDBOX: 'false', ACS_SIGNING_KEY: pki.leafKeyPem, ACS_SIGNING_CHAIN: pki.leafPem });
    const sdk = sdkFor(t, { rootPem: pki.rootPem });
    expect(await sdk.start()).toMatchObject({ transStatus: 'C' });
    expect(sdk.signed).toMatchObject({ alg: 'ES256', rootIncluded: false });
    expect(sdk.signed!.chain[0]!.subject).toContain('Test Issuer ACS');
    await expect(verifyAcsSignedContent(sdk.ares!.acsSignedContent, await selfSignedRootPem())).rejects.toThrow(/not signed by/);
  });
});

describe('the end of an app transaction', () => {
  it.each(VERSIONS)('%s: the 30-second timer deletes the session and the RReq carries the app fields', async (messageVersion) => {
    const { t, ds } = await start();
    const sdk = sdkFor(t, { messageVersion, dsURL: ds.url });
    const ares = await sdk.start();
    expect(await sessionOf(t, ares.acsTransID)).toBeTruthy();

    t.clock.advance(29_000);
    await runScheduledWork(t.deps);
    expect(await sessionOf(t, ares.acsTransID)).toBeTruthy(); // not before its time

    t.clock.advance(1_000);
    await runScheduledWork(t.deps);
    await runScheduledWork(t.deps);
    expect(await sessionOf(t, ares.acsTransID)).toBeUndefined();
    const txn = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get();
    expect(txn?.state).toBe('rreq_delivered');

    const [rreq] = ds.rreqs();
    expect(rreq).toMatchObject({
      messageType: 'RReq',
      messageVersion,
      acsTransID: ares.acsTransID,
      sdkTransID: sdk.areq.sdkTransID,
      acsRenderingType: ares.acsRenderingType,
      transStatus: 'N',
      transStatusReason: '14',
      challengeCancel: '05',
      interactionCounter: '00',
    });
    expect(RREQ_SCHEMAS[messageVersion].safeParse(rreq).success).toBe(true);
  });
});

/** An issuer's own DS root and ACS signing certificate (ES256), as PEM. */
async function testPki() {
  const x509 = await import('@peculiar/x509');
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const rootKeys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leafKeys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const validity = { notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 365 * 86_400_000) };
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Test Issuer DS Root', keys: rootKeys, signingAlgorithm: alg, serialNumber: '01', ...validity,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    subject: 'CN=Test Issuer ACS', issuer: root.subject, publicKey: leafKeys.publicKey, signingKey: rootKeys.privateKey, signingAlgorithm: alg, serialNumber: '02', ...validity,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey)).toString('base64');
  const leafKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { rootPem: root.toString('pem'), leafPem: leaf.toString('pem'), leafKeyPem };
}

/** A self-signed CA of our own, not the sandbox's: an SDK holding only it must refuse the signed content. */
async function selfSignedRootPem(): Promise<string> {
  const x509 = await import('@peculiar/x509');
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Another DS Root',
    keys,
    signingAlgorithm: alg,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return cert.toString('pem');
}

describe('the session store', () => {
  async function session(t: TestApp) {
    const sdk = sdkFor(t);
    return (await sdk.start()).acsTransID as string;
  }

  it('moves the SDK counter only from the value the CReq carried: of two racing CReqs one wins', async () => {
    const { t } = await start();
    const id = await session(t);
    const now = t.clock.now();
    const [a, b] = await Promise.all([acceptCReqCounter(t.deps.db, id, 0, 'A128GCM', now), acceptCReqCounter(t.deps.db, id, 0, 'A128CBC-HS256', now)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const row = await loadSession(t.deps.db, id);
    expect(row).toMatchObject({ sdkCounter: 1, enc: (a ?? b)!.enc });
    // A replay (0) and a skip (2) move nothing; the next one (1) does, and the first enc stays.
    expect(await acceptCReqCounter(t.deps.db, id, 0, 'A128GCM', now)).toBeUndefined();
    expect(await acceptCReqCounter(t.deps.db, id, 2, 'A128GCM', now)).toBeUndefined();
    expect(await acceptCReqCounter(t.deps.db, id, 1, row!.enc === 'A128GCM' ? 'A128CBC-HS256' : 'A128GCM', now)).toMatchObject({ sdkCounter: 2, enc: row!.enc });
    expect(await setEncOnce(t.deps.db, id, row!.enc === 'A128GCM' ? 'A128CBC-HS256' : 'A128GCM', now)).toBe(row!.enc);
  });

  it('hands out each ACS counter once, and stops before the byte wraps', async () => {
    const { t } = await start();
    const id = await session(t);
    const now = t.clock.now();
    const taken = await Promise.all([0, 1, 2].map(() => takeAcsCounter(t.deps.db, id, now)));
    expect([...taken].sort()).toEqual([0, 1, 2]);
    await t.deps.db.update(appSessions).set({ acsCounter: 254, sdkCounter: 254 }).where(eq(appSessions.acsTransID, id));
    expect(await takeAcsCounter(t.deps.db, id, now)).toBe(254);
    expect(await takeAcsCounter(t.deps.db, id, now)).toBeUndefined();
    expect(await acceptCReqCounter(t.deps.db, id, 254, 'A128GCM', now)).toMatchObject({ sdkCounter: 255 });
    expect(await acceptCReqCounter(t.deps.db, id, 255, 'A128GCM', now)).toBeUndefined();
  });

  it('stores what the CRes offered; writes no session without its transaction', async () => {
    const { t } = await start();
    const id = await session(t);
    await storeUi(t.deps.db, id, { step: 'entry', uiType: '01' }, t.clock.now());
    expect((await loadSession(t.deps.db, id))?.ui).toEqual({ step: 'entry', uiType: '01' });
    const orphan = crypto.randomUUID();
    await t.client.execute(insertSessionStatement({ acsTransID: orphan, sdkTransID: crypto.randomUUID(), keyCipher: 'x', rendering: { acsInterface: '01', acsUiTemplate: '01' }, sdkMaxTimeout: 5, now: t.clock.now() }));
    expect(await loadSession(t.deps.db, orphan)).toBeUndefined();
  });
});
