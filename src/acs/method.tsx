/**
 * 3DS Method (`POST /3ds/method`): the merchant's hidden iframe posts threeDSMethodData here.
 * We store what the request itself tells (user agent, languages, IP) at once, serve a tiny page
 * whose script adds screen, time zone and platform (`POST /3ds/method/collect`), and the page then
 * posts the notification to threeDSMethodNotificationURL: threeDSMethodData holding only the
 * threeDSServerTransID (spec Req 264, Annex A.7). The data is kept 15 minutes, keyed by
 * threeDSServerTransID, for the AReq that follows (threeDSCompInd Y, or 2.3.1 threeDSMethodId
 * within 10 minutes).
 */
import { Hono } from 'hono';
import { and, eq, gte } from 'drizzle-orm';
import { z } from 'zod';
import { MethodPage } from '../../views/method.tsx';
import { methodData } from '../db/schema.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { hmacHex, timingSafeEqual } from '../encoding.ts';
import { clientIp } from '../http/client-ip.ts';
import { validated } from '../http/validate.ts';
import { parseThreeDSMethodData } from '../protocol/method.ts';

/** Longer than the spec's 10-minute reuse window (Req 415), so a reused method still finds its data. */
export const METHOD_DATA_KEEP_MS = 15 * 60 * 1000;
const MAX_PROPS_LENGTH = 4096;

/** The method form: threeDSMethodData, decoded and checked (protocol/method.ts), kept as given too. */
const MethodForm = z.object({
  threeDSMethodData: z.string().transform((field, ctx) => {
    const parsed = parseThreeDSMethodData(field);
    if (parsed.ok) return { field, ...parsed.data };
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }),
});

/** A reported property of the wrong type is dropped on its own; unknown properties are dropped too. */
const dropIfNot = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const text = z.string().max(128);

/** What the page's script may report, and the type of each. */
const BrowserProps = z.object({
  screenWidth: dropIfNot(z.number()),
  screenHeight: dropIfNot(z.number()),
  colorDepth: dropIfNot(z.number()),
  devicePixelRatio: dropIfNot(z.number()),
  timeZone: dropIfNot(text),
  timeZoneOffset: dropIfNot(z.number()),
  language: dropIfNot(text),
  languages: dropIfNot(z.array(z.string().max(64)).max(10)),
  platform: dropIfNot(text),
  mobile: dropIfNot(z.boolean()),
  hardwareConcurrency: dropIfNot(z.number()),
  maxTouchPoints: dropIfNot(z.number()),
  cookieEnabled: dropIfNot(z.boolean()),
});

/** The collect call: the page's token and its JSON object of browser properties. */
const CollectForm = z.object({
  threeDSServerTransID: z.string().max(64),
  token: z.string().max(128),
  props: z
    .string()
    .max(MAX_PROPS_LENGTH)
    .transform((json, ctx) => {
      try {
        return JSON.parse(json) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'props is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(BrowserProps),
});

export const threeDSMethod = new Hono<AppEnv>();

threeDSMethod.post(
  '/3ds/method',
  validated('form', MethodForm, (c, error) => {
    c.get('deps').log.warn('3ds method: invalid threeDSMethodData', { reason: error.issues.map((i) => i.message).join('; ') });
    return c.text('invalid threeDSMethodData', 400);
  }),
  async (c) => {
    const deps = c.get('deps');
    const { field, threeDSServerTransID, threeDSMethodNotificationURL } = c.req.valid('form').threeDSMethodData;
    await storeMethodData(deps, threeDSServerTransID, {
      userAgent: c.req.header('user-agent'),
      acceptLanguage: c.req.header('accept-language'),
      ip: clientIp(c),
    });
    return c.html(
      MethodPage({
        notificationURL: threeDSMethodNotificationURL,
        // Exactly as given (it carries the threeDSServerTransID the 3DS Server looks for, Req 264).
        threeDSMethodData: field,
        threeDSServerTransID,
        token: await collectToken(deps, threeDSServerTransID),
      }),
    );
  },
);

threeDSMethod.post(
  '/3ds/method/collect',
  validated('form', CollectForm, (c) => c.body(null, 400)),
  async (c) => {
    const deps = c.get('deps');
    const { threeDSServerTransID: id, token, props } = c.req.valid('form');
    if (!timingSafeEqual(token, await collectToken(deps, id))) return c.body(null, 400);
    // Only a method run we served and still keep: an old token cannot bring purged data back.
    if (!(await findLiveMethodData(deps, id))) return c.body(null, 404);
    await storeMethodData(deps, id, props);
    return c.body(null, 204);
  },
);

type MethodDataDeps = Pick<AppDeps, 'db' | 'clock'>;

function findLiveMethodData(deps: MethodDataDeps, threeDSServerTransID: string) {
  return deps.db
    .select({ data: methodData.data })
    .from(methodData)
    .where(and(eq(methodData.threeDSServerTransID, threeDSServerTransID), gte(methodData.expiresAt, deps.clock.now())))
    .get();
}

/** Merges new observations into the row for this transaction, and keeps it another 15 minutes. */
async function storeMethodData(deps: MethodDataDeps, threeDSServerTransID: string, observed: Record<string, unknown>) {
  const now = deps.clock.now();
  const existing = await findLiveMethodData(deps, threeDSServerTransID);
  const data = JSON.stringify({ ...(existing ? JSON.parse(existing.data) : {}), ...observed });
  await deps.db
    .insert(methodData)
    .values({ threeDSServerTransID, data, createdAt: now, expiresAt: now + METHOD_DATA_KEEP_MS })
    .onConflictDoUpdate({ target: methodData.threeDSServerTransID, set: { data, expiresAt: now + METHOD_DATA_KEEP_MS } });
}

/** Binds the collect call to the method page we served, so nobody else can write this transaction's data. */
function collectToken(deps: Pick<AppDeps, 'keys'>, threeDSServerTransID: string) {
  return hmacHex(deps.keys.session, `3ds-method|${threeDSServerTransID}`);
}
