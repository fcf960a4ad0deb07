/**
 * The portal's "my authentications" and its "this was not me" report (H: portal-history):
 *
 *   GET  /portal/history                       the member's authentications, 20 a page (?after=cursor)
 *   GET  /portal/history/:acsTransID/report    the confirmation page, with an optional note
 *   POST /portal/history/:acsTransID/report    files the report once (fileReport audits it)
 *
 * Only a transaction of the member's own account is reachable: any other id, known or not,
 * answers the same "not found".
 */
import { Hono } from 'hono';
import { formatAmount } from '../challenge/format.ts';
import { HistoryNotFoundPage, HistoryPage, REPORT_ANNOUNCE, ReportedPage, ReportPage, type HistoryItem } from '../../views/portal/history.tsx';
import type { Lang } from '../../views/i18n.ts';
import { memberHistory, ownTransaction, type HistoryRow } from './history.ts';
import { pageIssuer, requireMember, type PortalContext, type PortalEnv } from './http.ts';
import { fileReport } from './reports.ts';
import { dateTimeFormat } from '../intl.ts';

const NOTE_MAX = 500;

export function historyRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();

  routes.get('/portal/history', requireMember(), async (c) => {
    const deps = c.get('deps');
    const after = c.req.query('after');
    const { rows, next } = await memberHistory(deps.db, c.get('member')!, deps.clock.now(), { after: after && after.length <= 200 ? after : undefined });
    const lang = c.get('lang');
    return c.html(
      <HistoryPage
        {...base(c)}
        items={rows.map((r) => item(c, r))}
        olderHref={next ? `/portal/history?after=${encodeURIComponent(next)}` : undefined}
        newestHref={after ? '/portal/history' : undefined}
        announce={lang === 'ja' ? `${rows.length}件を表示しています。` : `Showing ${rows.length}.`}
      />,
    );
  });

  routes.get('/portal/history/:acsTransID/report', requireMember(), async (c) => {
    const row = await ownTransaction(c.get('deps').db, c.get('member')!, c.req.param('acsTransID'));
    if (!row) return notFound(c);
    if (row.reportedAt !== null) return c.html(<ReportedPage {...base(c)} item={item(c, row)} already reportedOn={day(c, row.reportedAt)} />);
    return c.html(<ReportPage {...base(c)} item={item(c, row)} note="" />);
  });

  routes.post('/portal/history/:acsTransID/report', requireMember(), async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const row = await ownTransaction(deps.db, member, c.req.param('acsTransID'));
    if (!row) return notFound(c);
    const form = await c.req.parseBody();
    const note = typeof form.note === 'string' ? form.note.replace(/\r\n/g, '\n').trim() : '';
    if (note.length > NOTE_MAX) {
      return c.html(<ReportPage {...base(c)} item={item(c, row)} note={note} noteError announce={REPORT_ANNOUNCE.noteTooLong[c.get('lang')]} />, 400);
    }
    const filed = await fileReport(deps, { member, kind: 'transaction', acsTransID: row.acsTransID, note, requestId: c.get('requestId') });
    // A second report (another tab, a double click) finds the first: its day is the one shown.
    const fresh = (await ownTransaction(deps.db, member, row.acsTransID))!;
    const already = !filed.created;
    return c.html(
      <ReportedPage
        {...base(c)}
        item={item(c, fresh)}
        already={already}
        reportedOn={day(c, fresh.reportedAt ?? deps.clock.now())}
        announce={REPORT_ANNOUNCE[already ? 'already' : 'done'][c.get('lang')]}
      />,
    );
  });

  return routes;
}

function base(c: PortalContext) {
  const url = new URL(c.req.url);
  return { lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: `${url.pathname}${url.search}`, member: c.get('member')!, csrf: c.get('csrf') };
}

function notFound(c: PortalContext) {
  return c.html(<HistoryNotFoundPage {...base(c)} />, 404);
}

/** A row as the page shows it: the time in the issuer's zone, the amount with its currency's exponent. */
function item(c: PortalContext, r: HistoryRow): HistoryItem {
  const lang = c.get('lang');
  return {
    acsTransID: r.acsTransID,
    when: dateTime(lang, c.get('issuer').timeZone, r.createdAt),
    merchant: r.merchantName,
    amount: formatAmount(r.purchaseAmount, r.purchaseCurrency, r.purchaseExponent, lang),
    outcome: r.outcome,
    method: r.method,
    last4: r.last4,
    reportedOn: r.reportedAt === null ? null : day(c, r.reportedAt),
  };
}

function dateTime(lang: Lang, timeZone: string, at: number): string {
  return dateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone,
    year: 'numeric',
    month: lang === 'ja' ? 'long' : 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}

function day(c: PortalContext, at: number): string {
  const lang = c.get('lang');
  return dateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: c.get('issuer').timeZone, year: 'numeric', month: lang === 'ja' ? 'long' : 'short', day: 'numeric' }).format(at);
}
