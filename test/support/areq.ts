/**
 * AReqs as a Directory Server sends them: a realistic browser AReq built from options, and the
 * public samples with their PAN moved into a demo range and the DS's own fields added.
 */
import { readFileSync } from 'node:fs';

export const SAMPLES = '../shared/reference/samples';

export interface AReqOptions {
  pan: string;
  messageVersion?: '2.2.0' | '2.3.1';
  purchaseAmount?: string;
  purchaseCurrency?: string;
  purchaseExponent?: string;
  challengeInd?: string;
  merchantName?: string;
  deviceChannel?: '01' | '02' | '03';
  browserLanguage?: string;
  notificationURL?: string;
  dsURL?: string;
  threeDSCompInd?: 'Y' | 'N' | 'U';
  threeDSServerTransID?: string;
  extra?: Record<string, unknown>;
}

export function browserAReq(o: AReqOptions): Record<string, unknown> {
  const v231 = o.messageVersion === '2.3.1';
  const areq: Record<string, unknown> = {
    messageType: 'AReq',
    messageVersion: o.messageVersion ?? '2.2.0',
    messageCategory: '01',
    deviceChannel: '02',
    threeDSServerTransID: o.threeDSServerTransID ?? crypto.randomUUID(),
    dsTransID: crypto.randomUUID(),
    dsReferenceNumber: 'DS-REF-TEST-0001',
    dsURL: o.dsURL ?? 'https://ds.example.test/rreq',
    threeDSServerRefNumber: '3DS_LOA_SER_TEST_020200_00001',
    threeDSServerOperatorID: 'TEST-OPERATOR',
    threeDSServerURL: 'https://3ds-server.example.test/rres',
    threeDSRequestorID: 'REQ-0001',
    threeDSRequestorName: 'Test Merchant',
    threeDSRequestorURL: 'https://merchant.example.test',
    threeDSRequestorAuthenticationInd: '01',
    threeDSCompInd: o.threeDSCompInd ?? 'N',
    acquirerBIN: '400551',
    acquirerMerchantID: 'MERCHANT-0001',
    mcc: '5411',
    merchantCountryCode: '392',
    merchantName: o.merchantName ?? 'まもりストア',
    acctNumber: o.pan,
    cardExpiryDate: '3012',
    purchaseAmount: o.purchaseAmount ?? '1200',
    purchaseCurrency: o.purchaseCurrency ?? '392',
    purchaseExponent: o.purchaseExponent ?? '0',
    purchaseDate: '20260115120000',
    transType: '01',
    notificationURL: o.notificationURL ?? 'https://merchant.example.test/3ds/notify',
    browserAcceptHeader: 'text/html,application/xhtml+xml',
    browserIP: '192.0.2.10',
    browserJavaEnabled: false,
    browserJavascriptEnabled: true,
    browserLanguage: o.browserLanguage ?? 'ja-JP',
    browserColorDepth: '24',
    browserScreenHeight: '844',
    browserScreenWidth: '390',
    browserTZ: '-540',
    browserUserAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)',
    ...(v231 ? { threeDSRequestorChallengeInd: [o.challengeInd ?? '01'] } : { threeDSRequestorChallengeInd: o.challengeInd ?? '01' }),
    ...(v231 ? { acquirerCountryCode: '392', acquirerCountryCodeSource: '01', acceptLanguage: ['ja-JP', 'en-US'] } : {}),
    ...o.extra,
  };
  return JSON.parse(JSON.stringify(areq));
}

/** A public sample AReq with the PAN in a demo range, as a DS forwards it (dsTransID, dsReferenceNumber, dsURL added). */
export function sampleAReq(file: string, pan: string): Record<string, unknown> {
  const areq = JSON.parse(readFileSync(`${SAMPLES}/${file}`, 'utf8'));
  areq.acctNumber = pan;
  areq.dsTransID ??= crypto.randomUUID();
  areq.dsReferenceNumber ??= 'DS-REF-TEST-0001';
  areq.dsURL ??= 'https://ds.example.test/rreq';
  return areq;
}

export function readSample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SAMPLES}/${file}`, 'utf8'));
}

export async function postAReq(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, areq: unknown): Promise<Response> {
  return app.request('/3ds/areq', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: typeof areq === 'string' ? areq : JSON.stringify(areq),
  });
}
