/**
 * The member's e-mail address change: the current password typed again and the new address, then a
 * 6-digit code mailed to the new address and typed back, which proves the member reads it.
 *
 * One `email_verification` flow per attempt (flow/): its subject names the member, its data holds
 * the new address (not a secret), a newer start cancels the older ones. Codes are the flow
 * kernel's (hashed, single use), sent through the flow's send slot (the issuer's resend cooldown
 * and maximum per flow); wrong codes are counted atomically per flow (rate_counters) and the flow
 * fails at the issuer's attempt limit. Starts are capped per member per hour: each one mails an
 * address the member typed. On success the registration's address is the new one, confirmed now,
 * and the OLD address is told, with a "not me" link.
 */
import { checkCountedCode } from '../flow/counted-code.ts';
import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { flows } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { CODE_PATTERN, codeWasSent, issueCode } from '../flow/codes.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { openStates, type Flow } from '../flow/flow.ts';
import type { SendOutcome } from '../flow/send.ts';
import { flowStore } from '../flow/store.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { setVerifiedEmail } from '../members/store.ts';
import { hitCounters } from '../messaging/rate-limit.ts';
import { maskMail, sendMail } from '../messaging/send-mail.ts';
import { checkFreshPassword, noticeAddress, noticeOfChange, type SettingsMember } from './settings.ts';

/** How long the code (and the flow) stays usable. */
export const EMAIL_FLOW_TTL_MS = 30 * 60_000;
const STARTS_PER_HOUR = 5;
const HOUR_MS = 60 * 60_000;

const subjectOf = (memberId: number) => `email_change:member:${memberId}`;

/** A deliberately plain check: one @, something on each side, a dot in the domain, no spaces. */
const ADDRESS = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

export type AddressProblem = 'empty' | 'format' | 'same';

/** The address as stored: NFKC (a full-width ＠ from an IME), trimmed, the domain in lower case. */
export function cleanAddress(raw: unknown): string {
  const typed = typeof raw === 'string' ? raw.normalize('NFKC').trim() : '';
  const at = typed.lastIndexOf('@');
  return at < 0 ? typed : `${typed.slice(0, at)}@${typed.slice(at + 1).toLowerCase()}`;
}

export function addressProblem(address: string, current: string | null): AddressProblem | null {
  if (address === '') return 'empty';
  if (address.length > 254 || !ADDRESS.test(address)) return 'format';
  if (current && address.toLowerCase() === current.toLowerCase()) return 'same';
  return null;
}

/** An open change: its flow and the address the code goes to. */
export interface OpenEmailChange {
  flow: Flow<'email_verification'>;
  email: string;
  codeSent: boolean;
}

export type StartResult =
  | { kind: 'sent'; change: OpenEmailChange }
  | { kind: 'fields'; current?: 'empty'; email?: AddressProblem }
  | { kind: 'wrong'; remaining: number }
  | { kind: 'locked' }
  | { kind: 'too_many' }
  | { kind: 'send_failed' };

export async function startEmailChange(
  deps: AppDeps,
  member: SettingsMember,
  issuer: IssuerSettings,
  input: { current?: unknown; email?: unknown; requestId?: string | null },
): Promise<StartResult> {
  const current = typeof input.current === 'string' ? input.current : '';
  const email = cleanAddress(input.email);
  const fields = { current: current === '' ? ('empty' as const) : undefined, email: addressProblem(email, member.email) ?? undefined };
  if (fields.current || fields.email) return { kind: 'fields', ...fields };

  const proof = await checkFreshPassword(deps, member, issuer, current, input.requestId);
  if (proof.kind !== 'ok') return proof;
  const [starts] = await hitCounters(deps.db, [{ key: `email_change:start:${member.id}`, windowMs: HOUR_MS }], deps.clock.now());
  if (starts > STARTS_PER_HOUR) return { kind: 'too_many' };

  const store = flowStore(deps);
  await cancelOpen(deps, member.id);
  const flow = await store.create({ kind: 'email_verification', subject: subjectOf(member.id), ttlMs: EMAIL_FLOW_TTL_MS, data: { email } });
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'member', id: member.id, name: member.loginId },
    issuerId: member.issuerId,
    action: 'member.email_change.start',
    target: `member:${member.id}`,
    detail: { to: maskMail(email) },
    requestId: input.requestId ?? null,
  });
  const sent = await sendEmailCode(deps, member, issuer, flow, email);
  if (sent !== 'sent') {
    await store.move(flow, 'cancelled');
    return { kind: 'send_failed' };
  }
  return { kind: 'sent', change: { flow, email, codeSent: true } };
}

/** Cancels the member's open changes (one start at a time; the newest code is the only one that works). */
export async function cancelOpen(deps: AppDeps, memberId: number): Promise<void> {
  const open = await deps.db
    .select({ id: flows.id })
    .from(flows)
    .where(and(eq(flows.kind, 'email_verification'), eq(flows.subject, subjectOf(memberId)), inArray(flows.state, openStates('email_verification'))));
  const store = flowStore(deps);
  for (const { id } of open) await store.move({ id, kind: 'email_verification' }, 'cancelled');
}

