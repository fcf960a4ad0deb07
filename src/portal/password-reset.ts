/**
 * The member's password reset (issue 15), never a temporary password: a mailed single-use link
 * plus an SMS code to the verified OTP phone, both needed.
 *
 * One `recovery` flow per reset (flow/): its id is the SHA-256 of the link's random token, so the
 * database alone cannot rebuild a link; its subject names the member, and a newer reset cancels
 * the member's older ones. The code goes through the flow kernel's send step (flow/send.ts: the
 * challenge's send slot, delivery policy, windows and breaker). Wrong codes are counted atomically
 * per flow (rate_counters) and the flow fails at the issuer's attempt limit. Completing moves the
 * flow with a guarded UPDATE, so a link sets a password at most once.
 *
 * @example
 *   const r = await startPasswordReset(deps, { memberId: 7, requestedBy: { type: 'staff', id: 3, name: 'sato' } })
 *   if (!r.ok) r.reason // 'no_mail_address' | 'not_registered'
 */
import { and, eq, inArray, lt, or } from 'drizzle-orm';
import { appendAudit, type AuditActor } from '../admin/audit-log.ts';
import { cardAccounts, cardholders, flows, members, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { bytesToBase64url, sha256Hex } from '../encoding.ts';
import { CODE_PATTERN, codeWasSent } from '../flow/codes.ts';
import { checkCountedCode } from '../flow/counted-code.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { openStates, valid, type Flow } from '../flow/flow.ts';
import { sendCode, type SendResult } from '../flow/send.ts';
import { flowStore } from '../flow/store.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { clearAttempts } from '../members/attempts.ts';
import { setPassword } from '../members/store.ts';
import { maskMail, sendMail } from '../messaging/send-mail.ts';
import { memberPasswordProblem, type MemberPasswordProblem } from './member-password.ts';
import { passwordChangedMail, resetCodeSms, resetLinkMail } from './reset-mail.ts';

/** How long a mailed link stays usable. */
export const RESET_TTL_MS = 30 * 60_000;
export const RESET_PATH = '/portal/password-reset';
/** 32 random bytes, base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const subjectOf = (memberId: number) => `password_reset:member:${memberId}`;

export type StartResult = { ok: true } | { ok: false; reason: 'no_mail_address' | 'not_registered' };

export interface StartInput {
  memberId: number;
  requestedBy: AuditActor;
  requestId?: string | null;
}

/** The member as the reset needs it: ID, phone, status, address and issuer. */
export interface ResetMember {
  id: number;
  loginId: string;
  status: MemberStatus;
  phone: string | null;
  phoneStatus: PhoneStatus;
  cardholderId: number;
  email: string | null;
  issuerId: number | null;
}

async function loadMember(deps: Pick<AppDeps, 'db'>, memberId: number): Promise<ResetMember | undefined> {
  const [row] = await deps.db
    .select({
      id: members.id,
      loginId: members.loginId,
      status: members.status,
      phone: members.phone,
      phoneStatus: members.phoneStatus,
      cardholderId: cardholders.id,
      memberEmail: members.email,
      cardholderEmail: cardholders.email,
      issuerId: cardholders.issuerId,
    })
    .from(members)
    .innerJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId))
    .innerJoin(cardholders, eq(cardholders.id, cardAccounts.cardholderId))
    .where(eq(members.id, memberId))
    .limit(1);
  if (!row) return undefined;
  const { memberEmail, cardholderEmail, ...rest } = row;
  return { ...rest, email: memberEmail || cardholderEmail || null };
}

// One masking of mail addresses and one logged send for the whole appliance.
export { maskMail };

/**
 * Starts a reset for the member: a fresh flow and token, the older resets cancelled, the link
 * mailed to the registration's address (else the cardholder's). Throws when the mail could not
 * be sent (the flow is then cancelled), so the caller says so instead of "sent".
 */
export async function startPasswordReset(deps: AppDeps, input: StartInput): Promise<StartResult> {
  const member = await loadMember(deps, input.memberId);
  if (!member || member.status === 'provisional') return { ok: false, reason: 'not_registered' };
  if (!member.email) return { ok: false, reason: 'no_mail_address' };
  const issuer = await issuerSettings(deps, member.issuerId);

  const token = bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
  const store = flowStore(deps);
  const flow = await store.create({ kind: 'recovery', subject: subjectOf(member.id), ttlMs: RESET_TTL_MS, id: await sha256Hex(token) });
  await supersede(deps, flow);

  const link = `${deps.config.PUBLIC_URL.replace(/\/$/, '')}${RESET_PATH}/${token}`;
  const mail = resetLinkMail(issuer, link, RESET_TTL_MS / 60_000);
  if (!(await sendMail(deps, { to: member.email, from: issuer.mailFrom ?? undefined, ...mail }, 'password_reset', member.id))) {
    await store.move(flow, 'cancelled');
    throw new Error('password reset: the mail could not be sent');
  }
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: input.requestedBy,
    issuerId: issuer.id,
    action: 'member.password_reset.start',
    target: `member:${member.id}`,
    detail: { to: maskMail(member.email), expiresAt: flow.expiresAt },
    requestId: input.requestId ?? null,
  });
  return { ok: true };
}

