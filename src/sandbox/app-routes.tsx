/**
 * The sandbox's "app checkout" (`/sandbox/app…`): the sandbox plays the merchant's app, its EMV
 * 3DS SDK (src/sandbox/app-sdk.ts) and the DS, so a tester can walk an app challenge from a page:
 * the AReq with the SDK's ephemeral key, the ARes's signed content checked against the sandbox DS
 * root, then each CReq encrypted to the acsURL the signed content names and each CRes decrypted
 * and drawn on a phone. The SDK's state (session key, counters) travels sealed in the page's form;
 * every message, decrypted and as JWE, goes to `sandbox_messages` like the browser exchange's.
 */
import { Hono, type Context, type Hono as HonoApp } from 'hono';
import { csrf } from 'hono/csrf';
import { z } from 'zod';
import { AppCheckoutPage, type AppRun, type PhoneScreen } from '../../views/sandbox/app-checkout.tsx';
import { sandboxSigning } from '../db/schema.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { bytesToBase64url } from '../encoding.ts';
import { validated } from '../http/validate.ts';
import { decodeTextBase64Url } from '../protocol/base64url.ts';
import { appAReq, SANDBOX_SDK_REFERENCE } from './app-areq.ts';
import { agreeSessionKey, counter, decryptCRes, encryptCReq, newEphemeralKey, openSdkState, sealSdkState, verifySignedContent, type SdkSession } from './app-sdk.ts';
import { DEMO_CARDS } from './demo-issuer.ts';
import { exchangeOf, recordExchange } from './exchange.ts';

const StartForm = z.object({
  card: z.string().max(64),
  amount: z.string().regex(/^\d{1,9}$/),
  messageVersion: z.enum(['2.2.0', '2.3.1']).catch('2.2.0'),
  enc: z.enum(['A128CBC-HS256', 'A128GCM']).catch('A128CBC-HS256'),
  sdkInterface: z.enum(['01', '02', '03']).catch('03'),
  locale: z.enum(['ja_JP', 'en_US']).catch('ja_JP'),
});

const StepForm = z.object({
  state: z.string().max(4096),
  action: z.enum(['submit', 'resend', 'cancel', 'oob', 'info']).catch('submit'),
  entry: z.string().max(45).optional(),
  select: z.union([z.string().max(4), z.array(z.string().max(4)).max(8)]).optional(),
});

/** The SDK's session plus the UI type of the CRes on screen (what "submit" means next). */
type PageState = SdkSession & { ui: string };

