/**
 * Cards with their cardholder and member, as the ACS needs them, and the writes that put a card
 * on file (demo data, tests, and later the admin's import).
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { bool, selectRows } from '../db/statements.ts';
import { cardAccounts, cardholders, cards, type AuthMethod, type Brand, type CardStatus, type LockCause, type MemberStatus, type PhoneStatus } from '../db/schema.ts';
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

/**
 * One indexed query: card by its PAN's keyed hash, with cardholder and its account's member.
 * Fixed SQL (it runs on every AReq: no query building), columns in the order read below.
 */
const CARD_ON_FILE = `SELECT c.id, c.account_id, c.brand, c.status, c.expiry, c.pan_last4, c.replaced_by_card_id, c.created_at,
    h.id, h.phone_provisional, h.data_sharing_opt_out,
    m.id, m.login_id, m.status, m.auth_method, m.phone, m.phone_status, m.phone_changed_at, m.password_hash IS NOT NULL,
    m.personal_message, m.created_at, m.locked_at, m.lock_cause
  FROM cards c JOIN cardholders h ON h.id = c.cardholder_id LEFT JOIN members m ON m.card_account_id = c.account_id
  WHERE c.pan_hash = ? LIMIT 1`;

export async function findCardOnFile(db: Database, panHash: string): Promise<CardOnFile | undefined> {
  const [r] = await selectRows(db, CARD_ON_FILE, [panHash]);
  if (!r) return undefined;
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    card: { id: Number(r[0]), accountId: Number(r[1]), brand: r[2] as Brand, status: r[3] as CardStatus, expiry: r[4] as string, panLast4: r[5] as string, replacedByCardId: n(r[6]), createdAt: Number(r[7]) },
    cardholder: { id: Number(r[8]), phoneProvisional: bool(r[9]), dataSharingOptOut: bool(r[10]) },
    member:
      r[11] === null
        ? null
        : {
            id: Number(r[11]),
            loginId: r[12] as string,
            status: r[13] as MemberStatus,
            authMethod: r[14] as AuthMethod,
            phone: r[15] as string | null,
            phoneStatus: r[16] as PhoneStatus,
            phoneChangedAt: n(r[17]),
            hasPassword: bool(r[18]),
            personalMessage: r[19] as string | null,
            createdAt: Number(r[20]),
            lockedAt: n(r[21]),
            lockCause: r[22] as LockCause | null,
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
