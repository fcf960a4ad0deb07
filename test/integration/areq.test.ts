/**
 * POST /3ds/areq through the app on a real libSQL file seeded with the demo issuer:
 * every outcome, every Erro code, idempotency and concurrency, for 2.2.0 and 2.3.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { verifyAuthenticationValue } from '../../src/acs/authentication-value.ts';
import { timers, transactions } from '../../src/db/schema.ts';
import { ARES_SCHEMAS } from '../../src/protocol/ares.ts';
import { ERRO_SCHEMAS } from '../../src/protocol/erro.ts';
import { demoCard, demoPan } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq, readSample, sampleAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp({ seed: true, env: { ACS_OPERATOR_ID: 'MAMORI-OP-01', ...options.env }, ...options });
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

async function answer(t: TestApp, areq: unknown) {
  const res = await postAReq(t.app, areq);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { res, body: (await res.json()) as Record<string, any> };
}

const VERSIONS = ['2.2.0', '2.3.1'] as const;

describe.each(VERSIONS)('AReq outcomes (%s)', (messageVersion) => {
  const cases: [string, Partial<Parameters<typeof browserAReq>[0]>, Record<string, unknown>][] = [
    ['jcb-otp', { purchaseAmount: '1200' }, { transStatus: 'Y', eci: '05' }],
    ['visa-otp', { purchaseAmount: '1200' }, { transStatus: 'Y', eci: '05' }],
    ['mc-otp', { purchaseAmount: '1200' }, { transStatus: 'Y', eci: '02' }],
    ['jcb-otp', { purchaseAmount: '30000' }, { transStatus: 'C', acsChallengeMandated: 'N' }],
    ['jcb-otp', { purchaseAmount: '500', challengeInd: '04' }, { transStatus: 'C', acsChallengeMandated: 'Y' }],
    ['jcb-otp', { purchaseAmount: '500', challengeInd: '06' }, { transStatus: 'I', eci: '07' }],
    ['jcb-otp', { purchaseAmount: '500', challengeInd: '02' }, { transStatus: 'Y' }],
    ['jcb-password', { purchaseAmount: '50000' }, { transStatus: 'C' }],
    ['mc-no-otp', { purchaseAmount: '1200' }, { transStatus: 'Y', eci: '02' }],
    ['mc-no-otp', { purchaseAmount: '50000' }, { transStatus: 'C' }],
    ['visa-unregistered', { purchaseAmount: '1200' }, { transStatus: 'C' }],
    ['jcb-provisional-phone', { purchaseAmount: '50000' }, { transStatus: 'C' }],
    ['visa-locked', {}, { transStatus: 'N', transStatusReason: '19' }],
    ['jcb-expired', {}, { transStatus: 'N', transStatusReason: '05' }],
    ['visa-stolen', {}, { transStatus: 'R', transStatusReason: '10' }],
    ['jcb-reissued-old', {}, { transStatus: 'N', transStatusReason: '06' }],
    ['jcb-reissued-new', {}, { transStatus: 'Y', eci: '05' }],
  ];
  it.each(cases)('%s %o → %o', async (key, options, expected) => {
    const t = await start();
    const { res, body } = await answer(t, browserAReq({ pan: demoCard(key).pan, messageVersion, ...options }));
    expect(body).toMatchObject({ messageType: 'ARes', messageVersion, ...expected });
    expect(ARES_SCHEMAS[messageVersion].safeParse(body).success).toBe(true);
    expect(body.acsTransID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.get('x-response-id')).toBe(body.acsTransID);
    const [row] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, body.acsTransID));
    expect(row.transStatus).toBe(body.transStatus);
    expect(row.state).toBe('ares_sent');
  });

  it('a challenge names the method and the acsURL, and arms the 30-second CReq timer', async () => {
    const t = await start();
    const otp = (await answer(t, browserAReq({ pan: demoCard('visa-otp').pan, messageVersion, purchaseAmount: '99999' }))).body;
    const pass = (await answer(t, browserAReq({ pan: demoCard('jcb-password').pan, messageVersion, purchaseAmount: '99999' }))).body;
    expect(otp.acsURL).toBe('https://acs.test/3ds/challenge');
    if (messageVersion === '2.2.0') {
      expect(otp.authenticationType).toBe('02');
      expect(pass.authenticationType).toBe('01');
    } else {
      expect(otp.authenticationMethod).toEqual(['02']);
      expect(pass.authenticationMethod).toEqual(['01']);
      expect(otp.authenticationType).toBeUndefined();
    }
    const [timer] = await t.deps.db.select().from(timers).where(eq(timers.subject, otp.acsTransID));
    expect(timer).toMatchObject({ kind: 'creq_timeout', dueAt: t.clock.now() + 30_000, doneAt: null });
    const [row] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, pass.acsTransID));
    expect(row.challengeMethod).toBe('password');
  });

  it('never challenges 3RI and answers the app channel with a defined outcome', async () => {
    const t = await start();
    const threeRI = browserAReq({ pan: demoCard('jcb-otp').pan, messageVersion, purchaseAmount: '99999', challengeInd: '04' });
    Object.assign(threeRI, { deviceChannel: '03', threeRIInd: '01', recurringExpiry: '20301231', recurringFrequency: '30' });
    for (const k of Object.keys(threeRI)) if (k.startsWith('browser') || ['notificationURL', 'threeDSCompInd', 'acceptLanguage'].includes(k)) delete threeRI[k];
    // Above the threshold and with a mandate: a browser would be challenged, 3RI cannot be.
    expect((await answer(t, threeRI)).body).toMatchObject({ messageType: 'ARes', transStatus: 'N', transStatusReason: '15' });
    const small = { ...threeRI, threeDSServerTransID: crypto.randomUUID(), purchaseAmount: '800' };
    expect((await answer(t, small)).body).toMatchObject({ transStatus: 'Y', eci: '05' });
  });
});

describe('app channel (01)', () => {
  function appAReq(pan: string, purchaseAmount: string) {
    const a = browserAReq({ pan, purchaseAmount });
    for (const k of Object.keys(a)) if (k.startsWith('browser') || ['notificationURL', 'threeDSCompInd'].includes(k)) delete a[k];
    return Object.assign(a, {
      deviceChannel: '01',
      sdkAppID: crypto.randomUUID(),
      sdkTransID: crypto.randomUUID(),
      sdkReferenceNumber: 'SDK-REF-0001',
      sdkMaxTimeout: '05',
      sdkEncData: 'eyJhbGciOiJ9',
      deviceInfo: 'eyJEViI6IjEuNCJ9',
      sdkEphemPubKey: { kty: 'EC', crv: 'P-256', x: 'mPUKT_bAWGHIhg0TpjjqVsP1rXWQu_vwVOHHtNkdYoA', y: '8BQAsImGeAS46fyWw5MhYfGTT0IjBpFw2SS34Dv4Irs' },
      deviceRenderOptions: { sdkInterface: '03', sdkUiType: ['01', '02'] },
    });
  }

  it('is frictionless where risk allows and challenged through the SDK where a challenge is due (test/integration/app-*.test.ts go further)', async () => {
    const t = await start();
    const small = appAReq(demoCard('jcb-otp').pan, '800');
    expect((await answer(t, small)).body).toMatchObject({ messageType: 'ARes', transStatus: 'Y', eci: '05', sdkTransID: small.sdkTransID });
    const large = appAReq(demoCard('jcb-otp').pan, '99999');
    const { body } = await answer(t, large);
    expect(body).toMatchObject({ messageType: 'ARes', transStatus: 'C', sdkTransID: large.sdkTransID, acsRenderingType: { acsInterface: '01', acsUiTemplate: '01' } });
    expect(body.acsSignedContent).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // The app's acsURL travels inside the signed content only.
    expect(body.acsURL).toBeUndefined();
  });
});

describe('authentication value', () => {
  it('is 28 base64 characters and verifies against the authorisation data, and only against it', async () => {
    const t = await start();
    const pan = demoCard('visa-otp').pan;
    const areq = browserAReq({ pan, purchaseAmount: '1500', purchaseCurrency: '392' });
    const { body } = await answer(t, areq);
    expect(body.authenticationValue).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    const data = { pan, dsTransID: areq.dsTransID as string, eci: '05', purchaseAmount: '1500', purchaseCurrency: '392' };
    expect(await verifyAuthenticationValue(t.deps.keys.authValue, body.authenticationValue, data)).toEqual({ valid: true, transStatus: 'Y', how: 'frictionless' });
    expect((await verifyAuthenticationValue(t.deps.keys.authValue, body.authenticationValue, { ...data, purchaseAmount: '1501' })).valid).toBe(false);
    expect((await verifyAuthenticationValue(t.deps.keys.authValue, body.authenticationValue, { ...data, pan: demoPan('visa', 9) })).valid).toBe(false);
  });
});

describe('Erro answers', () => {
  async function erro(t: TestApp, body: unknown) {
    const { body: e } = await answer(t, body);
    expect(e.messageType).toBe('Erro');
    expect(e.errorComponent).toBe('A');
    expect(ERRO_SCHEMAS[e.messageVersion as '2.2.0'].safeParse(e).success).toBe(true);
    return e;
  }
  const pan = () => demoCard('jcb-otp').pan;

  it('101 for a body that is not JSON or not an AReq', async () => {
    const t = await start();
    expect((await erro(t, 'not json at all')).errorCode).toBe('101');
    expect((await erro(t, { ...browserAReq({ pan: pan() }), messageType: 'ARes' })).errorCode).toBe('101');
    expect((await erro(t, '[1,2,3]')).errorCode).toBe('101');
  });

  it('102 for 2.1.0 or an unknown version, listing the supported ones', async () => {
    const t = await start();
    for (const v of ['2.1.0', '9.9.9']) {
      const e = await erro(t, { ...browserAReq({ pan: pan() }), messageVersion: v });
      expect(e.errorCode).toBe('102');
      expect(e.errorDetail).toContain('2.2.0');
      expect(e.errorDetail).toContain('2.3.1');
    }
  });

  it.each(VERSIONS)('201 names a missing or empty required element (%s)', async (messageVersion) => {
    const t = await start();
    const areq = browserAReq({ pan: pan(), messageVersion });
    delete areq.acctNumber;
    areq.merchantName = '';
    const e = await erro(t, areq);
    expect(e.errorCode).toBe('201');
    expect(e.errorDetail.split(',')).toEqual(expect.arrayContaining(['acctNumber', 'merchantName']));
    expect(e.threeDSServerTransID).toBe(areq.threeDSServerTransID);
  });

  it('201 when the DS fields are missing', async () => {
    const t = await start();
    const areq = browserAReq({ pan: pan() });
    delete areq.dsTransID;
    expect(await erro(t, areq)).toMatchObject({ errorCode: '201', errorDetail: 'dsTransID' });
  });

  it.each(VERSIONS)('203 names a badly formatted element (%s)', async (messageVersion) => {
    const t = await start();
    const e = await erro(t, { ...browserAReq({ pan: pan(), messageVersion }), purchaseAmount: '12.00', deviceChannel: '77' });
    expect(e.errorCode).toBe('203');
    expect(e.errorDetail).toContain('purchaseAmount');
  });

  it('204 for a duplicate key', async () => {
    const t = await start();
    const text = JSON.stringify(browserAReq({ pan: pan() })).replace('"mcc":"5411"', '"mcc":"5411","mcc":"5999"');
    expect(await erro(t, text)).toMatchObject({ errorCode: '204', errorDetail: 'mcc' });
  });

  it('304 for a currency or country outside ISO or excluded', async () => {
    const t = await start();
    expect(await erro(t, { ...browserAReq({ pan: pan() }), purchaseCurrency: '999' })).toMatchObject({ errorCode: '304' });
    expect((await erro(t, { ...browserAReq({ pan: pan() }), merchantCountryCode: '950' })).errorCode).toBe('304');
  });

  it('305 for a PAN outside every BIN range', async () => {
    const t = await start();
    expect(await erro(t, browserAReq({ pan: '4111111111111111' }))).toMatchObject({ errorCode: '305', errorDetail: 'acctNumber' });
  });

  it('403 when the database fails, never a 5xx', async () => {
    const t = await start();
    t.client.close();
    const e = await erro(t, browserAReq({ pan: pan() }));
    expect(e.errorCode).toBe('403');
  });

  it('N/08 for a PAN in range without a card record', async () => {
    const t = await start();
    const { body } = await answer(t, browserAReq({ pan: demoPan('jcb', 9999) }));
    expect(body).toMatchObject({ transStatus: 'N', transStatusReason: '08' });
  });
});

describe('idempotency and concurrency', () => {
  it('replays the stored ARes for an identical repeat and refuses the same IDs with other content', async () => {
    const t = await start();
    const areq = browserAReq({ pan: demoCard('jcb-otp').pan });
    const first = (await answer(t, areq)).body;
    const again = (await answer(t, areq)).body;
    expect(again).toEqual(first);
    const changed = (await answer(t, { ...areq, purchaseAmount: '1300' })).body;
    expect(changed).toMatchObject({ messageType: 'Erro', errorCode: '305' });
    expect(await t.deps.db.$count(transactions)).toBe(1);
  });

  it('20 identical AReqs at once make one transaction and 20 identical ARes', async () => {
    const t = await start();
    const areq = JSON.stringify(browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99999' }));
    const bodies = await Promise.all(Array.from({ length: 20 }, () => postAReq(t.app, areq).then((r) => r.text())));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]).transStatus).toBe('C');
    expect(await t.deps.db.$count(transactions)).toBe(1);
  });
});

describe('public samples', () => {
  it.each([
    ['AReq_browser_PA_2.2.0_visa-VSTS_3DSS-220-107.json', 'ARes_browser_C_2.2.0_visa-VSTS_3DSS-220-107.json', 'visa-otp'],
    ['AReq_3RI_PA_2.2.0_visa-VSTS_3DSS-220-301.json', 'ARes_3RI_Y_2.2.0_visa-VSTS_3DSS-220-301.json', 'visa-otp'],
  ])('%s gets an ARes with the fields of %s', async (areqFile, aresFile, key) => {
    const t = await start();
    const { body } = await answer(t, sampleAReq(areqFile, demoCard(key).pan));
    const expected = readSample(aresFile);
    const schemeOnly = ['whiteListStatus', 'whiteListStatusSource'];
    expect(Object.keys(body).sort()).toEqual(Object.keys(expected).filter((k) => !schemeOnly.includes(k)).sort());
    expect(body.transStatus).toBe(expected.transStatus);
  });
});

describe('stored data', () => {
  it('keeps the PAN only as hash and ciphertext, and the AReq masked', async () => {
    const t = await start();
    const pan = demoCard('jcb-otp').pan;
    const { body } = await answer(t, browserAReq({ pan }));
    const raw = await t.client.execute({ sql: 'select * from transactions where acs_trans_id = ?', args: [body.acsTransID] });
    const text = JSON.stringify(raw.rows);
    expect(text).not.toContain(pan);
    expect(text).toContain(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
    expect(t.logs.join('\n')).not.toContain(pan);
  });
});
