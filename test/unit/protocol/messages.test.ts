import { describe, expect, it } from 'vitest';
import {
  ARES_SCHEMAS, CRES_SCHEMAS, ERRO_SCHEMAS, RREQ_SCHEMAS, buildARes, buildErro, buildFinalCRes, buildRReq, decodeCReq,
  decodeJsonBase64Url, eciFor, encodeJsonBase64Url, encodeTextBase64Url, encodeThreeDSMethodNotification, parseCReq,
  parseRRes, parseThreeDSMethodData, type AResCommon,
} from '../../../src/protocol/index.ts';
import { readSample, sampleFiles, sampleJson, versionOf } from './samples.ts';

/** 2.1.0 samples are checked loosely: as if they had been sent as 2.2.0. */
function asVersion220(message: Record<string, any>) {
  return { ...message, messageVersion: '2.2.0' };
}

function expectValid(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, message: unknown) {
  const result = schema.safeParse(message);
  expect(result.success, JSON.stringify(result.error)).toBe(true);
}

/** The JSON lines of the spec's 2.3.1 browser CReq/CRes example. */
const example231 = readSample('CReq_CRes_browser_2.3.1_emvco-2.3.1.1-A.8-example.txt')
  .split('\n')
  .filter((line) => line.startsWith('{'))
  .map((line) => JSON.parse(line));
const creq231 = example231.find((m) => m.messageType === 'CReq');
const cres231 = example231.find((m) => m.messageType === 'CRes');

describe('sample messages validate against the schemas', () => {
  it.each(sampleFiles('ARes_'))('%s', (file) => {
    const ares = sampleJson(file);
    expectValid(ARES_SCHEMAS['2.2.0'], versionOf(file) === '2.2.0' ? ares : asVersion220(ares));
  });

  it.each(sampleFiles('RReq_'))('%s', (file) => {
    const rreq = sampleJson(file);
    expectValid(RREQ_SCHEMAS['2.2.0'], versionOf(file) === '2.2.0' ? rreq : asVersion220(rreq));
  });

  it.each(sampleFiles('CRes_'))('%s', (file) => {
    const cres = sampleJson(file);
    expectValid(CRES_SCHEMAS['2.2.0'], versionOf(file) === '2.2.0' ? cres : asVersion220(cres));
  });

  it.each(sampleFiles('Erro_'))('%s', (file) => {
    expectValid(ERRO_SCHEMAS['2.2.0'], asVersion220(sampleJson(file)));
  });

  it('the spec example of a 2.3.1 final CRes', () => {
    expectValid(CRES_SCHEMAS['2.3.1'], cres231);
  });

  it('an ARes without what its transStatus needs fails', () => {
    const challenge = sampleJson('ARes_browser_C_2.2.0_visa-VSTS_3DSS-220-107.json');
    const { acsURL, ...noUrl } = challenge;
    expect(ARES_SCHEMAS['2.2.0'].safeParse(noUrl).success).toBe(false);
    expect(ARES_SCHEMAS['2.2.0'].safeParse({ ...challenge, authenticationType: undefined }).success).toBe(false);
  });
});

const ids = {
  threeDSServerTransID: '6c57c18f-e55b-4333-a991-460b04ee0730',
  dsTransID: 'd3e8aae9-b188-4305-9f4b-4db0baae1a00',
  acsTransID: 'b91b3717-9fab-456c-9379-a0986c9cd4de',
};
const common: AResCommon = {
  ...ids,
  messageVersion: '2.2.0',
  acsReferenceNumber: 'ACSRefNum1234',
  acsOperatorID: '00000014',
  dsReferenceNumber: 'DSServerRef123456',
};
const authenticationValue = 'AAABBZEEBgAAAAAAAAQGAAAAAAA=';

/** A VSTS ARes without the 2.2.0 whiteList elements, which the ACS does not send. */
function vsts(file: string) {
  const { whiteListStatus, whiteListStatusSource, ...ares } = sampleJson(file);
  return ares;
}