/** Cancels the member's open resets made before this one (the newest link is the only one that works). */
async function supersede(deps: AppDeps, flow: Flow<'recovery'>): Promise<void> {
  const older = await deps.db
    .select({ id: flows.id })
    .from(flows)
    .where(
      and(
        eq(flows.kind, 'recovery'),
        eq(flows.subject, flow.subject),
        inArray(flows.state, openStates('recovery')),
        or(lt(flows.createdAt, flow.createdAt), and(eq(flows.createdAt, flow.createdAt), lt(flows.id, flow.id))),
      ),
    );
  const store = flowStore(deps);
  for (const { id } of older) await store.move({ id, kind: 'recovery' }, 'cancelled');
}

/** An open reset, as a link opens it. */
export interface OpenReset {
  flow: Flow<'recovery'>;
  member: ResetMember;
  issuer: IssuerSettings;
  /** The member has a verified OTP phone: the reset can be done here (else: call the issuer). */
  canReceiveCode: boolean;
}

/** The reset a link's token names, while it is open; undefined for an unknown, used or expired link alike. */
export async function openReset(deps: AppDeps, token: string): Promise<OpenReset | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const flow = await flowStore(deps).find(await sha256Hex(token));
  if (!flow || flow.kind !== 'recovery' || !flow.subject.startsWith('password_reset:member:') || !valid(flow, deps.clock)) return undefined;
  const member = await loadMember(deps, Number(flow.subject.slice('password_reset:member:'.length)));
  if (!member || member.status === 'provisional') return undefined;
  const issuer = await issuerSettings(deps, member.issuerId);
  return { flow: flow as Flow<'recovery'>, member, issuer, canReceiveCode: member.phoneStatus === 'verified' && !!member.phone };
}

/** Sends the SMS code (first visit or resend) through the flow kernel's send step. */
export function sendResetCode(deps: AppDeps, reset: OpenReset, clientIp: string | undefined): Promise<SendResult> {
  const { member, issuer } = reset;
  return sendCode(deps, reset.flow, { phone: member.phone, phoneStatus: member.phoneStatus, cardholderId: member.cardholderId }, {
    clientIp,
    issuer,
    purpose: 'password_reset',
    memberId: member.id,
    compose: (code, minutes) => resetCodeSms(issuer, code, minutes),
  });
}

/** Whether a code went out in this reset already (the page never says one did when none did). */
export function resetCodeSent(deps: AppDeps, reset: OpenReset): Promise<boolean> {
  return codeWasSent(deps.db, reset.flow.id);
}

export interface CompleteInput {
  code?: unknown;
  password?: unknown;
  confirmation?: unknown;
  requestId?: string | null;
}

export type CodeProblem = 'empty' | 'format';

export type CompleteResult =
  | { kind: 'done' }
  /** Answered beside the fields; nothing counted. */
  | { kind: 'fields'; code?: CodeProblem; password?: Exclude<MemberPasswordProblem, 'mismatch'>; confirmation?: 'mismatch' | 'empty' }
  | { kind: 'wrong_code'; remaining: number }
  /** Too many wrong codes: the flow failed. */
  | { kind: 'too_many' }
  /** The flow was finished meanwhile (used, expired, superseded). */
  | { kind: 'closed' };

/** Checks the code and the new password; on success sets it, spends the link and tells the member by mail. */
export async function completePasswordReset(deps: AppDeps, reset: OpenReset, input: CompleteInput): Promise<CompleteResult> {
  const { flow, member, issuer } = reset;
  const code = normaliseEntry(input.code);
  const password = typeof input.password === 'string' ? input.password : '';
  const confirmation = typeof input.confirmation === 'string' ? input.confirmation : '';

  // Malformed entries are answered beside their field and are not attempts.
  const codeProblem: CodeProblem | undefined = code === '' ? 'empty' : CODE_PATTERN.test(code) ? undefined : 'format';
  const problem = memberPasswordProblem(password, confirmation, member.loginId);
  const confirmationProblem = problem === 'mismatch' ? (confirmation === '' ? 'empty' : 'mismatch') : undefined;
  if (codeProblem || problem) {
    return { kind: 'fields', code: codeProblem, password: problem && problem !== 'mismatch' ? problem : undefined, confirmation: confirmationProblem };
  }

  // The code is checked with its wrong entries counted (flow/counted-code.ts); a right one spends the link.
  const limit = issuer.policies.maxAuthAttempts;
  const check = await checkCountedCode(deps, flow, code, { counter: `password_reset:${flow.id}`, limit });
  if (check.kind === 'wrong') return { kind: 'wrong_code', remaining: check.remaining };
  if (check.kind === 'too_many') return { kind: 'too_many' };
  if (check.kind !== 'ok') return { kind: 'closed' };
  const now = deps.clock.now();
  await setPassword(deps.db, deps.clock, member.id, password);
  // Proven by mail and phone: earlier wrong entries no longer count toward the lock.
  await clearAttempts(deps.db, member.id, now);
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'member', id: member.id, name: member.loginId },
    issuerId: issuer.id,
    action: 'member.password_reset.complete',
    target: `member:${member.id}`,
    detail: {},
    requestId: input.requestId ?? null,
  });
  if (member.email) await sendMail(deps, { to: member.email, from: issuer.mailFrom ?? undefined, ...passwordChangedMail(issuer, now) }, 'notice', member.id);
  return { kind: 'done' };
}
