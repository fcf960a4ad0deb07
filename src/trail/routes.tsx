/**
 * /admin/transactions: the transaction trail. Search (GET for every filter; POST with the
 * session's form token when a full card number is typed, so it never sits in a URL, a log or the
 * page), a page at a time by keyset cursor; CSV export of a search (fresh TOTP, audited with the
 * filters and the row count, never a PAN); and one transaction's page with every message, the
 * decision, the challenge's steps, SMS and RReq attempts (viewing it is audited too).
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { TransactionPage, TrailPage, type TrailPageProps } from '../../views/admin/trail.tsx';
import { appendAudit } from '../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { pageBase, signedIn, timeZoneOf } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can, inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import { panLookupHash } from '../cards/pan.ts';
import { firstIssuer } from '../issuers/issuer-store.ts';
import { trailCsv, EXPORT_CAP } from './export.ts';
import { FilterForm, PanSearchForm, readFilters, readPan, type FieldErrors, type FilterFormValues } from './form.ts';
import { findRows, searchTrail, type TrailFilters, type TrailScope } from './search.ts';
import { findTransactionView } from './transaction-view.ts';

/** Rows per page. */
export const PAGE_SIZE = 50;

const GetForm = FilterForm.extend({ after: z.string().max(200).optional().catch(undefined) });
const ExportForm = PanSearchForm.extend({ code: z.string().max(20).default('') });

export function trailRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/transactions', needs('transactions.view'), zValidator('query', GetForm), async (c) => {
    const { after, ...form } = c.req.valid('query');
    return searchPage(c, form, { after });
  });

  // A full card number: looked up by its keyed hash; the page carries only the hash onwards (next page, export).
  routes.post('/admin/transactions', needs('transactions.view'), zValidator('form', PanSearchForm), async (c) => {
    const { pan, panHash, after, ...form } = c.req.valid('form');
    const hashed = await hashOf(c, pan, panHash);
    if (!hashed.ok) return searchPage(c, form, { errors: { pan: hashed.error }, status: 400 });
    return searchPage(c, form, { after, panHash: hashed.panHash });
  });

  routes.post('/admin/transactions/export', needs('transactions.export'), zValidator('form', ExportForm), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { code, pan, panHash, after: _after, ...form } = c.req.valid('form');
    const hashed = await hashOf(c, pan, panHash);
    if (!hashed.ok) return searchPage(c, form, { errors: { pan: hashed.error }, status: 400 });
    if (!(await checkStepUp(deps, me, code))) return searchPage(c, form, { panHash: hashed.panHash, exportError: true, status: 400 });
    const { issuer } = await signedIn(c);
    const tz = timeZoneOf(issuer);
    const { filters, errors } = readFilters(form, tz);
    if (Object.keys(errors).length > 0) return searchPage(c, form, { panHash: hashed.panHash, status: 400 });
    if (hashed.panHash) filters.panHash = hashed.panHash;
    const rows = await findRows(deps.db, await scopeOf(c), filters, undefined, EXPORT_CAP);
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: me.issuerId,
      action: 'transactions.export',
      target: null,
      // The filters as typed, and whether a card number was one of them (never the number or its hash).
      detail: { filter: form, byCardNumber: !!hashed.panHash, rows: rows.length, capped: rows.length === EXPORT_CAP },
      requestId: c.get('requestId'),
    });
    const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
    return c.body(trailCsv(rows, tz), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="mamori-transactions-${day}.csv"`,
    });
  });

  routes.get('/admin/transactions/:acsTransID', needs('transactions.view'), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const id = c.req.param('acsTransID').toLowerCase();
    const view = /^[0-9a-z-]{1,64}$/.test(id) ? await findTransactionView(deps.db, id) : undefined;
    // Rows from before issuers belong to the first issuer.
    const owner = view ? (view.txn.issuerId ?? (await firstIssuer(deps.db))?.id ?? null) : null;
    if (!view || !inScope(principal(me), owner)) return refuse(c, 'not_found');
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: owner,
      action: 'transaction.view',
      target: `transaction:${view.txn.acsTransID}`,
      requestId: c.get('requestId'),
    });
    const { me: shown, issuer } = await signedIn(c);
    return c.html(<TransactionPage {...pageBase(c)} me={shown} view={view} timeZone={timeZoneOf(issuer)} />);
  });

  return routes;
}

interface SearchOptions {
  after?: string;
  panHash?: string;
  errors?: FieldErrors;
  exportError?: boolean;
  status?: 200 | 400;
}

async function searchPage(c: AdminContext, form: FilterFormValues, o: SearchOptions) {
  const deps = c.get('deps');
  const { me, issuer } = await signedIn(c);
  const tz = timeZoneOf(issuer);
  const read = readFilters(form, tz);
  const errors: FieldErrors = { ...read.errors, ...o.errors };
  const filters: TrailFilters = { ...read.filters, ...(o.panHash ? { panHash: o.panHash } : {}) };
  const ok = Object.keys(errors).length === 0;
  const result = ok ? await searchTrail(deps.db, await scopeOf(c), filters, { after: o.after, limit: PAGE_SIZE }) : { rows: [] };
  const props: TrailPageProps = {
    ...pageBase(c),
    me,
    form,
    errors,
    rows: result.rows,
    next: result.next,
    continued: !!o.after,
    panHash: o.panHash,
    searched: ok,
    timeZone: tz,
    canExport: can(principal(c.get('me')), 'transactions.export'),
    exportCap: EXPORT_CAP,
    exportError: o.exportError,
  };
  return c.html(<TrailPage {...props} />, o.status ?? (ok ? 200 : 400));
}

/** The hash of a typed card number, or the hash carried from the page before; never the number itself onwards. */
async function hashOf(c: AdminContext, pan: string | undefined, panHash: string | undefined): Promise<{ ok: true; panHash?: string } | { ok: false; error: { ja: string; en: string } }> {
  if (pan && pan.trim()) {
    const read = readPan(pan);
    if (!read.ok) return read;
    return { ok: true, panHash: await panLookupHash(c.get('deps').keys.panLookup, read.pan) };
  }
  return { ok: true, panHash };
}

/** A platform administrator reads every issuer's rows; everyone else their issuer's. */
async function scopeOf(c: AdminContext): Promise<TrailScope> {
  const me = c.get('me');
  if (me.role === 'platform_admin') return { issuerIds: 'all' };
  return { issuerIds: me.issuerId === null ? [] : [me.issuerId] };
}

