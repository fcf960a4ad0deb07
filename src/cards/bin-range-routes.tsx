/**
 * /admin/bin-ranges: an issuer's card ranges in the console — list, add, disable — with the same
 * rules, overlap check and audit row as `npm run bin-ranges` (both call bin-ranges.ts). An
 * issuer's administrator edits its own ranges; a platform administrator sees every issuer's and
 * says whose a new range is. Each change asks for a fresh TOTP code.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BinRangesPage, type BinRangeNotice, type BinRangeView } from '../../views/admin/bin-ranges.tsx';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import { validated } from '../http/validate.ts';
import { firstIssuer, issuerById, listIssuers } from '../issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../issuers/settings.ts';
import { addBinRange, checkBinRange, disableBinRange, listBinRanges, startsLikeBrand, type BinRangeProblem } from './bin-ranges.ts';

const short = z.string().max(200).catch('');
const AddForm = z.object({ brand: short, start: short, end: short, label: short, issuerId: short, code: short });
const DisableForm = z.object({ code: short });

export function binRangeRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/bin-ranges', needs('bin_ranges.manage'), async (c) => {
    const done = c.req.query('done');
    return page(c, { notice: done === 'added' || done === 'disabled' ? { kind: done, warnBrand: c.req.query('warn') === 'brand' } : undefined });
  });

  routes.post('/admin/bin-ranges', needs('bin_ranges.manage'), validated('form', AddForm, (c) => refuse(c as unknown as AdminContext, 'forbidden')), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const form = c.req.valid('form');
    const typed = { brand: form.brand, start: form.start.trim(), end: form.end.trim(), label: form.label, issuerId: form.issuerId };
    const checked = checkBinRange({ brand: typed.brand || undefined, start: typed.start || undefined, end: typed.end || undefined, label: typed.label });
    if (!checked.ok) return page(c, { typed, problem: checked.problem }, 400);
    // Whose range: one's own issuer, or the one a platform administrator chose.
    const issuerId = me.role === 'platform_admin' ? Number(form.issuerId) || (await firstIssuer(deps.db))?.id : me.issuerId;
    const issuer = issuerId ? await issuerById(deps.db, issuerId) : undefined;
    if (!issuer || !inScope(principal(me), issuer.id)) return page(c, { typed, problem: { field: 'issuer', code: 'required' } }, 400);
    if (!(await checkStepUp(deps, me, form.code))) return page(c, { typed, codeError: 'add' }, 400);
    const added = await addBinRange(deps, checked.range, {
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: issuer.id,
      detail: { via: 'console' },
      requestId: c.get('requestId'),
    });
    if (!added.ok) return page(c, { typed, problem: { field: 'start', code: 'overlap', clash: `${added.clash.brand} ${added.clash.rangeStart}–${added.clash.rangeEnd}` } }, 409);
    forgetIssuerSettings(deps.db);
    return c.redirect(`/admin/bin-ranges?done=added${startsLikeBrand(checked.range) ? '' : '&warn=brand'}`, 303);
  });

  routes.post('/admin/bin-ranges/:id{[0-9]+}/disable', needs('bin_ranges.manage'), validated('form', DisableForm, (c) => refuse(c as unknown as AdminContext, 'forbidden')), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const id = Number(c.req.param('id'));
    const range = (await visibleRanges(c)).find((r) => r.id === id);
    if (!range) return refuse(c, 'not_found');
    if (!(await checkStepUp(deps, me, c.req.valid('form').code))) return page(c, { codeError: id }, 400);
    const result = await disableBinRange(deps, id, { actor: { type: 'staff', id: me.id, name: me.username }, issuerId: range.issuerId, detail: { via: 'console' }, requestId: c.get('requestId') });
    if (!result.ok) return page(c, { notice: { kind: 'already_disabled' } }, 409);
    forgetIssuerSettings(deps.db);
    return c.redirect('/admin/bin-ranges?done=disabled', 303);
  });

  return routes;
}

/** The ranges this person may see, each with its issuer (a range without one is the first issuer's). */
async function visibleRanges(c: AdminContext): Promise<(BinRangeView & { issuerId: number })[]> {
  const db = c.get('deps').db;
  const who = principal(c.get('me'));
  const first = await firstIssuer(db);
  const names = new Map((await listIssuers(db)).map((i) => [i.id, issuerName(i)]));
  return (await listBinRanges(db))
    .map((r) => ({ ...r, issuerId: r.issuerId ?? first?.id ?? 0 }))
    .filter((r) => inScope(who, r.issuerId))
    .map((r) => ({ ...r, issuer: names.get(r.issuerId) ?? { ja: '—', en: '—' } }));
}

type PageState = {
  typed?: Record<string, string>;
  problem?: BinRangeProblem | { field: 'issuer'; code: 'required' } | { field: 'start'; code: 'overlap'; clash: string };
  /** Which form's step-up code was wrong: the add form, or a range's disable form. */
  codeError?: 'add' | number;
  notice?: BinRangeNotice;
};

async function page(c: AdminContext, state: PageState, status: 200 | 400 | 409 = 200) {
  const me = c.get('me');
  const issuers = me.role === 'platform_admin' ? (await listIssuers(c.get('deps').db)).map((i) => ({ id: i.id, name: issuerName(i) })) : null;
  return c.html(<BinRangesPage {...pageBase(c)} me={(await signedIn(c)).me} ranges={await visibleRanges(c)} issuers={issuers} {...state} />, status);
}
