/**
 * The factory: takes the dependencies, returns the Hono app.
 * Middleware first (request id, log, headers, body limits), then one route group per part
 * of the domain. Entry points (src/entry/) only build the dependencies for their runtime.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import { ErrorPage, NotFoundPage, TooLargePage } from '../views/errors/pages.tsx';
import { ComingPage, LandingPage } from '../views/landing.tsx';
import { acsRoutes } from './acs/routes.ts';
import { challengeRoutes } from './challenge/routes.tsx';
import { sandboxRoutes } from './sandbox/routes.tsx';
import type { AppDeps, AppEnv } from './deps.ts';
import { health } from './http/health.ts';
import { isMachineRoute } from './http/machine-routes.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';

/** AReqs may carry message extensions up to 81,920 characters; 256 KiB leaves room for all of it. */
const MACHINE_BODY_LIMIT = 256 * 1024;
const FORM_BODY_LIMIT = 64 * 1024;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config } = deps;
  const app = new Hono<AppEnv>();

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
  app.use('*', (c, next) =>
    bodyLimit({
      maxSize: isMachineRoute(c.req.path) ? MACHINE_BODY_LIMIT : FORM_BODY_LIMIT,
      onError: (c) =>
        isMachineRoute(c.req.path, c.req.header('accept'))
          ? c.json({ error: 'payload_too_large' }, 413)
          : c.html(TooLargePage(), 413),
    })(c, next),
  );

  if (deps.assets) {
    app.use('/static/*', async (c, next) => {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'public, max-age=3600');
    });
    app.use('/static/*', deps.assets);
  }

  app.route('/', health);
  app.route('/', acsRoutes);
  app.route('/', challengeRoutes);
  // Never in production: config refuses SANDBOX there.
  if (config.SANDBOX) app.route('/', sandboxRoutes(() => app));

  app.get('/', (c) =>
    c.html(LandingPage({ issuerName: config.ISSUER_NAME, issuerNameEn: config.ISSUER_NAME_EN, sandbox: config.SANDBOX })),
  );
  app.get('/portal', (c) => c.html(ComingPage({ titleJa: '会員ページ', titleEn: 'Member portal' })));
  app.get('/admin', (c) => c.html(ComingPage({ titleJa: '管理画面', titleEn: 'Admin area' })));

  app.notFound((c) =>
    isMachineRoute(c.req.path, c.req.header('accept'))
      ? c.json({ error: 'not_found', path: c.req.path }, 404)
      : c.html(NotFoundPage(), 404),
  );
  app.onError((error, c) => {
    deps.log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return isMachineRoute(c.req.path, c.req.header('accept'))
      ? c.json({ error: 'internal_error', requestId: c.get('requestId') }, 500)
      : c.html(ErrorPage({ requestId: c.get('requestId') }), 500);
  });

  return app;
}
