/**
 * The sandbox's app checkout through the app on real libSQL: the page posts start the AReq as a
 * DS would, the sandbox SDK checks the signed content against the sandbox DS root and walks the
 * challenge with encrypted CReqs to the acsURL; the ACS delivers its RReq to the sandbox DS,
 * which is the same app. Every message lands in sandbox_messages, decrypted and as JWE.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAcsSigning } from '../../src/app-channel/signing.ts';
import { sandboxMessages, transactions } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

/** The app with its outgoing HTTP (the RReq to the sandbox DS) answered by itself. */
async function start() {
  let self: TestApp | undefined;
  const t = await createTestApp({ seed: true, fetch: (input, init) => Promise.resolve(self!.app.request(String(input instanceof Request ? input.url : input), init)) });
  self = t;
  open.push(t);
  // The entry points make (or load) the signing chain at start-up; createTestApp does not start up.
  await checkAcsSigning(t.deps);
  return t;
}

const post = (t: TestApp, path: string, fields: Record<string, string>) =>
  t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://acs.test' }, body: new URLSearchParams(fields).toString() });

const stateIn = (html: string) => /name="state" value="([^"]+)"/.exec(html)?.[1];

async function messagesOf(t: TestApp) {
  return t.deps.db.select().from(sandboxMessages).orderBy(sandboxMessages.id);
}

async function startRun(t: TestApp, fields: Record<string, string> = {}) {
  const res = await post(t, '/sandbox/app/start', { card: 'jcb-otp', amount: '45000', messageVersion: '2.2.0', enc: 'A128CBC-HS256', sdkInterface: '01', locale: 'ja_JP', ...fields });
  expect(res.status).toBe(200);
  return res.text();
}

/** The live region's sentence: what a failing assertion should show. */
const outcomeOf = (html: string) => /id="outcome"[^>]*>(.*?)<\/p>/s.exec(html)?.[1] ?? html.slice(0, 200);

async function otpOf(t: TestApp): Promise<string> {
  const txn = (await t.deps.db.select().from(transactions).orderBy(transactions.createdAt).all()).at(-1)!;
  const sms = (await (await t.app.request('/sandbox/sms', { headers: { accept: 'application/json' } })).json()) as { otpCode: string; acsTransID: string }[];
  return sms.find((s) => s.acsTransID === txn.acsTransID)!.otpCode;
}

describe('GET /sandbox/app', () => {
  it('shows the start form, in Japanese first, with every input labelled', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox/app');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('アプリ決済');
    expect(html).toContain('action="/sandbox/app/start"');
    for (const id of ['card', 'amount', 'messageVersion', 'enc', 'sdkInterface', 'locale']) expect(html).toContain(`<label for="${id}">`);
    expect(html.indexOf('lang="ja"')).toBeLessThan(html.indexOf('lang="en"', html.indexOf('<main')));
  });

  it('refuses a post from another origin', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox/app/start', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: 'card=jcb-otp&amount=45000' });
    expect(res.status).toBe(403);
    expect(await messagesOf(t)).toHaveLength(0);
  });
});