/** The member's open change, if any (newest first). */
export async function openEmailChange(deps: AppDeps, memberId: number): Promise<OpenEmailChange | undefined> {
  const row = await deps.db
    .select()
    .from(flows)
    .where(
      and(
        eq(flows.kind, 'email_verification'),
        eq(flows.subject, subjectOf(memberId)),
        inArray(flows.state, openStates('email_verification')),
        gt(flows.expiresAt, deps.clock.now()),
      ),
    )
    .orderBy(desc(flows.createdAt))
    .get();
  const email = typeof row?.data?.email === 'string' ? row.data.email : undefined;
  if (!row || !email) return undefined;
  return { flow: row as unknown as Flow<'email_verification'>, email, codeSent: await codeWasSent(deps.db, row.id) };
}

/** The code's mail, Japanese first (a mail cannot switch language). */
function codeMail(issuer: IssuerSettings, code: string, minutes: number) {
  const hours = (lang: 'ja' | 'en') => (issuer.helpdesk.hours[lang] ? ` (${issuer.helpdesk.hours[lang]})` : '');
  return {
    subject: `【${issuer.name.ja}】メールアドレス確認コード / Your confirmation code`,
    body: [
      `${issuer.name.ja} 本人認証サービス（3-Dセキュア）`,
      '',
      `メールアドレス変更の確認コード: ${code}`,
      `${minutes}分以内に会員ページで入力してください。他人に教えないでください。`,
      `お心当たりのない場合は、このメールを破棄し、${issuer.helpdesk.phone}${hours('ja')} へお電話ください。`,
      '',
      '――――――――――――――――――――',
      '',
      `${issuer.name.en} — 3-D Secure`,
      '',
      `Your code to confirm this e-mail address: ${code}`,
      `Enter it in the member portal within ${minutes} minutes. Do not share it.`,
      `If you did not ask for this, ignore this mail and call ${issuer.helpdesk.phone}${hours('en')}.`,
      '',
    ].join('\n'),
  };
}

/** Mails a fresh code to the new address, within the flow's send slot. */
export async function sendEmailCode(
  deps: AppDeps,
  member: Pick<SettingsMember, 'id'>,
  issuer: IssuerSettings,
  flow: Pick<Flow, 'id' | 'kind'>,
  email: string,
): Promise<SendOutcome | 'cooldown'> {
  const { policies } = issuer;
  const slot = await flowStore(deps).claimSendSlot(flow, { max: policies.otpMaxSends, cooldownMs: policies.otpResendCooldownSeconds * 1000 });
  if (!slot.ok) return slot.reason;
  const minutes = Math.ceil(EMAIL_FLOW_TTL_MS / 60_000);
  const code = await issueCode(deps, flow.id, EMAIL_FLOW_TTL_MS, (c) =>
    sendMail(deps, { to: email, from: issuer.mailFrom ?? undefined, ...codeMail(issuer, c, minutes) }, 'email_verification', member.id),
  );
  return code ? 'sent' : 'failed';
}

/** The seconds left of the resend cooldown (for the page to say), 0 when a resend may go now. */
export function resendWaitSeconds(issuer: IssuerSettings, flow: Pick<Flow, 'lastSentAt'>, now: number): number {
  if (flow.lastSentAt === null) return 0;
  return Math.max(0, Math.ceil((flow.lastSentAt + issuer.policies.otpResendCooldownSeconds * 1000 - now) / 1000));
}

export type CodeProblem = 'empty' | 'format';

export type ConfirmResult =
  | { kind: 'done'; email: string }
  | { kind: 'fields'; code: CodeProblem }
  | { kind: 'wrong'; remaining: number }
  | { kind: 'too_many' }
  | { kind: 'closed' };

/** Checks the typed code; on success the new address is the registration's, and the old one is told. */
export async function confirmEmailChange(
  deps: AppDeps,
  member: SettingsMember,
  issuer: IssuerSettings,
  change: OpenEmailChange,
  input: { code?: unknown; requestId?: string | null },
): Promise<ConfirmResult> {
  const code = normaliseEntry(input.code);
  if (code === '') return { kind: 'fields', code: 'empty' };
  if (!CODE_PATTERN.test(code)) return { kind: 'fields', code: 'format' };

  // Wrong codes counted in the database; a right one completes the flow (of two racing right answers, one).
  const check = await checkCountedCode(deps, change.flow, code, { counter: `email_change:${change.flow.id}`, limit: issuer.policies.maxAuthAttempts });
  if (check.kind === 'wrong') return { kind: 'wrong', remaining: check.remaining };
  if (check.kind === 'too_many') return { kind: 'too_many' };
  if (check.kind !== 'ok') return { kind: 'closed' };

  const oldAddress = await noticeAddress(deps, member);
  await setVerifiedEmail(deps.db, deps.clock, member.id, change.email);
  // To the old address: the one that can tell us the change was not theirs.
  const mail = await noticeOfChange(deps, member, issuer, 'email', oldAddress);
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'member', id: member.id, name: member.loginId },
    issuerId: member.issuerId,
    action: 'member.email_change',
    target: `member:${member.id}`,
    detail: { from: oldAddress ? maskMail(oldAddress) : null, to: maskMail(change.email), notice: mail },
    requestId: input.requestId ?? null,
  });
  return { kind: 'done', email: change.email };
}
