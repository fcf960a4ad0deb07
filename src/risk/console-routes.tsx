/**
 * /admin/risk: the issuer's risk rules in the console. Everyone of the issuer reads them, tests
 * and replays the draft (risk.view); issuer administrators edit the draft, publish it and roll
 * back (risk.edit). Every write goes through rule-set-store.ts (audited there); every form is a
 * plain POST answered with a redirect, or with the page again and its errors beside the fields.
 *
 * Whose rules: the person's own issuer; a platform administrator picks one (`issuer` in the query
 * or the form). Anybody else naming another issuer gets the console's 404.
 */
import { Hono } from 'hono';
import { RiskPage, type RiskNotice, type RiskPageProps } from '../../views/admin/risk.tsx';
import { RuleBuilderPage } from '../../views/admin/risk-rule.tsx';
import { RiskJsonPage, RiskReplayPage, RiskTestPage, type RuleVerdict, type TestField } from '../../views/admin/risk-tools.tsx';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can, inScope } from '../admin/roles.ts';
import { issuerById, listIssuers } from '../issuers/issuer-store.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { CURRENCIES } from '../protocol/iso.ts';
import { CONSOLE_TEMPLATES, readTemplateParams, templateByKey } from './console-templates.ts';
import { replay, REPLAY_DAYS, informationalAllowedFor } from './replay.ts';
import { fieldOf, formOfRule, newRuleId, ruleOfForm } from './rule-builder.ts';
import { discardDraft, findDraft, latestPublished, listVersions, publishDraft, publishedOrDefault, rollbackTo, saveDraft, type Change } from './rule-set-store.ts';
import { evaluate, signalsOf } from './rules/conditions.ts';
import { assess, compileRuleSet, explain, type Rule, type RuleSet } from './rules/rule-set.ts';
import { HOME_CURRENCY, SIGNALS, signalValue, toHome, type SignalName, type Signals } from './rules/signals.ts';

/** The signals the test form asks for, in the order a fraud analyst thinks of them. */
const TEST_FIELDS: readonly TestField[] = [
  { signal: 'purchase.amountMajor', input: 'number' },
  { signal: 'purchase.currency', input: 'text' },
  { signal: 'purchase.merchantName', input: 'text' },
  { signal: 'purchase.acquirerMerchantId', input: 'text' },
  { signal: 'purchase.merchantCountry', input: 'text' },
  { signal: 'purchase.mcc', input: 'text' },
  { signal: 'purchase.challengeInd', input: 'text' },
  { signal: 'purchase.threeRIInd', input: 'text' },
  { signal: 'device.channel', input: 'choice' },
  { signal: 'device.newDevice', input: 'tri' },
  { signal: 'device.newIpPrefix', input: 'tri' },
  { signal: 'device.tzMismatch', input: 'tri' },
  { signal: 'device.methodCompleted', input: 'tri' },
  { signal: 'cardholder.registered', input: 'tri' },
  { signal: 'cardholder.daysSincePhoneChange', input: 'number' },
  { signal: 'cardholder.dataSharingOptOut', input: 'tri' },
  { signal: 'history.auths1h', input: 'number' },
  { signal: 'history.auths24h', input: 'number' },
  { signal: 'history.merchants24h', input: 'number' },
  { signal: 'history.consecutiveFrictionless', input: 'number' },
  { signal: 'history.frictionlessAmountHome', input: 'number' },
  { signal: 'history.failedChallenges24h', input: 'number' },
  { signal: 'provider.available', input: 'tri' },
  { signal: 'provider.score', input: 'number' },
];

interface Scope {
  issuer: IssuerSettings;
  /** The issuer field forms carry (platform administrators only), and the query links keep. */
  field: number | null;
  qs: string;
}

/** Whose rules this request is about, or undefined (then 404) when the person may not see them. */
async function scopeOf(c: AdminContext, asked: string | undefined): Promise<Scope | undefined> {
  const me = c.get('me');
  const deps = c.get('deps');
  const platform = me.role === 'platform_admin';
  const wanted = asked && /^\d{1,9}$/.test(asked) ? Number(asked) : undefined;
  if (asked && wanted === undefined) return undefined;
  const id = wanted ?? me.issuerId ?? undefined;
  if (id !== undefined && !inScope(principal(me), id)) return undefined;
  if (id !== undefined && !(await issuerById(deps.db, id))) return undefined;
  const issuer = await issuerSettings(deps, id);
  if (!inScope(principal(me), issuer.id)) return undefined;
  return { issuer, field: platform ? issuer.id : null, qs: platform ? `?issuer=${issuer.id}` : '' };
}

