/** The risk engine's pure core: conditions (validation, three-valued logic), rule walking, bands, explanations. */
import { describe, expect, it } from 'vitest';
import { conditionSchema, evaluate, LIMITS, type Condition } from '../../src/risk/rules/conditions.ts';
import { assess, compileRuleSet, explain, RuleSetInvalid, validateRuleSet, type Rule, type RuleSet } from '../../src/risk/rules/rule-set.ts';
import type { Signals } from '../../src/risk/rules/signals.ts';
import { amountThreshold, newDevice } from '../../src/risk/rules/templates.ts';

const issuesOf = (json: unknown) => {
  const r = validateRuleSet(json);
  if (r.ok) throw new Error('expected the rule set to be refused');
  return r.issues;
};
const set = (rules: unknown[], extra: Record<string, unknown> = {}) => ({ version: 1, rules, ...extra });
const r = (id: string, when: unknown, then: unknown, more: Record<string, unknown> = {}) => ({ id, name: id, when, then, ...more });
const always: Condition = { signal: 'device.channel', op: 'exists' };

describe('condition validation', () => {
  it('refuses a number operator on a string signal, naming the path and the operators that fit', () => {
    const issues = issuesOf(set([r('a', { all: [always, { signal: 'purchase.currency', op: 'gte', value: 100 }] }, { score: 1 })]));
    expect(issues).toEqual([
      { path: 'rules.0.when.all.1.op', message: '"gte" does not apply to purchase.currency, a string signal (use eq, ne, in, not_in, exists)' },
    ]);
  });

  it('refuses unknown signals, wrong value types, bad lists and ranges, closed code lists, and contains on a non-list', () => {
    const issues = issuesOf(
      set([
        r('a', { signal: 'device.newDevic', op: 'eq', value: true }, { score: 1 }),
        r('b', { signal: 'device.newDevice', op: 'eq', value: 'yes' }, { score: 1 }),
        r('c', { signal: 'purchase.amountHome', op: 'in', value: [] }, { score: 1 }),
        r('d', { signal: 'purchase.amountHome', op: 'between', value: [10, 1] }, { score: 1 }),
        r('e', { not: { signal: 'device.channel', op: 'eq', value: 'browser' } }, { score: 1 }),
        r('f', { signal: 'purchase.merchantName', op: 'contains', value: 'x' }, { score: 1 }),
        r('g', { signal: 'provider.reasons', op: 'contains', value: 7 }, { score: 1 }),
        r('h', { signal: 'purchase.mcc', op: 'in', value: ['5999', 5411] }, { score: 1 }),
      ]),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath)).toEqual([
      'rules.0.when.signal',
      'rules.1.when.value',
      'rules.2.when.value',
      'rules.3.when.value',
      'rules.4.when.not.value',
      'rules.5.when.op',
      'rules.6.when.value',
      'rules.7.when.value.1',
    ]);
    expect(byPath['rules.0.when.signal']).toBe('unknown signal "device.newDevic"');
    expect(byPath['rules.1.when.value']).toMatch(/^device\.newDevice eq: value is a boolean/);
    expect(byPath['rules.3.when.value']).toMatch(/lo ≤ hi/);
    expect(byPath['rules.4.when.not.value']).toMatch(/device\.channel is one of 01, 02, 03/);
    expect(byPath['rules.5.when.op']).toMatch(/a string signal \(use eq, ne, in, not_in, exists\)/);
  });

  it('refuses malformed nodes: mixed keys, empty groups, unknown operators, extra keys', () => {
    const issues = issuesOf(
      set([
        r('a', { all: [always], any: [always] }, { score: 1 }),
        r('b', { any: [] }, { score: 1 }),
        r('c', { signal: 'history.auths1h', op: 'matches', value: 1 }, { score: 1 }),
        r('d', { signal: 'history.auths1h', op: 'gt', value: 1, code: 'x' }, { score: 1 }),
        r('e', 'history.auths1h > 3', { score: 1 }),
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual(['rules.0.when', 'rules.1.when.any', 'rules.2.when.op', 'rules.3.when', 'rules.4.when']);
  });

  it(`limits depth to ${LIMITS.depth} and size to ${LIMITS.nodes} nodes, without recursing into a hostile tree`, () => {
    const nest = (levels: number): unknown => {
      let node: unknown = always;
      for (let i = 1; i < levels; i++) node = { not: node };
      return node;
    };
    expect(conditionSchema.safeParse(nest(LIMITS.depth)).success).toBe(true);
    const deep = conditionSchema.safeParse(nest(LIMITS.depth + 1));
    expect(deep.success).toBe(false);
    expect(deep.error!.issues[0].message).toMatch(/at most 6 levels/);
    expect(conditionSchema.safeParse(nest(200_000)).success).toBe(false); // would overflow the stack if walked

    const wide = (n: number) => ({ any: Array.from({ length: n }, () => always) });
    expect(conditionSchema.safeParse(wide(LIMITS.nodes - 1)).success).toBe(true);
    const big = conditionSchema.safeParse(wide(LIMITS.nodes));
    expect(big.success).toBe(false);
    expect(big.error!.issues).toHaveLength(1);
    expect(big.error!.issues[0]).toMatchObject({ path: ['any', LIMITS.nodes - 1], message: 'a condition may have at most 50 nodes' });
  });

  it('refuses bad effects, reason codes, bands and duplicate ids; accepts JSON text', () => {
    const issues = issuesOf(
      set(
        [
          r('a', always, { score: 101 }),
          r('b', always, { decide: 'challenge', reasonCode: '11' }),
          r('c', always, { decide: 'reject', reasonCode: '10' }), // stolen is decide.ts's, not a rule's
          r('c', always, { decide: 'approve' }),
        ],
        { bands: { challengeFrom: 80, rejectFrom: 40 } },
      ),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['bands.rejectFrom', 'rules.0.then.score', 'rules.1.then.reasonCode', 'rules.2.then.reasonCode', 'rules.3.id', 'rules.3.then.decide'].sort());
    expect(validateRuleSet('{"version":1,')).toEqual({ ok: false, issues: [{ path: '', message: 'not valid JSON' }] });
    expect(validateRuleSet(JSON.stringify(set([r('a', always, { score: 5 })])))).toMatchObject({ ok: true, ruleSet: { bands: { challengeFrom: 30, rejectFrom: 70 } } });
    expect(() => compileRuleSet(set([r('a', always, { score: 500 })]))).toThrow(RuleSetInvalid);
    expect(() => compileRuleSet(set([r('a', always, { score: 500 })]))).toThrow(/rules\.0\.then\.score/);
  });
});

describe('three-valued evaluation', () => {
  const T: Condition = { signal: 'device.newDevice', op: 'eq', value: true };
  const F: Condition = { signal: 'device.newDevice', op: 'eq', value: false };
  const U: Condition = { signal: 'history.auths1h', op: 'gt', value: 3 };
  const signals: Signals = { 'device.newDevice': true, 'history.auths1h': null };

  it('makes a comparison on an unknown signal unknown, and records which signal it was', () => {
    const unknown = new Set<string>();
    expect(evaluate(U, signals, unknown as Set<never>)).toBe('unknown');
    expect([...unknown]).toEqual(['history.auths1h']);
    expect(evaluate({ signal: 'history.auths1h', op: 'ne', value: 3 }, {})).toBe('unknown'); // absent is unknown too, not "not 3"
    expect(evaluate({ not: U }, signals)).toBe('unknown');
  });

  it('follows Kleene logic in all / any', () => {
    expect(evaluate({ all: [T, U] }, signals)).toBe('unknown');
    expect(evaluate({ all: [U, F] }, signals)).toBe(false);
    expect(evaluate({ any: [U, F] }, signals)).toBe('unknown');
    expect(evaluate({ any: [U, T] }, signals)).toBe(true);
    expect(evaluate({ not: { any: [F, F] } }, signals)).toBe(true);
  });

  it('treats exists as never unknown, and a value of the wrong type as unknown', () => {
    expect(evaluate({ signal: 'history.auths1h', op: 'exists' }, signals)).toBe(false);
    expect(evaluate({ signal: 'history.auths1h', op: 'exists', value: false }, signals)).toBe(true);
    expect(evaluate(U, { 'history.auths1h': '9' as never })).toBe('unknown');
    expect(evaluate(U, { 'history.auths1h': Number.NaN })).toBe('unknown');
  });

  it('compares lists, ranges (inclusive) and contains', () => {
    const s: Signals = { 'purchase.amountHome': 100, 'purchase.mcc': '5999', 'provider.reasons': ['R1', 'R7'] };
    expect(evaluate({ signal: 'purchase.amountHome', op: 'between', value: [100, 200] }, s)).toBe(true);
    expect(evaluate({ signal: 'purchase.amountHome', op: 'between', value: [0, 99] }, s)).toBe(false);
    expect(evaluate({ signal: 'purchase.mcc', op: 'in', value: ['5411', '5999'] }, s)).toBe(true);
    expect(evaluate({ signal: 'purchase.mcc', op: 'not_in', value: ['5411', '5999'] }, s)).toBe(false);
    expect(evaluate({ signal: 'provider.reasons', op: 'contains', value: 'R7' }, s)).toBe(true);
    expect(evaluate({ signal: 'purchase.amountHome', op: 'lte', value: 100 }, s)).toBe(true);
    expect(evaluate({ signal: 'purchase.amountHome', op: 'lt', value: 100 }, s)).toBe(false);
  });
});

describe('assess', () => {
  const score = (id: string, signal: 'device.newDevice' | 'device.newIpPrefix' | 'device.tzMismatch', n: number): Rule => ({
    id,
    name: id,
    enabled: true,
    when: { signal, op: 'eq', value: true },
    then: { score: n },
  });
  const decide = (id: string, when: Condition, d: string, reasonCode?: string): Rule =>
    ({ id, name: id, enabled: true, when, then: reasonCode ? { decide: d, reasonCode } : { decide: d } }) as Rule;
  const all: Signals = { 'device.newDevice': true, 'device.newIpPrefix': true, 'device.tzMismatch': true };
  const compile = (rules: Rule[], bands?: RuleSet['bands']) => compileRuleSet({ version: 3, rules, ...(bands ? { bands } : {}) });

  it('adds scores and maps the total to a band: below 30 frictionless, 30–69 challenge, from 70 reject (reason 11)', () => {
    const rules = [score('a', 'device.newDevice', 20), score('b', 'device.newIpPrefix', 10), score('c', 'device.tzMismatch', 40)];
    expect(assess(compile(rules), { 'device.newDevice': true })).toMatchObject({ outcome: 'frictionless', score: 20, band: 'frictionless', version: 3 });
    expect(assess(compile(rules), { 'device.newDevice': true, 'device.newIpPrefix': true })).toMatchObject({ outcome: 'challenge', score: 30 });
    const high = assess(compile(rules), all);
    expect(high).toMatchObject({ outcome: 'reject', score: 70, band: 'reject', reasonCode: '11' });
    expect(high.decidedBy).toBeUndefined();
    expect(high.matched.map((m) => m.ruleId)).toEqual(['a', 'b', 'c']);
    expect(assess(compile(rules, { challengeFrom: 10, rejectFrom: 101 }), all)).toMatchObject({ outcome: 'challenge', score: 70 });
  });

  it('clamps the total to 0…100', () => {
    const rules = [score('a', 'device.newDevice', 100), score('b', 'device.newIpPrefix', 100), score('c', 'device.tzMismatch', -100)];
    expect(assess(compile(rules.slice(0, 2)), all)).toMatchObject({ score: 100, outcome: 'reject' });
    expect(assess(compile([rules[2]]), all)).toMatchObject({ score: 0, outcome: 'frictionless' });
    expect(assess(compile(rules), all)).toMatchObject({ score: 100 }); // 200 - 100 would be 100 unclamped too; order-free sum
  });

  it('ends the walk at the first matching decision; later rules are not evaluated', () => {
    const rules = [
      score('a', 'device.newDevice', 20),
      decide('allow', { signal: 'device.newIpPrefix', op: 'eq', value: true }, 'frictionless'),
      decide('deny', always, 'reject', '12'),
      score('late', 'device.tzMismatch', 90),
    ];
    const result = assess(compile(rules), all);
    expect(result).toMatchObject({ outcome: 'frictionless', decidedBy: 'allow', score: 20 });
    expect(result.matched.map((m) => m.ruleId)).toEqual(['a', 'allow']);
    const denied = assess(compile(rules), { 'device.channel': '02' });
    expect(denied).toMatchObject({ outcome: 'reject', decidedBy: 'deny', reasonCode: '12' });
  });

  it('skips disabled rules and records undecided rules with the unknown signals', () => {
    const rules = [{ ...score('off', 'device.newDevice', 90), enabled: false }, score('u', 'device.newIpPrefix', 50)];
    const result = assess(compile(rules), { 'device.newDevice': true });
    expect(result).toMatchObject({ outcome: 'frictionless', score: 0, undecidedRules: ['u'], unknownSignals: ['device.newIpPrefix'] });
  });

  it('lets no_frictionless forbid Y and go on: challenge, or I where the message allows it', () => {
    const rules = [decide('data-only', { signal: 'purchase.challengeInd', op: 'eq', value: '06' }, 'no_frictionless'), score('a', 'device.newDevice', 10)];
    const s: Signals = { 'purchase.challengeInd': '06', 'device.newDevice': true };
    expect(assess(compile(rules), s)).toMatchObject({ outcome: 'challenge', score: 10, band: 'frictionless', frictionlessForbiddenBy: 'data-only' });
    expect(assess(compile(rules), s, { informationalAllowed: true })).toMatchObject({ outcome: 'informational' });
    // A later frictionless decision is overruled too; a reject is not.
    const withAllow = [...rules, decide('allow', always, 'frictionless')];
    expect(assess(compile(withAllow), { ...s, 'device.channel': '02' })).toMatchObject({ outcome: 'challenge', decidedBy: 'allow', frictionlessForbiddenBy: 'data-only' });
    const withDeny = [...rules, decide('deny', always, 'reject')];
    expect(assess(compile(withDeny), { ...s, 'device.channel': '02' })).toMatchObject({ outcome: 'reject', reasonCode: '11' });
  });

  it('decides informational only when the message allows it', () => {
    const rules = [decide('info', always, 'informational'), score('a', 'device.newDevice', 40)];
    const s: Signals = { 'device.channel': '02', 'device.newDevice': true };
    expect(assess(compile(rules), s, { informationalAllowed: true })).toMatchObject({ outcome: 'informational', decidedBy: 'info', score: 0 });
    const refused = assess(compile(rules), s);
    expect(refused).toMatchObject({ outcome: 'challenge', score: 40 });
    expect(refused.decidedBy).toBeUndefined();
    expect(refused.matched[0].note).toBe('informational_not_allowed');
  });

  it('records the signals each matched rule used, with their values', () => {
    const rules = [newDevice(), amountThreshold({ amount: 30_000 })];
    const result = assess(compile(rules), { 'device.newDevice': true, 'purchase.amountHome': 42_000, 'history.auths1h': 1 });
    expect(result.matched.map((m) => m.signals)).toEqual([{ 'device.newDevice': true }, { 'purchase.amountHome': 42_000 }]);
  });
});

describe('explain', () => {
  const compiled = compileRuleSet({ version: 1, rules: [newDevice(), amountThreshold({ amount: 30_000 })] });

  it('reads the matched rules in words, in Japanese and English', () => {
    const result = assess(compiled, { 'device.newDevice': true, 'purchase.amountHome': 30_000 });
    expect(explain(result, 'ja')).toBe('新しい端末 +20; 金額 ¥30,000以上 → 認証画面');
    expect(explain(result, 'en')).toBe('new device for this card +20; amount ≥ ¥30,000 → challenge');
  });

  it('closes with the score and band when no rule decided, and says when nothing matched', () => {
    expect(explain(assess(compiled, { 'device.newDevice': true, 'purchase.amountHome': 100 }), 'en')).toBe('new device for this card +20; score 20 → frictionless');
    expect(explain(assess(compiled, {}), 'ja')).toBe('該当ルールなし; スコア 0 → 認証画面なし');
    const minus = compileRuleSet({ version: 1, rules: [{ id: 'm', name: { ja: '許可加盟店', en: 'allowed merchant' }, when: { signal: 'purchase.acquirerMerchantId', op: 'in', value: ['M1'] }, then: { score: -30 } }] });
    expect(explain(assess(minus, { 'purchase.acquirerMerchantId': 'M1' }), 'ja')).toBe('許可加盟店 −30; スコア 0 → 認証画面なし');
  });

  it('names the reject reason and a forbidden frictionless outcome', () => {
    const set2 = compileRuleSet({
      version: 1,
      rules: [
        { id: 'd', name: { ja: 'データのみ', en: 'data only' }, when: { signal: 'purchase.challengeInd', op: 'eq', value: '06' }, then: { decide: 'no_frictionless' } },
        { id: 'x', name: { ja: '拒否リスト', en: 'deny list' }, when: { signal: 'purchase.mcc', op: 'eq', value: '7995' }, then: { decide: 'reject', reasonCode: '12' } },
      ],
    });
    expect(explain(assess(set2, { 'purchase.mcc': '7995' }), 'en')).toBe('deny list → reject (12)');
    expect(explain(assess(set2, { 'purchase.challengeInd': '06' }), 'en')).toBe('data only → no frictionless; score 0 → frictionless; frictionless not allowed → challenge');
    expect(explain(assess(set2, { 'purchase.challengeInd': '06' }, { informationalAllowed: true }), 'ja')).toBe(
      'データのみ → 認証画面なしを禁止; スコア 0 → 認証画面なし; 認証画面なしは禁止 → 情報のみ (I)',
    );
  });
});
