/** Reads the public sample messages copied into test/fixtures/samples (origins in test/fixtures/README.md). */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = fileURLToPath(new URL('../../fixtures/samples/', import.meta.url));

/** Sample file names starting with `prefix`, e.g. 'AReq_' or 'ARes_'. */
export function sampleFiles(prefix: string): string[] {
  return readdirSync(SAMPLES_DIR).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();
}

export function readSample(name: string): string {
  return readFileSync(SAMPLES_DIR + name, 'utf8');
}

export function sampleJson(name: string): Record<string, any> {
  return JSON.parse(readSample(name));
}

/** The messageVersion a sample file name declares. */
export function versionOf(name: string): string {
  return /_(2\.\d\.\d)_/.exec(name)?.[1] ?? 'unknown';
}

export const BROWSER_AREQ = 'AReq_browser_PA_2.2.0_visa-VSTS_3DSS-220-107.json';
export const THREE_RI_AREQ = 'AReq_3RI_PA_2.2.0_visa-VSTS_3DSS-220-301.json';
export const APP_AREQ_210 = 'AReq_app_PA_2.1.0_as-received-by-ACS_mastercard-MICTP_TC_SERVER_00001_001.json';
export const MC_BROWSER_AREQ_210 = 'AReq_browser_PA_2.1.0_as-received-by-ACS_mastercard-MICTP_TC_SERVER_00007_002.json';

/** A 2.2.0 AReq turned into 2.3.1 following digest §2.5. */
export function toVersion231(areq220: Record<string, any>): Record<string, any> {
  const {
    whiteListStatus, whiteListStatusSource, threeDSReqAuthMethodInd, threeDSRequestorPriorAuthenticationInfo, ...rest
  } = areq220;
  const areq: Record<string, any> = {
    ...rest,
    messageVersion: '2.3.1',
    acquirerCountryCode: '392',
    acquirerCountryCodeSource: '01',
  };
  if (areq.threeDSRequestorChallengeInd !== undefined) areq.threeDSRequestorChallengeInd = [areq.threeDSRequestorChallengeInd];
  if (areq.threeDSRequestorAuthenticationInfo !== undefined) areq.threeDSRequestorAuthenticationInfo = [areq.threeDSRequestorAuthenticationInfo];
  if (whiteListStatus !== undefined) Object.assign(areq, { trustListStatus: whiteListStatus, trustListStatusSource: whiteListStatusSource });
  if (areq.deviceChannel === '02') areq.acceptLanguage = ['ja-JP', 'en'];
  return areq;
}

/** Elements every AReq must carry, whatever its channel and category (messageType aside: without it, 101). */
const ALWAYS = [
  'messageVersion', 'messageCategory', 'deviceChannel', 'threeDSServerTransID', 'threeDSServerRefNumber', 'threeDSServerURL',
  'threeDSRequestorID', 'threeDSRequestorName', 'threeDSRequestorURL', 'acctNumber',
];
const PAYMENT = [
  'acquirerBIN', 'acquirerMerchantID', 'mcc', 'merchantCountryCode', 'merchantName',
  'purchaseAmount', 'purchaseCurrency', 'purchaseDate', 'purchaseExponent',
];

/** Required elements of the browser PA sample (shipAddrCountry because it sends shipAddrState). */
export const REQUIRED_BROWSER_PA = [
  ...ALWAYS, ...PAYMENT,
  'browserAcceptHeader', 'browserJavascriptEnabled', 'browserLanguage', 'browserUserAgent', 'notificationURL',
  'threeDSCompInd', 'threeDSRequestorAuthenticationInd', 'shipAddrCountry',
];

export const REQUIRED_THREE_RI_PA = [...ALWAYS, ...PAYMENT, 'threeRIInd', 'shipAddrCountry'];

/** 2.3.1: browserLanguage becomes conditional on JavaScript (false in the sample); three new required elements. */
export const REQUIRED_BROWSER_PA_231 = [
  ...REQUIRED_BROWSER_PA.filter((e) => e !== 'browserLanguage'),
  'acceptLanguage', 'acquirerCountryCode', 'acquirerCountryCodeSource',
];
