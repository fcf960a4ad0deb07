/**
 * The members table's owner: a member is one card account's 3-D Secure registration (member ID,
 * OTP phone, personal message, password, lock state). Nothing outside src/members/ writes it;
 * attempts.ts holds the wrong-entry counting and the lock.
 */
import { and, eq, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { preparedPerDatabase } from '../db/prepared.ts';
import { cardAccounts, members, sessions, type AuthMethod, type LockCause, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { timingSafeEqual } from '../encoding.ts';
import { hashPassword } from './password.ts';

/** A member with the cardholder of its card account (the SMS policy asks the cardholder's record). */
export type Member = typeof members.$inferSelect & { cardholderId: number };

export interface NewMember {
  cardAccountId: number;
  loginId: string;
  authMethod: AuthMethod;
  status: MemberStatus;
  /** Plain text; stored only as its PBKDF2 hash. */
  password?: string;
  phone?: string | null;
  phoneStatus?: PhoneStatus;
  personalMessage?: string | null;
  termsAccepted?: boolean;
  /** Why a member registered as locked is locked (wrong entries, unless said otherwise). */
  lockCause?: LockCause;
}

const memberById = preparedPerDatabase((db) =>
  db
    .select({ member: members, cardholderId: cardAccounts.cardholderId })
    .from(members)
    .innerJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId))
    .where(eq(members.id, sql.placeholder('id')))
    .limit(1)
    .prepare(),
);
const memberOfAccount = preparedPerDatabase((db) => db.select().from(members).where(eq(members.cardAccountId, sql.placeholder('cardAccountId'))).prepare());

export async function findMember(db: Database, id: number): Promise<Member | undefined> {
  const row = await memberById(db).get({ id });
  return row && { ...row.member, cardholderId: row.cardholderId };
}

/** The registration of a card account (there is at most one), without its cardholder. */
export function findMemberOfAccount(db: Database, cardAccountId: number): Promise<typeof members.$inferSelect | undefined> {
  return memberOfAccount(db).get({ cardAccountId });
}

/** A member by its member ID exactly as stored (what a person types is compared with `loginIdMatches`). */
export function findMemberByLoginId(db: Database, loginId: string): Promise<typeof members.$inferSelect | undefined> {
  return db.select().from(members).where(eq(members.loginId, loginId)).get();
}

/** Registers a card account; returns the new member's id. */
export async function createMember(db: Database, clock: Clock, input: NewMember): Promise<number> {
  const now = clock.now();
  const [row] = await db
    .insert(members)
    .values({
      cardAccountId: input.cardAccountId,
      loginId: input.loginId,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      authMethod: input.authMethod,
      phone: input.phone ?? null,
      phoneStatus: input.phoneStatus ?? 'none',
      personalMessage: input.personalMessage ?? null,
      status: input.status,
      lockedAt: input.status === 'locked' ? now : null,
      lockCause: input.status === 'locked' ? (input.lockCause ?? 'attempts') : null,
      termsAcceptedAt: input.termsAccepted ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: members.id });
  return row.id;
}

/** A new OTP phone, in the status its confirmation reached (verified once a code sent to it came back). */
export async function setPhone(db: Database, clock: Clock, memberId: number, phone: string | null, phoneStatus: PhoneStatus): Promise<void> {
  await db.update(members).set({ phone, phoneStatus, updatedAt: clock.now() }).where(eq(members.id, memberId));
}

export async function setPersonalMessage(db: Database, clock: Clock, memberId: number, personalMessage: string | null): Promise<void> {
  await db.update(members).set({ personalMessage, updatedAt: clock.now() }).where(eq(members.id, memberId));
}

export async function setPassword(db: Database, clock: Clock, memberId: number, password: string): Promise<void> {
  await db.update(members).set({ passwordHash: await hashPassword(password), updatedAt: clock.now() }).where(eq(members.id, memberId));
}

/**
 * Whether what was typed is this member's ID, compared as typed entries are (full-width and
 * dashes do not matter) and in time independent of where they differ.
 */
export function loginIdMatches(typed: string, member: Pick<Member, 'loginId'>): boolean {
  return timingSafeEqual(normaliseEntry(typed), normaliseEntry(member.loginId));
}

/**
 * A new OTP phone the cardholder confirmed (a code read back, or the helpdesk's other means):
 * verified, and when it changed (a recent change is an account-takeover sign for the risk engine).
 */
export async function changePhone(db: Database, clock: Clock, memberId: number, phone: string): Promise<boolean> {
  const now = clock.now();
  const changed = await db.update(members).set({ phone, phoneStatus: 'verified', phoneChangedAt: now, updatedAt: now }).where(eq(members.id, memberId)).returning({ id: members.id });
  return changed.length === 1;
}

