/**
 * /admin/audit: auditors and administrators read their issuer's audit log (a platform
 * administrator reads all of it), filter it by actor, action, target and dates, and export what
 * the filter finds as CSV (after a fresh TOTP code; the export itself is audited).
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { AuditPage, type AuditFilterForm } from '../../views/admin/audit.tsx';
import { formatTime } from '../../views/admin/shell.tsx';
import { appendAudit, auditCsv, findAudit, type AuditFilter } from './audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from './http.ts';
import { pageBase, signedIn, timeZoneOf } from './page.ts';
import { needs } from './refuse.tsx';
import { can } from './roles.ts';
import { checkStepUp } from './sign-in.ts';
import { zonedToEpoch } from '../intl.ts';

const SHOWN = 200;
const EXPORTED = 100_000;
const date = z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional();
const filterSchema = z.object({
  actor: z.string().trim().max(64).optional(),
  action: z.string().trim().max(64).optional(),
  target: z.string().trim().max(64).optional(),
  from: date,
  to: date,
});

export function auditRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/audit', needs('audit.view'), zValidator('query', filterSchema, (r, c) => (r.success ? undefined : c.redirect('/admin/audit', 303))), async (c) =>
    page(c, c.req.valid('query')),
  );

  routes.post('/admin/audit/export', needs('audit.export'), zValidator('form', filterSchema.extend({ code: z.string().max(20).default('') })), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { code, ...form } = c.req.valid('form');
    if (!(await checkStepUp(deps, me, code))) return page(c, form, true);
    const { issuer } = await signedIn(c);
    const filter = toFilter(form, timeZoneOf(issuer));
    const rows = await findAudit(deps.db, scopeOf(c), filter, EXPORTED);
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: me.issuerId,
      action: 'audit.export',
      target: null,
      detail: { filter: form, rows: rows.length },
      requestId: c.get('requestId'),
    });
    const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
    return c.body(auditCsv(rows), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="mamori-audit-${day}.csv"`,
    });
  });

  return routes;
}

async function page(c: AdminContext, form: AuditFilterForm, exportError = false) {
  const deps = c.get('deps');
  const { me: view, issuer } = await signedIn(c);
  const tz = timeZoneOf(issuer);
  const rows = await findAudit(deps.db, scopeOf(c), toFilter(form, tz), SHOWN);
  const lines = rows.map((r) => ({
    id: r.id,
    at: formatTime(r.at, c.get('lang'), tz),
    actor: r.actorName ?? r.actorType,
    action: r.action,
    target: r.target ?? '',
    detail: r.detail,
  }));
  return c.html(
    <AuditPage {...pageBase(c)} me={view} filter={form} rows={lines} limit={SHOWN} canExport={can(principal(c.get('me')), 'audit.export')} exportError={exportError} />,
    exportError ? 400 : 200,
  );
}

/** A platform administrator reads every row; everyone else their issuer's. */
function scopeOf(c: AdminContext): { issuerId: number | null } {
  const me = c.get('me');
  return { issuerId: me.role === 'platform_admin' ? null : (me.issuerId ?? -1) };
}

function toFilter(form: AuditFilterForm, timeZone: string): AuditFilter {
  const DAY = 86_400_000;
  return {
    actor: form.actor || undefined,
    action: form.action || undefined,
    target: form.target || undefined,
    from: form.from ? startOfDay(form.from, timeZone) : undefined,
    to: form.to ? startOfDay(form.to, timeZone) + DAY - 1 : undefined,
  };
}

/** Midnight of a calendar day ("2026-01-15") in a time zone, as epoch ms. */
function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return zonedToEpoch(y, m, d, 0, 0, timeZone);
}
