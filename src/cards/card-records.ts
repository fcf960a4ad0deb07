/**
 * The issuer's card records as its core system, the helpdesk and the integration API change
 * them: a card's status, the phone on file, the cardholder's data-sharing choice. One function
 * each, used by the CSV import, the API and the helpdesk alike (so a block is one thing).
 * Callers write the audit row; these keep the rows consistent and say what changed.
 */
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { cardholders, cards, type CardStatus } from '../db/schema.ts';

export interface Change<T> {
  before: T;
  after: T;
}

/**
 * Sets a card's status (lost / stolen / blocked / closed / active). A replaced card stays
 * replaced: its successor carries the account on. Returns the change, or undefined when there is
 * no such card or it was replaced.
 */
export async function setCardStatus(db: Database, clock: Clock, cardId: number, status: Exclude<CardStatus, 'replaced'>): Promise<Change<CardStatus> | undefined> {
  const card = await db.select({ status: cards.status }).from(cards).where(eq(cards.id, cardId)).get();
  if (!card || card.status === 'replaced') return undefined;
  if (card.status !== status) await db.update(cards).set({ status, updatedAt: clock.now() }).where(eq(cards.id, cardId));
  return { before: card.status, after: status };
}

/** The phone number the issuer holds for the cardholder, and whether it is only provisional. */
export async function setPhoneOnFile(
  db: Database,
  clock: Clock,
  cardholderId: number,
  phone: string | null,
  provisional: boolean,
): Promise<Change<{ phone: string | null; provisional: boolean }> | undefined> {
  const holder = await db.select({ phone: cardholders.phoneOnFile, provisional: cardholders.phoneProvisional }).from(cardholders).where(eq(cardholders.id, cardholderId)).get();
  if (!holder) return undefined;
  await db.update(cardholders).set({ phoneOnFile: phone, phoneProvisional: provisional, updatedAt: clock.now() }).where(eq(cardholders.id, cardholderId));
  return { before: holder, after: { phone, provisional } };
}

/** The cardholder's opt-out of (or back into) data sharing with the external fraud-detection provider. */
export async function setDataSharingOptOut(db: Database, clock: Clock, cardholderId: number, optOut: boolean): Promise<Change<boolean> | undefined> {
  const holder = await db.select({ optOut: cardholders.dataSharingOptOut }).from(cardholders).where(eq(cardholders.id, cardholderId)).get();
  if (!holder) return undefined;
  const now = clock.now();
  await db.update(cardholders).set({ dataSharingOptOut: optOut, dataSharingChangedAt: now, updatedAt: now }).where(eq(cardholders.id, cardholderId));
  return { before: holder.optOut, after: optOut };
}
