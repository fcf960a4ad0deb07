/**
 * `npm run bench -- --rules N`: publishes an N-rule set for the bench cards' issuer before the
 * scenarios, so the frictionless AReq is measured with a realistic published rule set instead of
 * the engine's defaults (issue 16: within 10 % of the defaults' throughput).
 *
 * The rules are the templates an issuer would use (amount thresholds, merchant and country lists,
 * velocity, new device, phone change, PSD2 low-value limits, 3RI and data-only handling, provider
 * rules), read every signal group, and are set so that the bench's purchases (¥1,200 frictionless,
 * ¥50,000 challenged) keep their outcomes: the cost of walking them is what is measured.
 */
import { createClient } from '@libsql/client';
import type { Rule } from '../src/risk/rules/rule-set.ts';
import * as t from '../src/risk/rules/templates.ts';

/** The bench's rules, n of them (defaults first, then templates, then padding watch lists). */
export function benchRules(n: number, thresholds: Record<string, number>, velocityLimit: number): Rule[] {
  const defaults = t.defaultRuleSet(thresholds, velocityLimit).rules;
  const more: Rule[] = [
    t.merchantDenyList({ merchantIds: ['DENY-0001', 'DENY-0002'] }),
    t.merchantAllowList({ merchantIds: ['ALLOW-0001'] }),
    t.merchantWatchList({ merchantIds: ['WATCH-0001', 'WATCH-0002', 'WATCH-0003'] }),
    t.countryWatchList({ countries: ['408', '364'] }),
    t.newDevice(),
    t.recentPhoneChange(),
    t.maxConsecutiveFrictionless({ max: 1_000_000 }),
    t.cumulativeFrictionlessSpend({ amount: 1_000_000_000 }),
    t.threeRIHandling({ allowed: ['01', '02', '03', '04', '05'] }),
    t.dataOnly(),
    t.providerUnavailable(),
    t.providerScore(),
    {
      id: 'many-merchants',
      name: { ja: '24 時間に加盟店 20 件超', en: 'more than 20 merchants in 24 h' },
      enabled: true,
      when: { all: [{ signal: 'history.merchants24h', op: 'gt', value: 20 }, { any: [{ signal: 'device.tzMismatch', op: 'eq', value: true }, { signal: 'history.failedChallenges24h', op: 'gte', value: 3 }] }] },
      then: { score: 30 },
    },
    {
      id: 'not-me',
      name: { ja: '「身に覚えがない」報告あり', en: '"not me" reported' },
      enabled: true,
      when: { any: [{ signal: 'history.notMe90d', op: 'gt', value: 0 }, { signal: 'history.lockouts30d', op: 'gt', value: 0 }] },
      then: { score: 20 },
    },
  ];
  const rules = [...defaults, ...more];
  for (let i = 0; rules.length < n; i++) rules.push(t.merchantWatchList({ id: `watch-${i}`, merchantIds: [`PAD-${i}-A`, `PAD-${i}-B`] }));
  return rules.slice(0, n);
}

/** Publishes version 1 with `n` rules for every issuer that owns a BIN range (the bench's ranges are the demo issuer's). */
export async function publishBenchRules(databaseFile: string, n: number): Promise<number> {
  const client = createClient({ url: `file:${databaseFile}` });
  try {
    await client.execute('PRAGMA busy_timeout = 10000');
    const issuers = await client.execute(
      'SELECT id, challenge_thresholds AS thresholds, velocity_limit_per_hour AS velocity FROM issuers WHERE id IN (SELECT coalesce(issuer_id, (SELECT min(id) FROM issuers)) FROM bin_ranges)',
    );
    const now = Date.now();
    for (const row of issuers.rows) {
      const rules = benchRules(n, JSON.parse(String(row.thresholds)), Number(row.velocity));
      const ruleSet = { version: 1, rules, bands: { challengeFrom: 30, rejectFrom: 70 } };
      await client.execute({
        sql: `INSERT INTO risk_rule_sets (issuer_id, version, state, rule_set, note, created_at, updated_at, published_at) VALUES (?, 1, 'published', ?, 'bench', ?, ?, ?)`,
        args: [Number(row.id), JSON.stringify(ruleSet), now, now, now],
      });
    }
    return issuers.rows.length;
  } finally {
    client.close();
  }
}
