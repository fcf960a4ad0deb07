/**
 * Cards with their cardholder and member, as the ACS needs them, and the writes that put a card
 * on file (demo data, tests, and later the admin's import).
 */
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { cardAccounts, cardholders, cards, members, type AuthMethod, type Brand, type CardStatus, type LockCause, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
import type { Keys } from '../keys.ts';
import { encryptPan, panLookupHash } from './pan.ts';

export interface CardOnFile {
  /** createdAt: when the card was put on file (the risk engine's card age). */
  card: { id: number; accountId: number; brand: Brand; status: CardStatus; expiry: string; panLast4: string; replacedByCardId: number | null; createdAt: number };
  /** dataSharingOptOut: nothing about this cardholder goes to the external fraud-detection provider. */
  cardholder: { id: number; phoneProvisional: boolean; dataSharingOptOut: boolean };
  member: {
    id: number;
    loginId: string;
    status: MemberStatus;
    authMethod: AuthMethod;
    phone: string | null;
    phoneStatus: PhoneStatus;
    /** Set once the cardholder (or the helpdesk) confirmed the phone: it then outranks the issuer's provisional mark. */
    phoneChangedAt: number | null;
    hasPassword: boolean;
    personalMessage: string | null;
    /** For the risk engine's signals: days since registration, recent lockouts. */
    createdAt: number;
    lockedAt: number | null;
    lockCause: LockCause | null;
  } | null;
}

/** One indexed query: card by its PAN's keyed hash, with cardholder and its account's member. */
export async function findCardOnFile(db: Database, panHash: string): Promise<CardOnFile | undefined> {
  const [row] = await db
    .select({
      cardId: cards.id,
      accountId: cards.accountId,
      brand: cards.brand,
      status: cards.status,
      expiry: cards.expiry,
      panLast4: cards.panLast4,
      replacedByCardId: cards.replacedByCardId,
      cardCreatedAt: cards.createdAt,
      cardholderId: cardholders.id,
      phoneProvisional: cardholders.phoneProvisional,
      dataSharingOptOut: cardholders.dataSharingOptOut,
      memberId: members.id,
      loginId: members.loginId,
      memberStatus: members.status,
      authMethod: members.authMethod,
      phone: members.phone,
      phoneStatus: members.phoneStatus,
      phoneChangedAt: members.phoneChangedAt,
      passwordHash: members.passwordHash,
      personalMessage: members.personalMessage,
      memberCreatedAt: members.createdAt,
      lockedAt: members.lockedAt,
      lockCause: members.lockCause,
    })
    .from(cards)
    .innerJoin(cardholders, eq(cardholders.id, cards.cardholderId))
    .leftJoin(members, eq(members.cardAccountId, cards.accountId))
    .where(eq(cards.panHash, panHash))
    .limit(1);
  if (!row) return undefined;
  return {
    card: { id: row.cardId, accountId: row.accountId, brand: row.brand, status: row.status, expiry: row.expiry, panLast4: row.panLast4, replacedByCardId: row.replacedByCardId, createdAt: row.cardCreatedAt },
    cardholder: { id: row.cardholderId, phoneProvisional: row.phoneProvisional, dataSharingOptOut: row.dataSharingOptOut },
    member:
      row.memberId === null
        ? null
        : {
            id: row.memberId,
            loginId: row.loginId!,
            status: row.memberStatus!,
            authMethod: row.authMethod!,
            phone: row.phone,
            phoneStatus: row.phoneStatus!,
            phoneChangedAt: row.phoneChangedAt,
            hasPassword: row.passwordHash !== null,
            personalMessage: row.personalMessage,
            createdAt: row.memberCreatedAt!,
            lockedAt: row.lockedAt,
            lockCause: row.lockCause,
          },
  };
}

export interface NewCardholder {
  /** The issuer whose customer this is; omitted: the install's first issuer. */
  issuerId?: number | null;
  /** The issuer's own customer number (unique per issuer). */
  customerRef: string;
  name: string;
  phoneOnFile?: string | null;
  /** The issuer set a placeholder number: no SMS goes to it. */
  phoneProvisional?: boolean;
}

export async function insertCardholder(db: Database, clock: Clock, holder: NewCardholder): Promise<number> {
  const [row] = await db
    .insert(cardholders)
    .values({
      issuerId: holder.issuerId ?? null,
      customerRef: holder.customerRef,
      name: holder.name,
      phoneOnFile: holder.phoneOnFile ?? null,
      phoneProvisional: holder.phoneProvisional ?? false,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    })
    .returning({ id: cardholders.id });
  return row.id;
}

/**
 * A BIN range moved to another issuer takes its cardholders along: those with a card in the range
 * (compared on the first six digits, as the range's prefix of that length).
 */
export async function moveCardholdersOfRange(db: Database, range: { rangeStart: string; rangeEnd: string }, issuerId: number): Promise<void> {
  const n = Math.min(range.rangeStart.length, 6);
  const start = range.rangeStart.slice(0, n);
  const end = range.rangeEnd.slice(0, n);
  await db.run(sql`UPDATE cardholders SET issuer_id = ${issuerId}
    WHERE id IN (SELECT cardholder_id FROM cards WHERE substr(pan_first6, 1, ${n}) BETWEEN ${start} AND ${end})`);
}

export interface NewCard {
  pan: string;
  expiry: string;
  brand: Brand;
  status?: CardStatus;
}

/** The PAN's stored forms: keyed hash, ciphertext and the display parts. */
export async function protectPan(keys: Keys, pan: string) {
  return {
    panHash: await panLookupHash(keys.panLookup, pan),
    panCipher: await encryptPan(keys.panEncryption, pan),
    panFirst6: pan.slice(0, 6),
    panLast4: pan.slice(-4),
  };
}

/**
 * Puts a new card on file. Without `accountId` it opens a new card account for it (a new card is
 * registered on its own), in the same transaction; with one it joins that account. A reissue goes
 * through reissue.ts, which also retires the old card and applies REISSUE_POLICY.
 */
export async function insertCard(db: Database, keys: Keys, clock: Clock, cardholderId: number, card: NewCard, accountId?: number): Promise<{ id: number; accountId: number }> {
  const now = clock.now();
  const stored = await protectPan(keys, card.pan);
  return db.transaction(async (tx) => {
    const account = accountId ?? (await tx.insert(cardAccounts).values({ cardholderId, createdAt: now }).returning({ id: cardAccounts.id }))[0].id;
    const [row] = await tx
      .insert(cards)
      .values({ ...stored, expiry: card.expiry, brand: card.brand, status: card.status ?? 'active', cardholderId, accountId: account, createdAt: now, updatedAt: now })
      .returning({ id: cards.id });
    return { id: row.id, accountId: account };
  });
}
