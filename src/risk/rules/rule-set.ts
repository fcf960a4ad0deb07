/**
 * An issuer's rule set: ordered rules over the signals, and the score bands.
 *
 * `compileRuleSet(json)` validates once (per published version) and `assess(compiled, signals)`
 * walks the enabled rules in order:
 * - a rule whose condition is true applies its effect; false or unknown: it does not match;
 * - `{ score }` adds to the total; the first matching `{ decide }` ends the walk with that outcome,
 *   except `no_frictionless`, which only forbids a frictionless outcome and lets the walk go on
 *   (a later frictionless outcome, by a rule or by the band, becomes informational where the
 *   message allows it, else a challenge);
 * - `informational` decides only where the caller says the message allows an I; elsewhere the
 *   rule is recorded and the walk goes on;
 * - without a decision the total, clamped to 0…100, picks the band: below `challengeFrom`
 *   frictionless, from `rejectFrom` reject, challenge between.
 *
 * Not in here, and not overridable by any rule: the outcomes the protocol and the card's state fix
 * (unknown card N/08, stolen or lost R/10, blocked R/12, expired N/05, locked N/19, 3RI never C,
 * data-only 06 never C, the risk breaker's U/22). src/acs/decide.ts applies them before and after
 * the risk outcome.
 */
import { z } from 'zod';
import { conditionSchema, evaluate, signalsOf, type Condition } from './conditions.ts';
import { signalValue, type SignalName, type Signals } from './signals.ts';

/** transStatusReason codes a rule may give an R: risk findings. The others describe the card's state
 * (05, 06, 08, 10, 13, 19: decide.ts sets them), a timeout, the ACS itself or decoupled flows. */
export const REJECT_REASONS = ['01', '02', '03', '04', '07', '09', '11', '12', '15', '16', '17', '18', '20', '21'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const DEFAULT_REJECT_REASON: RejectReason = '11'; // suspected fraud

export const DECISIONS = ['frictionless', 'challenge', 'reject', 'informational', 'no_frictionless'] as const;
export type Decide = (typeof DECISIONS)[number];

export type Effect = { score: number } | { decide: Decide; reasonCode?: RejectReason };
export type RuleName = string | { ja: string; en: string };

export interface Rule {
  id: string;
  name: RuleName;
  enabled: boolean;
  when: Condition;
  then: Effect;
}

export interface Bands {
  challengeFrom: number;
  rejectFrom: number;
}
export const DEFAULT_BANDS: Bands = { challengeFrom: 30, rejectFrom: 70 };

export interface RuleSet {
  version: number;
  rules: Rule[];
  bands: Bands;
}

export const MAX_RULES = 200;

const nameText = z.string().trim().min(1).max(120);

const scoreEffect = z.object({ score: z.number().int().min(-100).max(100) }).strict();
const decideEffect = z
  .object({ decide: z.enum(DECISIONS), reasonCode: z.enum(REJECT_REASONS).optional() })
  .strict()
  .refine((e) => e.reasonCode === undefined || e.decide === 'reject', { message: 'reasonCode goes only with decide "reject"', path: ['reasonCode'] });

/** `{ score }` or `{ decide }`, picked by its key so that an issue names the field, not "invalid union". */
const effectSchema: z.ZodType<Effect> = z
  .unknown()
  .superRefine((effect, ctx) => {
    const isObject = typeof effect === 'object' && effect !== null && !Array.isArray(effect);
    const schema = isObject && 'score' in effect ? scoreEffect : isObject && 'decide' in effect ? decideEffect : undefined;
    if (!schema) return void ctx.addIssue({ code: 'custom', message: 'an effect is { "score": -100…100 } or { "decide": "frictionless" | "challenge" | "reject" | "informational" | "no_frictionless" }' });
    const checked = schema.safeParse(effect);
    if (!checked.success) for (const i of checked.error.issues) ctx.addIssue({ code: 'custom', path: i.path.map(String), message: i.message });
  })
  .transform((effect) => effect as Effect);

const ruleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an id is 1–64 letters, digits, "_", "." or "-"'),
    name: z.union([nameText, z.object({ ja: nameText, en: nameText }).strict()]),
    enabled: z.boolean().default(true),
    when: conditionSchema,
    then: effectSchema,
  })
  .strict();

const bandsSchema = z
  .object({
    challengeFrom: z.number().int().min(0).max(101),
    rejectFrom: z.number().int().min(0).max(101),
  })
  .strict()
  .refine((b) => b.challengeFrom <= b.rejectFrom, { message: 'challengeFrom must not be above rejectFrom', path: ['rejectFrom'] });

