/**
 * The AReq a Directory Server forwards for a browser purchase, as the sandbox's 3DS Server + DS
 * build it (and the tests, which use the same builder): realistic, valid for 2.2.0 and 2.3.1.
 */
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
  /** YYYYMMDDHHMMSS, UTC. */
  purchaseDate?: string;
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
    purchaseDate: o.purchaseDate ?? '20260115120000',
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