describe('an app challenge from the sandbox page', () => {
  it.each([
    ['2.2.0', 'A128CBC-HS256'],
    ['2.3.1', 'A128GCM'],
  ])('%s / %s: signed content verified, the code from the SMS outbox, Y, the RReq at the sandbox DS', async (messageVersion, enc) => {
    const t = await start();
    const first = await startRun(t, { messageVersion, enc });
    expect(first, outcomeOf(first)).toContain('acsUiType 01');
    const state = stateIn(first)!;
    expect(state).toBeTruthy();
    expect(first).toContain('name="entry"');

    const done = await post(t, '/sandbox/app/step', { state, action: 'submit', entry: await otpOf(t) });
    const html = await done.text();
    expect(html).toContain('transStatus <strong>Y</strong>');
    expect(/id="ds-rreq"[^>]*>(.*?)<\/p>/s.exec(html)?.[1]).toContain('transStatus Y');

    const rows = await messagesOf(t);
    const types = rows.map((r) => r.messageType);
    expect(types.slice(0, 3)).toEqual(['AReq', 'ARes', 'JWS verified']);
    expect(types).toEqual(expect.arrayContaining(['CReq', 'CReq JWE', 'CRes JWE', 'CRes', 'RReq', 'RRes']));
    expect(types).not.toContain('SDK check');
    expect(types).not.toContain('Erro');
    // The AReq was the app channel's, with the PAN masked in the sandbox's record.
    const areq = JSON.parse(rows[0].body);
    expect(areq).toMatchObject({ deviceChannel: '01', messageVersion, sdkEphemPubKey: { kty: 'EC', crv: 'P-256' } });
    expect(areq.acctNumber).not.toBe(demoCard('jcb-otp').pan);
    expect(areq).not.toHaveProperty('browserUserAgent');
    // The JWE rows hold compact JWE with the chosen enc; the decrypted CReqs count up from 000.
    for (const row of rows.filter((r) => r.messageType.endsWith('JWE'))) {
      expect(row.body.split('.')).toHaveLength(5);
      expect(JSON.parse(Buffer.from(row.body.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'dir', enc });
    }
    const creqs = rows.filter((r) => r.messageType === 'CReq').map((r) => JSON.parse(r.body));
    expect(creqs.map((c) => c.sdkCounterStoA)).toEqual(['000', '001']);
    const cres = rows.filter((r) => r.messageType === 'CRes').map((r) => JSON.parse(r.body));
    expect(cres.map((c) => c.acsCounterAtoS)).toEqual(['000', '001']);
    expect(cres.at(-1)).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'Y' });
    const rreq = JSON.parse(rows.find((r) => r.messageType === 'RReq')!.body);
    expect(rreq).toMatchObject({ transStatus: 'Y', sdkTransID: areq.sdkTransID, acsRenderingType: expect.any(Object) });
    // The RReq came before the final CRes (the SDK gets its answer only after the DS has it).
    expect(rows.findIndex((r) => r.messageType === 'RReq')).toBeLessThan(rows.findLastIndex((r) => r.messageType === 'CRes'));
  });

  it('cancel: the final CRes and an RReq with challengeCancel 01', async () => {
    const t = await start();
    const state = stateIn(await startRun(t))!;
    const html = await (await post(t, '/sandbox/app/step', { state, action: 'cancel' })).text();
    expect(html).toMatch(/transStatus <strong>[NU]<\/strong>/);
    const rreq = JSON.parse((await messagesOf(t)).find((r) => r.messageType === 'RReq')!.body);
    expect(rreq.challengeCancel).toBe('01');
  });

  it('a wrong code, then a resend, keep the phone on the text screen with the counters in step', async () => {
    const t = await start();
    const first = await startRun(t);
    const wrong = await (await post(t, '/sandbox/app/step', { state: stateIn(first)!, action: 'submit', entry: '000000' === (await otpOf(t)) ? '111111' : '000000' })).text();
    expect(wrong).toContain('name="entry"');
    const resent = await (await post(t, '/sandbox/app/step', { state: stateIn(wrong)!, action: 'resend' })).text();
    expect(resent).toContain('name="entry"');
    const creqs = (await messagesOf(t)).filter((r) => r.messageType === 'CReq').map((r) => JSON.parse(r.body));
    expect(creqs.map((c) => c.sdkCounterStoA)).toEqual(['000', '001', '002']);
    expect(creqs[2]).toMatchObject({ resendChallenge: 'Y' });
    expect((await messagesOf(t)).map((r) => r.messageType)).not.toContain('SDK check');
  });

  it('replaying an old screen’s state is answered by the ACS (counter out of step), not by a crash', async () => {
    const t = await start();
    const first = await startRun(t);
    const state = stateIn(first)!;
    await post(t, '/sandbox/app/step', { state, action: 'resend' });
    const replay = await post(t, '/sandbox/app/step', { state, action: 'resend' });
    expect(replay.status).toBe(200);
    expect(await replay.text()).toContain('Erro 302');
  });

  it('a tampered state is refused with the page, not sent anywhere', async () => {
    const t = await start();
    const state = stateIn(await startRun(t))!;
    const before = (await messagesOf(t)).length;
    const res = await post(t, '/sandbox/app/step', { state: `${state.slice(0, -3)}AAA`, action: 'submit', entry: '123456' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('最初からやり直してください');
    expect(await messagesOf(t)).toHaveLength(before);
  });

  it('a phone set to en_US gets the ACS’s English texts; ja_JP the Japanese ones', async () => {
    const t = await start();
    const english = await startRun(t, { locale: 'en_US' });
    expect(english, outcomeOf(english)).toContain('<p class="phone-header">Let&#39;s make sure it&#39;s you</p>');
    const japanese = await startRun(t, { locale: 'ja_JP' });
    expect(japanese).toContain('<p class="phone-header">ご本人確認</p>');
  });

  it('a frictionless app purchase stops at the ARes: no signed content, no CReq', async () => {
    const t = await start();
    const html = await startRun(t, { amount: '1500' });
    expect(html).toContain('transStatus Y');
    expect((await messagesOf(t)).map((r) => r.messageType)).toEqual(['AReq', 'ARes']);
  });

  it('an SDK that only does HTML gets the HTML UI in a sandboxed iframe, its form pointed back at the sandbox', async () => {
    const t = await start();
    const html = await startRun(t, { sdkInterface: '02' });
    expect(html, outcomeOf(html)).toContain('acsUiType 05');
    const srcdoc = /<iframe[^>]*sandbox="allow-forms allow-top-navigation"[^>]*srcdoc="([^"]*)"/.exec(html)?.[1];
    expect(srcdoc).toBeTruthy();
    expect(srcdoc).not.toMatch(/https:\/\/emv3ds\/challenge/i);
    const action = /\/sandbox\/app\/html\/[\w.-]+/.exec(srcdoc!)![0];
    // The HTML form's submit, as the browser sends it: the query string goes on as challengeHTMLDataEntry.
    const done = await t.app.request(`${action}?secret=${await otpOf(t)}&action=submit`);
    expect(await done.text()).toContain('transStatus <strong>Y</strong>');
    const creqs = (await messagesOf(t)).filter((r) => r.messageType === 'CReq').map((r) => JSON.parse(r.body));
    expect(creqs[1].challengeHTMLDataEntry).toMatch(/^secret=\d{6}&action=submit$/);
  });
});