export const ruleSetSchema = z
  .object({
    version: z.number().int().min(0),
    rules: z.array(ruleSchema).max(MAX_RULES),
    bands: bandsSchema.default(DEFAULT_BANDS),
  })
  .strict()
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id "${rule.id}" is used twice` });
      seen.add(rule.id);
    });
  });

export interface RuleSetIssue {
  /** Dotted path of the offending node, e.g. "rules.2.when.all.0.op". */
  path: string;
  message: string;
}

export type ValidatedRuleSet = { ok: true; ruleSet: RuleSet } | { ok: false; issues: RuleSetIssue[] };

/** Validates a rule set (an object, or its JSON text) for the console: every issue with its path. */
export function validateRuleSet(json: unknown): ValidatedRuleSet {
  let input = json;
  if (typeof json === 'string') {
    try {
      input = JSON.parse(json);
    } catch {
      return { ok: false, issues: [{ path: '', message: 'not valid JSON' }] };
    }
  }
  const parsed = ruleSetSchema.safeParse(input);
  if (parsed.success) return { ok: true, ruleSet: parsed.data as RuleSet };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  // zod skips the set-wide id check once a rule fails; the console should still see every issue at once.
  for (const dup of duplicateIds(input)) if (!issues.some((i) => i.path === dup.path && i.message === dup.message)) issues.push(dup);
  return { ok: false, issues };
}

function duplicateIds(input: unknown): RuleSetIssue[] {
  const rules = typeof input === 'object' && input !== null ? (input as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return [];
  const seen = new Set<unknown>();
  const out: RuleSetIssue[] = [];
  rules.forEach((rule, i) => {
    const id = typeof rule === 'object' && rule !== null ? (rule as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push({ path: `rules.${i}.id`, message: `rule id "${id}" is used twice` });
    seen.add(id);
  });
  return out;
}

export class RuleSetInvalid extends Error {
  constructor(readonly issues: RuleSetIssue[]) {
    super(`rule set invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'RuleSetInvalid';
  }
}

interface CompiledRule extends Rule {
  uses: SignalName[];
}

export interface CompiledRuleSet {
  readonly version: number;
  readonly bands: Bands;
  readonly rules: readonly CompiledRule[];
}

/** Validates once and prepares the rule set for `assess`; throws RuleSetInvalid with every issue. */
export function compileRuleSet(json: unknown): CompiledRuleSet {
  const checked = validateRuleSet(json);
  if (!checked.ok) throw new RuleSetInvalid(checked.issues);
  const { version, bands, rules } = checked.ruleSet;
  const compiled = rules.filter((r) => r.enabled).map((r) => Object.freeze({ ...r, uses: signalsOf(r.when) }));
  return Object.freeze({ version, bands: Object.freeze({ ...bands }), rules: Object.freeze(compiled) });
}

export type Outcome = 'frictionless' | 'challenge' | 'reject' | 'informational';
export type Band = 'frictionless' | 'challenge' | 'reject';

export interface MatchedRule {
  ruleId: string;
  name: RuleName;
  effect: Effect;
  /** The signals the rule's condition names, with this AReq's values (null: unknown). */
  signals: Partial<Record<SignalName, unknown>>;
  /** Why the effect did not apply as written. */
  note?: 'informational_not_allowed';
}

export interface Assessment {
  outcome: Outcome;
  /** Sum of the matching score effects walked, clamped to 0…100. */
  score: number;
  band: Band;
  /** The rule whose decision ended the walk. */
  decidedBy?: string;
  /** The rule that forbade a frictionless outcome, when it changed the outcome. */
  frictionlessForbiddenBy?: string;
  /** transStatusReason for a reject. */
  reasonCode?: RejectReason;
  matched: MatchedRule[];
  /** Rules left undecided because a signal they compare was unknown, and those signals. */
  undecidedRules: string[];
  unknownSignals: SignalName[];
  version: number;
}

export interface AssessOptions {
  /** The message allows transStatus I (e.g. the requestor asked for no challenge; spec-dependent). */
  informationalAllowed?: boolean;
}

export function bandOf(score: number, bands: Bands): Band {
  if (score >= bands.rejectFrom) return 'reject';
  if (score >= bands.challengeFrom) return 'challenge';
  return 'frictionless';
}

