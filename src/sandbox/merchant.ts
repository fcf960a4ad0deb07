/**
 * The sandbox plays merchant, 3DS Server and Directory Server in one. These endpoints answer the
 * merchant page's `globalpayments-3ds` library (checkVersion, initiateAuthentication) and receive
 * the notifications the ACS's pages post back, exactly as a merchant's back end would.
 */
import { Hono, type Context, type Hono as HonoApp } from 'hono';
import { and, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { sandboxMessages } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../protocol/base64url.ts';
import { CURRENCIES } from '../protocol/iso.ts';
import { RREQ_SCHEMAS } from '../protocol/rreq.ts';
import { erroFromIssues } from '../protocol/validation.ts';
import { validated } from '../http/validate.ts';
import { NotifyParentPage } from '../../views/sandbox/notify.tsx';
import { browserAReq } from './areq-builder.ts';
import { recordExchange } from './exchange.ts';

/** What Chromium, Firefox and Safari send as Accept for a page. */
const BROWSER_PAGE_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** mode=late answers after this, past the ACS's 5-second RRes timeout. */
const LATE_MS = 6000;

/** globalpayments-3ds window sizes → EMV challengeWindowSize. */
const WINDOW_SIZES: Record<string, string> = {
  WINDOWED_250X400: '01',
  WINDOWED_390X400: '02',
  WINDOWED_500X600: '03',
  WINDOWED_600X400: '04',
  FULL_SCREEN: '05',
};

const initiateBody = z.object({
  serverTransactionId: z.uuid(),
  card: z.object({ number: z.string().regex(/^\d{13,19}$/) }),
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  currency: z.string().regex(/^\d{3}$/),
  merchantName: z.string().min(1).max(40),
  challengeInd: z.enum(['01', '02', '03', '04', '05', '06', '07']),
  messageVersion: z.enum(['2.2.0', '2.3.1']),
  dsMode: z.enum(['ok', 'fail', 'fail-twice', 'late', 'garbage']).default('ok'),
  methodUrlComplete: z.union([z.boolean(), z.string()]).optional(),
  challengeWindow: z.object({ windowSize: z.string().optional() }).optional(),
  browserData: z
    .object({
      colorDepth: z.union([z.string(), z.number(), z.boolean()]).optional(),
      javaEnabled: z.boolean().optional(),
      language: z.union([z.string(), z.boolean()]).optional(),
      screenHeight: z.union([z.number(), z.boolean()]).optional(),
      screenWidth: z.union([z.number(), z.boolean()]).optional(),
      timezoneOffset: z.number().optional(),
      userAgent: z.union([z.string(), z.boolean()]).optional(),
    })
    .optional(),
});

/** The 3DS Method's notification: threeDSMethodData (one that is no string is unreadable, like garbage). */
const MethodNotificationForm = z.object({ threeDSMethodData: z.string().max(4096).catch('') });

/** The final post of the ACS's page: the CRes (or Erro), and the merchant's session data if it gave any. */
const ChallengeNotificationForm = z.object({
  cres: z.string().catch(''),
  threeDSSessionData: z.string().optional().catch(undefined),
});

/**
 * What the merchant page's failure handler reads: every failing field, as the page (or a script)
 * sent it. A body that is no JSON at all lacks every field, and is answered as an empty one.
 */
function invalidInitiate(c: Context<AppEnv>, error: z.core.$ZodError, input: Record<string, unknown>) {
  const unreadable = error.issues.length === 1 && error.issues[0].path.length === 0 && error.issues[0].code === 'custom';
  const issues = unreadable ? (initiateBody.safeParse(input).error?.issues ?? []) : error.issues;
  const fields = issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return c.json({ error: 'invalid request', issues: [...new Set(fields.map((f) => f.field))], fields }, 400);
}

export function merchantRoutes(appRef: () => HonoApp<AppEnv>) {
  const routes = new Hono<AppEnv>();

  /** checkVersion: the card range is ours, so the 3DS Method URL is the ACS's. */
  routes.post('/sandbox/merchant/check-version', async (c) => {
    const deps = c.get('deps');
    const threeDSServerTransID = crypto.randomUUID();
    const merchant = new URL(c.req.url).origin;
    const methodData = encodeJsonBase64Url({ threeDSServerTransID, threeDSMethodNotificationURL: `${merchant}/sandbox/merchant/method-notification` });
    await recordExchange(deps, threeDSServerTransID, 'merchant → 3DS Method (hidden iframe) → ACS', 'threeDSMethodData', { threeDSServerTransID });
    return c.json({ enrolled: true, serverTransactionId: threeDSServerTransID, methodUrl: `${deps.config.PUBLIC_URL}/3ds/method`, methodData });
  });

  const methodDone = (c: Context<AppEnv>, threeDSServerTransID: string) =>
    c.html(NotifyParentPage({ event: 'methodNotification', data: { threeDSServerTransID } }));

  routes.post('/sandbox/merchant/method-notification', validated('form', MethodNotificationForm, (c) => methodDone(c, '')), async (c) => {
    const deps = c.get('deps');
    const decoded = decodeJsonBase64Url(c.req.valid('form').threeDSMethodData);
    const id = decoded.ok ? String((decoded.value as { threeDSServerTransID?: unknown }).threeDSServerTransID ?? '') : '';
    if (id) await recordExchange(deps, id, 'ACS → browser → 3DS Server', '3DS Method done', decoded.ok ? decoded.value : {});
    return methodDone(c, id);
  });

  /** initiateAuthentication: build the AReq as a 3DS Server and DS would, and send it to the ACS over HTTP. */
  routes.post('/sandbox/merchant/initiate-authentication', validated('json', initiateBody, invalidInitiate), async (c) => {
    const deps = c.get('deps');
    const b = c.req.valid('json');
    const exponent = CURRENCIES[b.currency]?.[1] ?? 2;
    const minor = Math.round(Number(b.amount) * 10 ** exponent).toString();
    const browser = b.browserData ?? {};
    // The merchant's URLs are on the page's own origin; the ACS (and the DS receiver it calls) on PUBLIC_URL.
    const merchant = new URL(c.req.url).origin;
    const base = deps.config.PUBLIC_URL;
    const areq = browserAReq({
      pan: b.card.number,
      messageVersion: b.messageVersion,
      purchaseAmount: minor,
      purchaseCurrency: b.currency,
      purchaseExponent: String(exponent),
      merchantName: b.merchantName,
      challengeInd: b.challengeInd,
      threeDSServerTransID: b.serverTransactionId,
      threeDSCompInd: b.methodUrlComplete === true || b.methodUrlComplete === 'YES' ? 'Y' : 'N',
      notificationURL: `${merchant}/sandbox/merchant/challenge-notification`,
      dsURL: `${base}/sandbox/ds/rreq?mode=${b.dsMode}`,
      browserLanguage: typeof browser.language === 'string' ? browser.language.slice(0, 8) : 'ja-JP',
      purchaseDate: utcStamp(deps.clock.now()),
      extra: {
        browserUserAgent: typeof browser.userAgent === 'string' ? browser.userAgent.slice(0, 2048) : 'unknown',
        // A 3DS Server takes this from the checkout page's own request; this one is the library's
        // fetch (Accept */*), so the sandbox sends what a browser sends for a page.
        browserAcceptHeader: BROWSER_PAGE_ACCEPT,
        browserIP: c.req.header('cf-connecting-ip') ?? '127.0.0.1',
        browserScreenHeight: String(typeof browser.screenHeight === 'number' ? browser.screenHeight : 800),
        browserScreenWidth: String(typeof browser.screenWidth === 'number' ? browser.screenWidth : 1280),
        browserTZ: String(Math.round((browser.timezoneOffset ?? -9) * 60)),
        browserColorDepth: colorDepthOf(browser.colorDepth),
      },
    });
    const started = performance.now();
    await recordExchange(deps, b.serverTransactionId, '3DS Server → DS → ACS', 'AReq', areq);
    const res = await appRef().request('/3ds/areq', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': String(areq.dsTransID) },
      body: JSON.stringify(areq),
    });
    const answer = (await res.json()) as Record<string, any>;
    const ms = Math.round(performance.now() - started);
    await recordExchange(deps, b.serverTransactionId, 'ACS → DS → 3DS Server', String(answer.messageType), answer, ms);

    if (answer.messageType !== 'ARes') return c.json({ status: 'ERROR', serverTransactionId: b.serverTransactionId, erro: answer });
    if (answer.transStatus !== 'C') {
      return c.json({ status: answer.transStatus === 'Y' ? 'AUTHENTICATION_SUCCESSFUL' : 'NOT_AUTHENTICATED', serverTransactionId: b.serverTransactionId, ares: answer });
    }
    const creq = {
      messageType: 'CReq',
      messageVersion: answer.messageVersion,
      threeDSServerTransID: answer.threeDSServerTransID,
      acsTransID: answer.acsTransID,
      challengeWindowSize: WINDOW_SIZES[b.challengeWindow?.windowSize ?? ''] ?? '05',
    };
    await recordExchange(deps, b.serverTransactionId, 'merchant page → browser iframe → ACS', 'CReq', creq);
    return c.json({
      status: 'CHALLENGE_REQUIRED',
      challengeMandated: answer.acsChallengeMandated === 'Y',
      serverTransactionId: b.serverTransactionId,
      acsTransactionId: answer.acsTransID,
      ares: answer,
      challenge: { requestUrl: answer.acsURL, encodedChallengeRequest: encodeJsonBase64Url(creq) },
    });
  });

  /** The notificationURL: the ACS's page posts the final CRes (or an Erro) here, inside the iframe. */
  const challengeDone = (c: Context<AppEnv>, message: Record<string, any>) => c.html(NotifyParentPage({ event: 'challengeNotification', data: message }));

  routes.post('/sandbox/merchant/challenge-notification', validated('form', ChallengeNotificationForm, (c) => challengeDone(c, { error: 'unreadable cres' })), async (c) => {
    const deps = c.get('deps');
    const form = c.req.valid('form');
    const decoded = decodeJsonBase64Url(form.cres);
    const message = decoded.ok ? (decoded.value as Record<string, any>) : { error: 'unreadable cres' };
    const id = String(message.threeDSServerTransID ?? '');
    if (id) {
      const sessionData = typeof form.threeDSSessionData === 'string' ? { threeDSSessionData: form.threeDSSessionData } : {};
      await recordExchange(deps, id, 'ACS page → browser → notificationURL', String(message.messageType ?? 'cres'), { ...message, ...sessionData });
    }
    return challengeDone(c, message);
  });

  /**
   * The DS receiving the RReq. `mode` (in the dsURL the sandbox puts in its AReqs) picks the answer,
   * to watch what the ACS does about it (src/acs/rreq.ts):
   *
   * | mode       | the DS answers                                        | the ACS                       |
   * |------------|-------------------------------------------------------|-------------------------------|
   * | ok         | a valid RRes (resultsStatus 01); an Erro (D) for an invalid RReq | is done             |
   * | fail       | HTTP 500, every time                                   | retries: 10 s, 20 s, 40 s…    |
   * | fail-twice | HTTP 500 to the first two RReqs of the transaction, then the RRes | retries twice, then is done |
   * | late       | the RRes after 6 s, past the ACS's 5-second timeout    | sends Erro 402, retries       |
   * | garbage    | HTTP 200 with an HTML page                             | sends Erro 101, does not retry |
   *
   * Any other message (an Erro about the DS's answer) is recorded and acknowledged with 204;
   * a body that is not JSON gets HTTP 400. Every message and failure shows on the sandbox page.
   */
  routes.post('/sandbox/ds/rreq', async (c) => {
    const deps = c.get('deps');
    const mode = c.req.query('mode') ?? 'ok';
    // Read as text, not through a validator: the DS records whatever the ACS sent, RReq or not.
    const text = await c.req.text();
    let message: Record<string, any>;
    try {
      message = JSON.parse(text);
    } catch {
      return c.json({ error: 'not JSON' }, 400);
    }
    const id = String(message.threeDSServerTransID ?? '');
    await recordExchange(deps, id, 'ACS → DS', String(message.messageType ?? '?'), message);
    if (message.messageType !== 'RReq') return c.body(null, 204); // e.g. an Erro about our RRes

    const tries = await deps.db
      .select({ value: count() })
      .from(sandboxMessages)
      .where(and(eq(sandboxMessages.threeDSServerTransID, id), eq(sandboxMessages.messageType, 'RReq')));
    if (mode === 'fail' || (mode === 'fail-twice' && tries[0].value <= 2)) {
      const failure = { error: `DS unavailable (sandbox mode ${mode}, RReq ${tries[0].value})` };
      await recordExchange(deps, id, 'DS → ACS (HTTP 500: the ACS retries later)', 'HTTP 500', failure);
      return c.json(failure, 500);
    }
    if (mode === 'garbage') {
      const garbage = '<html>not an RRes</html>';
      await recordExchange(deps, id, 'DS → ACS (HTTP 200, not an RRes: the ACS answers Erro)', 'not an RRes', garbage);
      return c.text(garbage, 200);
    }
    if (mode === 'late') await new Promise((r) => setTimeout(r, LATE_MS));

    const version = message.messageVersion === '2.3.1' ? '2.3.1' : '2.2.0';
    const checked = RREQ_SCHEMAS[version].safeParse(message, { reportInput: true });
    if (!checked.success) {
      // A DS refuses an RReq it cannot read with an Erro of its own (errorComponent D).
      const erro = { ...erroFromIssues(checked.error.issues, message, 'RReq'), errorComponent: 'D' };
      await recordExchange(deps, id, 'DS → ACS (the RReq is invalid)', 'Erro', erro);
      return c.json(erro);
    }
    const rres = {
      messageType: 'RRes',
      messageVersion: version,
      threeDSServerTransID: message.threeDSServerTransID,
      acsTransID: message.acsTransID,
      dsTransID: message.dsTransID,
      resultsStatus: '01',
    };
    await recordExchange(deps, id, mode === 'late' ? `DS → ACS (${LATE_MS / 1000} s late: the ACS stopped waiting at 5 s)` : 'DS → ACS', 'RRes', rres);
    return c.json(rres);
  });

  return routes;
}

function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** globalpayments-3ds reports colour depth as e.g. "TWENTY_FOUR_BITS"; EMV wants one of its listed bit counts. */
function colorDepthOf(value: unknown): string {
  const names: Record<string, string> = { ONE_BIT: '1', FOUR_BITS: '4', EIGHT_BITS: '8', FIFTEEN_BITS: '15', SIXTEEN_BITS: '16', TWENTY_FOUR_BITS: '24', THIRTY_TWO_BITS: '32', FORTY_EIGHT_BITS: '48' };
  const text = String(value);
  if (names[text]) return names[text];
  return ['1', '4', '8', '15', '16', '24', '32', '48'].includes(text) ? text : '24';
}