export function sandboxAppRoutes(appRef?: () => HonoApp<AppEnv>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const sameOrigin = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === c.get('deps').config.PUBLIC_URL });

  /** To the ACS as the DS and the SDK reach it: the app itself when mounted with it, else over HTTP. */
  const send = (c: Context<AppEnv>, url: string, init: RequestInit): Promise<Response> => {
    const app = appRef?.();
    if (app && url.startsWith(c.get('deps').config.PUBLIC_URL)) return Promise.resolve(app.request(url, init));
    return c.get('deps').fetch(url, init);
  };

  routes.get('/sandbox/app', (c) => c.html(<AppCheckoutPage cards={DEMO_CARDS} />));

  routes.post(
    '/sandbox/app/start',
    sameOrigin,
    validated('form', StartForm, (c) => c.html(<AppCheckoutPage cards={DEMO_CARDS} error={{ ja: '金額は半角数字で入力してください。', en: 'Type the amount in digits.' }} />, 400)),
    async (c) => {
      const deps = c.get('deps');
      const form = c.req.valid('form');
      const card = DEMO_CARDS.find((d) => d.key === form.card);
      if (!card) return c.html(<AppCheckoutPage cards={DEMO_CARDS} error={{ ja: 'テストカードを選んでください。', en: 'Pick a demo card.' }} />, 400);
      const threeDSServerTransID = crypto.randomUUID();
      const key = await newEphemeralKey();
      const areq = appAReq({
        pan: card.pan,
        messageVersion: form.messageVersion,
        purchaseAmount: form.amount,
        purchaseCurrency: '392',
        purchaseExponent: '0',
        threeDSServerTransID,
        dsURL: `${deps.config.PUBLIC_URL}/sandbox/ds/rreq?mode=ok`,
        purchaseDate: new Date(deps.clock.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14),
        sdkEphemPubKey: key.publicJwk,
        sdkInterface: form.sdkInterface,
        locale: form.locale,
      });
      await recordExchange(deps, threeDSServerTransID, 'app → 3DS Server → DS → ACS', 'AReq', areq);
      const started = performance.now();
      const res = await send(c, `${deps.config.PUBLIC_URL}/3ds/areq`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': String(areq.dsTransID) },
        body: JSON.stringify(areq),
      });
      const ares = (await res.json()) as Record<string, any>;
      await recordExchange(deps, threeDSServerTransID, 'ACS → DS → 3DS Server → app', String(ares.messageType), ares, Math.round(performance.now() - started));
      if (ares.messageType !== 'ARes' || ares.transStatus !== 'C') {
        const status = ares.messageType === 'ARes' ? `transStatus ${ares.transStatus}` : `Erro ${ares.errorCode}`;
        return page(c, threeDSServerTransID, { kind: 'stopped', reason: status }, { ja: `チャレンジなし：${status}`, en: `No challenge: ${status}` });
      }

      // The SDK trusts the ARes only through the signed content: the chain to the DS root it ships.
      // Certificates are dated by the real clock (a phone's), not the sandbox's movable business clock.
      const rootPem = await sandboxDsRoot(deps);
      const verified = rootPem
        ? await verifySignedContent(String(ares.acsSignedContent ?? ''), rootPem, key.publicJwk, Date.now())
        : ({ ok: false, reason: 'no sandbox DS root yet (sandbox_signing is empty)' } as const);
      await recordExchange(deps, threeDSServerTransID, 'SDK checks acsSignedContent (JWS, x5c → sandbox DS root)', verified.ok ? 'JWS verified' : 'SDK check', verified.ok ? { alg: verified.alg, chain: verified.chain, payload: verified.payload } : { error: verified.reason });
      if (!verified.ok) return page(c, threeDSServerTransID, { kind: 'stopped', reason: verified.reason }, { ja: `署名を検証できません：${verified.reason}`, en: `The signed content does not verify: ${verified.reason}` });

      const cek = await agreeSessionKey(key.privateJwk, verified.payload.acsEphemPubKey, SANDBOX_SDK_REFERENCE);
      const session: SdkSession = {
        threeDSServerTransID,
        acsTransID: String(ares.acsTransID),
        sdkTransID: String(areq.sdkTransID),
        messageVersion: form.messageVersion,
        acsURL: verified.payload.acsURL,
        enc: form.enc,
        cek: bytesToBase64url(cek),
        sdkCounter: 0,
        acsCounter: 0,
      };
      // The first CReq opens the challenge: no cardholder data yet.
      return step(c, session, {});
    },
  );

  routes.post(
    '/sandbox/app/step',
    sameOrigin,
    validated('form', StepForm, (c) => expired(c)),
    async (c) => {
      const form = c.req.valid('form');
      const state = (await openSdkState(c.get('deps').keys.session, form.state)) as PageState | undefined;
      if (!state) return expired(c);
      return step(c, state, actionFields(state, form));
    },
  );

  /**
   * The HTML UI's submit (05/06): the ACS's form goes to `HTTPS://EMV3DS/challenge?…`, which a
   * real SDK intercepts; the phone here points it at this URL (the state in the path), and the
   * query string goes on unchanged as challengeHTMLDataEntry.
   */
  routes.get('/sandbox/app/html/:state', async (c) => {
    const state = (await openSdkState(c.get('deps').keys.session, c.req.param('state'))) as PageState | undefined;
    if (!state) return expired(c);
    const query = new URL(c.req.url).search.slice(1);
    return step(c, state, query ? { challengeHTMLDataEntry: query } : { challengeNoEntry: 'Y' });
  });

  /** One CReq (encrypted, to the acsURL of the signed content) and what its CRes puts on the phone. */
  async function step(c: Context<AppEnv>, session: SdkSession, fields: Record<string, unknown>) {
    const deps = c.get('deps');
    const id = session.threeDSServerTransID;
    const v231 = session.messageVersion === '2.3.1';
    const creq = {
      messageType: 'CReq',
      messageVersion: session.messageVersion,
      threeDSServerTransID: id,
      acsTransID: session.acsTransID,
      sdkTransID: session.sdkTransID,
      sdkCounterStoA: counter(session.sdkCounter),
      ...(v231 ? { oobAppURLInd: '02' } : {}),
      ...fields,
    };
    const jwe = await encryptCReq(session, creq);
    await recordExchange(deps, id, 'SDK (as it encrypts it)', 'CReq', creq);
    await recordExchange(deps, id, `SDK → ACS (application/jose, ${session.enc})`, 'CReq JWE', jwe);
    const started = performance.now();
    const res = await send(c, session.acsURL, {
      method: 'POST',
      headers: { 'content-type': 'application/jose; charset=utf-8', ...(v231 ? { 'x-request-id': session.sdkTransID } : {}) },
      body: jwe,
    });
    const body = await res.text();
    const ms = Math.round(performance.now() - started);
    const next: SdkSession = { ...session, sdkCounter: session.sdkCounter + 1 };
    if (res.headers.get('content-type')?.startsWith('application/json') || res.status !== 200) {
      let erro: unknown = body;
      try {
        erro = JSON.parse(body);
      } catch {
        // shown as text
      }
      await recordExchange(deps, id, `ACS → SDK (HTTP ${res.status})`, 'Erro', erro, ms);
      const code = typeof erro === 'object' && erro ? String((erro as { errorCode?: unknown }).errorCode) : `HTTP ${res.status}`;
      return page(c, id, { kind: 'stopped', reason: `Erro ${code}` }, { ja: `ACSがエラーを返しました（${code}）`, en: `The ACS answered an Erro (${code})` });
    }
    await recordExchange(deps, id, 'ACS → SDK (application/jose)', 'CRes JWE', body, ms);
    const opened = await decryptCRes(next, body);
    if (!opened.ok) {
      await recordExchange(deps, id, 'SDK checks the CRes', 'SDK check', { error: opened.reason });
      await reportToAcs(c, next, '302', opened.reason);
      return page(c, id, { kind: 'stopped', reason: opened.reason }, { ja: `CResを読めません：${opened.reason}`, en: `The CRes cannot be read: ${opened.reason}` });
    }
    await recordExchange(deps, id, 'SDK (as it decrypted it)', 'CRes', opened.cres);
    if (opened.problems.length) {
      // A live SDK stops here and tells the ACS (which ends the transaction with RReq U).
      await recordExchange(deps, id, 'SDK checks the CRes', 'SDK check', { problems: opened.problems });
      const reason = opened.problems.join('; ');
      await reportToAcs(c, next, opened.problems.some((p) => p.startsWith('acsCounterAtoS')) ? '302' : '203', reason);
      return page(c, id, { kind: 'stopped', reason }, { ja: `SDKがCResを拒否しました：${reason}`, en: `The SDK refused the CRes: ${reason}` });
    }
    const cres = opened.cres as Record<string, any>;
    if (cres.challengeCompletionInd === 'Y') {
      const status = String(cres.transStatus);
      return page(c, id, { kind: 'final', cres }, { ja: `認証が終わりました：transStatus ${status}`, en: `Authentication finished: transStatus ${status}` });
    }
    const after: PageState = { ...next, acsCounter: next.acsCounter + 1, ui: String(cres.acsUiType ?? '') };
    const state = await sealSdkState(deps.keys.session, after);
    const htmlDoc = cres.acsHTML ? phoneHtml(String(cres.acsHTML), `${new URL(c.req.url).origin}/sandbox/app/html/${state}`) : undefined;
    const ui = String(cres.acsUiType ?? '?');
    return page(c, id, { kind: 'cres', cres, state, htmlDoc }, { ja: `ACSの画面（acsUiType ${ui}）`, en: `The ACS's screen (acsUiType ${ui})` });
  }

  /** The SDK's Erro about a CRes it refuses: JSON to the acsURL (errorComponent C), as a live SDK sends it. */
  async function reportToAcs(c: Context<AppEnv>, session: SdkSession, errorCode: string, detail: string) {
    const erro = {
      messageType: 'Erro',
      messageVersion: session.messageVersion,
      threeDSServerTransID: session.threeDSServerTransID,
      acsTransID: session.acsTransID,
      sdkTransID: session.sdkTransID,
      errorCode,
      errorComponent: 'C',
      errorDescription: 'The sandbox SDK refused the CRes',
      errorDetail: detail.slice(0, 2048),
      errorMessageType: 'CRes',
    };
    await recordExchange(c.get('deps'), session.threeDSServerTransID, 'SDK → ACS (application/json)', 'Erro', erro);
    await send(c, session.acsURL, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(erro) });
  }

  async function page(c: Context<AppEnv>, threeDSServerTransID: string, screen: PhoneScreen, outcome: AppRun['outcome']) {
    const messages = await exchangeOf(c.get('deps'), threeDSServerTransID);
    return c.html(<AppCheckoutPage cards={DEMO_CARDS} run={{ threeDSServerTransID, messages, screen, outcome }} />);
  }

  return routes;
}

