/**
 * The app channel's CReq/CRes at its acsURL, through the app on a real libSQL file with the demo
 * issuer, played by the test SDK (node:crypto + jose, independent of our crypto module), with the
 * RReq at a real DS receiver: an OTP challenge to Y, wrong then right, lockout, resend, cancel,
 * each UI type, the channel's refusals (302, 301, 203, 402) and an Erro from the SDK.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxDsRoot } from '../../src/app-channel/signing.ts';
import { appSessions, members, smsOutbox, transactionMessages, transactions } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { TestSdk, type SdkAnswer } from '../support/app-sdk.ts';
import { latestOtp } from '../support/challenge.ts';
import { rreqDeliverySettings, RRES_TIMEOUT_MS } from '../../src/acs/rreq.ts';
import { answers, startDsReceiver } from '../support/ds-receiver.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, any>;
const CHALLENGE = '98000'; // above the demo threshold: C (SMS OTP for jcb-otp)
const CASES = [
  ['2.2.0', 'A128CBC-HS256'],
  ['2.3.1', 'A128GCM'],
] as const;

// The first sandbox signing chain of a process loads @peculiar/x509: done once here, outside any
// AReq's budget, so that a loaded machine cannot turn the first test's AReq into an Erro 403.
beforeAll(async () => {
  const warm = await createTestApp({ seed: true });
  await sandboxDsRoot(warm.deps);
  warm.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  rreqDeliverySettings.rresTimeoutMs = RRES_TIMEOUT_MS;
  while (cleanups.length) await cleanups.pop()!();
});

async function start() {
  const ds = await startDsReceiver();
  cleanups.push(() => ds.close());
  const allow = { DS_ALLOWLIST_JCB: ds.prefix, DS_ALLOWLIST_VISA: ds.prefix, DS_ALLOWLIST_MASTERCARD: ds.prefix };
  const t = await createTestApp({ seed: true, env: allow });
  cleanups.push(() => t.close());
  return { t, ds };
}

async function challenge(t: TestApp, ds: { url: string }, o: Partial<ConstructorParameters<typeof TestSdk>[1]> = {}) {
  const sdk = new TestSdk(t.app, { pan: demoCard('jcb-otp').pan, purchaseAmount: CHALLENGE, merchantName: 'まもりストア', db: t.deps.db, dsURL: ds.url, ...o });
  const ares = await sdk.start();
  if (ares.transStatus !== 'C') throw new Error(`expected C, got ${JSON.stringify(ares)}`);
  return sdk;
}

const cresOf = (a: SdkAnswer): Json => {
  if (a.kind !== 'CRes') throw new Error(`expected a CRes, got ${JSON.stringify(a)}`);
  return a.cres;
};
const erroOf = (a: SdkAnswer): Json => {
  if (a.kind !== 'Erro') throw new Error(`expected an Erro, got ${JSON.stringify(a)}`);
  expect(a.status).toBe(200);
  expect(a.contentType).toMatch(/^application\/json/);
  return a.erro;
};
const row = async (t: TestApp, acsTransID: string) => (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)))[0];
const sessionOf = (t: TestApp, acsTransID: string) => t.deps.db.select().from(appSessions).where(eq(appSessions.acsTransID, acsTransID)).get();
const trail = (t: TestApp, acsTransID: string) => t.deps.db.select().from(transactionMessages).where(eq(transactionMessages.acsTransID, acsTransID)).orderBy(transactionMessages.id);

describe('an OTP challenge in the app (UI 01 Text)', () => {
  it.each(CASES)('%s with %s: first CRes, the code, the final CRes Y after the RReq', async (messageVersion, enc) => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { messageVersion, enc });
    const acsTransID = sdk.ares!.acsTransID;

    const first = await sdk.send({});
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('application/jose; charset=utf-8');
    expect(first.kind === 'CRes' && first.header).toMatchObject({ alg: 'dir', enc, kid: acsTransID });
    if (messageVersion === '2.3.1') {
      expect(first.headers.get('x-request-id')).toBe(sdk.areq.sdkTransID);
      expect(first.headers.get('x-response-id')).toBe(acsTransID);
      // GCM: the CRes IV is FF…FF ‖ acsCounterAtoS.
      expect(first.kind === 'CRes' && first.iv.toString('hex')).toBe('ffffffffffffffffffffff00');
    }
    const ui = cresOf(first);
    expect(ui).toMatchObject({ challengeCompletionInd: 'N', acsUiType: '01', acsCounterAtoS: '000', challengeInfoHeader: 'ご本人確認', submitAuthenticationLabel: '認証する', resendInformationLabel: 'ワンタイムパスワードを再送信' });
    expect(ui.challengeInfoText).toContain('まもりストア');
    expect(ui.challengeInfoText).toContain('￥98,000');
    expect(ui.challengeInfoText).toContain(`末尾 ${demoCard('jcb-otp').pan.slice(-4)}`);
    expect(ui.challengeInfoText).toContain('庭のさくらが咲きました');
    expect(ui.challengeInfoText).toContain('090-****-0001');
    expect(ui.whyInfoText).toBeTruthy();
    expect(ui.expandInfoText).toBeTruthy();
    if (messageVersion === '2.3.1') {
      expect(ui.challengeEntryBox).toMatchObject({ challengeDataEntryLabel: 'ワンタイムパスワード（6桁）', challengeDataEntryKeyboardType: '01', challengeDataEntryAutofillType: '01' });
      expect(ui.issuerImage).toEqual({ default: expect.stringMatching(/^https:\/\/acs\.test\//) });
    } else {
      expect(ui.challengeInfoLabel).toBe('ワンタイムパスワード（6桁）');
      expect(ui.issuerImage).toEqual({ medium: expect.any(String), high: expect.any(String), extraHigh: expect.any(String) });
    }

    const code = await latestOtp(t, acsTransID);
    const done = cresOf(await sdk.send({ challengeDataEntry: code }));
    expect(done).toEqual({
      messageType: 'CRes',
      messageVersion,
      threeDSServerTransID: sdk.ares!.threeDSServerTransID,
      acsTransID,
      sdkTransID: sdk.areq.sdkTransID,
      acsCounterAtoS: '001',
      challengeCompletionInd: 'Y',
      transStatus: 'Y',
    });
    // The RReq reached the DS before the final CRes left.
    const [rreq] = ds.rreqs();
    expect(rreq).toMatchObject({ messageType: 'RReq', acsTransID, sdkTransID: sdk.areq.sdkTransID, transStatus: 'Y', interactionCounter: '01', acsRenderingType: { acsInterface: '01', acsUiTemplate: '01' } });
    expect((await row(t, acsTransID)).state).toBe('rreq_delivered');
    // The trail keeps the messages decrypted; never a key.
    const messages = await trail(t, acsTransID);
    const types = messages.map((m) => `${m.direction} ${m.messageType}`);
    expect(types).toEqual(expect.arrayContaining(['in CReq', 'out CRes', 'out RReq']));
    expect(messages.filter((m) => m.messageType === 'CReq').map((m) => JSON.parse(m.body).sdkCounterStoA)).toEqual(['000', '001']);
    expect(messages.some((m) => m.body.includes(sdk.cek!.toString('base64url')) || m.body.includes(sdk.cek!.toString('hex')))).toBe(false);
    // Nor what the cardholder typed: the CReq that carried the code says only that one was entered.
    expect(messages.some((m) => m.body.includes(`"${code}"`))).toBe(false);
    expect(JSON.parse(messages.filter((m) => m.messageType === 'CReq')[1].body).challengeDataEntry).toBe('[entered]');
  });

  it('sends the final CRes when the DS does not answer the RReq in time (bounded by the RRes timeout), and retries the RReq later', async () => {
    const { t, ds } = await start();
    rreqDeliverySettings.rresTimeoutMs = 500; // the DS may take 5 s; a shorter wait keeps the test quick
    const sdk = await challenge(t, ds);
    await sdk.send({});
    ds.queue(answers.late());
    const done = cresOf(await sdk.send({ challengeDataEntry: await latestOtp(t, sdk.ares!.acsTransID) }));
    expect(done).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'Y' });
    expect(ds.rreqs()).toHaveLength(1);
    // Not delivered: the RReq job stays for the sweeper.
    expect((await row(t, sdk.ares!.acsTransID)).state).toBe('completed');
    ds.releaseHeld();
  });

  it('answers a wrong code beside the field and counts it, then takes the right one', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    const acsTransID = sdk.ares!.acsTransID;
    await sdk.send({});
    const wrong = cresOf(await sdk.send({ challengeDataEntry: '000000' === (await latestOtp(t, acsTransID)) ? '111111' : '000000' }));
    expect(wrong).toMatchObject({ challengeCompletionInd: 'N', acsUiType: '01', challengeInfoTextIndicator: 'Y' });
    expect(wrong.challengeInfoText).toMatch(/^ワンタイムパスワードが正しくありません。\nあと4回/);
    // Not a code at all: answered, not counted.
    const malformed = cresOf(await sdk.send({ challengeDataEntry: '12' }));
    expect(malformed.challengeInfoText).toContain('6桁の数字');
    const done = cresOf(await sdk.send({ challengeDataEntry: await latestOtp(t, acsTransID) }));
    expect(done).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'Y' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'Y', interactionCounter: '02' });
  });

  it('locks the member after the issuer’s limit of wrong codes: final CRes N, RReq N/19', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    const acsTransID = sdk.ares!.acsTransID;
    await sdk.send({});
    const otp = await latestOtp(t, acsTransID);
    const wrongCode = otp === '000000' ? '111111' : '000000';
    let last: Json = {};
    for (let i = 0; i < 5; i++) last = cresOf(await sdk.send({ challengeDataEntry: wrongCode }));
    expect(last).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'N' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'N', transStatusReason: '19' });
    const member = await t.deps.db.select().from(members).where(eq(members.id, (await row(t, acsTransID)).memberId!)).get();
    expect(member!.lockedAt).not.toBeNull();
  });

  it('sends the code again on resend, within the issuer’s limits', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    const acsTransID = sdk.ares!.acsTransID;
    await sdk.send({});
    t.clock.advance(61_000); // past the resend cooldown
    const again = cresOf(await sdk.send({ resendChallenge: 'Y' }));
    expect(again.challengeInfoText).toContain('再送信しました');
    const sms = await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, acsTransID));
    expect(sms).toHaveLength(2);
    // A resend at once after: refused by the cooldown, said in the text.
    const tooSoon = cresOf(await sdk.send({ resendChallenge: 'Y' }));
    expect(tooSoon).toMatchObject({ challengeInfoTextIndicator: 'Y' });
    expect(await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, acsTransID))).toHaveLength(2);
    const done = cresOf(await sdk.send({ challengeDataEntry: await latestOtp(t, acsTransID) }));
    expect(done).toMatchObject({ transStatus: 'Y' });
  });

  it('ends a cancelled challenge N with challengeCancel 01', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await sdk.send({});
    const done = cresOf(await sdk.send({ challengeCancel: '01' }));
    expect(done).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'N' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'N', challengeCancel: '01' });
    expect(await sessionOf(t, sdk.ares!.acsTransID)).toBeUndefined();
  });

  it('speaks English when the device’s locale is English', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { locale: 'en_US' });
    const ui = cresOf(await sdk.send({}));
    expect(ui).toMatchObject({ challengeInfoHeader: "Let's make sure it's you", submitAuthenticationLabel: 'Submit' });
    expect(ui.challengeInfoText).toContain('Amount: ¥98,000');
  });

  it('asks a static-password member for the password (no resend)', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { pan: demoCard('jcb-password').pan, messageVersion: '2.3.1' });
    const ui = cresOf(await sdk.send({}));
    expect(ui.challengeEntryBox).toMatchObject({ challengeDataEntryLabel: '本人認証パスワード', challengeDataEntryMasking: 'Y' });
    expect(ui).not.toHaveProperty('resendInformationLabel');
    expect(cresOf(await sdk.send({ challengeDataEntry: 'Mamori-2026' }))).toMatchObject({ transStatus: 'Y' });
  });
});

describe('the other UI types', () => {
  it('05 HTML: a self-contained page whose form the SDK turns into challengeHTMLDataEntry', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { sdkInterface: '02', sdkUiType: ['05'] });
    const ui = cresOf(await sdk.send({}));
    expect(ui.acsUiType).toBe('05');
    const html = Buffer.from(ui.acsHTML, 'base64url').toString('utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('action="HTTPS://EMV3DS/challenge"');
    expect(html).toContain('method="get"');
    expect(html).toContain('庭のさくらが咲きました');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing the SDK would have to fetch
    const again = cresOf(await sdk.send({ challengeHTMLDataEntry: 'secret=&action=resend' }));
    expect(again.acsUiType).toBe('05');
    const otp = await latestOtp(t, sdk.ares!.acsTransID);
    expect(cresOf(await sdk.send({ challengeHTMLDataEntry: `secret=${otp}&action=submit` }))).toMatchObject({ transStatus: 'Y' });
  });

  async function announced(t: TestApp, acsTransID: string, acsUiTemplate: '02' | '03') {
    // As if the ARes had announced a select template (the rendering the session keeps).
    await t.deps.db.update(appSessions).set({ rendering: { acsInterface: '01', acsUiTemplate } }).where(eq(appSessions.acsTransID, acsTransID));
  }

  it('02 Single-select: "is this payment yours?" before the code is sent; "no" stops it', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await announced(t, sdk.ares!.acsTransID, '02');
    const ui = cresOf(await sdk.send({}));
    expect(ui).toMatchObject({ acsUiType: '02', challengeSelectInfo: [{ yes: 'はい、私のお支払いです' }, { no: 'いいえ、心当たりがありません' }] });
    expect(await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, sdk.ares!.acsTransID))).toHaveLength(0);
    const chooseOne = cresOf(await sdk.send({ challengeNoEntry: 'Y' }));
    expect(chooseOne).toMatchObject({ acsUiType: '02', challengeInfoTextIndicator: 'Y' });
    const entry = cresOf(await sdk.send({ challengeDataEntry: 'yes' }));
    expect(entry.acsUiType).toBe('01');
    expect(cresOf(await sdk.send({ challengeDataEntry: await latestOtp(t, sdk.ares!.acsTransID) }))).toMatchObject({ transStatus: 'Y' });

    const other = await challenge(t, ds);
    await announced(t, other.ares!.acsTransID, '02');
    await other.send({});
    expect(cresOf(await other.send({ challengeDataEntry: 'no' }))).toMatchObject({ transStatus: 'N' });
  });

  it('03 Multi-select: merchant and amount ticked as checked, then the code', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { messageVersion: '2.3.1' });
    await announced(t, sdk.ares!.acsTransID, '03');
    const ui = cresOf(await sdk.send({}));
    expect(ui).toMatchObject({ acsUiType: '03', challengeSelectInfo: [{ mrch: 'ご利用先：まもりストア' }, { amnt: 'ご利用金額：￥98,000' }] });
    expect(cresOf(await sdk.send({ challengeDataEntry: 'mrch' }))).toMatchObject({ acsUiType: '03', challengeInfoTextIndicator: 'Y' });
    expect(cresOf(await sdk.send({ challengeDataEntry: 'mrch,amnt' })).acsUiType).toBe('01');
  });
});

describe('what the channel refuses', () => {
  it('a flipped ciphertext byte: Erro 302, and the transaction ends U with its RReq', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { messageVersion: '2.3.1', enc: 'A128GCM' });
    await sdk.send({});
    const { encryptCReq } = await import('../support/app-sdk.ts');
    const jwe = (await encryptCReq(sdk.cek!, 'A128GCM', sdk.ares!.acsTransID, sdk.sdkCounter, sdk.creq({ challengeDataEntry: '123456' }))).split('.');
    const bytes = Buffer.from(jwe[3]!, 'base64url');
    bytes[0] ^= 0x01;
    jwe[3] = bytes.toString('base64url');
    const erro = erroOf(await sdk.post(jwe.join('.')));
    expect(erro).toMatchObject({ messageType: 'Erro', errorCode: '302', errorComponent: 'A', errorMessageType: 'CReq', acsTransID: sdk.ares!.acsTransID, sdkTransID: sdk.areq.sdkTransID });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'U', challengeCancel: '10', challengeErrorReporting: { errorCode: '302' } });
  });

  it.each([
    ['replayed', -1],
    ['skipped', +1],
  ])('a %s counter: Erro 302', async (_, shift) => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await sdk.send({});
    sdk.sdkCounter += shift;
    const erro = erroOf(await sdk.send({ challengeDataEntry: '123456' }));
    expect(erro).toMatchObject({ errorCode: '302', errorDetail: 'sdkCounterStoA' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'U', challengeCancel: '06' });
  });

  it('a database that does not answer: Erro 403 as JSON (never a page, never a CRes)', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await sdk.send({});
    t.client.close();
    const erro = erroOf(await sdk.send({ challengeDataEntry: '123456' }));
    expect(erro).toMatchObject({ errorCode: '403', errorComponent: 'A', acsTransID: sdk.ares!.acsTransID });
  });

  it('an unknown kid: Erro 301, no RReq', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    const erro = erroOf(await sdk.send({}, { kid: crypto.randomUUID() }));
    expect(erro).toMatchObject({ errorCode: '301' });
    expect(ds.rreqs()).toHaveLength(0);
    expect((await row(t, sdk.ares!.acsTransID)).state).toBe('ares_sent');
  });

  it('a version change: Erro 203 messageVersion', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { messageVersion: '2.2.0' });
    await sdk.send({});
    const erro = erroOf(await sdk.send({ messageVersion: '2.3.1', oobAppURLInd: '02', challengeDataEntry: '123456' }));
    expect(erro).toMatchObject({ errorCode: '203', errorDetail: 'messageVersion' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'U' });
  });

  it('two actions in one CReq: Erro 203', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await sdk.send({});
    const erro = erroOf(await sdk.send({ challengeDataEntry: '123456', resendChallenge: 'Y' }));
    expect(erro).toMatchObject({ errorCode: '203', errorDetail: 'challengeDataEntry,resendChallenge' });
  });

  it('a first CReq after 30 s: Erro 402, RReq N/14/05', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    t.clock.advance(30_001);
    const erro = erroOf(await sdk.send({}));
    expect(erro).toMatchObject({ errorCode: '402' });
    expect(ds.rreqs()).toHaveLength(1);
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'N', transStatusReason: '14', challengeCancel: '05' });
  });

  it('a CReq 10 minutes after the last CRes: Erro 402, RReq N/14/04', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds);
    await sdk.send({});
    t.clock.advance(10 * 60_000 + 1);
    const erro = erroOf(await sdk.send({ challengeDataEntry: '123456' }));
    expect(erro).toMatchObject({ errorCode: '402' });
    expect(ds.rreqs()).toHaveLength(1);
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'N', transStatusReason: '14', challengeCancel: '04' });
    // And nothing more after that: no second RReq.
    erroOf(await sdk.send({ challengeDataEntry: '123456' }));
    expect(ds.rreqs()).toHaveLength(1);
  });

  it('a CReq after the SDK’s own sdkMaxTimeout (5 minutes from the first CReq): Erro 402, RReq N/14', async () => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { sdkMaxTimeout: '05' });
    await sdk.send({});
    t.clock.advance(4 * 60_000);
    cresOf(await sdk.send({ challengeDataEntry: '12' })); // still within: answered (malformed, not counted)
    t.clock.advance(60_001);
    expect(erroOf(await sdk.send({ challengeDataEntry: '123456' }))).toMatchObject({ errorCode: '402' });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'N', transStatusReason: '14' });
  });

  it.each([
    ['2.2.0', '08'],
    ['2.3.1', '09'],
  ] as const)('%s: an Erro from the SDK ends the transaction U (challengeCancel %s), answered 200 with no body', async (messageVersion, challengeCancel) => {
    const { t, ds } = await start();
    const sdk = await challenge(t, ds, { messageVersion });
    await sdk.send({});
    const answer = await sdk.sendErro('402');
    expect(answer).toMatchObject({ kind: 'empty', status: 200 });
    expect(ds.rreqs()[0]).toMatchObject({ transStatus: 'U', challengeCancel });
    if (messageVersion === '2.3.1') expect(ds.rreqs()[0]).toMatchObject({ challengeErrorReporting: { errorCode: '402', errorComponent: 'C' } });
    const received = await t.deps.db
      .select()
      .from(transactionMessages)
      .where(and(eq(transactionMessages.acsTransID, sdk.ares!.acsTransID), eq(transactionMessages.messageType, 'Erro')));
    expect(received.map((m) => m.direction)).toEqual(['in']);
  });
});
