/**
 * The console's rule builder: a form of up to BUILDER_CONDITIONS comparisons (signal, operator,
 * value) combined with all / any, and one effect, to and from a Rule. The rule-set validator
 * does the real checking; `fieldOf` puts each of its issues beside the form field it is about.
 */
import type { Comparison, Condition } from './rules/conditions.ts';
import type { Effect, Rule } from './rules/rule-set.ts';
import { SIGNALS, isSignalName } from './rules/signals.ts';

export const BUILDER_CONDITIONS = 4;
export const EFFECT_CHOICES = ['score', 'frictionless', 'challenge', 'reject', 'informational', 'no_frictionless'] as const;

export type BuilderForm = Record<string, string>;

/** The form's fields for a rule, or undefined when its condition is beyond the builder (nested, not, over 4). */
export function formOfRule(rule: Rule): BuilderForm | undefined {
  const form: BuilderForm = {
    nameJa: typeof rule.name === 'string' ? rule.name : rule.name.ja,
    nameEn: typeof rule.name === 'string' ? rule.name : rule.name.en,
    enabled: rule.enabled ? 'on' : '',
    id: rule.id,
  };
  const w = rule.when;
  const leaves: Condition[] = 'all' in w ? w.all : 'any' in w ? w.any : 'not' in w ? [] : [w];
  if (leaves.length === 0 || leaves.length > BUILDER_CONDITIONS || leaves.some((l) => 'all' in l || 'any' in l || 'not' in l)) return undefined;
  form.combine = 'any' in w ? 'any' : 'all';
  (leaves as Comparison[]).forEach((l, k) => {
    form[`c${k}.signal`] = l.signal;
    form[`c${k}.op`] = l.op;
    form[`c${k}.value`] = l.value === undefined ? '' : Array.isArray(l.value) ? l.value.join(', ') : String(l.value);
  });
  const e = rule.then;
  if ('score' in e) Object.assign(form, { effect: 'score', score: String(e.score) });
  else Object.assign(form, { effect: e.decide, reasonCode: e.reasonCode ?? '' });
  return form;
}

/** A typed value as the signal's type wants it (the validator refuses what still does not fit). */
function readValue(signal: string, op: string, raw: string): unknown {
  const type = isSignalName(signal) ? SIGNALS[signal].type : 'string';
  const text = raw.trim();
  const scalar = (s: string): unknown => {
    if (type === 'number') return s === '' ? s : Number(s.replaceAll(',', ''));
    if (type === 'boolean') return /^(true|yes|y|はい|1)$/i.test(s) ? true : /^(false|no|n|いいえ|0)$/i.test(s) ? false : s;
    return s;
  };
  if (op === 'exists') return text === '' ? undefined : scalar(text);
  if (op === 'in' || op === 'not_in' || op === 'between')
    return text
      .split(/[,、\s]+/)
      .filter(Boolean)
      .map((s) => (type === 'number' ? Number(s) : scalar(s)));
  return scalar(text);
}

/** The rule a builder form describes (unchecked: the rule-set validator checks it in its place). */
export function ruleOfForm(form: BuilderForm, id: string): Rule {
  const leaves: Comparison[] = [];
  for (let k = 0; k < BUILDER_CONDITIONS; k++) {
    const signal = (form[`c${k}.signal`] ?? '').trim();
    if (!signal) continue;
    const op = (form[`c${k}.op`] ?? 'eq').trim();
    const value = readValue(signal, op, form[`c${k}.value`] ?? '');
    leaves.push({ signal, op, ...(value === undefined ? {} : { value }) } as Comparison);
  }
  // An empty "all" would always be true: the validator refuses it, and the issue lands on the first row.
  const when: Condition = leaves.length === 1 ? leaves[0] : form.combine === 'any' ? { any: leaves } : { all: leaves };
  const choice = form.effect ?? 'challenge';
  const then: Effect =
    choice === 'score'
      ? { score: Number((form.score ?? '').trim()) }
      : ({ decide: choice, ...(choice === 'reject' && form.reasonCode ? { reasonCode: form.reasonCode } : {}) } as Effect);
  const ja = (form.nameJa ?? '').trim();
  const en = (form.nameEn ?? '').trim();
  return { id, name: ja && en ? { ja, en } : ja || en, enabled: form.enabled === 'on', when, then };
}

/** A fresh rule id from the name, unique in the set. */
export function newRuleId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const slug =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'rule';
  if (!used.has(slug)) return slug;
  for (let n = 2; ; n++) if (!used.has(`${slug}-${n}`)) return `${slug}-${n}`;
}

/** The builder field an issue of `rules.<index>.…` is about; undefined for issues elsewhere. */
export function fieldOf(path: string, index: number): string | undefined {
  const prefix = `rules.${index}.`;
  if (path === `rules.${index}`) return 'c0.signal';
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  const leaf = /^when(?:\.(?:all|any)\.(\d+))?(?:\.(signal|op|value))?/.exec(rest);
  if (leaf) return `c${leaf[1] ?? 0}.${leaf[2] ?? 'signal'}`;
  if (rest.startsWith('then.score')) return 'score';
  if (rest.startsWith('then.reasonCode')) return 'reasonCode';
  if (rest.startsWith('then')) return 'effect';
  if (rest.startsWith('name.en')) return 'nameEn';
  if (rest.startsWith('name') || rest.startsWith('id')) return 'nameJa';
  return 'nameJa';
}