describe('the phone draws each UI type from a CRes', () => {
  const base = { messageType: 'CRes', challengeCompletionInd: 'N', challengeInfoHeader: 'ご本人確認', challengeInfoText: '**¥45,000** のお支払い\n2 行目', submitAuthenticationLabel: '次へ' };
  const draw = async (cres: Record<string, unknown>) => {
    const { AppCheckoutPage } = await import('../../views/sandbox/app-checkout.tsx');
    const screen = { kind: 'cres' as const, cres, state: 'sealed-state' };
    return String(await AppCheckoutPage({ cards: [], run: { threeDSServerTransID: 'x', messages: [], screen, outcome: { ja: 'ja', en: 'en' } } }));
  };

  it('01 text: the labelled entry, submit and resend, the info text with **bold** and line breaks escaped safely', async () => {
    const html = await draw({ ...base, acsUiType: '01', challengeEntryBox: { challengeDataEntryLabel: '確認コード' }, resendInformationLabel: '再送信', challengeInfoHeader: '<b>x</b>' });
    expect(html).toContain('<label for="entry">確認コード</label>');
    expect(html).toContain('value="resend"');
    expect(html).toContain('<strong>¥45,000</strong> のお支払い<br>2 行目');
    expect(html).not.toContain('<b>x</b>');
  });

  it('02 single select: radios; 03 multi select: checkboxes, each with its label', async () => {
    const options = [{ yes: 'はい' }, { no: 'いいえ' }];
    const single = await draw({ ...base, acsUiType: '02', challengeInfoLabel: 'ご本人のお支払いですか', challengeSelectInfo: options });
    expect(single.match(/type="radio" name="select"/g)).toHaveLength(2);
    expect(single).toContain('<legend>ご本人のお支払いですか</legend>');
    const multi = await draw({ ...base, acsUiType: '03', challengeInfoLabel: '確認', challengeSelectInfo: [{ mrch: 'まもりストア' }, { amnt: '¥45,000' }] });
    expect(multi.match(/type="checkbox" name="select"/g)).toHaveLength(2);
    expect(multi).toContain('value="amnt"');
  });
});