/** The phone stays on file but is no longer texted: the next challenge guides the cardholder to register one. */
export async function markPhoneProvisional(db: Database, clock: Clock, memberId: number): Promise<boolean> {
  const changed = await db
    .update(members)
    .set({ phoneStatus: 'provisional', updatedAt: clock.now() })
    .where(and(eq(members.id, memberId), eq(members.phoneStatus, 'verified')))
    .returning({ id: members.id });
  return changed.length === 1;
}

/** From the legacy static password to SMS OTP; only a member with a verified phone can be switched. */
export async function switchToSms(db: Database, clock: Clock, memberId: number): Promise<boolean> {
  const changed = await db
    .update(members)
    .set({ authMethod: 'sms_otp', updatedAt: clock.now() })
    .where(and(eq(members.id, memberId), eq(members.authMethod, 'password'), eq(members.phoneStatus, 'verified'), isNotNull(members.phone)))
    .returning({ id: members.id });
  return changed.length === 1;
}

/**
 * Removes a registration: the member row and its sessions, with the caller's own statements
 * (e.g. withdrawing requests on it) in the same transaction. The next AReq for the card finds it
 * not registered. Returns whether there was a member to remove.
 */
export async function removeMember(db: Database, memberId: number, alongside: BatchItem<'sqlite'>[] = []): Promise<boolean> {
  const [removed] = await db.batch([
    db.delete(members).where(eq(members.id, memberId)).returning({ id: members.id }),
    db.delete(sessions).where(and(eq(sessions.subjectType, 'member'), eq(sessions.subjectId, memberId))),
    ...alongside,
  ]);
  return removed.length === 1;
}

/** The cardholder's own personal message (portal): it replaces the issuer's provisional one, if any. */
export async function setOwnPersonalMessage(db: Database, clock: Clock, memberId: number, personalMessage: string): Promise<boolean> {
  const changed = await db
    .update(members)
    .set({ personalMessage, personalMessageProvisional: false, updatedAt: clock.now() })
    .where(eq(members.id, memberId))
    .returning({ id: members.id });
  return changed.length === 1;
}

/** A new registration address, confirmed now by a code mailed to it (portal's e-mail change). */
export async function setVerifiedEmail(db: Database, clock: Clock, memberId: number, email: string): Promise<boolean> {
  const now = clock.now();
  const changed = await db.update(members).set({ email, emailVerifiedAt: now, updatedAt: now }).where(eq(members.id, memberId)).returning({ id: members.id });
  return changed.length === 1;
}

/** The member accepted the 3-D Secure terms (JCB's rule: acceptance at first sign-in completes enrolment). */
export async function acceptTerms(db: Database, clock: Clock, memberId: number): Promise<boolean> {
  const now = clock.now();
  const changed = await db.update(members).set({ termsAcceptedAt: now, updatedAt: now }).where(eq(members.id, memberId)).returning({ id: members.id });
  return changed.length === 1;
}

// ─── The portal's registration (portal/registration.ts) ──────────────────────────

/** What a portal registration writes: the chosen ID, the password's hash (made when it was chosen), the confirmed address. */
export interface RegisteredCredentials {
  loginId: string;
  passwordHash: string;
  email: string;
}

/**
 * A new member from the portal's registration, as one statement of the caller's batch that writes
 * only where `onlyIf` holds (the registration's flow is still open: of two racing submits, one
 * creates). SMS OTP (the default for new registrations), active, no phone yet, the address
 * confirmed now, the terms not yet accepted. INSERT … SELECT … WHERE, because a plain INSERT
 * cannot be guarded.
 */
export function insertRegisteredMember(db: Database, now: number, cardAccountId: number, c: RegisteredCredentials, onlyIf: SQL): BatchItem<'sqlite'> {
  return db.run(sql`INSERT INTO members (card_account_id, login_id, password_hash, auth_method, phone_status, status, email, email_verified_at, created_at, updated_at)
    SELECT ${cardAccountId}, ${c.loginId}, ${c.passwordHash}, 'sms_otp', 'none', 'active', ${c.email}, ${now}, ${now}, ${now} WHERE ${onlyIf}`);
}

/**
 * Re-registration, and the 本登録 of a provisional member, in place: the card's registration gets
 * the new ID, password and confirmed address, its wrong-entry count starts again, it is active,
 * and every session of the old credentials ends (seeds: the old ID and password are deleted at
 * the same time). Phone, personal message and terms stay. Never for a locked member (staff lift a
 * lock). Statements of the caller's batch, applied only where `onlyIf` holds.
 */
export function replaceCredentials(db: Database, now: number, memberId: number, c: RegisteredCredentials, onlyIf: SQL): BatchItem<'sqlite'>[] {
  return [
    db
      .update(members)
      .set({ loginId: c.loginId, passwordHash: c.passwordHash, email: c.email, emailVerifiedAt: now, failedAttempts: 0, status: 'active', updatedAt: now })
      .where(and(eq(members.id, memberId), ne(members.status, 'locked'), onlyIf)),
    db.delete(sessions).where(and(eq(sessions.subjectType, 'member'), eq(sessions.subjectId, memberId), onlyIf)),
  ];
}
