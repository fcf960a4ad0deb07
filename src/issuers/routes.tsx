/**
 * /admin/issuers: platform administrators list and add issuers; an issuer's administrators edit
 * its settings, its auditors read them. An issuer outside the person's own answers 404.
 * Every change asks for a fresh TOTP code and is audited with the fields before and after.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { count, eq } from 'drizzle-orm';
import { IssuerListPage, IssuerPage, SmsPreview } from '../../views/admin/issuers.tsx';
import { checkAsset, storeAsset, type AssetProblem } from './assets.ts';
import { smsPreview } from './sms-preview.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can, inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import { binRanges, staff } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { validated } from '../http/validate.ts';
import { assignBinRange, binRangesOf, firstIssuer, insertIssuer, issuerByCode, issuerFieldsFromConfig, listIssuers, updateIssuer, type Issuer, type IssuerFields } from './issuer-store.ts';
import { fieldsFromForm, forgetIssuerSettings, formFromRow, issuerForm, type IssuerFormInput } from './settings.ts';

export function issuerRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/issuers', needs('issuers.manage'), async (c) => {
    const db = c.get('deps').db;
    const rows = await Promise.all(
      (await listIssuers(db)).map(async (i) => {
        const [{ n }] = await db.select({ n: count() }).from(staff).where(eq(staff.issuerId, i.id));
        return { code: i.code, name: issuerName(i), ranges: (await binRangesOf(db, i)).length, staff: n };
      }),
    );
    return c.html(<IssuerListPage {...pageBase(c)} me={(await signedIn(c)).me} rows={rows} />);
  });

  routes.get('/admin/issuers/new', needs('issuers.manage'), async (c) => {
    const values = formFromRow({ ...issuerFieldsFromConfig(c.get('deps').config), code: '', nameJa: '', nameEn: '', smsNameJa: '', smsNameEn: '' });
    return page(c, null, values, []);
  });

  routes.post('/admin/issuers', needs('issuers.manage'), validated('form', IssuerFormAsTyped, (c, error, input) => typedWrong(c as unknown as AdminContext, null, error, input)), async (c) => {
    const deps = c.get('deps');
    const raw = typedValues(c.req.valid('form'));
    const parsed = issuerForm.safeParse(raw);
    if (!parsed.success) return page(c, null, raw, parsed.error.issues.map((i) => String(i.path[0])), 400);
    const fields = fieldsFromForm(parsed.data);
    if (await issuerByCode(deps.db, fields.code)) return page(c, null, raw, ['issuerCode'], 409);
    if (!(await checkStepUp(deps, c.get('me'), raw.code))) return page(c, null, raw, [], 400, true);
    const row = await insertIssuer(deps.db, fields, deps.clock.now());
    forgetIssuerSettings(deps.db);
    await audit(c, row, 'issuer.create', undefined, fields);
    return c.redirect(`/admin/issuers/${row.code}?saved=1`, 303);
  });

  routes.get('/admin/issuers/:code', needs('issuer.view'), async (c) => {
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    return page(c, issuer, formFromRow(issuer), [], 200, false, c.req.query('saved') === '1');
  });

  routes.post('/admin/issuers/:code', needs('issuer.edit'), validated('form', IssuerFormAsTyped, editTypedWrong), async (c) => {
    const deps = c.get('deps');
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    const raw = typedValues(c.req.valid('form'));
    const parsed = issuerForm.safeParse(raw);
    if (!parsed.success) return page(c, issuer, raw, parsed.error.issues.map((i) => String(i.path[0])), 400);
    const fields = fieldsFromForm(parsed.data);
    const clash = fields.code !== issuer.code ? await issuerByCode(deps.db, fields.code) : undefined;
    if (clash) return page(c, issuer, raw, ['issuerCode'], 409);
    if (!(await checkStepUp(deps, c.get('me'), raw.code))) return page(c, issuer, raw, [], 400, true);
    const { before, after } = changes(issuer, fields);
    const row = (await updateIssuer(deps.db, issuer.id, fields, deps.clock.now()))!;
    forgetIssuerSettings(deps.db);
    await audit(c, row, 'issuer.update', before, after);
    return c.redirect(`/admin/issuers/${row.code}?saved=1`, 303);
  });

  // A card's issuer is its range's: moving a range moves its cards' challenge page and SMS.
  routes.post('/admin/issuers/:code/ranges', needs('issuers.manage'), validated('form', MoveRangeForm, (c) => refuse(c as unknown as AdminContext, 'not_found')), async (c) => {
    const deps = c.get('deps');
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    const form = c.req.valid('form');
    const range = (await deps.db.select().from(binRanges)).find((r) => String(r.id) === form.rangeId);
    if (!range) return refuse(c, 'not_found');
    if (!(await checkStepUp(deps, c.get('me'), form.code))) return page(c, issuer, formFromRow(issuer), [], 400, false, false, { moveCodeError: true });
    const before = range.issuerId ?? (await firstIssuer(deps.db))!.id;
    await assignBinRange(deps.db, range.id, issuer.id);
    forgetIssuerSettings(deps.db);
    const me = c.get('me');
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: issuer.id,
      action: 'bin_range.assign',
      target: `bin_range:${range.id}`,
      detail: { rangeStart: range.rangeStart, rangeEnd: range.rangeEnd, before: { issuerId: before }, after: { issuerId: issuer.id } },
      requestId: c.get('requestId'),
    });
    return page(c, issuer, formFromRow(issuer), [], 200, false, false, { moved: true });
  });

  // A logo or scheme mark uploaded here is served from this appliance (assets.ts).
  routes.post('/admin/issuers/:code/assets', needs('issuer.edit'), validated('form', AssetForm, (c) => assetRefused(c as unknown as AdminContext, 'not_an_image')), async (c) => {
    const deps = c.get('deps');
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    const form = c.req.valid('form');
    const bytes = form.file instanceof File ? new Uint8Array(await form.file.arrayBuffer()) : new Uint8Array();
    const checked = checkAsset(bytes);
    if (!checked.ok) return assetRefused(c, checked.problem, issuer);
    if (!(await checkStepUp(deps, c.get('me'), form.code))) return assetRefused(c, 'code', issuer);
    const path = await storeAsset(deps.db, issuer.id, bytes, checked, deps.clock.now());
    const slot = form.slot;
    const fields: Partial<IssuerFields> = slot === 'logo' ? { logo: path } : { brandMarks: { ...issuer.brandMarks, [MARK_SLOTS[slot]]: path } };
    const row = (await updateIssuer(deps.db, issuer.id, fields, deps.clock.now()))!;
    forgetIssuerSettings(deps.db);
    const before = slot === 'logo' ? issuer.logo : (issuer.brandMarks[MARK_SLOTS[slot]] ?? null);
    await audit(c, row, 'issuer.asset', { [slot]: before }, { [slot]: path, bytes: bytes.length, type: checked.type });
    return c.redirect(`/admin/issuers/${row.code}?saved=1`, 303);
  });

  // The OTP SMS as the cardholder would get it with these names: the page asks while they are typed.
  routes.get('/admin/issuers/:code/sms-preview', needs('issuer.view'), zValidator('query', PreviewQuery, (r, c) => (r.success ? undefined : c.text('', 400))), async (c) => {
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    const q = c.req.valid('query');
    return c.html(<SmsPreview lang={c.get('lang')} preview={smsPreview({ ja: q.smsNameJa ?? issuer.smsNameJa, en: q.smsNameEn ?? issuer.smsNameEn }, Math.round(issuer.otpTtlSeconds / 60))} />);
  });

  return routes;
}

/** Which setting an upload fills: the logo, or a scheme's mark. */
const MARK_SLOTS = { markJcb: 'jcb', markVisa: 'visa', markMastercard: 'mastercard' } as const;
const AssetForm = z.object({
  slot: z.enum(['logo', 'markJcb', 'markVisa', 'markMastercard']),
  file: z.any().optional(),
  code: z.string().max(20).catch(''),
});
const PreviewQuery = z.object({ smsNameJa: z.string().max(100).optional(), smsNameEn: z.string().max(100).optional() });

