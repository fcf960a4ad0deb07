/**
 * What a signed-in member changes about their registration in the portal: the personal message,
 * the password, the e-mail address (settings-email.ts) and the data-sharing choice. Each change is
 * audited with the member as actor and, but for data sharing, mailed to the cardholder with a
 * "this was not me" link (change-report.ts). Pages and routes: settings-routes.tsx.
 *
 * A password or e-mail change needs the current password typed again (a fresh proof): wrong ones
 * count on the member's one wrong-entry counter (members/attempts.ts), so the portal cannot be
 * used to guess past the challenge's lock.
 */
import { eq } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { endAllSessions } from '../admin/sessions.ts';
import { setDataSharingOptOut } from '../cards/card-records.ts';
import { cardholders } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { claimAttempt, clearAttempts, lockMember } from '../members/attempts.ts';
import { verifyPassword } from '../members/password.ts';
import { setOwnPersonalMessage, setPassword } from '../members/store.ts';
import { maskMail } from '../messaging/send-mail.ts';
import { notifyCardholder, type NoticeKind } from '../messaging/notices.ts';
import { changeReportUrl } from './change-report.ts';
import type { PortalMember } from './http.ts';
import { memberPasswordProblem, type MemberPasswordProblem } from './member-password.ts';
import type { ReportedChange } from './reports.ts';

export type SettingsMember = Pick<PortalMember, 'id' | 'loginId' | 'issuerId' | 'cardholderId' | 'passwordHash' | 'email'>;

const actorOf = (m: Pick<SettingsMember, 'id' | 'loginId'>) => ({ type: 'member' as const, id: m.id, name: m.loginId });

// ─── The fresh password ─────────────────────────────────────────────────────────

export type FreshProof = { kind: 'ok' } | { kind: 'wrong'; remaining: number } | { kind: 'locked' };

/**
 * Checks the member's current password as the challenge checks an entry: the attempt is claimed
 * first (atomic, in the database), only a claim within the issuer's limit can succeed, and the
 * failure that reaches the limit locks the member and ends all their sessions.
 */
export async function checkFreshPassword(deps: AppDeps, member: SettingsMember, issuer: Pick<IssuerSettings, 'policies'>, typed: string, requestId?: string | null): Promise<FreshProof> {
  const now = deps.clock.now();
  const limit = issuer.policies.maxAuthAttempts;
  const claim = await claimAttempt(deps.db, member.id, limit, now);
  // Always the full hashing work, so a refused claim takes as long as a checked one.
  const matches = await verifyPassword(typed, member.passwordHash);
  if (claim.allowed && matches) {
    await clearAttempts(deps.db, member.id, now);
    return { kind: 'ok' };
  }
  if (!claim.allowed || claim.count >= limit) {
    if (await lockMember(deps.db, member.id, now)) {
      await appendAudit(deps.db, {
        at: now,
        actor: actorOf(member),
        issuerId: member.issuerId,
        action: 'member.locked',
        target: `member:${member.id}`,
        detail: { cause: 'attempts', where: 'portal', count: claim.count },
        requestId: requestId ?? null,
      });
    }
    await endAllSessions(deps.db, member.id, 'member');
    return { kind: 'locked' };
  }
  return { kind: 'wrong', remaining: limit - claim.count };
}

// ─── Notices ────────────────────────────────────────────────────────────────────

/** Where a notice goes: the registration's confirmed address, else the one the issuer holds. */
export async function noticeAddress(deps: Pick<AppDeps, 'db'>, member: Pick<SettingsMember, 'email' | 'cardholderId'>): Promise<string | null> {
  if (member.email) return member.email;
  const holder = await deps.db.select({ email: cardholders.email }).from(cardholders).where(eq(cardholders.id, member.cardholderId)).get();
  return holder?.email ?? null;
}

const NOTICE_OF: Record<Exclude<ReportedChange, 'phone'>, NoticeKind> = {
  password: 'password_changed',
  email: 'email_changed',
  personal_message: 'personal_message_changed',
};

/** Mails the change notice with its "not me" link; what happened, for the audit row. */
export async function noticeOfChange(
  deps: AppDeps,
  member: SettingsMember,
  issuer: IssuerSettings,
  change: Exclude<ReportedChange, 'phone'>,
  to: string | null,
): Promise<'sent' | 'failed' | 'none'> {
  if (!to) return 'none';
  const reportUrl = await changeReportUrl(deps, member.id, change);
  const result = await notifyCardholder(deps, { kind: NOTICE_OF[change], issuer, memberId: member.id, cardholderId: member.cardholderId, mail: to, reportUrl });
  return result.mail;
}

// ─── The personal message ───────────────────────────────────────────────────────

export const MESSAGE_MAX = 40;

export type MessageProblem = 'empty' | 'too_long' | 'url' | 'phone' | 'member_id' | 'control';

/** The message as stored: trimmed of spaces (full-width ones too) at both ends. */
export function cleanPersonalMessage(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : '';
}

/**
 * Why a personal message is refused, or null. It proves the page is the issuer's, so it must not
 * be something a phishing page could show usefully (a link, a phone number to call) nor the
 * member ID it would be shown next to.
 */
