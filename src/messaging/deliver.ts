/**
 * One SMS through the configured gateway, the way a waiting cardholder needs it: every attempt
 * bounded by `SMS_TIMEOUT_MS` (the adapter's own timeout) and all of them together by
 * `SMS_SEND_BUDGET_MS`; transient failures retried up to `SMS_RETRIES` times with a short doubling
 * back-off (`SMS_RETRY_BACKOFF_MS`); every attempt and its provider status in `outbound_log`;
 * every result reported to the circuit breaker. A breaker probe gets one attempt.
 *
 * Nothing here logs the message text, the code or the full number: provider errors are scrubbed
 * of all three before they are logged or stored.
 */
import { outboundLog } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { transactionStatStatement } from '../insight/stats.ts';
import { recordFailure, recordSuccess } from './breaker.ts';
import { maskPhone } from './phone-mask.ts';
import { BUDGET_SPENT, scrub } from './provider-http.ts';
import type { SmsGateway, SmsMessage, SmsResult } from './sms-gateway.ts';

/** What delivery uses: the gateway, the database for the log and the breaker, the clock, the limits, the log. */
export type DeliveryDeps = Pick<AppDeps, 'sms' | 'db' | 'clock' | 'config' | 'log'>;

export type DeliveryResult = { kind: 'sent'; providerMessageId: string; attempts: number } | { kind: 'failed'; attempts: number; error: string };

export async function deliverSms(deps: DeliveryDeps, message: SmsMessage, options: { probe: boolean }): Promise<DeliveryResult> {
  const { config } = deps;
  const budgetMs = config.SMS_SEND_BUDGET_MS;
  const budget = AbortSignal.timeout(budgetMs);
  const maxAttempts = options.probe ? 1 : 1 + config.SMS_RETRIES;
  const provider = deps.sms.name;
  const base = { acsTransID: message.acsTransID, provider, to: maskPhone(message.to) };

  for (let attempt = 1; ; attempt++) {
    const raw = await attemptSend(deps.sms, message, budget);
    const result: SmsResult = raw.ok ? raw : { ...raw, error: scrub(raw.error, [message.otpCode, message.body], message.to) };
    await recordAttempt(deps, message, result.ok ? 'sent' : 'failed', result.ok ? `attempt ${attempt}: ${result.providerMessageId}` : `attempt ${attempt} (${result.transient ? 'transient' : 'permanent'}): ${result.error}`);

    if (result.ok) {
      await recordSuccess(deps, options.probe);
      deps.log.info('sms sent', { ...base, attempt, providerMessageId: result.providerMessageId });
      return { kind: 'sent', providerMessageId: result.providerMessageId, attempts: attempt };
    }
    const opened = await recordFailure(deps, options.probe, result.error);
    const last = !result.transient || opened || attempt >= maxAttempts || budget.aborted;
    deps.log.warn('sms attempt failed', { ...base, attempt, transient: result.transient, error: result.error, retrying: !last });
    if (last || !(await pause(config.SMS_RETRY_BACKOFF_MS * 2 ** (attempt - 1), budget))) {
      return { kind: 'failed', attempts: attempt, error: result.error };
    }
  }
}

/** Records a send that never reached the provider (refused by the policy or the breaker). */
export function recordRefusal(deps: Pick<AppDeps, 'sms' | 'db' | 'clock'>, message: Pick<SmsMessage, 'to' | 'acsTransID' | 'issuerId' | 'purpose' | 'memberId'>, reason: string, detail: string) {
  return recordAttempt(deps, message, 'failed', `refused (${reason}): ${detail}`, 'policy');
}

/**
 * Every attempt in the outbound log, counted with it in one batch (stats 'sms': sent, failed, or
 * refused by the policy or the breaker), for the message's issuer, else its transaction's (issuer 0 without either).
 */
async function recordAttempt(deps: Pick<AppDeps, 'sms' | 'db' | 'clock'>, message: Pick<SmsMessage, 'to' | 'acsTransID' | 'issuerId' | 'purpose' | 'memberId'>, status: 'sent' | 'failed', detail: string, provider = deps.sms.name) {
  const now = deps.clock.now();
  await deps.db.batch([
    deps.db.insert(outboundLog).values({
      channel: 'sms',
      acsTransID: message.acsTransID ?? null,
      purpose: message.purpose ?? null,
      memberId: message.memberId ?? null,
      recipient: maskPhone(message.to),
      provider,
      status,
      detail: detail.slice(0, 500),
      createdAt: now,
    }),
    transactionStatStatement(deps.db, message.acsTransID, { issuerId: message.issuerId, at: now, metric: 'sms', label: provider === 'policy' ? 'refused' : status }),
  ]);
}

/**
 * One call of the adapter, never longer than what is left of the budget (even if an adapter
 * ignored the signal), and never a throw.
 */
async function attemptSend(gateway: SmsGateway, message: SmsMessage, budget: AbortSignal): Promise<SmsResult> {
  const spent: SmsResult = { ok: false, error: BUDGET_SPENT, transient: true };
  if (budget.aborted) return spent;
  let onAbort = () => {};
  const guard = new Promise<SmsResult>((resolve) => {
    onAbort = () => resolve(spent);
    budget.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const call = gateway.send(message, { signal: budget }).catch((error: unknown): SmsResult => ({ ok: false, error: `adapter error: ${error instanceof Error ? error.message : String(error)}`, transient: true }));
    return await Promise.race([call, guard]);
  } finally {
    budget.removeEventListener('abort', onAbort);
  }
}

/** Waits before a retry; false when the budget ran out first. */
function pause(ms: number, budget: AbortSignal): Promise<boolean> {
  if (budget.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      budget.removeEventListener('abort', stop);
      resolve(ok);
    };
    const stop = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    budget.addEventListener('abort', stop, { once: true });
  });
}
