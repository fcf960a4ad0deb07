/**
 * The external fraud-detection provider (issue 16): one HTTP call per AReq, carrying only the
 * fields the issuer chose to share (provider-config.ts: never the card number or the cardholder's
 * contact data), and none at all for a cardholder who opted out of data sharing.
 *
 * The answer's score (0–100) and reasons become the `provider.*` signals. When the provider is
 * slow, down or its breaker is open, the status says so and the rules decide alone (a rule may
 * challenge when the provider is unavailable: never fail open). This function never throws.
 *
 * Logs carry the issuer, the status, the latency and the attempt count only: no secret, no value
 * that was shared, not even the URL (a provider may put a key in it).
 *
 * @example
 *   const answer = await consultProvider(deps, { issuer, signals, areq, acsTransID }, optedOut)
 *   // { status: 'answered', score: 87, reasons: ['R12'], latencyMs: 41 }
 */
import type { AppDeps } from '../deps.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import type { ProviderStatus } from './detail.ts';
import { acquireConsultation, recordConsultationFailure, recordConsultationSuccess } from './provider-breaker.ts';
import { providerConfigOf, SHAREABLE_FIELDS, type ProviderConfig } from './provider-config.ts';
import type { Signals } from './rules/signals.ts';

export interface ProviderFacts {
  issuer: IssuerSettings;
  signals: Signals;
  /** The AReq as received; only allow-listed fields are ever read from it. */
  areq: Record<string, unknown>;
  acsTransID?: string;
}

export interface ProviderAnswer {
  status: ProviderStatus;
  /** 0 (no risk) … 100, when answered. */
  score?: number;
  reasons?: string[];
  latencyMs?: number;
}

type Deps = Pick<AppDeps, 'db' | 'clock' | 'log' | 'fetch' | 'config'>;

/** An answer larger than this is not a score: refused rather than parsed. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_REASONS = 20;
const MAX_REASON_LENGTH = 64;
const reported = new WeakSet<object>();

export async function consultProvider(deps: Deps, facts: ProviderFacts, optedOut: boolean): Promise<ProviderAnswer> {
  const read = providerConfigOf(facts.issuer, deps.config);
  if (!read) return { status: 'not_configured' };
  if (read.ok && !read.config.enabled) return { status: 'not_configured' };
  // Checked before anything else is looked at: nothing about this cardholder leaves the appliance.
  if (optedOut) return { status: 'opted_out' };
  const issuer = facts.issuer.code;
  if (!read.ok) {
    // Settings edited outside the console: say unavailable (rules may challenge), never call with them.
    // Logged once per settings read, not once per AReq.
    if (!reported.has(read)) {
      reported.add(read);
      deps.log.error('risk provider settings are not valid: not consulted', { issuer, problems: read.errors.map((e) => `${e.path}: ${e.message}`) });
    }
    return { status: 'unavailable' };
  }
  const config = read.config;
  try {
    let headerValue: string | undefined;
    if (config.secretEnv) {
      headerValue = deps.config.RISK_PROVIDER_SECRETS[config.secretEnv];
      if (headerValue === undefined) {
        deps.log.error('risk provider credential missing from RISK_PROVIDER_SECRETS: not consulted', { issuer, secretEnv: config.secretEnv });
        return { status: 'unavailable' };
      }
    }
    const leaseMs = config.timeoutMs * (config.retries + 1);
    const slot = await acquireConsultation(deps, facts.issuer.id, leaseMs);
    if (!slot.ok) return { status: 'breaker_open' };

    const started = deps.clock.now();
    const body = JSON.stringify(sharedFields(config, facts));
    let outcome: Attempt = { status: 'unavailable', error: 'not_sent' };
    let attempts = 0;
    // Retries are off by default: each one makes the AReq wait again.
    while (attempts <= config.retries) {
      attempts += 1;
      outcome = await attempt(deps, config, body, headerValue);
      if (outcome.status === 'answered') break;
    }
    const latencyMs = deps.clock.now() - started;
    await settleBreaker(deps, facts.issuer.id, slot.probe, outcome);
    const fields = { issuer, status: outcome.status, latencyMs, attempts };
    if (outcome.status === 'answered') {
      deps.log.info('risk provider answered', fields);
      return { status: 'answered', score: outcome.score, reasons: outcome.reasons, latencyMs };
    }
    deps.log.warn('risk provider did not answer: the rules decide alone', { ...fields, error: outcome.error });
    return { status: outcome.status, latencyMs };
  } catch (error) {
    deps.log.error('risk provider consultation failed: the rules decide alone', { issuer, error: error instanceof Error ? error.name : 'error' });
    return { status: 'unavailable' };
  }
}

/**
 * What is sent: exactly the configured fields that have a value in this AReq, under their own
 * names (AReq fields as received; signals under their dotted names). The acsTransID is the ACS's.
 */
export function sharedFields(config: Pick<ProviderConfig, 'fields'>, facts: Pick<ProviderFacts, 'signals' | 'areq' | 'acsTransID'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of config.fields) {
    const field = SHAREABLE_FIELDS[name];
    if (!field) continue;
    const value = field.source === 'signal' ? (facts.signals as Record<string, unknown>)[name] : name === 'acsTransID' ? (facts.acsTransID ?? facts.areq.acsTransID) : facts.areq[name];
    if (isPlain(value)) out[name] = value;
  }
  return out;
}

/** Scalars and lists of strings only: a nested object in an AReq field is never forwarded whole. */
function isPlain(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

type Attempt = { status: 'answered'; score: number; reasons: string[] } | { status: 'timeout' | 'unavailable'; error: string };

async function attempt(deps: Deps, config: ProviderConfig, body: string, headerValue: string | undefined): Promise<Attempt> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (headerValue !== undefined) headers[config.authHeader] = headerValue;
  try {
    // One signal for the request and the body: a provider that starts answering and stalls times out too.
    // A redirect is not followed (the shared fields would go wherever it points); it counts as a failure.
    // ('manual', not 'error': Workers' fetch knows only follow and manual.)
    const response = await deps.fetch(config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(config.timeoutMs), redirect: 'manual' });
    const text = await response.text();
    if (!response.ok) return { status: 'unavailable', error: `http_${response.status}` };
    if (text.length > MAX_ANSWER_BYTES) return { status: 'unavailable', error: 'answer_too_large' };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status: 'unavailable', error: 'answer_not_json' };
    }
    const score = scoreOf(at(json, config.scorePath));
    if (score === null) return { status: 'unavailable', error: 'no_score' };
    return { status: 'answered', score, reasons: config.reasonsPath ? reasonsOf(at(json, config.reasonsPath)) : [] };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') return { status: 'timeout', error: 'timeout' };
    return { status: 'unavailable', error: 'network' };
  }
}

async function settleBreaker(deps: Deps, issuerId: number, probe: boolean, outcome: Attempt): Promise<void> {
  // The answer is already in hand: a breaker write that fails must not lose it.
  try {
    if (outcome.status === 'answered') await recordConsultationSuccess(deps, issuerId, probe);
    else await recordConsultationFailure(deps, issuerId, probe, outcome.error);
  } catch (error) {
    deps.log.warn('risk provider breaker not updated', { issuerId, error: error instanceof Error ? error.name : 'error' });
  }
}

/** The value at a dotted path ("result.score", "items.0.code"), or undefined. */
function at(json: unknown, path: string): unknown {
  let node = json;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A number 0–100 (a numeric string too, as some providers send); anything else is no score. */
function scoreOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

function reasonsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map((v) => String(v).slice(0, MAX_REASON_LENGTH))
    .slice(0, MAX_REASONS);
}
