/**
 * The risk engine on the AReq: the issuer's newest published rule set (compiled once per version,
 * kept per process for a few seconds like the issuer settings), the external provider's answer as
 * signals, and the assessment mapped to the ACS's RiskAssessment with its RiskDetail (what the
 * transaction stores: signals, matched rules, score, band, explanation ja/en, provider status).
 *
 * No published set: the defaults (templates.ts defaultRuleSet of the issuer's thresholds and
 * velocity limit) decide as version 0, exactly as simple-rules.ts did.
 *
 * It is the default `deps.risk` (src/entry/assemble.ts); a test may still inject its own provider.
 * Signals are computed by the caller (signals-from-areq.ts); without them (an old caller) the
 * engine falls back to what RiskInput carries (rules/risk-input.ts).
 */
import type { Database } from '../db/client.ts';
import type { AppDeps } from '../deps.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import type { RiskDetail, ProviderStatus } from './detail.ts';
import { consultProvider, type ProviderAnswer } from './fraud-provider.ts';
import type { RiskAssessment, RiskInput, RiskProvider } from './provider.ts';
import { latestPublished } from './rule-set-store.ts';
import { signalsFromRiskInput } from './rules/risk-input.ts';
import { assess, compileRuleSet, explain, type Assessment, type CompiledRuleSet } from './rules/rule-set.ts';
import type { Signals } from './rules/signals.ts';
import { defaultRuleSet } from './rules/templates.ts';

export type EngineDeps = Pick<AppDeps, 'db' | 'clock' | 'log' | 'fetch' | 'config'>;

// Rule sets change rarely (a publish or rollback in the console, which calls forgetRuleSets in its
// process); every AReq reads them. Other processes see a new version within CACHE_MS.
const CACHE_MS = 5_000;
const current = new WeakMap<Database, Map<number, { at: number; set: Promise<CompiledRuleSet> }>>();
/** Compiled sets by "issuer:version" (published) or "default:…" (the issuer's thresholds): compiled once. */
const compiled = new WeakMap<Database, Map<string, CompiledRuleSet>>();

/** The rule set that decides the issuer's AReqs now: its newest published version, else the defaults (version 0). */
export function currentRuleSet(deps: Pick<AppDeps, 'db' | 'clock'>, issuer: Pick<IssuerSettings, 'id' | 'challengeThresholds' | 'velocityLimitPerHour'>): Promise<CompiledRuleSet> {
  const now = deps.clock.now();
  let byIssuer = current.get(deps.db);
  if (!byIssuer) current.set(deps.db, (byIssuer = new Map()));
  const hit = byIssuer.get(issuer.id);
  if (hit && now - hit.at < CACHE_MS && now >= hit.at) return hit.set;
  const set = load(deps.db, issuer);
  byIssuer.set(issuer.id, { at: now, set });
  set.catch(() => byIssuer.delete(issuer.id));
  return set;
}

async function load(db: Database, issuer: Pick<IssuerSettings, 'id' | 'challengeThresholds' | 'velocityLimitPerHour'>): Promise<CompiledRuleSet> {
  let sets = compiled.get(db);
  if (!sets) compiled.set(db, (sets = new Map()));
  const row = await latestPublished(db, issuer.id);
  // The defaults follow the issuer's settings, which may change: keyed by them.
  const key = row ? `${issuer.id}:${row.version}` : `default:${issuer.id}:${JSON.stringify([issuer.challengeThresholds, issuer.velocityLimitPerHour])}`;
  const known = sets.get(key);
  if (known) return known;
  // An invalid stored set throws (RuleSetInvalid): the AReq is then challenged, never waved through.
  const made = row ? compileRuleSet({ ...row.ruleSet, version: row.version }) : compileRuleSet(defaultRuleSet(issuer.challengeThresholds, issuer.velocityLimitPerHour));
  if (sets.size > 1000) sets.clear();
  sets.set(key, made);
  return made;
}

