/**
 * Wrong entries are counted per member in the database, atomically, so that concurrent
 * submissions (or several Workers isolates) can neither undercount nor check more than the limit.
 *
 * Every counted submission first claims an attempt (one UPDATE … RETURNING); only claims within
 * the limit are checked at all. A failure that reaches the limit locks the member until staff
 * unlock it. An empty or malformed entry is not an attempt: the caller answers it without a claim.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { members, type LockCause } from '../db/schema.ts';

export interface AttemptClaim {
  /** Whether this submission may be checked. */
  allowed: boolean;
  /** Wrong-or-pending entries counted so far, this one included. */
  count: number;
}

export async function claimAttempt(db: Database, memberId: number, limit: number, now: number): Promise<AttemptClaim> {
  const [row] = await db
    .update(members)
    .set({ failedAttempts: sql`${members.failedAttempts} + 1`, updatedAt: now })
    .where(eq(members.id, memberId))
    .returning({ count: members.failedAttempts, status: members.status });
  if (!row) return { allowed: false, count: 0 };
  return { allowed: row.status === 'active' && row.count <= limit, count: row.count };
}

/** A correct entry clears the count. */
export async function clearAttempts(db: Database, memberId: number, now: number): Promise<void> {
  await db.update(members).set({ failedAttempts: 0, updatedAt: now }).where(and(eq(members.id, memberId), eq(members.status, 'active')));
}

/** Locks the member (once), noting why (the helpdesk reads it); returns whether this call locked it. */
export async function lockMember(db: Database, memberId: number, now: number, cause: LockCause = 'attempts'): Promise<boolean> {
  const locked = await db
    .update(members)
    .set({ status: 'locked', lockedAt: now, lockCause: cause, updatedAt: now })
    .where(and(eq(members.id, memberId), eq(members.status, 'active')))
    .returning({ id: members.id });
  return locked.length === 1;
}

/** Staff lift a lock: the member is active again with a clean count; returns whether it was locked. */
export async function unlockMember(db: Database, memberId: number, now: number): Promise<boolean> {
  const unlocked = await db
    .update(members)
    .set({ status: 'active', lockedAt: null, lockCause: null, failedAttempts: 0, updatedAt: now })
    .where(and(eq(members.id, memberId), eq(members.status, 'locked')))
    .returning({ id: members.id });
  return unlocked.length === 1;
}
