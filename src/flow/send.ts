/**
 * A flow's "send a code by SMS" step, the same for a challenge, a registration or a recovery.
 * In order, each step able to stop the send:
 *
 * 1. a send slot is claimed atomically on the flow row (open flow, and the issuer's cooldown and
 *    maximum per flow);
 * 2. the delivery policy (messaging/policy.ts): never a provisional number, only allowed
 *    countries; then the circuit breaker must accept sends; then the per-phone, per-IP and per-BIN
 *    windows are counted (one atomic UPSERT each, keyed by their own subject);
 * 3. the breaker lets this send through (or makes it the probe);
 * 4. a fresh code (living as long as the issuer says) goes out under the issuer's sender ID, with
 *    retries (messaging/deliver.ts), and is stored only once it did.
 *
 * A refusal leaves the earlier code valid and is recorded in the outbound log. Nothing here throws
 * for a provider or policy problem: the result says what happened, for the page to say it.
 */
import type { PhoneStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { acquireSend, breakerView, readBreaker } from '../messaging/breaker.ts';
import { deliverSms, recordRefusal } from '../messaging/deliver.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { checkDestination, countSend, type SmsRefusal } from '../messaging/policy.ts';
import { issueCode } from './codes.ts';
import type { Flow } from './flow.ts';
import { flowStore } from './store.ts';

/** What sending a code uses: the flow and counters (db, clock), the delivery limits (config), the SMS gateway, the code's key. */
export type SendDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'log' | 'sms' | 'keys'>;

/** Why a send ended `failed`: refused by the policy, by the breaker, or the provider failed. */
export type SendRefusal = SmsRefusal | 'unavailable' | 'provider';

export type SendOutcome = 'sent' | 'cooldown' | 'limit' | 'closed' | 'failed';

export interface SendResult {
  /** sent; or not: the cooldown runs, the flow's maximum is reached, the flow is closed, or it failed. */
  outcome: SendOutcome;
  /** Why it failed (outcome `failed` only). */
  refusal?: SendRefusal;
  /** When the cooldown ends (outcome `cooldown` only). */
  retryInSeconds?: number;
}

/** Who gets the code: the member's phone and what the policy needs to judge it. */
export interface CodeRecipient {
  phone: string | null;
  phoneStatus: PhoneStatus;
  cardholderId: number;
  /**
   * A number being confirmed to replace the one on file (a phone change): the provisional marks
   * are about the old number, so they do not stop the code that proves the new one.
   */
  newNumber?: boolean;
}

export interface SendRequest {
  /** The person's address as the request came in (http/client-ip.ts), for the per-IP window. */
  clientIp?: string;
  /** The card's first six digits, for the per-BIN window. */
  bin?: string;
  /** The 3-D Secure transaction the code is for, when there is one (outbound log, sandbox outbox). */
  acsTransID?: string;
  /** The issuer whose card it is: its resend limits and code lifetime (policies) and SMS sender ID. */
  issuer: Pick<IssuerSettings, 'policies' | 'sms'> & { id?: number };
  /** For a code outside a transaction: what it is for and whose registration (outbound log, stats). */
  purpose?: string;
  memberId?: number;
  /** The SMS text for a code. */
  compose: (code: string, ttlMinutes: number) => string;
}

export async function sendCode(deps: SendDeps, flow: Pick<Flow, 'id' | 'kind'>, to: CodeRecipient, request: SendRequest): Promise<SendResult> {
  const { policies, sms } = request.issuer;
  const phone = to.phone;
  if (!phone) return { outcome: 'failed', refusal: 'provisional' };

  const slot = await flowStore(deps).claimSendSlot(flow, { max: policies.otpMaxSends, cooldownMs: policies.otpResendCooldownSeconds * 1000 });
  if (!slot.ok) return slot.reason === 'cooldown' ? { outcome: 'cooldown', retryInSeconds: Math.ceil(slot.retryInMs / 1000) } : { outcome: slot.reason };

  const acsTransID = request.acsTransID;
  const logged = { issuerId: request.issuer.id, purpose: request.purpose, memberId: request.memberId };
  const refuse = async (refusal: SendRefusal, detail: string): Promise<SendResult> => {
    await recordRefusal(deps, { to: phone, acsTransID, ...logged }, refusal, detail);
    deps.log.warn('otp sms refused', { flowId: flow.id, acsTransID, refusal, detail, to: maskPhone(phone) });
    return { outcome: 'failed', refusal };
  };

  const destination = await checkDestination(deps, { phone, phoneStatus: to.phoneStatus, cardholderId: to.cardholderId, newNumber: to.newNumber });
  if (!destination.ok) return refuse(destination.refusal, destination.detail);
  // An open breaker refuses before anything is counted.
  if (breakerView(await readBreaker(deps), deps.clock.now(), deps).sends === 'no') return refuse('unavailable', 'circuit breaker open');
  const counted = await countSend(deps, { phone, clientIp: request.clientIp, bin: request.bin });
  if (!counted.ok) return refuse(counted.refusal, counted.detail);
  const permit = await acquireSend(deps);
  if (!permit.ok) return refuse('unavailable', 'circuit breaker open (another send is the probe)');

  const ttlMs = policies.otpTtlSeconds * 1000;
  const sent = await issueCode(deps, flow.id, ttlMs, async (code) => {
    const body = request.compose(code, Math.round(policies.otpTtlSeconds / 60));
    const message = { to: phone, from: sms.senderId ?? undefined, body, acsTransID, otpCode: code, ...logged };
    const delivery = await deliverSms(deps, message, { probe: permit.probe });
    return delivery.kind === 'sent';
  });
  return sent ? { outcome: 'sent' } : { outcome: 'failed', refusal: 'provider' };
}