/** Walks the rules over one AReq's signals (see the module comment). Never throws on any signals. */
export function assess(compiled: CompiledRuleSet, signals: Signals, options: AssessOptions = {}): Assessment {
  const informationalAllowed = options.informationalAllowed === true;
  const matched: MatchedRule[] = [];
  const undecidedRules: string[] = [];
  const unknownSignals = new Set<SignalName>();
  let total = 0;
  let decided: { rule: CompiledRule; decide: Exclude<Decide, 'no_frictionless'>; reasonCode?: RejectReason } | undefined;
  let noFrictionlessBy: string | undefined;

  for (const rule of compiled.rules) {
    const unknownHere = new Set<SignalName>();
    const truth = evaluate(rule.when, signals, unknownHere);
    if (truth === 'unknown') {
      undecidedRules.push(rule.id);
      for (const s of unknownHere) unknownSignals.add(s);
    }
    if (truth !== true) continue;

    const entry: MatchedRule = { ruleId: rule.id, name: rule.name, effect: rule.then, signals: valuesOf(rule.uses, signals) };
    matched.push(entry);
    const effect = rule.then;
    if ('score' in effect) {
      total += effect.score;
      continue;
    }
    if (effect.decide === 'no_frictionless') {
      noFrictionlessBy ??= rule.id;
      continue;
    }
    if (effect.decide === 'informational' && !informationalAllowed) {
      entry.note = 'informational_not_allowed';
      continue;
    }
    decided = { rule, decide: effect.decide, reasonCode: effect.reasonCode };
    break;
  }

  const score = Math.min(100, Math.max(0, total));
  const band = bandOf(score, compiled.bands);
  let outcome: Outcome = decided ? decided.decide : band;
  let frictionlessForbiddenBy: string | undefined;
  if (outcome === 'frictionless' && noFrictionlessBy !== undefined) {
    outcome = informationalAllowed ? 'informational' : 'challenge';
    frictionlessForbiddenBy = noFrictionlessBy;
  }

  const result: Assessment = { outcome, score, band, matched, undecidedRules, unknownSignals: [...unknownSignals], version: compiled.version };
  if (decided) result.decidedBy = decided.rule.id;
  if (frictionlessForbiddenBy) result.frictionlessForbiddenBy = frictionlessForbiddenBy;
  if (outcome === 'reject') result.reasonCode = decided?.reasonCode ?? DEFAULT_REJECT_REASON;
  return result;
}

function valuesOf(names: readonly SignalName[], signals: Signals): Partial<Record<SignalName, unknown>> {
  const out: Partial<Record<SignalName, unknown>> = {};
  for (const name of names) out[name] = signalValue(signals, name);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Explanations

export type Lang = 'ja' | 'en';

const WORDS: Record<Lang, Record<Decide, string> & { score: string; noRule: string; forbidden: string; notAllowed: string }> = {
  ja: {
    frictionless: '認証画面なし',
    challenge: '認証画面',
    reject: '拒否',
    informational: '情報のみ (I)',
    no_frictionless: '認証画面なしを禁止',
    score: 'スコア',
    noRule: '該当ルールなし',
    forbidden: '認証画面なしは禁止',
    notAllowed: 'このメッセージでは不可',
  },
  en: {
    frictionless: 'frictionless',
    challenge: 'challenge',
    reject: 'reject',
    informational: 'informational (I)',
    no_frictionless: 'no frictionless',
    score: 'score',
    noRule: 'no rule matched',
    forbidden: 'frictionless not allowed',
    notAllowed: 'not allowed for this message',
  },
};

export function ruleName(name: RuleName, lang: Lang): string {
  return typeof name === 'string' ? name : name[lang];
}

/**
 * The assessment in words for the issuer's staff, from the matched rules' names and effects:
 * "新しい端末 +20; 金額 ¥30,000以上 → 認証画面" / "new device for this card +20; amount ≥ ¥30,000 → challenge".
 * When no rule decided, the score and its band close the sentence.
 */
export function explain(result: Assessment, lang: Lang): string {
  const w = WORDS[lang];
  const parts = result.matched.map((m) => {
    const name = ruleName(m.name, lang);
    const e = m.effect;
    if ('score' in e) return `${name} ${e.score >= 0 ? '+' : '−'}${Math.abs(e.score)}`;
    const reason = e.decide === 'reject' ? ` (${e.reasonCode ?? DEFAULT_REJECT_REASON})` : '';
    const note = m.note === 'informational_not_allowed' ? ` (${w.notAllowed})` : '';
    return `${name} → ${w[e.decide]}${reason}${note}`;
  });
  if (parts.length === 0) parts.push(w.noRule);
  if (result.decidedBy === undefined) {
    const reason = result.outcome === 'reject' ? ` (${result.reasonCode})` : '';
    parts.push(`${w.score} ${result.score} → ${w[result.band]}${result.band === 'reject' ? reason : ''}`);
  }
  if (result.frictionlessForbiddenBy !== undefined) parts.push(`${w.forbidden} → ${w[result.outcome]}`);
  return parts.join('; ');
}
