/**
 * /admin/reports: the helpdesk's queue of cardholders' "this was not me" reports (H: portal-history).
 *
 *   GET  /admin/reports                 open reports of the person's issuer (?state=closed: the closed ones)
 *   GET  /admin/reports/:id             one report, with its close form
 *   POST /admin/reports/:id/close       closes it with a required note (reports.act; audited staff.report.close)
 *
 * A report of another issuer answers exactly like a missing one.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { REPORT_FLASH, ReportPage, ReportQueuePage, CHANGE_LABEL, type ReportPageProps, type ReportRow } from '../../views/admin/reports.tsx';
import { formatTime } from '../../views/admin/shell.tsx';
import type { Bi } from '../../views/i18n.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can } from '../admin/roles.ts';
import { formatAmount } from '../challenge/format.ts';
import { validated } from '../http/validate.ts';
import { listIssuers } from '../issuers/issuer-store.ts';
import { TRANS_STATUS_LABEL } from '../trail/present.ts';
import { closeReport, findReport, listReports, type ReportScope, type ReportView } from './reports.ts';

const CloseForm = z.object({ note: z.string().max(5000).optional().catch(undefined) });

export function reportRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/reports', needs('reports.view'), async (c) => {
    const state = c.req.query('state') === 'closed' ? 'closed' : 'open';
    const reports = await listReports(c.get('deps').db, scopeOf(c), state);
    const { me, issuer } = await signedIn(c);
    const names = await issuerNames(c);
    const zone = timeZoneOf(issuer);
    return c.html(<ReportQueuePage {...pageBase(c)} me={me} state={state} rows={reports.map((r) => rowOf(c, r, zone, names))} showIssuer={names !== null} />);
  });

  routes.get('/admin/reports/:id{[0-9]+}', needs('reports.view'), async (c) => {
    const report = await findReport(c.get('deps').db, scopeOf(c), Number(c.req.param('id')));
    if (!report) return refuse(c, 'not_found');
    return page(c, report, { flash: c.req.query('closed') === '1' ? { kind: 'success', text: REPORT_FLASH.closedNow } : undefined });
  });

  routes.post('/admin/reports/:id{[0-9]+}/close', needs('reports.act'), validated('form', CloseForm, (c) => refuse(c as unknown as AdminContext, 'csrf')), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const report = await findReport(deps.db, scopeOf(c), Number(c.req.param('id')));
    if (!report) return refuse(c, 'not_found');
    const note = (c.req.valid('form').note ?? '').replace(/\r\n/g, '\n').trim();
    if (!note || note.length > 500) return page(c, report, { note, noteError: note ? 'too_long' : 'missing', status: 400 });
    const closed = await closeReport(deps, { report, staff: { id: me.id, name: me.username }, note, requestId: c.get('requestId') });
    if (!closed.ok) return page(c, (await findReport(deps.db, scopeOf(c), report.id))!, { flash: { kind: 'alert', text: REPORT_FLASH.closedAlready }, status: 409 });
    return c.redirect(`/admin/reports/${report.id}?closed=1`, 303);
  });

  return routes;
}

function scopeOf(c: AdminContext): ReportScope {
  const me = c.get('me');
  return me.role === 'platform_admin' ? 'all' : me.issuerId === null ? [] : [me.issuerId];
}

async function issuerNames(c: AdminContext): Promise<Record<number, Bi> | null> {
  if (c.get('me').role !== 'platform_admin') return null;
  return Object.fromEntries((await listIssuers(c.get('deps').db)).map((i) => [i.id, issuerName(i)]));
}

async function page(c: AdminContext, report: ReportView, o: Pick<ReportPageProps, 'flash' | 'note' | 'noteError'> & { status?: 200 | 400 | 409 }) {
  const { me, issuer } = await signedIn(c);
  const row = rowOf(c, report, timeZoneOf(issuer), await issuerNames(c));
  const canClose = can(principal(c.get('me')), 'reports.act');
  return c.html(<ReportPage {...pageBase(c)} me={me} row={row} canClose={canClose} flash={o.flash} note={o.note} noteError={o.noteError} />, o.status ?? 200);
}

function rowOf(c: AdminContext, r: ReportView, zone: string, names: Record<number, Bi> | null): ReportRow {
  const lang = c.get('lang');
  const txn = r.transaction;
  const status = txn ? (txn.finalTransStatus ?? txn.transStatus) : undefined;
  const subject: ReportRow['subject'] =
    r.kind === 'transaction'
      ? {
          kind: 'transaction',
          href: txn ? `/admin/transactions/${txn.acsTransID}` : null,
          merchant: txn?.merchantName ?? r.acsTransID ?? '—',
          amount: txn ? formatAmount(txn.purchaseAmount, txn.purchaseCurrency, txn.purchaseExponent, lang) : '',
          at: txn ? formatTime(txn.createdAt, lang, zone) : '—',
          outcome: (status && TRANS_STATUS_LABEL[status]) || TRANS_STATUS_LABEL.none,
        }
      : { kind: 'change', what: CHANGE_LABEL[r.change ?? ''] ?? { ja: r.change ?? '—', en: r.change ?? '—' } };
  return {
    id: r.id,
    state: r.state,
    filedAt: formatTime(r.createdAt, lang, zone),
    issuer: names ? (names[r.issuerId] ?? null) : null,
    loginId: r.member?.loginId ?? null,
    cardholderHref: r.cardholderId !== null ? `/admin/cardholders/${r.cardholderId}` : null,
    card: r.card,
    subject,
    note: r.note,
    closedAt: formatTime(r.closedAt, lang, zone),
    closedBy: r.closedBy,
    closeNote: r.closeNote,
  };
}
