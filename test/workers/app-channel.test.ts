/**
 * One app challenge inside workerd, through the real Worker entry, on a real sqld: the AReq with
 * an SDK's ephemeral key, the signed content checked against the sandbox DS root the Worker made
 * and stored (x509 and the JWS on Workers' WebCrypto), the key agreed, the first CReq and the
 * code from the SMS outbox encrypted to the acsURL, the final CRes Y after the RReq reached the
 * test DS. The SDK is the sandbox's (src/sandbox/app-sdk.ts: WebCrypto and jose, so it runs here too).
 */
import { env, SELF } from 'cloudflare:test';
import { createClient } from '@libsql/client/web';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db/client.ts';
import { sandboxSigning } from '../../src/db/schema.ts';
import { bytesToBase64url } from '../../src/encoding.ts';
import { appAReq, SANDBOX_SDK_REFERENCE } from '../../src/sandbox/app-areq.ts';
import { agreeSessionKey, counter, decryptCRes, encryptCReq, newEphemeralKey, verifySignedContent, type SdkSession } from '../../src/sandbox/app-sdk.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';

const db = createDatabase(createClient({ url: env.DATABASE_URL }));

describe('the app channel on Workers', () => {
  // The Worker checks (and loads) its signing chain when it boots, before its first answer.
  beforeAll(async () => {
    expect((await SELF.fetch('https://acs.test/healthz')).status).toBe(200);
  });

  it.each(['A128CBC-HS256', 'A128GCM'] as const)('walks an SMS OTP app challenge to Y (%s)', async (enc) => {
    const key = await newEphemeralKey();
    const areq = appAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99000', dsURL: `${inject('dsPrefix')}rreq`, sdkEphemPubKey: key.publicJwk, sdkInterface: '01' });
    const ares = (await (await SELF.fetch('https://acs.test/3ds/areq', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(areq) })).json()) as Record<string, any>;
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'C', sdkTransID: areq.sdkTransID });
    expect(ares).not.toHaveProperty('acsURL');

    const root = await db.select({ rootPem: sandboxSigning.rootPem }).from(sandboxSigning).limit(1).get();
    const verified = await verifySignedContent(ares.acsSignedContent, root!.rootPem, key.publicJwk, Date.now());
    if (!verified.ok) throw new Error(verified.reason);
    expect(verified.payload.acsURL).toBe('https://acs.test/3ds/app/challenge');

    let session: SdkSession = {
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      sdkTransID: String(areq.sdkTransID),
      messageVersion: ares.messageVersion,
      acsURL: verified.payload.acsURL,
      enc,
      cek: bytesToBase64url(await agreeSessionKey(key.privateJwk, verified.payload.acsEphemPubKey, SANDBOX_SDK_REFERENCE)),
      sdkCounter: 0,
      acsCounter: 0,
    };
    const send = async (fields: Record<string, unknown>) => {
      const creq = { messageType: 'CReq', messageVersion: session.messageVersion, threeDSServerTransID: session.threeDSServerTransID, acsTransID: session.acsTransID, sdkTransID: session.sdkTransID, sdkCounterStoA: counter(session.sdkCounter), ...fields };
      const res = await SELF.fetch(session.acsURL, { method: 'POST', headers: { 'content-type': 'application/jose; charset=utf-8' }, body: await encryptCReq(session, creq) });
      expect(res.headers.get('content-type')).toMatch(/^application\/jose/);
      session = { ...session, sdkCounter: session.sdkCounter + 1 };
      const opened = await decryptCRes(session, await res.text());
      if (!opened.ok) throw new Error(opened.reason);
      expect(opened.problems).toEqual([]);
      session = { ...session, acsCounter: session.acsCounter + 1 };
      return opened.cres;
    };

    const first = await send({});
    expect(first).toMatchObject({ challengeCompletionInd: 'N', acsUiType: '01' });
    const sms = (await (await SELF.fetch('https://acs.test/sandbox/sms', { headers: { accept: 'application/json' } })).json()) as { otpCode: string; acsTransID: string }[];
    const code = sms.find((s) => s.acsTransID === ares.acsTransID)!.otpCode;
    const final = await send({ challengeDataEntry: code });
    expect(final).toEqual({
      threeDSServerTransID: ares.threeDSServerTransID,
      acsTransID: ares.acsTransID,
      sdkTransID: areq.sdkTransID,
      messageType: 'CRes',
      messageVersion: ares.messageVersion,
      acsCounterAtoS: '001',
      challengeCompletionInd: 'Y',
      transStatus: 'Y',
    });
  });
});