function changeOf(c: AdminContext, what: string): Change {
  const me = c.get('me');
  return { actor: { type: 'staff', id: me.id, name: me.username }, requestId: c.get('requestId'), what };
}

async function formOf(c: AdminContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody().catch(() => ({}));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v.slice(0, 100_000);
  return out;
}

/** The rule set the draft has, or would have once made: what every edit starts from. */
async function workingSet(c: AdminContext, scope: Scope): Promise<RuleSet> {
  const db = c.get('deps').db;
  const draft = await findDraft(db, scope.issuer.id);
  if (draft) return draft.ruleSet as unknown as RuleSet;
  return { ...publishedOrDefault(await latestPublished(db, scope.issuer.id), scope.issuer) };
}

function withQs(path: string, scope: Scope, extra: string): string {
  return `${path}${scope.qs ? `${scope.qs}&` : '?'}${extra}`;
}

export function riskRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/risk', needs('risk.view'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    const done = c.req.query('done');
    const version = Number(c.req.query('version')) || undefined;
    const notice: RiskNotice | undefined =
      done === 'saved' || done === 'published' || done === 'rolled_back' || done === 'discarded' || done === 'stale' || done === 'no_draft' ? { kind: done, version } : undefined;
    return mainPage(c, scope, { notice });
  });

  // ─── The draft's rules, one at a time ────────────────────────────────────────

  routes.post('/admin/risk/draft/rules/:index{[0-9]+}/:action{toggle|up|down|delete}', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const index = Number(c.req.param('index'));
    const action = c.req.param('action');
    const set = await workingSet(c, scope);
    // The index is the page's; the id proves the page was not stale.
    if (set.rules[index]?.id !== form.ruleId) return c.redirect(withQs('/admin/risk', scope, 'done=stale'), 303);
    const rules = [...set.rules];
    if (action === 'toggle') rules[index] = { ...rules[index], enabled: !rules[index].enabled };
    if (action === 'delete') rules.splice(index, 1);
    const swap = action === 'up' ? index - 1 : action === 'down' ? index + 1 : -1;
    if (swap >= 0 && swap < rules.length) [rules[index], rules[swap]] = [rules[swap], rules[index]];
    const saved = await saveDraft(c.get('deps'), scope.issuer, { ...set, rules }, changeOf(c, `rule_${action}:${form.ruleId}`));
    if (!saved.ok) return mainPage(c, scope, { notice: { kind: 'refused', issues: saved.issues } }, 400);
    return c.redirect(withQs('/admin/risk', scope, 'done=saved'), 303);
  });

  routes.post('/admin/risk/draft/templates', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const template = templateByKey(form.template ?? '');
    if (!template) return refuse(c, 'forbidden');
    const read = readTemplateParams(template, form);
    const typed = Object.fromEntries(template.params.map((p) => [p.name, form[`${template.key}.${p.name}`] ?? '']));
    const lang = c.get('lang');
    if (!read.ok) return mainPage(c, scope, { templateErrors: { key: template.key, typed, errors: Object.fromEntries(Object.entries(read.errors).map(([k, v]) => [k, v[lang]])) } }, 400);
    const set = await workingSet(c, scope);
    const rule = template.build(read.values);
    rule.id = newRuleId(rule.id, set.rules.map((r) => r.id));
    const saved = await saveDraft(c.get('deps'), scope.issuer, { ...set, rules: [...set.rules, rule] }, changeOf(c, `rule_add:${rule.id}`));
    if (!saved.ok) {
      const at = `rules.${set.rules.length}.`;
      const errors: Record<string, string> = {};
      for (const i of saved.issues) if (i.path.startsWith(at)) errors[template.params[0]?.name ?? ''] = i.message;
      return mainPage(c, scope, { notice: { kind: 'refused', issues: saved.issues }, templateErrors: { key: template.key, typed, errors } }, 400);
    }
    return c.redirect(withQs('/admin/risk', scope, 'done=saved'), 303);
  });

  routes.get('/admin/risk/draft/rules/new', needs('risk.edit'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    return builderPage(c, scope, null, { effect: 'challenge', combine: 'all' }, {});
  });

  routes.get('/admin/risk/draft/rules/:index{[0-9]+}/edit', needs('risk.edit'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    const rule = (await workingSet(c, scope)).rules[Number(c.req.param('index'))];
    if (!rule) return refuse(c, 'not_found');
    const form = formOfRule(rule);
    return builderPage(c, scope, Number(c.req.param('index')), form ?? { id: rule.id }, {}, 200, form === undefined);
  });

  routes.post('/admin/risk/draft/rules/:index{[0-9]+|new}', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const set = await workingSet(c, scope);
    const isNew = c.req.param('index') === 'new';
    const index = isNew ? set.rules.length : Number(c.req.param('index'));
    if (!isNew && set.rules[index]?.id !== form.ruleId) return c.redirect(withQs('/admin/risk', scope, 'done=stale'), 303);
    const id = isNew ? newRuleId(form.nameEn || form.nameJa || 'rule', set.rules.map((r) => r.id)) : set.rules[index].id;
    const rule = ruleOfForm(form, id);
    const rules = [...set.rules];
    rules[index] = rule;
    const shown = { ...form, id, enabled: form.enabled ?? '' };
    if (![0, 1, 2, 3].some((k) => (form[`c${k}.signal`] ?? '').trim())) {
      return builderPage(c, scope, isNew ? null : index, shown, { 'c0.signal': c.get('lang') === 'ja' ? '条件を 1 つ以上指定してください。' : 'Give at least one condition.' }, 400);
    }
    const saved = await saveDraft(c.get('deps'), scope.issuer, { ...set, rules }, changeOf(c, `${isNew ? 'rule_add' : 'rule_edit'}:${id}`));
    if (!saved.ok) {
      const errors: Record<string, string> = {};
      for (const i of saved.issues) {
        const field = fieldOf(i.path, index);
        if (field) errors[field] = errors[field] ? `${errors[field]} ${i.message}` : i.message;
      }
      return builderPage(c, scope, isNew ? null : index, shown, errors, 400, false, { kind: 'refused', issues: saved.issues });
    }
    return c.redirect(withQs('/admin/risk', scope, 'done=saved'), 303);
  });

  // ─── Bands, JSON, publish, rollback, discard ────────────────────────────────

  routes.post('/admin/risk/draft/bands', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const ja = c.get('lang') === 'ja';
    const typed = { challengeFrom: form.challengeFrom ?? '', rejectFrom: form.rejectFrom ?? '' };
    const errors: { challengeFrom?: string; rejectFrom?: string } = {};
    const read = (v: string) => (/^\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : undefined);
    const challengeFrom = read(typed.challengeFrom);
    const rejectFrom = read(typed.rejectFrom);
    const range = ja ? '0〜101 の整数で入力してください。' : 'A whole number from 0 to 101.';
    if (challengeFrom === undefined || challengeFrom > 101) errors.challengeFrom = range;
    if (rejectFrom === undefined || rejectFrom > 101) errors.rejectFrom = range;
    else if (challengeFrom !== undefined && challengeFrom > rejectFrom) errors.rejectFrom = ja ? '認証画面の下限以上にしてください。' : 'Must not be below the challenge band.';
    if (errors.challengeFrom || errors.rejectFrom) return mainPage(c, scope, { bandsErrors: { ...errors, typed } }, 400);
    const set = await workingSet(c, scope);
    const saved = await saveDraft(c.get('deps'), scope.issuer, { ...set, bands: { challengeFrom: challengeFrom!, rejectFrom: rejectFrom! } }, changeOf(c, 'bands'));
    if (!saved.ok) return mainPage(c, scope, { notice: { kind: 'refused', issues: saved.issues } }, 400);
    return c.redirect(withQs('/admin/risk', scope, 'done=saved'), 303);
  });

  routes.get('/admin/risk/draft/json', needs('risk.edit'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    return jsonPage(c, scope, JSON.stringify(await workingSet(c, scope), null, 2), []);
  });

  routes.post('/admin/risk/draft/json', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const text = form.json ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return jsonPage(c, scope, text, [{ path: '', message: c.get('lang') === 'ja' ? 'JSON として読めません。' : 'Not valid JSON.' }], 400);
    }
    const saved = await saveDraft(c.get('deps'), scope.issuer, parsed, changeOf(c, 'json'));
    if (!saved.ok) return jsonPage(c, scope, text, saved.issues, 400, { kind: 'refused', issues: saved.issues });
    return c.redirect(withQs('/admin/risk', scope, 'done=saved'), 303);
  });

  routes.post('/admin/risk/publish', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const published = await publishDraft(c.get('deps'), scope.issuer.id, { ...changeOf(c, 'publish'), note: (form.note ?? '').trim().slice(0, 200) });
    if (!published.ok) {
      if (published.reason === 'invalid') return mainPage(c, scope, { notice: { kind: 'refused', issues: published.issues ?? [] } }, 400);
      return c.redirect(withQs('/admin/risk', scope, 'done=no_draft'), 303);
    }
    return c.redirect(withQs('/admin/risk', scope, `done=published&version=${published.version}`), 303);
  });

  routes.post('/admin/risk/rollback', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    const to = /^\d{1,9}$/.test(form.version ?? '') ? Number(form.version) : 0;
    const rolled = await rollbackTo(c.get('deps'), scope.issuer.id, to, changeOf(c, 'rollback'));
    if (!rolled.ok) return rolled.reason === 'not_found' ? refuse(c, 'not_found') : c.redirect(withQs('/admin/risk', scope, 'done=stale'), 303);
    return c.redirect(withQs('/admin/risk', scope, `done=rolled_back&version=${rolled.version}`), 303);
  });

  routes.post('/admin/risk/draft/discard', needs('risk.edit'), async (c) => {
    const form = await formOf(c);
    const scope = await scopeOf(c, form.issuer);
    if (!scope) return refuse(c, 'not_found');
    await discardDraft(c.get('deps'), scope.issuer.id, changeOf(c, 'discard'));
    return c.redirect(withQs('/admin/risk', scope, 'done=discarded'), 303);
  });

  // ─── Test and replay (reading only) ──────────────────────────────────────────

  routes.get('/admin/risk/test', needs('risk.view'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    const set = await workingSet(c, scope);
    const typed: Record<string, string> = {};
    for (const f of TEST_FIELDS) typed[f.signal] = (c.req.query(f.signal) ?? '').slice(0, 200);
    if (c.req.query('run') !== '1') {
      typed['purchase.currency'] = HOME_CURRENCY;
      typed['device.channel'] = '02';
    }
    const result = c.req.query('run') === '1' ? testDraft(set, signalsOfForm(typed, scope.issuer), c.get('lang')) : undefined;
    const base = { ...pageBase(c), me: (await signedIn(c)).me, qs: scope.qs, issuer: scope.field };
    return c.html(<RiskTestPage {...base} fields={TEST_FIELDS} typed={typed} version={set.version} result={result} />);
  });

  routes.get('/admin/risk/replay', needs('risk.view'), async (c) => {
    const scope = await scopeOf(c, c.req.query('issuer'));
    if (!scope) return refuse(c, 'not_found');
    const deps = c.get('deps');
    const typedDays = (c.req.query('days') ?? String(REPLAY_DAYS.initial)).trim().slice(0, 10);
    const n = /^\d{1,3}$/.test(typedDays) ? Number(typedDays) : NaN;
    const bad = !(n >= REPLAY_DAYS.min && n <= REPLAY_DAYS.max);
    const ja = c.get('lang') === 'ja';
    const daysError = bad ? (ja ? `${REPLAY_DAYS.min}〜${REPLAY_DAYS.max} の日数を入力してください（${REPLAY_DAYS.initial} 日で実行しました）。` : `Days from ${REPLAY_DAYS.min} to ${REPLAY_DAYS.max} (replayed ${REPLAY_DAYS.initial} days).`) : undefined;
    const set = await workingSet(c, scope);
    const result = await replay(deps.db, scope.issuer.id, compileRuleSet(set), { days: bad ? REPLAY_DAYS.initial : n, now: deps.clock.now() });
    const { me } = await signedIn(c);
    return c.html(
      <RiskReplayPage {...pageBase(c)} me={me} qs={scope.qs} issuer={scope.field} result={result} version={set.version} timeZone={scope.issuer.timeZone} daysError={daysError} typedDays={typedDays} />,
      bad ? 400 : 200,
    );
  });

  return routes;
}

