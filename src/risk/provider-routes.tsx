/**
 * /admin/risk/provider: an issuer's external fraud-detection provider settings. Everyone of the
 * issuer with risk.view reads them (helpdesk, auditors); issuer administrators (risk.edit) change
 * them with a fresh TOTP code, audited as staff.risk_provider.update with the settings before and
 * after. Only the name of the credential's RISK_PROVIDER_SECRETS entry is stored or shown.
 * Whose settings: one's own issuer; a platform administrator picks one (`?issuer=ID`).
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { RiskProviderPage, type ProviderFormField, type ProviderFormValues, type RiskProviderPageProps } from '../../views/admin/risk-provider.tsx';
import type { Bi } from '../../views/i18n.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { pageBase, signedIn } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can, inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import { issuers } from '../db/schema.ts';
import { validated } from '../http/validate.ts';
import { issuerById, listIssuers } from '../issuers/issuer-store.ts';
import { forgetIssuerSettings, issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { providerBreakerView } from './provider-breaker.ts';
import { DEFAULT_FIELDS, parseProviderConfig, SHAREABLE_FIELDS, type ConfigProblem, type ProviderConfig } from './provider-config.ts';

const typed = z.string().max(2048).default('');
const ProviderForm = z.object({
  enabled: z.string().max(10).optional(),
  url: typed,
  authHeader: typed,
  secretEnv: typed,
  scorePath: typed,
  reasonsPath: typed,
  timeoutMs: typed,
  retries: typed,
  // One checkbox ticked arrives as a string, several as a list.
  fields: z.union([z.string().max(100), z.array(z.string().max(100)).max(200)]).optional(),
  code: z.string().max(20).default(''),
});
type ProviderFormInput = z.output<typeof ProviderForm>;

export function providerRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/risk/provider', needs('risk.view'), async (c) => {
    const issuer = await scopeOf(c);
    if (!issuer) return refuse(c, 'not_found');
    const saved = c.req.query('saved');
    return page(c, issuer, valuesOf(issuer), {}, { notice: saved === '1' ? 'saved' : saved === 'cleared' ? 'cleared' : undefined });
  });

  routes.post('/admin/risk/provider', needs('risk.edit'), validated('form', ProviderForm, async (context) => {
    // A field sent as something other than one short string: the stored settings again, nothing saved.
    const c = context as unknown as AdminContext;
    const issuer = await scopeOf(c);
    return issuer ? page(c, issuer, valuesOf(issuer), {}, { notice: 'refused' }, 400) : refuse(c, 'not_found');
  }), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const issuer = await scopeOf(c);
    if (!issuer) return refuse(c, 'not_found');
    const form = c.req.valid('form');
    const values = typedValues(form);
    let next: ProviderConfig | null = null;
    if (values.url.trim() !== '') {
      const read = parseProviderConfig(configInput(values), deps.config.NODE_ENV === 'production');
      if (!read.ok) return page(c, issuer, values, errorsOf(read.errors), { notice: 'refused' }, 400);
      // The AReq waits for every attempt: together they must leave it half of its budget.
      const worst = read.config.timeoutMs * (read.config.retries + 1);
      const budget = deps.config.AREQ_BUDGET_MS;
      if (worst > budget / 2) {
        const error = { ja: `タイムアウト × (再試行 + 1) は ${budget / 2} ミリ秒以下にしてください。`, en: `timeout × (retries + 1) must be at most ${budget / 2} ms (half of AREQ_BUDGET_MS)` };
        return page(c, issuer, values, { timeoutMs: error }, { notice: 'refused' }, 400);
      }
      next = read.config;
    }
    if (!(await checkStepUp(deps, me, form.code))) return page(c, issuer, values, {}, { codeError: true }, 400);
    const before = issuer.risk.provider;
    const now = deps.clock.now();
    await deps.db.update(issuers).set({ riskProvider: next, updatedAt: now }).where(eq(issuers.id, issuer.id));
    forgetIssuerSettings(deps.db);
    await appendAudit(deps.db, {
      at: now,
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: issuer.id,
      action: 'staff.risk_provider.update',
      target: `issuer:${issuer.code}`,
      // The settings hold no secret (only the credential's name), so both sides are recorded whole.
      detail: { before: before ?? null, after: next },
      requestId: c.get('requestId'),
    });
    const qs = me.role === 'platform_admin' ? `issuer=${issuer.id}&` : '';
    return c.redirect(`/admin/risk/provider?${qs}saved=${next ? '1' : 'cleared'}`, 303);
  });

  return routes;
}

/** The issuer this request is about: one's own, or the one a platform administrator chose; undefined → 404. */
async function scopeOf(c: AdminContext): Promise<IssuerSettings | undefined> {
  const me = c.get('me');
  const deps = c.get('deps');
  const asked = c.req.query('issuer');
  if (asked !== undefined && !/^\d{1,9}$/.test(asked)) return undefined;
  const id = asked !== undefined ? Number(asked) : (me.issuerId ?? undefined);
  if (id !== undefined && (!inScope(principal(me), id) || !(await issuerById(deps.db, id)))) return undefined;
  const issuer = await issuerSettings(deps, id);
  return inScope(principal(me), issuer.id) ? issuer : undefined;
}