/** After a publish or a rollback (risk console): the next AReq reads the newest version at once. */
export function forgetRuleSets(db: Database): void {
  current.delete(db);
}

/**
 * transStatus I only where the message allows it (kept simple): 2.2.0 or later, and the requestor
 * said it wants no challenge because it did its own analysis (05), only shares data (06) or
 * already authenticated the cardholder (07).
 */
export function informationalAllowed(messageVersion: string, challengeInd: string | undefined): boolean {
  return messageVersion >= '2.2.0' && (challengeInd === '05' || challengeInd === '06' || challengeInd === '07');
}

/** How the provider's answer reads as signals: unavailable is false only when it was asked and failed. */
export function providerSignals(answer: ProviderAnswer): Signals {
  const failed: ProviderStatus[] = ['unavailable', 'timeout', 'breaker_open'];
  return {
    'provider.available': answer.status === 'answered' ? true : failed.includes(answer.status) ? false : null,
    'provider.score': answer.status === 'answered' && typeof answer.score === 'number' ? answer.score : null,
    'provider.reasons': answer.status === 'answered' && answer.reasons ? answer.reasons : null,
  };
}

/** What the transaction keeps of a decision (transactions.risk_detail). */
export function detailFor(result: Assessment, signals: Signals, provider: ProviderAnswer): RiskDetail {
  const { outcome, score, band, matched, decidedBy, reasonCode, unknownSignals } = result;
  const assessment: RiskDetail['assessment'] = { outcome, score, band, matched, unknownSignals };
  if (decidedBy !== undefined) assessment.decidedBy = decidedBy;
  if (reasonCode !== undefined) assessment.reasonCode = reasonCode;
  const answer: RiskDetail['provider'] = { status: provider.status };
  if (provider.score !== undefined) answer.score = provider.score;
  if (provider.reasons !== undefined) answer.reasons = provider.reasons;
  if (provider.latencyMs !== undefined) answer.latencyMs = provider.latencyMs;
  // Unknown signals are left out (absent reads as unknown, as null does): a smaller row on the hot path.
  const known = Object.fromEntries(Object.entries(signals).filter(([, v]) => v !== null && v !== undefined)) as Signals;
  return { version: result.version, signals: known, assessment, explanation: { ja: explain(result, 'ja'), en: explain(result, 'en') }, provider: answer };
}

/** The rule engine as the ACS's RiskProvider. */
export function engineRiskProvider(deps: EngineDeps): RiskProvider {
  return {
    name: 'rule-engine',
    assess: async (input) => assessWithEngine(deps, input),
  };
}

async function assessWithEngine(deps: EngineDeps, input: RiskInput): Promise<RiskAssessment> {
  const facts = input.facts;
  const signals: Signals = { ...(input.signals ?? signalsFromRiskInput(input)) };
  const answer: ProviderAnswer = facts
    ? await consultProvider(deps, { issuer: facts.issuer, signals, areq: facts.areq, acsTransID: facts.acsTransID }, facts.optedOut)
    : { status: 'not_configured' };
  Object.assign(signals, providerSignals(answer));

  const issuer = facts?.issuer ?? { id: 0, ...input.issuer };
  const ruleSet = await currentRuleSet(deps, issuer);
  const result = assess(ruleSet, signals, { informationalAllowed: facts ? informationalAllowed(facts.messageVersion, input.threeDSRequestorChallengeInd) : false });
  const detail = detailFor(result, signals, answer);
  const ind = input.threeDSRequestorChallengeInd;
  return {
    decision: result.outcome,
    score: result.score,
    // The trail's lines: the English explanation, one part per line.
    reasons: detail.explanation.en.split('; '),
    reasonCode: result.reasonCode,
    exemptionRequested: result.outcome === 'frictionless' && (ind === '02' || ind === '05' || ind === '06' || ind === '07'),
    detail,
  };
}