async function assetRefused(c: AdminContext, problem: AssetProblem | 'code', known?: Issuer) {
  const issuer = known ?? (await visibleIssuer(c));
  if (!issuer) return refuse(c, 'not_found');
  return page(c, issuer, formFromRow(issuer), [], 400, false, false, { assetProblem: problem });
}

async function visibleIssuer(c: AdminContext): Promise<Issuer | undefined> {
  const issuer = await issuerByCode(c.get('deps').db, c.req.param('code') ?? '');
  return issuer && inScope(principal(c.get('me')), issuer.id) ? issuer : undefined;
}

/** The fields as typed (each one string, at most this long); issuerForm (settings.ts) checks what they hold. */
const typedField = z.string().max(4096).optional();

/** The issuer form before its checks: issuerForm's fields and the step-up code (`code`; the issuer's own is `issuerCode`). */
const IssuerFormAsTyped = z.object({
  ...(Object.fromEntries(issuerForm.keyof().options.map((name) => [name, typedField])) as Record<keyof IssuerFormInput, typeof typedField>),
  code: typedField,
});

/** Moving a BIN range here: which range, and the step-up code (a value that is not one short string counts as none). */
const MoveRangeForm = z.object({ rangeId: z.string().max(20).catch(''), code: z.string().max(20).catch('') });

