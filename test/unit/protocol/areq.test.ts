import { describe, expect, it } from 'vitest';
import { ERRO_SCHEMAS, parseAReq, requestorChallengeInd, type ParseAReqOptions, type ParseAReqResult } from '../../../src/protocol/index.ts';
import {
  APP_AREQ_210, BROWSER_AREQ, MC_BROWSER_AREQ_210, REQUIRED_BROWSER_PA, THREE_RI_AREQ, readSample, sampleFiles, sampleJson, toVersion231, versionOf,
} from './samples.ts';

const browser = sampleJson(BROWSER_AREQ);
const threeRI = sampleJson(THREE_RI_AREQ);

function parse(message: unknown, opts?: ParseAReqOptions): ParseAReqResult {
  return parseAReq(JSON.stringify(message), opts);
}

/** The Erro of a failed parse, checked against the Erro schema. */
function erroOf(result: ParseAReqResult) {
  if (result.ok) throw new Error('expected an Erro, got an AReq');
  expect(ERRO_SCHEMAS[result.erro.messageVersion].safeParse(result.erro).success).toBe(true);
  expect(result.erro.errorComponent).toBe('A');
  return result.erro;
}

function expectErro(message: unknown, errorCode: string, elements?: string[], opts?: ParseAReqOptions) {
  const erro = erroOf(parse(message, opts));
  expect({ errorCode: erro.errorCode, errorDetail: erro.errorDetail }).toMatchObject({ errorCode });
  if (elements) expect(erro.errorDetail.split(',').sort()).toEqual([...elements].sort());
  return erro;
}

function without(message: Record<string, any>, ...elements: string[]) {
  const copy = structuredClone(message);
  for (const e of elements) delete copy[e];
  return copy;
}