describe('buildARes', () => {
  it('builds the frictionless outcomes exactly as the Visa test suite expects them', () => {
    const y = vsts('ARes_browser_Y_2.2.0_visa-VSTS_3DSS-220-101.json');
    expect(buildARes({ ...common, ...pick(y), transStatus: 'Y', eci: eciFor('visa', 'Y'), authenticationValue })).toEqual(y);

    const n = vsts('ARes_browser_N_reason01_2.2.0_visa-VSTS_3DSS-220-102.json');
    expect(buildARes({ ...common, ...pick(n), transStatus: 'N', transStatusReason: '01' })).toEqual(n);

    const a = vsts('ARes_browser_A_eci06_2.2.0_visa-VSTS_3DSS-220-106.json');
    expect(buildARes({ ...common, ...pick(a), transStatus: 'A', eci: eciFor('visa', 'A'), authenticationValue })).toEqual(a);

    const i = vsts('ARes_browser_I_eci07_2.2.0_visa-VSTS_3DSS-220-105.json');
    expect(buildARes({ ...common, ...pick(i), transStatus: 'I', eci: '07', authenticationValue })).toEqual(i);
  });

  it('builds a 2.2.0 challenge ARes exactly as the Visa test suite expects it', () => {
    const c = vsts('ARes_browser_C_2.2.0_visa-VSTS_3DSS-220-107.json');
    const built = buildARes({ ...common, ...pick(c), transStatus: 'C', acsURL: c.acsURL, acsChallengeMandated: 'Y', authenticationType: '02' });
    expect(built).toEqual(c);
  });

  it('speaks 2.3.1: authenticationMethod instead of authenticationType, cardholderInfo as an object', () => {
    const built = buildARes({
      ...common, messageVersion: '2.3.1', transStatus: 'C', acsURL: 'https://acs.example.jp/3ds/challenge',
      acsChallengeMandated: 'Y', authenticationType: '02', cardholderInfo: 'カード会社からのお知らせ', transStatusReasonInfo: 'x',
    });
    expect(built).toMatchObject({ messageVersion: '2.3.1', authenticationMethod: ['02'], cardholderInfo: { text: 'カード会社からのお知らせ' } });
    expect(built).not.toHaveProperty('authenticationType');
    expect(buildARes({ ...common, transStatus: 'U', transStatusReason: '22', transStatusReasonInfo: 'x' })).not.toHaveProperty('transStatusReasonInfo');
  });

  it('carries exactly the elements of the outcome', () => {
    const keys = (x: object) => Object.keys(x).sort();
    const base = ['messageType', 'messageVersion', 'threeDSServerTransID', 'dsTransID', 'acsTransID', 'acsReferenceNumber', 'acsOperatorID', 'dsReferenceNumber', 'transStatus'];
    expect(keys(buildARes({ ...common, transStatus: 'R', transStatusReason: '11' }))).toEqual([...base, 'transStatusReason'].sort());
    expect(keys(buildARes({ ...common, transStatus: 'Y', eci: '02', authenticationValue, sdkTransID: ids.acsTransID }))).toEqual(
      [...base, 'eci', 'authenticationValue', 'sdkTransID'].sort(),
    );
  });

  it('refuses what the schema refuses', () => {
    expect(() => buildARes({ ...common, transStatus: 'Y', eci: '05', authenticationValue: 'short' })).toThrow();
    expect(() =>
      buildARes({ ...common, messageVersion: '2.3.1', transStatus: 'C', acsURL: 'http://acs.example.jp/3ds', acsChallengeMandated: 'Y', authenticationType: '02' }),
    ).toThrow();
  });

  it('lets plain http through for a loopback acsURL only (a sandbox on one machine)', () => {
    const ares = buildARes({ ...common, messageVersion: '2.3.1', transStatus: 'C', acsURL: 'http://localhost:8787/3ds/challenge', acsChallengeMandated: 'N', authenticationType: '02' });
    expect(ares.transStatus).toBe('C');
  });
});

/** The IDs and reference numbers of a sample ARes. */
function pick(ares: Record<string, any>) {
  const { threeDSServerTransID, dsTransID, acsTransID } = ares;
  return { threeDSServerTransID, dsTransID, acsTransID };
}

