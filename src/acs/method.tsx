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
import { MethodPage } from '../../views/method.tsx';
import { methodData } from '../db/schema.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { hmacHex, timingSafeEqual } from '../encoding.ts';
import { parseThreeDSMethodData } from '../protocol/method.ts';

/** Longer than the spec's 10-minute reuse window (Req 415), so a reused method still finds its data. */
export const METHOD_DATA_KEEP_MS = 15 * 60 * 1000;
const MAX_PROPS_LENGTH = 4096;

/** What the page's script may report, and the type of each; anything else is dropped. */
const BROWSER_PROPS = {
  screenWidth: 'number',
  screenHeight: 'number',
  colorDepth: 'number',
  devicePixelRatio: 'number',
  timeZone: 'string',
  timeZoneOffset: 'number',
  language: 'string',
  languages: 'strings',
  platform: 'string',
  mobile: 'boolean',
  hardwareConcurrency: 'number',
  maxTouchPoints: 'number',
  cookieEnabled: 'boolean',
} as const;

export const threeDSMethod = new Hono<AppEnv>();

threeDSMethod.post('/3ds/method', async (c) => {
  const deps = c.get('deps');
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const field = typeof form.threeDSMethodData === 'string' ? form.threeDSMethodData : '';
  const parsed = parseThreeDSMethodData(field);
  if (!parsed.ok) {
    deps.log.warn('3ds method: invalid threeDSMethodData', { reason: parsed.error });
    return c.text('invalid threeDSMethodData', 400);
  }
  const { threeDSServerTransID, threeDSMethodNotificationURL } = parsed.data;
  await storeMethodData(deps, threeDSServerTransID, {
    userAgent: c.req.header('user-agent'),
    acceptLanguage: c.req.header('accept-language'),
    ip: c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim(),
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
});

threeDSMethod.post('/3ds/method/collect', async (c) => {
  const deps = c.get('deps');
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const id = String(form.threeDSServerTransID ?? '');
  const token = String(form.token ?? '');
  const props = String(form.props ?? '');
  if (!timingSafeEqual(token, await collectToken(deps, id)) || props.length > MAX_PROPS_LENGTH) return c.body(null, 400);
  const seen = browserProps(props);
  if (!seen) return c.body(null, 400);
  // Only a method run we served and still keep: an old token cannot bring purged data back.
  if (!(await findLiveMethodData(deps, id))) return c.body(null, 404);
  await storeMethodData(deps, id, seen);
  return c.body(null, 204);
});

/** The reported properties we know, with the right types; undefined when it is not a JSON object. */
function browserProps(json: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, type] of Object.entries(BROWSER_PROPS)) {
    const v = (value as Record<string, unknown>)[key];
    const fits =
      type === 'strings'
        ? Array.isArray(v) && v.length <= 10 && v.every((s) => typeof s === 'string' && s.length <= 64)
        : typeof v === type && (type !== 'string' || (v as string).length <= 128) && (type !== 'number' || Number.isFinite(v));
    if (fits) out[key] = v;
  }
  return out;
}

function findLiveMethodData(deps: AppDeps, threeDSServerTransID: string) {
  return deps.db
    .select({ data: methodData.data })
    .from(methodData)
    .where(and(eq(methodData.threeDSServerTransID, threeDSServerTransID), gte(methodData.expiresAt, deps.clock.now())))
    .get();
}

/** Merges new observations into the row for this transaction, and keeps it another 15 minutes. */
async function storeMethodData(deps: AppDeps, threeDSServerTransID: string, observed: Record<string, unknown>) {
  const now = deps.clock.now();
  const existing = await findLiveMethodData(deps, threeDSServerTransID);
  const data = JSON.stringify({ ...(existing ? JSON.parse(existing.data) : {}), ...observed });
  await deps.db
    .insert(methodData)
    .values({ threeDSServerTransID, data, createdAt: now, expiresAt: now + METHOD_DATA_KEEP_MS })
    .onConflictDoUpdate({ target: methodData.threeDSServerTransID, set: { data, expiresAt: now + METHOD_DATA_KEEP_MS } });
}

/** Binds the collect call to the method page we served, so nobody else can write this transaction's data. */
function collectToken(deps: AppDeps, threeDSServerTransID: string) {
  return hmacHex(deps.keys.session, `3ds-method|${threeDSServerTransID}`);
}
