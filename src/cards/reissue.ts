/**
 * A reissued card put on file: the new number joins the old card's account, the old card becomes
 * `replaced` and points at its successor (its AReqs answer N/06), and the account's registration
 * keeps what the issuer's REISSUE_POLICY says: `continue` keeps member ID, OTP phone and personal
 * message; `reregister_phone` keeps ID and message and asks for the phone again (the new card's
 * challenge shows the "register a phone" guidance until the cardholder does).
 *
 * @example
 *   const policy = (await issuerSettingsForPan(deps, oldPan)).policies.reissue; // the card's issuer's
 *   const r = await reissueCard(deps, { replaces: { pan: oldPan }, card: { pan: newPan, expiry: '3103' }, policy });
 *   if (!r.ok) … r.reason
 */
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { cards, type Brand, type CardStatus, type ReissuePolicy } from '../db/schema.ts';
import type { Keys } from '../keys.ts';
import { keepRegistrationOnReissue, type DatabaseOrTransaction } from '../members/registration.ts';
import { protectPan } from './card-store.ts';
import { panLookupHash } from './pan.ts';

export interface Reissue {
  /** The card being reissued: its id, or its number as the issuer's core system knows it. */
  replaces: { cardId: number } | { pan: string };
  /** The new number; the brand defaults to the old card's. */
  card: { pan: string; expiry: string; brand?: Brand; status?: CardStatus; corporate?: boolean; pinHash?: string | null };
  policy: ReissuePolicy;
}

export type ReissueResult =
  | { ok: true; cardId: number; accountId: number; replacedCardId: number; registration: 'kept' | 'phone_cleared' | 'none' }
  /** Nothing was written. */
  | { ok: false; reason: 'card_not_found' | 'already_replaced' | 'pan_on_file' };

/**
 * Puts the reissued card on file in one write transaction: all of it happens, or none. Given an
 * open transaction (the CSV import's batch) it runs inside it, as a savepoint.
 */
export async function reissueCard(deps: { db: Database | DatabaseOrTransaction; keys: Keys; clock: Clock }, r: Reissue): Promise<ReissueResult> {
  const { db, keys, clock } = deps;
  const protectedPan = await protectPan(keys, r.card.pan);
  const oldWhere = 'cardId' in r.replaces ? eq(cards.id, r.replaces.cardId) : eq(cards.panHash, await panLookupHash(keys.panLookup, r.replaces.pan));
  const now = clock.now();
  return db.transaction(async (tx): Promise<ReissueResult> => {
    const [old] = await tx.select({ id: cards.id, accountId: cards.accountId, cardholderId: cards.cardholderId, brand: cards.brand, status: cards.status }).from(cards).where(oldWhere);
    if (!old) return { ok: false, reason: 'card_not_found' };
    if (old.status === 'replaced') return { ok: false, reason: 'already_replaced' };
    if ((await tx.$count(cards, eq(cards.panHash, protectedPan.panHash))) > 0) return { ok: false, reason: 'pan_on_file' };
    const [card] = await tx
      .insert(cards)
      .values({
        ...protectedPan,
        expiry: r.card.expiry,
        brand: r.card.brand ?? old.brand,
        status: r.card.status ?? 'active',
        corporate: r.card.corporate ?? false,
        pinHash: r.card.pinHash ?? null,
        cardholderId: old.cardholderId,
        accountId: old.accountId,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: cards.id });
    await tx.update(cards).set({ status: 'replaced', replacedByCardId: card.id, updatedAt: now }).where(eq(cards.id, old.id));
    const registration = await keepRegistrationOnReissue(tx, old.accountId, r.policy, now);
    return { ok: true, cardId: card.id, accountId: old.accountId, replacedCardId: old.id, registration };
  });
}