describe('buildFinalCRes and buildRReq', () => {
  it('build the Visa test suite challenge results', () => {
    const cres = sampleJson('CRes_browser_final_Y_2.2.0_visa-VSTS_3DSS-220-107.json');
    expect(buildFinalCRes({ ...ids, messageVersion: '2.2.0', transStatus: 'Y' })).toEqual(cres);

    const rreq = sampleJson('RReq_browser_Y_2.2.0_visa-VSTS_3DSS-220-107.json');
    const built = buildRReq({
      ...ids, messageVersion: '2.2.0', messageCategory: '01', transStatus: 'Y', authenticationType: '02',
      authenticationValue, eci: '05', interactionCounter: 1,
    });
    expect(built).toEqual(rreq);
  });

  it('a timed-out challenge: N, reason 14, challengeCancel, in both versions', () => {
    const timedOut = {
      ...ids, messageCategory: '01', transStatus: 'N', transStatusReason: '14', challengeCancel: '05',
      authenticationType: '02', interactionCounter: 0,
    } as const;
    expect(buildRReq({ ...timedOut, messageVersion: '2.2.0' })).toMatchObject({ interactionCounter: '00', challengeCancel: '05', authenticationType: '02' });
    expect(buildRReq({ ...timedOut, messageVersion: '2.3.1' })).toMatchObject({ authenticationMethod: ['02'] });
    expect(() => buildRReq({ ...timedOut, messageVersion: '2.2.0', challengeCancel: undefined })).toThrow();
  });

  it('a 2.3.1 final CRes carries only the CRes elements', () => {
    const cres = buildFinalCRes({ ...ids, messageVersion: '2.3.1', transStatus: 'N' });
    const { dsTransID, ...cresIds } = ids;
    expect(cres).toEqual({ ...cresIds, messageType: 'CRes', messageVersion: '2.3.1', transStatus: 'N' });
  });
});

describe('parseCReq and decodeCReq', () => {
  const creq = sampleJson('CReq_browser_2.2.0_visa-VSTS_3DSS-220-107.json');

  it('accepts the Visa and EMVCo samples', () => {
    expect(parseCReq(creq)).toMatchObject({ ok: true, messageVersion: '2.2.0', creq: { challengeWindowSize: '05' } });
    expect(parseCReq(creq231)).toMatchObject({ ok: true, messageVersion: '2.3.1' });
  });

  it('answers a 2.1.0 CReq with 102', () => {
    const result = parseCReq(sampleJson('CReq_browser_2.1.0_mir-1-7.json'));
    expect(!result.ok && result.erro).toMatchObject({ errorCode: '102', errorMessageType: 'CReq', acsTransID: '436a6863-33f7-48ea-91b7-5bf08c819aaa' });
  });

  it.each([
    ['challengeWindowSize missing', { challengeWindowSize: undefined }, '201', 'challengeWindowSize'],
    ['challengeWindowSize 06', { challengeWindowSize: '06' }, '203', 'challengeWindowSize'],
    ['acsTransID blank', { acsTransID: '' }, '201', 'acsTransID'],
    ['challengeCancel 02 (reserved)', { challengeCancel: '02' }, '203', 'challengeCancel'],
    ['an ARes', { messageType: 'ARes' }, '101', 'messageType ARes is not accepted here'],
  ])('%s', (_, change, errorCode, errorDetail) => {
    const result = parseCReq({ ...creq, ...change });
    expect(!result.ok && result.erro).toMatchObject({ errorCode, errorDetail, errorComponent: 'A' });
  });

  it('decodes the creq field padded, unpadded, in either alphabet, with whitespace', () => {
    const unpadded = encodeJsonBase64Url(creq);
    const padded = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
    const standard = padded.replace(/-/g, '+').replace(/_/g, '/');
    for (const field of [unpadded, padded, standard, `${padded.slice(0, 10)}\r\n ${padded.slice(10)}`]) {
      expect(decodeCReq(field)).toMatchObject({ ok: true, creq });
    }
  });

  it('refuses an undecodable field (101) and duplicate keys (204)', () => {
    expect(decodeCReq('not*base64')).toMatchObject({ ok: false, erro: { errorCode: '101', errorMessageType: 'CReq' } });
    expect(decodeCReq(encodeTextBase64Url('{"messageType":"CReq",'))).toMatchObject({ ok: false, erro: { errorCode: '101' } });
    const duplicated = JSON.stringify(creq).replace('"acsTransID":', '"acsTransID":"x","acsTransID":');
    expect(decodeCReq(encodeTextBase64Url(duplicated))).toMatchObject({ ok: false, erro: { errorCode: '204', errorDetail: 'acsTransID' } });
  });
});