const expired = (c: Context<AppEnv>) =>
  c.html(<AppCheckoutPage cards={DEMO_CARDS} error={{ ja: 'この画面の状態を読めません。最初からやり直してください。', en: 'This screen’s state cannot be read: start again.' }} />, 400);

/** The CReq's action for the button pressed on the phone (one action per CReq). */
function actionFields(state: PageState, form: z.infer<typeof StepForm>): Record<string, unknown> {
  const v231 = state.messageVersion === '2.3.1';
  switch (form.action) {
    case 'cancel':
      return { challengeCancel: '01' };
    case 'resend':
      return { resendChallenge: 'Y' };
    case 'oob':
      return { oobContinue: v231 ? '01' : true };
    case 'info':
      return { infoContinueIndicator: true };
    case 'submit': {
      const picked = form.select === undefined ? [] : [form.select].flat();
      const entry = state.ui === '02' || state.ui === '03' ? picked.join(',') : (form.entry ?? '').trim();
      return entry ? { challengeDataEntry: entry } : { challengeNoEntry: 'Y' };
    }
  }
}

/**
 * The ACS's HTML for the phone's sandboxed iframe: its submit target (`HTTPS://EMV3DS/challenge`,
 * any case) pointed at this sandbox, and the whole page's navigation, as a real SDK intercepts it.
 */
function phoneHtml(acsHTML: string, action: string): string {
  const html = decodeTextBase64Url(acsHTML) ?? '';
  const pointed = html.replace(/https:\/\/emv3ds\/challenge/gi, action);
  return /<head[^>]*>/i.test(pointed) ? pointed.replace(/<head[^>]*>/i, (h) => `${h}<base target="_top">`) : `<base target="_top">${pointed}`;
}

/** The DS root the sandbox SDK ships: the sandbox's own signing chain's (src/app-channel/signing.ts makes it). */
async function sandboxDsRoot(deps: Pick<AppDeps, 'db'>): Promise<string | undefined> {
  const row = await deps.db.select({ rootPem: sandboxSigning.rootPem }).from(sandboxSigning).limit(1).get();
  return row?.rootPem;
}
