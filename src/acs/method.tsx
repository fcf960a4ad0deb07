/**
 * 3DS Method (`POST /3ds/method`): the merchant's hidden iframe posts threeDSMethodData here.
 * We store what the request itself tells (user agent, languages, IP) at once, serve a tiny page
 * whose script adds screen, time zone and platform (`POST /3ds/method/collect`), and the page posts
 * threeDSMethodData back to the notification URL exactly as it was given. The data is kept 15
 * minutes, keyed by threeDSServerTransID, for the AReq that follows (threeDSCompInd Y).
 */
import { Hono } from 'hono';
import { MethodPage } from '../../views/method.tsx';
import { methodData } from '../db/schema.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { hmacHex, timingSafeEqual } from '../encoding.ts';
import { parseThreeDSMethodData } from '../protocol/method.ts';

const KEEP_MS = 15 * 60 * 1000;
const MAX_PROPS_LENGTH = 4096;

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
  let seen: unknown;
  try {
    seen = JSON.parse(props);
  } catch {
    return c.body(null, 400);
  }
  if (!seen || typeof seen !== 'object' || Array.isArray(seen)) return c.body(null, 400);
  await storeMethodData(deps, id, seen as Record<string, unknown>);
  return c.body(null, 204);
});

/** Merges new observations into the row for this transaction. */
async function storeMethodData(deps: AppDeps, threeDSServerTransID: string, observed: Record<string, unknown>) {
  const now = deps.clock.now();
  const existing = await deps.db.query.methodData.findFirst({ where: (m, { eq }) => eq(m.threeDSServerTransID, threeDSServerTransID) });
  const data = JSON.stringify({ ...(existing ? JSON.parse(existing.data) : {}), ...observed });
  await deps.db
    .insert(methodData)
    .values({ threeDSServerTransID, data, createdAt: now, expiresAt: now + KEEP_MS })
    .onConflictDoUpdate({ target: methodData.threeDSServerTransID, set: { data, expiresAt: now + KEEP_MS } });
}

/** Binds the collect call to the method page we served, so nobody else can write this transaction's data. */
function collectToken(deps: AppDeps, threeDSServerTransID: string) {
  return hmacHex(deps.keys.session, `3ds-method|${threeDSServerTransID}`);
}