describe('parseRRes', () => {
  const rres = readSample('RRes_2.2.0_visa-VSTS_3DSS-220-107.json');

  it('accepts the Visa sample', () => {
    expect(parseRRes(rres)).toMatchObject({ ok: true, messageVersion: '2.2.0', rres: { resultsStatus: '01' } });
  });

  it('reports what is wrong with an RRes as an Erro to send to the DS', () => {
    const body = JSON.parse(rres);
    expect(parseRRes(JSON.stringify({ ...body, resultsStatus: undefined }))).toMatchObject({
      ok: false, fromDs: false, erro: { errorCode: '201', errorDetail: 'resultsStatus', errorMessageType: 'RRes', acsTransID: body.acsTransID },
    });
    expect(parseRRes(JSON.stringify({ ...body, resultsStatus: '04' }))).toMatchObject({ ok: false, erro: { errorCode: '203' } });
    expect(parseRRes(JSON.stringify({ ...body, resultsStatus: '04', messageVersion: '2.3.1' }))).toMatchObject({ ok: true });
    expect(parseRRes('<html>')).toMatchObject({ ok: false, fromDs: false, erro: { errorCode: '101' } });
  });

  it('hands back an Erro the DS answered with, marked as such', () => {
    const dsErro = buildErro({ errorCode: '402', errorComponent: 'D', errorDetail: 'RRes timeout', messageVersion: '2.2.0', ...ids });
    expect(parseRRes(JSON.stringify(dsErro))).toEqual({ ok: false, fromDs: true, erro: dsErro });
  });
});

describe('3DS Method', () => {
  const [request, notification] = readSample('threeDSMethod_form-posts_emvco-2.3.1.1-A.7.txt')
    .split('\n')
    .filter((line) => line.startsWith('threeDSMethodData='))
    .map((line) => line.slice('threeDSMethodData='.length));

  it('reads threeDSMethodData, but refuses the spec example whose notification URL is a placeholder', () => {
    expect(parseThreeDSMethodData(request)).toEqual({ ok: false, error: 'invalid threeDSMethodNotificationURL' });
    const data = { threeDSServerTransID: '3ac7caa7-aa42-2663-791b-2ac05a542c4a', threeDSMethodNotificationURL: 'https://merchant.example/3ds/method-done' };
    const field = encodeJsonBase64Url(data);
    expect(parseThreeDSMethodData(field)).toEqual({ ok: true, data });
    expect(parseThreeDSMethodData(`${field}==`.slice(0, field.length + ((4 - (field.length % 4)) % 4)))).toEqual({ ok: true, data });
  });

  it.each([
    ['javascript URL', { threeDSMethodNotificationURL: 'javascript:alert(1)' }],
    ['over 2048 characters', { threeDSMethodNotificationURL: `https://m.example/${'x'.repeat(2040)}` }],
    ['bad transaction ID', { threeDSServerTransID: '1234' }],
  ])('refuses a %s', (_, change) => {
    const data = { threeDSServerTransID: '3ac7caa7-aa42-2663-791b-2ac05a542c4a', threeDSMethodNotificationURL: 'https://m.example/n', ...change };
    expect(parseThreeDSMethodData(encodeJsonBase64Url(data)).ok).toBe(false);
  });

  it('refuses what is not base64url JSON', () => {
    expect(parseThreeDSMethodData('%%%').ok).toBe(false);
    expect(parseThreeDSMethodData(encodeTextBase64Url('[1,2')).ok).toBe(false);
  });

  it('encodes the notification exactly as the spec example', () => {
    expect(encodeThreeDSMethodNotification('3ac7caa7-aa42-2663-791b-2ac05a542c4a')).toBe(notification);
  });

  it('decodes the 3dsecure.io cres form body to its JSON sample', () => {
    const body = readSample('CRes_browser_final_2.1.0_3dsecure-io_form-body.txt').split('\n').find((l) => l.startsWith('cres='))!;
    expect(decodeJsonBase64Url(body.slice(5))).toMatchObject({ ok: true, value: sampleJson('CRes_browser_final_Y_2.1.0_3dsecure-io.json') });
  });
});
