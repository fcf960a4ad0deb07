/**
 * The SMS delivery policy, checked before a code is issued and sent (SMS-pumping and toll-fraud
 * defence). In order:
 *
 * 1. a number the issuer or the member marked provisional is never texted
 *    (`members.phoneStatus` other than verified, or `cardholders.phoneProvisional`);
 * 2. the destination must be an E.164 number starting with a prefix on `SMS_COUNTRY_ALLOWLIST`
 *    (+81 by default);
 * 3. per phone number, per source IP (the cardholder's, as the challenge request came in; IPv6 by
 *    its /64) and per BIN: at most N sends per fixed window (`SMS_LIMIT_PER_*`), counted in the
 *    database with one atomic UPSERT each, so the limits hold across processes.
 *
 * `flow/send.ts` runs them in that order with the circuit breaker between 2 and 3: a send that
 * passes 1, 2 and the breaker counts against all three limits, whether or not it then goes out.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { preparedPerDatabase } from '../db/prepared.ts';
import type { RateLimit } from '../config.ts';
import { cardAccounts, cardholders, members, type PhoneStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { hitCounters } from './rate-limit.ts';

export type SmsRefusal = 'provisional' | 'not_allowed' | 'rate_limited';

export type PolicyDecision = { ok: true } | { ok: false; refusal: SmsRefusal; detail: string };

const E164 = /^\+[1-9]\d{6,14}$/;

/** Steps 1 and 2: may this number be texted at all? Counts nothing. */
const provisionalOf = preparedPerDatabase((db) =>
  db.select({ provisional: cardholders.phoneProvisional }).from(cardholders).where(eq(cardholders.id, sql.placeholder('id'))).prepare(),
);

export async function checkDestination(
  deps: Pick<AppDeps, 'db' | 'config'>,
  input: { phone: string; phoneStatus: PhoneStatus; cardholderId: number; newNumber?: boolean },
): Promise<PolicyDecision> {
  // Step 1 is about the number on file; a new number being confirmed (a phone change) skips it.
  if (!input.newNumber) {
    if (input.phoneStatus !== 'verified') return { ok: false, refusal: 'provisional', detail: `member phone is ${input.phoneStatus}` };
    const holder = await provisionalOf(deps.db).get({ id: input.cardholderId });
    if (!holder || (holder.provisional && !(await confirmedByMember(deps.db, input.cardholderId, input.phone)))) {
      return { ok: false, refusal: 'provisional', detail: 'issuer marked the number provisional' };
    }
  }
  if (!E164.test(input.phone)) return { ok: false, refusal: 'not_allowed', detail: 'not an E.164 number' };
  if (!deps.config.SMS_COUNTRY_ALLOWLIST.some((prefix) => input.phone.startsWith(prefix))) {
    return { ok: false, refusal: 'not_allowed', detail: `destination ${input.phone.slice(0, 3)}… is not on SMS_COUNTRY_ALLOWLIST` };
  }
  return { ok: true };
}

/**
 * Step 3: counts this send against the phone, IP and BIN windows and refuses it when any of them is
 * over its limit. `clientIp` (the cardholder's address as the challenge request came in) and `bin`
 * (first six digits) are skipped when unknown.
 */
export async function countSend(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  input: { phone: string; clientIp?: string; bin?: string },
): Promise<PolicyDecision> {
  const { config } = deps;
  const limits: { name: string; key: string; limit: RateLimit }[] = [];
  const add = (name: string, key: string | undefined, limit: RateLimit | null) => {
    if (key && limit) limits.push({ name, key, limit });
  };
  add('SMS_LIMIT_PER_PHONE', phoneCounterKey(input.phone), config.SMS_LIMIT_PER_PHONE);
  const ip = input.clientIp ? ipKey(input.clientIp) : undefined;
  add('SMS_LIMIT_PER_IP', ip && `sms:ip:${ip}`, config.SMS_LIMIT_PER_IP);
  add('SMS_LIMIT_PER_BIN', input.bin && /^\d{6,8}$/.test(input.bin) ? `sms:bin:${input.bin}` : undefined, config.SMS_LIMIT_PER_BIN);

  const counts = await hitCounters(deps.db, limits.map((l) => ({ key: l.key, windowMs: l.limit.windowMs })), deps.clock.now());
  const over = limits.findIndex((l, i) => counts[i] > l.limit.max);
  if (over >= 0) {
    const { name, limit } = limits[over];
    return { ok: false, refusal: 'rate_limited', detail: `${name} reached (${limit.max} per ${limit.windowMs / 1000} s)` };
  }
  return { ok: true };
}

/** The counter of the sends to one phone number (SMS_LIMIT_PER_PHONE). */
export function phoneCounterKey(phone: string): string {
  return `sms:phone:${phone}`;
}

/** The counter key of an address: IPv4 as is, IPv6 by its /64 (one subscriber's whole range). */
export function ipKey(address: string): string | undefined {
  const ip = address.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip)) return ip;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : undefined;
}

function expandIPv6(ip: string): string[] | undefined {
  if (!/^[0-9a-f:]+$/i.test(ip) || ip.split('::').length > 2) return undefined;
  const [head, tail] = ip.split('::');
  const a = head ? head.split(':') : [];
  const b = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - a.length - b.length;
  if (tail === undefined ? a.length !== 8 : missing < 1) return undefined;
  const groups = [...a, ...Array(tail === undefined ? 0 : missing).fill('0'), ...b];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * Whether the cardholder confirmed this number themselves since (a code read back in the portal, or
 * the helpdesk's confirmation): then the issuer's provisional mark, which is about its own record,
 * no longer stops it. One query, only asked when the issuer's record is provisional.
 */
async function confirmedByMember(db: Database, cardholderId: number, phone: string): Promise<boolean> {
  const row = await db
    .select({ id: members.id })
    .from(members)
    .innerJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId))
    .where(and(eq(cardAccounts.cardholderId, cardholderId), eq(members.phone, phone), eq(members.phoneStatus, 'verified'), isNotNull(members.phoneChangedAt)))
    .get();
  return !!row;
}
