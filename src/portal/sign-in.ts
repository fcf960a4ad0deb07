/**
 * The member's sign-in to the portal: member ID + password. Every failure looks the same from
 * outside — the same page, the same work (one PBKDF2 check, against a dummy hash when there is no
 * member or no password) and at least the same time (ANSWER_FLOOR_MS) — and the audit log keeps
 * the real reason for the helpdesk. Wrong passwords count on the member's one wrong-entry counter
 * (members/attempts.ts), the same one the challenge counts on: the issuer's limit locks both.
 * Each address may try SIGN_IN_IP_LIMIT times per SIGN_IN_IP_WINDOW_MS (counters in the database).
 *
 * @example
 *   const r = await passwordSignIn(deps, { typedId, password, issuer, hostClaimed, ip })
 *   if (r.ok) await signInMember(c, r.member, 'password')
 */
import { eq, inArray } from 'drizzle-orm';
import { appendAudit, type AuditActor } from '../admin/audit-log.ts';
import { cardAccounts, cardholders, members } from '../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { AppDeps } from '../deps.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { claimAttempt, clearAttempts, lockMember } from '../members/attempts.ts';
import { verifyPassword } from '../members/password.ts';
import { loginIdMatches } from '../members/store.ts';
import { hitCounters } from '../messaging/rate-limit.ts';

/** Sign-in attempts per address and window: a person who forgot their password never needs more. */
export const SIGN_IN_IP_LIMIT = 20;
export const SIGN_IN_IP_WINDOW_MS = 15 * 60_000;

/** A PBKDF2 hash (same rounds as real ones) that no password matches: unknown IDs cost the same. */
const DUMMY_HASH = 'pbkdf2-sha256$6x100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A member with its cardholder and issuer (a null issuer on the cardholder is the install's first). */
export type PortalMemberRow = typeof members.$inferSelect & { cardholderId: number; issuerId: number };

export async function portalMemberById(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, memberId: number): Promise<PortalMemberRow | undefined> {
  const [row] = await deps.db
    .select({ member: members, cardholderId: cardholders.id, issuerId: cardholders.issuerId })
    .from(members)
    .innerJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId))
    .innerJoin(cardholders, eq(cardholders.id, cardAccounts.cardholderId))
    .where(eq(members.id, memberId))
    .limit(1);
  if (!row) return undefined;
  return { ...row.member, cardholderId: row.cardholderId, issuerId: row.issuerId ?? (await issuerSettings(deps, null)).id };
}

/** Why a sign-in failed: for the audit log only, never for the page. */
export type SignInFailure = 'unknown_id' | 'other_issuer' | 'provisional' | 'no_password' | 'locked' | 'wrong_password' | 'throttled';

export type SignInResult = { ok: true; member: PortalMemberRow } | { ok: false; reason: SignInFailure };

export interface SignInInput {
  typedId: string;
  password: string;
  /** The page's issuer, and whether the host belongs to it (then only its members sign in). */
  issuer: IssuerSettings;
  hostClaimed: boolean;
  ip: string | undefined;
  requestId?: string | null;
}

export function passwordSignIn(deps: AppDeps, input: SignInInput): Promise<SignInResult> {
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const found = await findByTypedId(deps, input.typedId);
    const result = await attempt(deps, input, found);
    await audit(deps, input, result, found);
    return result;
  });
}

