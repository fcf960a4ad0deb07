/**
 * /admin/cardholders: the helpdesk's look-up (search form and results) and one cardholder's page.
 * A search by full card number goes by POST only (with the session's form token), so the number
 * is never in a URL, a log line or the page again; the other kinds may also be linked by GET.
 * Every search and every page view is audited (never with the card number; phones masked).
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { CardholderPage, CardholderSearchPage, type SearchError, type SearchForm } from '../../views/admin/cardholders.tsx';
import type { Bi } from '../../views/i18n.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can } from '../admin/roles.ts';
import { validated } from '../http/validate.ts';
import { ensureFirstIssuer, listIssuers } from '../issuers/issuer-store.ts';
import { actionLinks, loadCardholderPage } from './cardholder-page.ts';
import { describeLookup, LOOKUP_KINDS, LOOKUP_LIMIT, parseLookup, searchCardholders, type LookupInput, type LookupKind, type LookupScope } from './lookup.ts';

const term = z.string().max(200).optional();
const searchSchema = z.object({ kind: z.string().max(20).optional(), q: term, who: term });
const EMPTY: SearchForm = { kind: 'member', q: '', who: '' };

export function lookupRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get(
    '/admin/cardholders',
    needs('cardholders.view'),
    zValidator('query', searchSchema, (r, c) => (r.success ? undefined : searchPage(c as unknown as AdminContext, EMPTY, { error: { field: 'q', problem: 'empty' }, status: 400 }))),
    async (c) => {
      const input = c.req.valid('query');
      if (input.kind === undefined && input.q === undefined) return searchPage(c, EMPTY);
      // A card number in a URL sits in browser history, Referer headers and proxies' logs: it is not
      // looked up, and the page is not shown at that URL (its language switch would repeat it).
      if (input.kind === 'pan') {
        if (input.q !== undefined || input.who !== undefined) return c.redirect('/admin/cardholders?kind=pan', 303);
        return searchPage(c, { ...EMPTY, kind: 'pan' }, { error: { field: 'q', problem: 'pan_by_get' } });
      }
      return search(c, input);
    },
  );

  routes.post(
    '/admin/cardholders',
    needs('cardholders.view'),
    validated('form', searchSchema, (c) => searchPage(c as unknown as AdminContext, EMPTY, { error: { field: 'q', problem: 'empty' }, status: 400 })),
    async (c) => search(c, c.req.valid('form')),
  );

  routes.get('/admin/cardholders/:id{[0-9]+}', needs('cardholders.view'), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const now = deps.clock.now();
    const data = await loadCardholderPage(deps.db, await scopeOf(c), Number(c.req.param('id')), now);
    if (!data) return refuse(c, 'not_found');
    await appendAudit(deps.db, {
      at: now,
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: data.holder.issuerId,
      action: 'cardholder.view',
      target: `cardholder:${data.holder.id}`,
      detail: { customerRef: data.holder.customerRef },
      requestId: c.get('requestId'),
    });
    const { me: view, issuer } = await signedIn(c);
    return c.html(
      <CardholderPage
        {...pageBase(c)}
        me={view}
        timeZone={timeZoneOf(issuer)}
        issuers={await issuerNames(c)}
        data={data}
        actions={can(principal(me), 'cardholders.act') ? actionLinks(data) : null}
      />,
    );
  });

  return routes;
}

/** Runs a search (or shows why it cannot run) and audits it. */
async function search(c: AdminContext, input: LookupInput): Promise<Response> {
  const deps = c.get('deps');
  const me = c.get('me');
  const kind: LookupKind = LOOKUP_KINDS.find((k) => k === input.kind) ?? EMPTY.kind;
  const form: SearchForm = { kind, q: kind === 'pan' ? '' : (input.q ?? ''), who: input.who ?? '' };
  const parsed = parseLookup(input);
  if (!parsed.ok) return searchPage(c, form, { error: { field: parsed.field, problem: parsed.problem }, status: 400 });
  const result = await searchCardholders(deps, await scopeOf(c), parsed.query);
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'staff', id: me.id, name: me.username },
    issuerId: me.issuerId,
    action: 'cardholder.search',
    target: null,
    detail: { ...describeLookup(parsed.query), found: result.rows.length, more: result.more },
    requestId: c.get('requestId'),
  });
  return searchPage(c, form, { result: { ...result, limit: LOOKUP_LIMIT } });
}

async function searchPage(
  c: AdminContext,
  form: SearchForm,
  extra: { error?: SearchError; result?: { rows: Awaited<ReturnType<typeof searchCardholders>>['rows']; more: boolean; limit: number }; status?: 200 | 400 } = {},
): Promise<Response> {
  const { me: view, issuer } = await signedIn(c);
  return c.html(
    <CardholderSearchPage {...pageBase(c)} me={view} timeZone={timeZoneOf(issuer)} issuers={await issuerNames(c)} form={form} error={extra.error} result={extra.result} />,
    extra.status ?? 200,
  );
}

/** This person's cardholders: their issuer's (the first issuer's also those with no issuer), or all for the platform. */
async function scopeOf(c: AdminContext): Promise<LookupScope> {
  const me = c.get('me');
  const first = await ensureFirstIssuer(c.get('deps'));
  return { all: me.role === 'platform_admin', issuerId: me.issuerId, firstIssuerId: first.id };
}

/** Issuer names for a platform administrator, who sees every issuer's cardholders; null for everyone else. */
async function issuerNames(c: AdminContext): Promise<Record<number, Bi> | null> {
  if (c.get('me').role !== 'platform_admin') return null;
  return Object.fromEntries((await listIssuers(c.get('deps').db)).map((i) => [i.id, issuerName(i)]));
}