describe('parseAReq on the reference samples', () => {
  const files = sampleFiles('AReq_');

  it.each(files.filter((f) => versionOf(f) === '2.2.0'))('%s parses', (file) => {
    const result = parseAReq(readSample(file));
    expect(result.ok && result.messageVersion).toBe('2.2.0');
  });

  it.each(files.filter((f) => versionOf(f) === '2.1.0'))('%s gets 102 listing the supported versions', (file) => {
    const erro = erroOf(parseAReq(readSample(file)));
    expect(erro).toMatchObject({ errorCode: '102', errorDetail: '2.2.0,2.3.1', errorMessageType: 'AReq', messageVersion: '2.2.0' });
  });

  it('drops elements that do not apply to the channel: a 3RI AReq keeps no browser elements', () => {
    const result = parse(threeRI);
    if (!result.ok) throw new Error(result.erro.errorDetail);
    expect(result.areq.threeRIInd).toBe('03');
    for (const e of ['notificationURL', 'browserUserAgent', 'threeDSCompInd', 'threeDSRequestorChallengeInd', 'addrMatch']) {
      expect(result.areq).not.toHaveProperty(e);
    }
  });

  it('parses an app AReq as received from the DS (Mastercard sample, moved to 2.2.0)', () => {
    const result = parse({ ...sampleJson(APP_AREQ_210), messageVersion: '2.2.0' });
    if (!result.ok) throw new Error(result.erro.errorDetail);
    expect(result.areq).toMatchObject({ deviceChannel: '01', sdkMaxTimeout: '05', deviceRenderOptions: { sdkInterface: '03' } });
    expect(result.areq.sdkEphemPubKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('keeps the DS additions of a browser AReq as received (Mastercard sample, moved to 2.2.0)', () => {
    // browserJavascriptEnabled is new in 2.2.0; this page had JavaScript (it sent screen size and time zone).
    const areq = { ...sampleJson(MC_BROWSER_AREQ_210), messageVersion: '2.2.0', browserJavascriptEnabled: true };
    const result = parse(areq, { requireDsFields: true });
    if (!result.ok) throw new Error(result.erro.errorDetail);
    expect(result.areq).toMatchObject({ dsTransID: '80b6204e-2165-4d29-a47f-b7aea925e639', dsURL: expect.stringMatching(/^https:/) });
  });
});

describe('parseAReq: not an AReq (101)', () => {
  it.each([
    ['not JSON', '{"messageType":"AReq",'],
    ['an array', '[]'],
    ['a string', '"AReq"'],
    ['null', 'null'],
    ['an empty body', ''],
  ])('%s', (_, body) => {
    expect(erroOf(parseAReq(body))).toMatchObject({ errorCode: '101', messageVersion: '2.2.0' });
  });

  it('a message type the ACS must not receive (ARes) names that type', () => {
    expect(expectErro({ ...browser, messageType: 'ARes' }, '101')).toMatchObject({ errorMessageType: 'ARes' });
  });

  it('no messageType at all', () => {
    expect(expectErro(without(browser, 'messageType'), '101')).not.toHaveProperty('errorMessageType');
  });
});

describe('parseAReq: duplicate keys (204)', () => {
  it('names the duplicated key, nested as parent.child', () => {
    const body = JSON.stringify(browser)
      .replace('"acctNumber":', '"acctNumber":"4000000000001000","acctNumber":')
      .replace('"chAccAgeInd":', '"chAccAgeInd":"01","chAccAgeInd":');
    const erro = erroOf(parseAReq(body));
    expect(erro.errorCode).toBe('204');
    expect(erro.errorDetail.split(',').sort()).toEqual(['acctInfo.chAccAgeInd', 'acctNumber']);
  });

  it('comes before the version check', () => {
    const body = JSON.stringify({ ...browser, messageVersion: '2.1.0' }).replace('"mcc":', '"mcc":"1234","mcc":');
    expect(erroOf(parseAReq(body)).errorCode).toBe('204');
  });
});

describe('parseAReq: messageVersion (102)', () => {
  it.each(['2.1.0', '2.0.1', '2.3.0', '3.0.0', 'x', 220])('%s is not supported', (messageVersion) => {
    expectErro({ ...browser, messageVersion }, '102', ['2.2.0', '2.3.1']);
  });

  it('a missing messageVersion is a missing element', () => {
    expectErro(without(browser, 'messageVersion'), '201', ['messageVersion']);
  });
});

describe('parseAReq: required elements (201)', () => {
  it.each(REQUIRED_BROWSER_PA)('dropping %s names it', (element) => {
    const erro = expectErro(without(browser, element), '201');
    expect(erro.errorDetail.split(',')).toContain(element);
  });

  it.each(REQUIRED_BROWSER_PA.flatMap((e) => ['', null, [], {}].map((blank) => [e, blank] as const)))('%s sent as %j counts as missing', (element, blank) => {
    const erro = expectErro({ ...browser, [element]: blank }, '201');
    expect(erro.errorDetail.split(',')).toContain(element);
  });

  it('names every missing element, comma-separated', () => {
    expectErro(without(browser, 'acctNumber', 'mcc', 'browserUserAgent'), '201', ['acctNumber', 'mcc', 'browserUserAgent']);
  });

  it('names a missing nested element as parent.child', () => {
    expectErro({ ...browser, homePhone: { cc: '81' } }, '201', ['homePhone.subscriber']);
    expectErro({ ...browser, messageExtension: [{ id: 'x', name: 'x', criticalityIndicator: false }] }, '201', ['messageExtension.data']);
  });

  it('takes precedence over format errors', () => {
    expectErro({ ...without(browser, 'acctNumber'), mcc: 'abcd' }, '201', ['acctNumber']);
  });

  it('browser elements that JavaScript provides are required when it is enabled', () => {
    const js = without(browser, 'browserColorDepth', 'browserTZ');
    expect(parse(js).ok).toBe(true); // browserJavascriptEnabled is false in the sample
    expectErro({ ...js, browserJavascriptEnabled: true }, '201', ['browserColorDepth', 'browserTZ']);
  });

  it('purchase elements are optional for non-payment unless the authentication is recurring or instalment', () => {
    const npa = without({ ...browser, messageCategory: '02' }, 'purchaseAmount', 'purchaseCurrency', 'purchaseDate', 'purchaseExponent', 'mcc', 'merchantName');
    expect(parse(npa).ok).toBe(true);
    expectErro({ ...npa, threeDSRequestorAuthenticationInd: '02' }, '201', ['purchaseAmount', 'purchaseCurrency', 'purchaseDate', 'purchaseExponent']);
  });

  it('instalments need purchaseInstalData; 3RI needs threeRIInd', () => {
    expectErro({ ...browser, threeDSRequestorAuthenticationInd: '03' }, '201', ['purchaseInstalData']);
    expect(parse({ ...browser, threeDSRequestorAuthenticationInd: '03', purchaseInstalData: '12' }).ok).toBe(true);
    expectErro(without(threeRI, 'threeRIInd'), '201', ['threeRIInd']);
  });

  it('app AReqs need the SDK elements', () => {
    const app = { ...sampleJson(APP_AREQ_210), messageVersion: '2.2.0' };
    expectErro(without(app, 'sdkTransID', 'sdkEphemPubKey'), '201', ['sdkTransID', 'sdkEphemPubKey']);
  });

  it('with requireDsFields, the DS additions are required', () => {
    expectErro(browser, '201', ['dsTransID', 'dsReferenceNumber'], { requireDsFields: true });
  });
});

describe('parseAReq: format, length and value (203)', () => {
  it.each([
    ['acctNumber', 4000000000001000],
    ['acctNumber', '400000'],
    ['acctNumber', '4000-0000-0000-1000'],
    ['merchantName', 'x'.repeat(41)],
    ['threeDSServerTransID', 'not-a-uuid'],
    ['threeDSServerURL', 'ftp://example.com/'],
    ['notificationURL', `https://example.com/${'x'.repeat(256)}`],
    ['purchaseDate', '20201341120000'],
    ['purchaseAmount', '12.50'],
    ['browserColorDepth', '5'],
    ['browserJavascriptEnabled', 'true'],
    ['deviceChannel', '04'],
    ['messageCategory', '03'],
    ['threeDSRequestorChallengeInd', '10'],
    ['threeDSRequestorChallengeInd', ['04']],
    ['cardExpiryDate', '2213'],
    ['payTokenInd', false],
    ['email', 'no-at-sign'],
    ['browserIP', '300.1.1.1'],
  ])('%s = %j', (element, value) => {
    expectErro({ ...browser, [element]: value }, '203', [element]);
  });

  it('names a malformed nested element as parent.child', () => {
    expectErro({ ...browser, acctInfo: { ...browser.acctInfo, chAccAgeInd: '09', chAccDate: '20200230' } }, '203', ['acctInfo.chAccAgeInd', 'acctInfo.chAccDate']);
    expectErro({ ...browser, homePhone: { cc: '+81', subscriber: '9012345678' } }, '203', ['homePhone.cc']);
  });

  it.each([[''], [null]])('an optional element sent as %j', (blank) => {
    expectErro({ ...browser, email: blank, acctInfo: { ...browser.acctInfo, chAccAgeInd: blank } }, '203', ['email', 'acctInfo.chAccAgeInd']);
  });

  it('an optional object or array sent empty is taken as absent', () => {
    expect(parse({ ...browser, acctInfo: {}, messageExtension: [] }).ok).toBe(true);
  });

  it.each([
    ['payTokenSource', { payTokenSource: '01' }],
    ['whiteListStatusSource', { whiteListStatusSource: '01' }],
    ['threeDSRequestorDecMaxTime', { threeDSRequestorDecReqInd: 'N', threeDSRequestorDecMaxTime: '00010' }],
  ])('a dependent element present where its condition does not hold: %s', (element, extra) => {
    expectErro({ ...without(browser, 'whiteListStatus'), ...extra }, '203', [element]);
  });

  it('accepts those dependent elements when their condition holds', () => {
    expect(parse({ ...browser, payTokenInd: true, payTokenSource: '01', whiteListStatus: 'Y', whiteListStatusSource: '02' }).ok).toBe(true);
    expect(parse({ ...browser, threeDSRequestorDecReqInd: 'Y', threeDSRequestorDecMaxTime: '00010' }).ok).toBe(true);
  });
});

describe('parseAReq: ISO codes (304)', () => {
  it.each([
    ['purchaseCurrency', '999'],
    ['purchaseCurrency', '955'],
    ['purchaseCurrency', '123'],
    ['merchantCountryCode', '999'],
    ['merchantCountryCode', '900'],
    ['billAddrCountry', '950'],
    ['merchantRiskIndicator', { giftCardCurr: '999' }],
  ])('%s = %j', (element, value) => {
    const erro = expectErro({ ...browser, [element]: value }, '304');
    expect(erro.errorDetail).toMatch(new RegExp(`^${element}`));
  });

  it('a purchaseExponent that does not fit the currency names purchaseExponent', () => {
    expectErro({ ...browser, purchaseCurrency: '392' }, '304', ['purchaseExponent']);
    expect(parse({ ...browser, purchaseCurrency: '392', purchaseExponent: '0' }).ok).toBe(true);
    expectErro({ ...browser, purchaseCurrency: '048', purchaseExponent: '2' }, '304', ['purchaseExponent']);
  });

  it('currencies excluded by configuration', () => {
    expectErro({ ...browser, purchaseCurrency: '840' }, '304', ['purchaseCurrency'], { excludedCurrencies: ['840'] });
  });

  it('format errors come first', () => {
    expectErro({ ...browser, purchaseCurrency: '999', mcc: '12345' }, '203', ['mcc']);
  });
});

describe('parseAReq: message extensions (202)', () => {
  const extension = { id: 'JCB-EXT-1', name: 'jcb', criticalityIndicator: true, data: { a: 1 } };

  it('an unrecognised critical extension is named by its id', () => {
    expectErro({ ...browser, messageExtension: [extension] }, '202', ['JCB-EXT-1']);
  });

  it('a recognised critical extension or a non-critical one is fine', () => {
    expect(parse({ ...browser, messageExtension: [extension] }, { recognisedExtensions: ['JCB-EXT-1'] }).ok).toBe(true);
    expect(parse({ ...browser, messageExtension: [{ ...extension, criticalityIndicator: false }] }).ok).toBe(true);
  });
});

describe('parseAReq: the Erro', () => {
  it('echoes well-formed transaction IDs and leaves out malformed ones', () => {
    const dsTransID = '108c0bcf-cfb5-542a-8000-000000233689'; // a version-5 UUID, as Mir's DS sends
    const erro = expectErro({ ...without(browser, 'acctNumber'), dsTransID }, '201');
    expect(erro).toMatchObject({ threeDSServerTransID: browser.threeDSServerTransID, dsTransID, errorMessageType: 'AReq', messageVersion: '2.2.0' });
    expect(expectErro({ ...browser, threeDSServerTransID: 'nope' }, '203')).not.toHaveProperty('threeDSServerTransID');
  });

  it('keeps errorDetail within 2048 characters', () => {
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`unknownElementNumber${i}`, 1]));
    const erro = expectErro({ ...browser, ...many, acctInfo: Object.fromEntries(Object.keys(browser.acctInfo).map((k) => [k, 'x'.repeat(70)])) }, '203');
    expect(erro.errorDetail.length).toBeLessThanOrEqual(2048);
  });
});