export function personalMessageProblem(message: string, loginId: string): MessageProblem | null {
  if (message === '') return 'empty';
  if ([...message].length > MESSAGE_MAX) return 'too_long';
  if (/\p{Cc}/u.test(message)) return 'control';
  // NFKC: full-width ｈｔｔｐ and ０９０ are what an IME types.
  const folded = message.normalize('NFKC').toLowerCase();
  if (/https?:\/\/|www\./.test(folded)) return 'url';
  if (/\d(?:[\s\-()]*\d){9,}/.test(folded)) return 'phone';
  const id = loginId.normalize('NFKC').toLowerCase();
  if (id.length >= 3 && folded.replace(/\s/g, '').includes(id)) return 'member_id';
  return null;
}

export type MessageResult = { kind: 'saved' } | { kind: 'problem'; problem: MessageProblem };

export async function changePersonalMessage(
  deps: AppDeps,
  member: SettingsMember & { personalMessageProvisional: boolean },
  issuer: IssuerSettings,
  raw: unknown,
  requestId?: string | null,
): Promise<MessageResult> {
  const message = cleanPersonalMessage(raw);
  const problem = personalMessageProblem(message, member.loginId);
  if (problem) return { kind: 'problem', problem };
  await setOwnPersonalMessage(deps.db, deps.clock, member.id, message);
  const mail = await noticeOfChange(deps, member, issuer, 'personal_message', await noticeAddress(deps, member));
  // Not a secret, but the cardholder's own words: the audit says only that it changed.
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: actorOf(member),
    issuerId: member.issuerId,
    action: 'member.personal_message_change',
    target: `member:${member.id}`,
    detail: { changed: true, wasProvisional: member.personalMessageProvisional, notice: mail },
    requestId: requestId ?? null,
  });
  return { kind: 'saved' };
}

// ─── The password ───────────────────────────────────────────────────────────────

export interface PasswordChangeInput {
  current?: unknown;
  password?: unknown;
  confirmation?: unknown;
  requestId?: string | null;
}

export type PasswordFieldProblem = Exclude<MemberPasswordProblem, 'mismatch'> | 'same';

export type PasswordChangeResult =
  | { kind: 'done' }
  /** Answered beside the fields; nothing counted. */
  | { kind: 'fields'; current?: 'empty'; password?: PasswordFieldProblem; confirmation?: 'empty' | 'mismatch' }
  | { kind: 'wrong'; remaining: number }
  | { kind: 'locked' };

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Sets a new password after the current one was typed again. The caller then ends the member's
 * other sessions (settings-routes.tsx rotates the session: every other browser is signed out).
 */
export async function changeMemberPassword(deps: AppDeps, member: SettingsMember, issuer: IssuerSettings, input: PasswordChangeInput): Promise<PasswordChangeResult> {
  const current = str(input.current);
  const password = str(input.password);
  const confirmation = str(input.confirmation);
  const problem = memberPasswordProblem(password, confirmation, member.loginId);
  const same = !problem && current !== '' && current === password;
  const fields = {
    current: current === '' ? ('empty' as const) : undefined,
    password: problem && problem !== 'mismatch' ? problem : same ? ('same' as const) : undefined,
    confirmation: problem === 'mismatch' ? (confirmation === '' ? ('empty' as const) : ('mismatch' as const)) : undefined,
  };
  if (fields.current || fields.password || fields.confirmation) return { kind: 'fields', ...fields };

  const proof = await checkFreshPassword(deps, member, issuer, current, input.requestId);
  if (proof.kind !== 'ok') return proof;
  const now = deps.clock.now();
  await setPassword(deps.db, deps.clock, member.id, password);
  const mail = await noticeOfChange(deps, member, issuer, 'password', await noticeAddress(deps, member));
  await appendAudit(deps.db, {
    at: now,
    actor: actorOf(member),
    issuerId: member.issuerId,
    action: 'member.password_change',
    target: `member:${member.id}`,
    detail: { otherSessionsEnded: true, notice: mail },
    requestId: input.requestId ?? null,
  });
  return { kind: 'done' };
}

// ─── Data sharing ───────────────────────────────────────────────────────────────

/** The cardholder's opt-out of (or back into) sharing with the fraud-detection provider; whether it changed. */
export async function changeDataSharing(deps: AppDeps, member: SettingsMember, optOut: boolean, requestId?: string | null): Promise<boolean> {
  // cards/ owns the cardholders row: the helpdesk's action writes it through the same function.
  const change = await setDataSharingOptOut(deps.db, deps.clock, member.cardholderId, optOut);
  if (!change) return false;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: actorOf(member),
    issuerId: member.issuerId,
    action: 'member.data_sharing_change',
    target: `cardholder:${member.cardholderId}`,
    detail: { before: { dataSharingOptOut: change.before }, after: { dataSharingOptOut: change.after } },
    requestId: requestId ?? null,
  });
  return true;
}

/** The cardholder's current choice and when it last changed. */
export async function dataSharingOf(deps: Pick<AppDeps, 'db'>, cardholderId: number): Promise<{ optOut: boolean; changedAt: number | null }> {
  const row = await deps.db
    .select({ optOut: cardholders.dataSharingOptOut, changedAt: cardholders.dataSharingChangedAt })
    .from(cardholders)
    .where(eq(cardholders.id, cardholderId))
    .get();
  return row ?? { optOut: false, changedAt: null };
}

export { maskMail };