/** The hand-made AReq's signals; the amount also in minor units and in yen (the issuer's rates). */
function signalsOfForm(typed: Record<string, string>, issuer: IssuerSettings): Signals {
  const out: Record<string, unknown> = {};
  for (const f of TEST_FIELDS) {
    const raw = typed[f.signal].trim();
    if (raw === '') continue;
    const type = SIGNALS[f.signal].type;
    if (type === 'boolean') out[f.signal] = raw === 'true';
    else if (type === 'number') {
      const n = Number(raw.replaceAll(',', ''));
      if (Number.isFinite(n)) out[f.signal] = n;
    } else out[f.signal] = raw;
  }
  const major = out['purchase.amountMajor'];
  const currency = typeof out['purchase.currency'] === 'string' ? (out['purchase.currency'] as string) : HOME_CURRENCY;
  if (typeof major === 'number') {
    const exponent = CURRENCIES[currency]?.[1] ?? 0;
    out['purchase.amount'] = Math.round(major * 10 ** exponent);
    out['purchase.amountHome'] = toHome(Math.round(major * 10 ** exponent), currency, exponent, issuer.risk.currencyRates);
  }
  return out as Signals;
}

function testDraft(set: RuleSet, signals: Signals, lang: 'ja' | 'en') {
  const compiled = compileRuleSet(set);
  const result = assess(compiled, signals, { informationalAllowed: informationalAllowedFor(signals, '2.2.0') });
  const verdicts: RuleVerdict[] = set.rules.map((rule: Rule) => {
    const names = [...new Set(signalsOf(rule.when))] as SignalName[];
    const truth = evaluate(rule.when, signals);
    return {
      name: typeof rule.name === 'string' ? rule.name : rule.name[lang],
      enabled: rule.enabled,
      effect: effectWords(rule, lang),
      verdict: !rule.enabled ? 'disabled' : truth === true ? 'matched' : truth === false ? 'not' : 'unknown',
      values: names.map((s) => ({ signal: s, value: signalValue(signals, s) })),
      decided: result.decidedBy === rule.id,
    };
  });
  return { verdicts, outcome: result.outcome, score: result.score, band: result.band, explanation: explain(result, lang), unknown: result.unknownSignals };
}