describe('parseAReq: unknown elements', () => {
  it('are accepted and dropped', () => {
    const result = parse({ ...browser, someSchemeField: { a: 1 }, another: '' });
    expect(result.ok && Object.keys(result.areq)).not.toContain('someSchemeField');
  });
});

describe('AReq 2.3.1', () => {
  const browser231 = toVersion231(browser);

  it('the browser and 3RI samples, adapted per digest §2.5, parse', () => {
    const result = parse(browser231);
    if (!result.ok) throw new Error(result.erro.errorDetail);
    expect(result.messageVersion).toBe('2.3.1');
    expect(result.areq).toMatchObject({ threeDSRequestorChallengeInd: ['04'], acceptLanguage: ['ja-JP', 'en'], acquirerCountryCode: '392' });
    expect(parse(toVersion231(threeRI)).ok).toBe(true);
  });

  it('requires acceptLanguage (browser) and the acquirer country', () => {
    expectErro(without(browser231, 'acceptLanguage', 'acquirerCountryCode'), '201', ['acceptLanguage', 'acquirerCountryCode']);
  });

  it('applies the 2.3.1 formats', () => {
    expectErro({ ...browser231, notificationURL: 'http://www.visa.ru/notify' }, '203', ['notificationURL']);
    expectErro({ ...browser231, threeDSRequestorChallengeInd: '04' }, '203', ['threeDSRequestorChallengeInd']);
    expectErro({ ...browser231, threeDSRequestorChallengeInd: ['01', '02', '03'] }, '203', ['threeDSRequestorChallengeInd']);
    expectErro({ ...browser231, acquirerCountryCode: '999' }, '304', ['acquirerCountryCode']);
    expect(parse({ ...browser231, threeDSRequestorChallengeInd: ['14', '03'], browserColorDepth: '30', browserLanguage: 'ja-JP-u-ca-japanese' }).ok).toBe(true);
  });

  it('treats 2.2.0-only elements as unknown', () => {
    const result = parse({ ...browser231, whiteListStatus: 'Y', threeDSReqAuthMethodInd: 'zz' });
    expect(result.ok && result.areq).not.toHaveProperty('whiteListStatus');
  });

  it('requestorChallengeInd reads both versions the same way', () => {
    const v220 = parse(browser);
    const v231 = parse({ ...browser231, threeDSRequestorChallengeInd: ['03', '09'] });
    const none = parse(without(browser, 'threeDSRequestorChallengeInd'));
    expect(v220.ok && requestorChallengeInd(v220.areq)).toEqual(['04']);
    expect(v231.ok && requestorChallengeInd(v231.areq)).toEqual(['03', '09']);
    expect(none.ok && requestorChallengeInd(none.areq)).toEqual(['01']);
  });
});

describe('parseAReq with requireDsFields', () => {
  const fromDs = { ...browser, dsTransID: '319ae306-8941-466b-895b-c20c95fc6a3e', dsReferenceNumber: 'DSServerRef123456' };

  it('accepts an AReq carrying the DS additions', () => {
    expect(parse(fromDs, { requireDsFields: true }).ok).toBe(true);
  });

  it('reports blank DS additions as missing, together with any other missing element', () => {
    expectErro({ ...without(fromDs, 'acctNumber'), dsTransID: '', dsReferenceNumber: null }, '201', ['acctNumber', 'dsTransID', 'dsReferenceNumber'], { requireDsFields: true });
  });
});
