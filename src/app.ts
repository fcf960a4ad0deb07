/**
 * The factory: takes the dependencies, returns the Hono app.
 * Middleware first (request id, log, headers, body limits), then one route group per part
 * of the domain. Entry points (src/entry/) only build the dependencies for their runtime.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import { ErrorPage, NotFoundPage, TooLargePage } from '../views/errors/pages.tsx';
import { LandingPage } from '../views/landing.tsx';
import type { SiteInfo } from '../views/layout.tsx';
import { acsRoutes, areqTooLarge } from './acs/routes.ts';
import { adminRoutes } from './admin/routes.tsx';
import { apiTooLarge } from './api/errors.ts';
import { apiRoutes } from './api/routes.ts';
import { ASSET_MAX_BYTES, assetRoutes } from './issuers/assets.ts';
import { metricsRoutes } from './insight/metrics-routes.ts';
import { portalRoutes } from './portal/routes.tsx';
import { cannotContinue } from './challenge/render.tsx';
import { challengeRoutes, validatedState } from './challenge/routes.tsx';
import { appChannelRoutes } from './app-channel/routes.ts';
import { verifyState } from './challenge/state-token.ts';
import { isDatabaseDeadline } from './db/deadline.ts';
import { issuerSettings, lastKnownIssuerSettings, type IssuerSettings } from './issuers/settings.ts';
import { sandboxRoutes } from './sandbox/routes.tsx';
import type { AppDeps, AppEnv } from './deps.ts';
import { bodyLimit } from './http/body-limit.ts';
import { health } from './http/health.ts';
import { answersJson, isMachineRoute } from './http/machine-routes.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';

/** AReqs may carry message extensions up to 81,920 characters; 256 KiB leaves room for all of it. */
const MACHINE_BODY_LIMIT = 256 * 1024;
const FORM_BODY_LIMIT = 64 * 1024;
/** A card file uploaded in the console: a million rows is about 120 MB (Workers accept up to 100 MB per request). */
const CARD_FILE_LIMIT = 100 * 1024 * 1024;
const isCardFileUpload = (path: string) => path === '/admin/card-data/imports';
/** A logo or scheme mark uploaded in the console, with the form around it. */
const isAssetUpload = (path: string) => /^\/admin\/issuers\/[^/]+\/assets$/.test(path);

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config } = deps;
  const app = new Hono<AppEnv>();
  // Who runs this appliance, for the site header of every page the app renders itself: the
  // install's first issuer, or its settings as last read when the database cannot say.
  const siteOf = (issuer: IssuerSettings): SiteInfo => ({ issuerName: issuer.name, issuerPhone: issuer.helpdesk.phone });
  const lastKnownSite = () => siteOf(lastKnownIssuerSettings(deps, null));
  const site = async () => siteOf(await issuerSettings(deps, null).catch(() => lastKnownIssuerSettings(deps, null)));

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', requestId());
  app.use('*', requestLog(deps.log, () => deps.clock.now()));
  if (config.NODE_ENV === 'development') app.use('*', timing());
  app.use(
    '*',
    securityHeaders({ production: config.NODE_ENV === 'production', development: config.NODE_ENV === 'development', publicUrl: config.PUBLIC_URL }),
  );
  // An oversized body is read to its end before the answer, so the client's kept-alive connection survives.
  app.use(
    '*',
    bodyLimit({
      maxSize: (c) =>
        isCardFileUpload(c.req.path) ? CARD_FILE_LIMIT : isAssetUpload(c.req.path) ? ASSET_MAX_BYTES + FORM_BODY_LIMIT : isMachineRoute(c.req.path) ? MACHINE_BODY_LIMIT : FORM_BODY_LIMIT,
      onError: async (c, limit) => {
        // A DS gets an EMV answer to every message, also one too large to read.
        if (c.req.path === '/3ds/areq') return areqTooLarge(c, limit);
        // A core system gets the API's own error shape.
        if (c.req.path.startsWith('/api/')) return apiTooLarge(c, limit);
        return answersJson(c)
          ? c.json({ error: 'payload_too_large' }, 413)
          : c.html(TooLargePage({ site: await site() }), 413);
      },
    }),
  );

  if (deps.assets) {
    app.use('/static/*', async (c, next) => {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'public, max-age=3600');
    });
    app.use('/static/*', deps.assets);
  }

  app.route('/', health);
  app.route('/', assetRoutes);
  app.route('/', metricsRoutes());
  app.route('/', acsRoutes);
  app.route('/', apiRoutes());
  app.route('/', challengeRoutes);
  app.route('/', appChannelRoutes);
  // Never in production: config refuses SANDBOX there.
  if (config.SANDBOX) app.route('/', sandboxRoutes(() => app));

  app.get('/', async (c) => c.html(LandingPage({ site: await site(), sandbox: config.SANDBOX })));
  app.route('/', portalRoutes());
  app.route('/', adminRoutes());

  app.notFound(async (c) =>
    answersJson(c)
      ? c.json({ error: 'not_found', path: c.req.path }, 404)
      : c.html(NotFoundPage({ site: await site() }), 404),
  );
  app.onError(async (error, c) => {
    // Hono's own refusals (a malformed form or JSON body in a validator) carry their answer.
    if (error instanceof HTTPException) return error.getResponse();
    if (isDatabaseDeadline(error)) return databaseUnavailable(c, lastKnownSite());
    deps.log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return answersJson(c)
      ? c.json({ error: 'internal_error', requestId: c.get('requestId') }, 500)
      : c.html(ErrorPage({ site: await site(), requestId: c.get('requestId') }), 500);
  });

  return app;
}

/**
 * The database did not answer within DB_TIMEOUT_MS (src/db/deadline.ts): a passing state, answered
 * as one, with 503. The challenge page says the purchase cannot continue right now, in the
 * language of the page it came from, and posts nothing to the shop, so the cardholder may try again
 * and the challenge's own timers still end it if they do not; a machine gets JSON; any other page
 * the error page. (The AReq never gets here: it answers Erro 403 itself, src/acs/authenticate.ts.)
 */
async function databaseUnavailable(c: Context<AppEnv>, site: SiteInfo): Promise<Response> {
  const deps = c.get('deps');
  deps.log.error('database did not answer in time', { requestId: c.get('requestId'), path: c.req.path, timeoutMs: deps.config.DB_TIMEOUT_MS });
  if (c.req.path === '/3ds/challenge' || c.req.path.startsWith('/3ds/challenge/')) {
    // The route validated its form already (Hono keeps it); its signed state names the language.
    const state = await verifyState(deps.keys.session, validatedState(c), deps.clock.now());
    // The card's issuer (named in the page's signed state) as last read: no database needed.
    return cannotContinue(c, state?.lang ?? 'ja', { issuer: lastKnownIssuerSettings(deps, state?.issuerId), reason: 'unavailable' });
  }
  return answersJson(c)
    ? c.json({ error: 'unavailable', reason: 'database', requestId: c.get('requestId') }, 503)
    : c.html(ErrorPage({ site, requestId: c.get('requestId') }), 503);
}