/** The stored settings as the form shows them (a fresh form with the defaults when there are none). */
function valuesOf(issuer: IssuerSettings): ProviderFormValues {
  const raw = (issuer.risk.provider ?? {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' || typeof v === 'number' ? String(v) : v === null ? '' : fallback);
  return {
    enabled: issuer.risk.provider ? raw.enabled !== false : true,
    url: str(raw.url, ''),
    authHeader: str(raw.authHeader, 'Authorization'),
    secretEnv: str(raw.secretEnv, ''),
    fields: Array.isArray(raw.fields) ? raw.fields.filter((f): f is string => typeof f === 'string') : [...DEFAULT_FIELDS],
    scorePath: str(raw.scorePath, 'score'),
    reasonsPath: str(raw.reasonsPath, 'reasons'),
    timeoutMs: str(raw.timeoutMs, '300'),
    retries: str(raw.retries, '0'),
  };
}

function typedValues(form: ProviderFormInput): ProviderFormValues {
  return {
    enabled: form.enabled === 'on',
    url: form.url.trim(),
    authHeader: form.authHeader.trim(),
    secretEnv: form.secretEnv.trim(),
    fields: form.fields === undefined ? [] : typeof form.fields === 'string' ? [form.fields] : form.fields,
    scorePath: form.scorePath.trim(),
    reasonsPath: form.reasonsPath.trim(),
    timeoutMs: form.timeoutMs.trim(),
    retries: form.retries.trim(),
  };
}

/** The typed form as provider settings: empty means the default; a number field must be digits. */
function configInput(v: ProviderFormValues): Record<string, unknown> {
  const number = (s: string) => (s === '' ? undefined : /^\d{1,6}$/.test(s) ? Number(s) : s);
  return {
    enabled: v.enabled,
    url: v.url,
    authHeader: v.authHeader || undefined,
    secretEnv: v.secretEnv || null,
    // No box ticked is a choice the schema refuses, not "the defaults".
    fields: v.fields,
    scorePath: v.scorePath || undefined,
    reasonsPath: v.reasonsPath || null,
    timeoutMs: number(v.timeoutMs),
    retries: number(v.retries),
  };
}

/** What each setting must be, in Japanese; the English is the check's own message. */
const FIELD_JA: Record<ProviderFormField, string> = {
  url: 'http(s) の URL を入力してください（本番環境では https のみ）。',
  authHeader: 'ヘッダー名（英数字とハイフン）を入力してください。',
  secretEnv: 'RISK_PROVIDER_SECRETS の項目名（英大文字・数字・_）を入力してください。',
  fields: '送信できる項目から1つ以上選んでください。',
  scorePath: 'result.score のような位置を入力してください。',
  reasonsPath: 'result.reasons のような位置を入力してください（空欄可）。',
  timeoutMs: '50〜5000 の整数を入力してください。',
  retries: '0〜2 の整数を入力してください。',
};

function errorsOf(problems: ConfigProblem[]): Partial<Record<ProviderFormField, Bi>> {
  const out: Partial<Record<ProviderFormField, Bi>> = {};
  for (const p of problems) {
    const field = p.path.split('.')[0] as ProviderFormField;
    if (!Object.hasOwn(FIELD_JA, field) || out[field]) continue;
    out[field] = { ja: FIELD_JA[field], en: p.message };
  }
  return out;
}

const GROUPS: { title: Bi; match: (name: string, source: 'areq' | 'signal') => boolean }[] = [
  { title: { ja: '認証要求（AReq）の項目', en: 'AReq fields' }, match: (_, s) => s === 'areq' },
  { title: { ja: 'シグナル: 購入', en: 'Signals: purchase' }, match: (n, s) => s === 'signal' && n.startsWith('purchase.') },
  { title: { ja: 'シグナル: 会員・カード', en: 'Signals: cardholder and card' }, match: (n, s) => s === 'signal' && (n.startsWith('cardholder.') || n.startsWith('card.')) },
  { title: { ja: 'シグナル: 端末', en: 'Signals: device' }, match: (n, s) => s === 'signal' && n.startsWith('device.') },
  { title: { ja: 'シグナル: 履歴', en: 'Signals: history' }, match: (n, s) => s === 'signal' && n.startsWith('history.') },
];
const GROUPED: RiskProviderPageProps['groups'] = GROUPS.map((g) => ({
  title: g.title,
  fields: Object.entries(SHAREABLE_FIELDS)
    .filter(([name, f]) => g.match(name, f.source))
    .map(([name, field]) => ({ name, field })),
}));

async function page(
  c: AdminContext,
  issuer: IssuerSettings,
  values: ProviderFormValues,
  errors: RiskProviderPageProps['errors'],
  flags: { notice?: RiskProviderPageProps['notice']; codeError?: boolean },
  status: 200 | 400 = 200,
) {
  const deps = c.get('deps');
  const me = c.get('me');
  const stored = issuer.risk.provider ? parseProviderConfig(issuer.risk.provider, deps.config.NODE_ENV === 'production') : null;
  const leaseMs = stored?.ok ? stored.config.timeoutMs * (stored.config.retries + 1) : 300;
  const storedSecret = stored?.ok ? stored.config.secretEnv : null;
  return c.html(
    <RiskProviderPage
      {...pageBase(c)}
      me={(await signedIn(c)).me}
      issuer={{ id: issuer.id, name: issuer.name }}
      issuers={me.role === 'platform_admin' ? (await listIssuers(deps.db)).map((i) => ({ id: i.id, name: { ja: i.nameJa, en: i.nameEn } })) : null}
      configured={!issuer.risk.provider ? 'none' : stored?.ok && !stored.config.enabled ? 'disabled' : 'enabled'}
      values={values}
      errors={errors}
      editable={can(principal(me), 'risk.edit')}
      groups={GROUPED}
      breaker={issuer.risk.provider ? await providerBreakerView(deps, issuer.id, leaseMs) : null}
      secret={storedSecret ? { name: storedSecret, set: Object.hasOwn(deps.config.RISK_PROVIDER_SECRETS, storedSecret) } : null}
      {...flags}
    />,
    status,
  );
}