async function attempt(deps: AppDeps, input: SignInInput, member: PortalMemberRow | undefined): Promise<SignInResult> {
  const now = deps.clock.now();
  const [tries] = await hitCounters(deps.db, [{ key: `portal_sign_in:ip:${input.ip ?? 'unknown'}`, windowMs: SIGN_IN_IP_WINDOW_MS }], now);
  // Over the address's limit nothing is checked (no PBKDF2 work to spend on a flood either).
  if (tries > SIGN_IN_IP_LIMIT) return { ok: false, reason: 'throttled' };
  // Always the one full password check, whoever it is.
  const passwordOk = await verifyPassword(input.password, member?.passwordHash ?? DUMMY_HASH);
  if (!member) return { ok: false, reason: 'unknown_id' };
  if (input.hostClaimed && member.issuerId !== input.issuer.id) return { ok: false, reason: 'other_issuer' };
  if (member.status === 'provisional') return { ok: false, reason: 'provisional' };
  if (member.status === 'locked') return { ok: false, reason: 'locked' };
  if (!member.passwordHash) return { ok: false, reason: 'no_password' };

  // The member's issuer sets the limit (on an unclaimed host the page's issuer may be another).
  const limit = (await issuerSettings(deps, member.issuerId)).policies.maxAuthAttempts;
  const claim = await claimAttempt(deps.db, member.id, limit, now);
  if (claim.allowed && passwordOk) {
    await clearAttempts(deps.db, member.id, now);
    return { ok: true, member };
  }
  if (!claim.allowed || claim.count >= limit) {
    if (await lockMember(deps.db, member.id, now)) {
      await appendAudit(deps.db, {
        at: now,
        actor: { type: 'system', name: 'portal-sign-in' },
        issuerId: member.issuerId,
        action: 'member.locked',
        target: `member:${member.id}`,
        detail: { cause: 'attempts', count: claim.count, limit, via: 'portal' },
        requestId: input.requestId ?? null,
      });
    }
  }
  return { ok: false, reason: 'wrong_password' };
}

async function audit(deps: AppDeps, input: SignInInput, result: SignInResult, member: PortalMemberRow | undefined): Promise<void> {
  if (result.ok) return; // signInMember audits member.sign_in
  const actor: AuditActor = member ? { type: 'member', id: member.id, name: member.loginId } : { type: 'system', name: 'portal-sign-in' };
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor,
    issuerId: member?.issuerId ?? input.issuer.id,
    action: 'member.sign_in_failed',
    target: member ? `member:${member.id}` : null,
    // Never the password; an unknown ID only as a hint (it may be a password typed in the wrong field).
    detail: { reason: result.reason, ...(member ? {} : { typedId: maskTypedId(input.typedId) }) },
    requestId: input.requestId ?? null,
  });
}

/** "ab***(9)": enough to see a typo pattern, not enough to read a password typed into the ID field. */
export function maskTypedId(typed: string): string {
  const s = normaliseEntry(typed).slice(0, 64);
  return `${s.slice(0, 2)}***(${s.length})`;
}

/**
 * The member a typed ID names, compared as loginIdMatches compares (full-width letters, spaces and
 * dash variants do not matter). Member IDs are unique for the whole install; the lookup tries the
 * typed text's plain forms on the unique index, so it never scans the table.
 */
export async function findByTypedId(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, typed: string): Promise<PortalMemberRow | undefined> {
  const candidates = typedIdForms(typed);
  if (candidates.length === 0) return undefined;
  const rows = await idLookup(deps.db, candidates);
  const matching = rows.filter((r) => loginIdMatches(typed, r));
  // Two IDs differing only by a dash (demo-pass, demopass): the one written as typed.
  const chosen = matching.length === 1 ? matching[0] : matching.find((r) => r.loginId === candidates[0]);
  return chosen ? portalMemberById(deps, chosen.id) : undefined;
}

function idLookup(db: Database, forms: string[]) {
  return db.select({ id: members.id, loginId: members.loginId }).from(members).where(inArray(members.loginId, forms)).limit(4);
}

/** The typed ID as it may be stored: NFKC with dashes as "-", and without any dashes. */
export function typedIdForms(typed: string): string[] {
  const plain = typed
    .normalize('NFKC')
    .replace(/\s/gu, '')
    .replace(/[\u2010-\u2015\u2212\u30FC\uFE58\uFE63\uFF0D]/gu, '-')
    .slice(0, 128);
  if (!plain) return [];
  return [...new Set([plain, normaliseEntry(plain)])];
}
