/**
 * What a registration keeps when its card is reissued. A registration (member) belongs to one card
 * account: a cardholder with two cards registers each on its own, as every issuer in the seeds
 * requires, and a reissued card joins its predecessor's account (src/cards/reissue.ts), so it finds
 * the same member. The issuer's REISSUE_POLICY says what of it carries over; store.ts creates and
 * changes members otherwise.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { members, type ReissuePolicy } from '../db/schema.ts';

/** The database, or a transaction on it: this runs inside the reissue's write. */
export type DatabaseOrTransaction = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * `continue` keeps member ID, OTP phone and personal message; `reregister_phone` keeps ID and
 * message and forgets the phone, so the new card's next challenge asks for a phone to be
 * registered. Returns what happened to the account's registration (`none`: it has none).
 */
export async function keepRegistrationOnReissue(
  db: DatabaseOrTransaction,
  accountId: number,
  policy: ReissuePolicy,
  now: number,
): Promise<'kept' | 'phone_cleared' | 'none'> {
  if (policy === 'continue') return (await db.$count(members, eq(members.cardAccountId, accountId))) > 0 ? 'kept' : 'none';
  const cleared = await db
    .update(members)
    .set({ phone: null, phoneStatus: 'none', updatedAt: now })
    .where(eq(members.cardAccountId, accountId))
    .returning({ id: members.id });
  return cleared.length > 0 ? 'phone_cleared' : 'none';
}