function effectWords(rule: Rule, lang: 'ja' | 'en'): string {
  return explain({ outcome: 'frictionless', score: 0, band: 'frictionless', decidedBy: rule.id, matched: [{ ruleId: rule.id, name: rule.name, effect: rule.then, signals: {} }], undecidedRules: [], unknownSignals: [], version: 0 }, lang);
}

async function mainPage(c: AdminContext, scope: Scope, state: Pick<RiskPageProps, 'notice' | 'templateErrors' | 'bandsErrors'>, status: 200 | 400 = 200) {
  const db = c.get('deps').db;
  const me = c.get('me');
  const [published, draft, versions] = await Promise.all([latestPublished(db, scope.issuer.id), findDraft(db, scope.issuer.id), listVersions(db, scope.issuer.id)]);
  const { me: shown } = await signedIn(c);
  const issuers = me.role === 'platform_admin' ? (await listIssuers(db)).map((i) => ({ id: i.id, name: issuerName(i) })) : null;
  return c.html(
    <RiskPage
      {...pageBase(c)}
      me={shown}
      canEdit={can(principal(me), 'risk.edit')}
      issuer={{ id: scope.issuer.id, name: scope.issuer.name }}
      issuers={issuers}
      qs={scope.qs}
      published={{ version: published?.version ?? 0, ruleSet: publishedOrDefault(published, scope.issuer) }}
      draft={draft ? { version: draft.version, ruleSet: draft.ruleSet as unknown as RuleSet } : null}
      versions={versions.map((v) => ({ version: v.version, state: v.state, basedOn: v.basedOn, at: v.publishedAt ?? v.updatedAt, note: v.note }))}
      templates={CONSOLE_TEMPLATES}
      timeZone={scope.issuer.timeZone}
      {...state}
    />,
    status,
  );
}

async function builderPage(c: AdminContext, scope: Scope, index: number | null, form: Record<string, string>, errors: Record<string, string>, status: 200 | 400 = 200, tooComplex = false, notice?: RiskNotice) {
  const { me } = await signedIn(c);
  return c.html(<RuleBuilderPage {...pageBase(c)} me={me} qs={scope.qs} issuer={scope.field} index={index} form={form} errors={errors} tooComplex={tooComplex} notice={notice} />, status);
}

async function jsonPage(c: AdminContext, scope: Scope, json: string, issues: { path: string; message: string }[], status: 200 | 400 = 200, notice?: RiskNotice) {
  const { me } = await signedIn(c);
  return c.html(<RiskJsonPage {...pageBase(c)} me={me} qs={scope.qs} issuer={scope.field} json={json} issues={issues} notice={notice} />, status);
}