/** The typed values as the page shows them again (a field not sent shows empty). */
function typedValues(form: z.output<typeof IssuerFormAsTyped>): Record<string, string> {
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A field that is not one string (sent twice, a file, too long): the form again, that field marked, nothing saved. */
function typedWrong(c: AdminContext, issuer: Issuer | null, error: z.core.$ZodError, input: Record<string, unknown>) {
  const fields = error.issues.map((i) => String(i.path[0] ?? ''));
  return page(c, issuer, typedValues(input as z.output<typeof IssuerFormAsTyped>), fields.filter((f) => f !== 'code'), 400, fields.includes('code'));
}

async function editTypedWrong(context: Context<AppEnv>, error: z.core.$ZodError, input: Record<string, unknown>) {
  const c = context as unknown as AdminContext;
  const issuer = await visibleIssuer(c);
  return issuer ? typedWrong(c, issuer, error, input) : refuse(c, 'not_found');
}

async function page(
  c: AdminContext,
  issuer: Issuer | null,
  values: Record<string, string>,
  errors: string[],
  status: 200 | 400 | 409 = 200,
  codeError = false,
  saved = false,
  flags: { moved?: boolean; moveCodeError?: boolean; assetProblem?: AssetProblem | 'code' } = {},
) {
  const db = c.get('deps').db;
  const who = principal(c.get('me'));
  const own = issuer ? await binRangesOf(db, issuer) : [];
  const editable = can(who, issuer ? 'issuer.edit' : 'issuers.manage');
  let movable: { id: number; text: string }[] | null = null;
  if (issuer && can(who, 'issuers.manage')) {
    const mine = new Set(own.map((r) => r.id));
    movable = (await db.select().from(binRanges)).filter((r) => !mine.has(r.id)).map((r) => ({ id: r.id, text: `${r.brand} ${r.rangeStart}–${r.rangeEnd}${r.label ? ` (${r.label})` : ''}` }));
  }
  return c.html(
    <IssuerPage
      {...pageBase(c)}
      me={(await signedIn(c)).me}
      code={issuer?.code ?? null}
      values={values}
      errors={errors}
      editable={editable}
      saved={saved}
      codeError={codeError}
      ranges={own}
      movable={movable}
      smsPreview={issuer ? smsPreview({ ja: values.smsNameJa ?? issuer.smsNameJa, en: values.smsNameEn ?? issuer.smsNameEn }, Math.round(issuer.otpTtlSeconds / 60)) : undefined}
      {...flags}
    />,
    status,
  );
}

/** Only the fields that changed, before and after. */
function changes(row: Issuer, fields: IssuerFields): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields) as [keyof IssuerFields, unknown][]) {
    if (JSON.stringify(row[k]) !== JSON.stringify(v)) {
      before[k] = row[k];
      after[k] = v;
    }
  }
  return { before, after };
}

function audit(c: AdminContext, row: Issuer, action: string, before: unknown, after: unknown) {
  const deps = c.get('deps');
  const me = c.get('me');
  return appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'staff', id: me.id, name: me.username },
    issuerId: row.id,
    action,
    target: `issuer:${row.code}`,
    detail: { ...(before === undefined ? {} : { before }), after },
    requestId: c.get('requestId'),
  });
}
