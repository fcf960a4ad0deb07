/**
 * GET /admin/dashboard ('dashboard.view'): the staff member's issuer (a platform administrator
 * chooses, `?issuer=CODE`, the first issuer by default) over `?window=24h|7d|30d`, with times and
 * day boundaries in that issuer's time zone. Reading it changes nothing, so it is not audited.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { DashboardPage } from '../../views/admin/dashboard.tsx';
import { formatTime } from '../../views/admin/shell.tsx';
import type { AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { firstIssuer, issuerByCode, issuerById, listIssuers } from '../issuers/issuer-store.ts';
import { periodLabel, periodsOf, WINDOWS } from './calendar.ts';
import { dashboardFigures } from './dashboard.ts';

const query = z.object({
  window: z.enum(WINDOWS as ['24h', '7d', '30d']).catch('24h').default('24h'),
  issuer: z.string().trim().max(32).optional(),
});

export function dashboardRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/dashboard', needs('dashboard.view'), zValidator('query', query), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { window, issuer: code } = c.req.valid('query');
    const platform = me.role === 'platform_admin';
    // Staff see their own issuer whatever they ask for; a platform administrator picks one.
    const issuer = platform ? (code ? await issuerByCode(deps.db, code) : await firstIssuer(deps.db)) : me.issuerId !== null ? await issuerById(deps.db, me.issuerId) : undefined;
    if (!issuer) return refuse(c, 'not_found');
    const now = deps.clock.now();
    const tz = issuer.timeZone;
    const lang = c.get('lang');
    const figures = await dashboardFigures(deps.db, issuer.id, window, now, tz);
    const { me: view } = await signedIn(c);
    return c.html(
      <DashboardPage
        {...pageBase(c)}
        me={view}
        issuers={platform ? (await listIssuers(deps.db)).map((i) => ({ code: i.code, name: issuerName(i) })) : undefined}
        issuerCode={issuer.code}
        issuerName={issuerName(issuer)}
        window={window}
        figures={figures}
        periodLabels={periodsOf(window, now, tz).map((p) => periodLabel(p, window, lang, tz))}
        range={[formatTime(figures.start, lang, tz), formatTime(figures.end, lang, tz)]}
        timeZone={tz}
      />,
    );
  });

  return routes;
}
