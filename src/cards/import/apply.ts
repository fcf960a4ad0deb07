/**
 * Valid rows of one batch applied inside the batch's write transaction: cardholders created or
 * updated (one per customer number per issuer), new cards put on file with their own card account,
 * changed cards updated, reissues linked through reissue.ts (REISSUE_POLICY), and the refusals
 * that need the database (a PAN on file for another customer, a replaced card that is not there).
 * A dry run does the same look-ups and counts and writes nothing.
 *
 * Fast by construction: one look-up query per table for the whole batch, new rows as multi-row
 * INSERTs (`json_each` of one JSON array, ids continuing from the table's maximum, read inside the
 * transaction), so a batch of thousands of rows holds the write lock for tens of milliseconds.
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { CardStatus, ReissuePolicy } from '../../db/schema.ts';
import type { Keys } from '../../keys.ts';
import type { DatabaseOrTransaction } from '../../members/registration.ts';
import { reissueCard } from '../reissue.ts';
import { rejection, type Rejection, type ValidRow } from './validate.ts';

/** A valid row with its PAN's keyed hash (and the replaced card's), and the PIN hash to store. */
export interface PreparedRow extends ValidRow {
  panHash: string;
  replacesHash: string | null;
  /** What the card's pin_hash becomes: the given hash, a fresh PBKDF2 of a plain PIN, or undefined: leave as is. */
  storePinHash?: string;
}

export type RowOutcome = 'inserted' | 'updated' | 'unchanged';

export interface OnFileCard {
  id: number;
  cardholderId: number;
  /** The card account, whose registration (members row) a personal message is for. */
  accountId: number;
  customerRef: string;
  expiry: string;
  status: CardStatus;
  corporate: boolean;
  pinHash: string | null;
}

export interface OnFileHolder {
  id: number;
  issuerId: number | null;
  name: string;
  nameKana: string | null;
  birthDate: string | null;
  phone: string | null;
  phoneProvisional: boolean;
  email: string | null;
}

export interface ApplyContext {
  tx: DatabaseOrTransaction;
  keys: Keys;
  clock: Clock;
  issuerId: number;
  /** The issuer is the install's first: its cardholders from before issuers have no issuer_id. */
  firstIssuer: boolean;
  reissuePolicy: ReissuePolicy;
  dryRun: boolean;
  /** The AES-GCM ciphertexts of PANs, made before the transaction where possible. */
  encrypt: (pans: string[]) => Promise<string[]>;
  ciphers: Map<string, string>;
  /** Dry run: PANs of valid rows on earlier lines of the file (not written, so not on file). */
  earlierValid: (pan: string) => boolean;
}

export interface ApplyResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejections: Rejection[];
}

/** Cards on file by their PAN hashes, with their cardholder's customer number. */
export async function cardsByHash(tx: DatabaseOrTransaction, hashes: string[]): Promise<Map<string, OnFileCard>> {
  const map = new Map<string, OnFileCard>();
  if (hashes.length === 0) return map;
  const rows = await tx.all<{ h: string; id: number; cardholder_id: number; account_id: number; customer_ref: string; expiry: string; status: CardStatus; corporate: number; pin_hash: string | null }>(
    sql`SELECT c.pan_hash AS h, c.id, c.cardholder_id, c.account_id, ch.customer_ref, c.expiry, c.status, c.corporate, c.pin_hash
        FROM cards c JOIN cardholders ch ON ch.id = c.cardholder_id
        WHERE c.pan_hash IN (SELECT value FROM json_each(${JSON.stringify(hashes)}))`,
  );
  for (const r of rows) map.set(r.h, { id: r.id, cardholderId: r.cardholder_id, accountId: r.account_id, customerRef: r.customer_ref, expiry: r.expiry, status: r.status, corporate: !!r.corporate, pinHash: r.pin_hash });
  return map;
}

async function holdersByRef(ctx: ApplyContext, refs: string[]): Promise<Map<string, OnFileHolder>> {
  const map = new Map<string, OnFileHolder>();
  if (refs.length === 0) return map;
  const json = JSON.stringify(refs);
  // The unique index is on (coalesce(issuer_id, 0), customer_ref): ask in its terms.
  const issuerKeys = ctx.firstIssuer ? [ctx.issuerId, 0] : [ctx.issuerId];
  for (const key of issuerKeys) {
    const rows = await ctx.tx.all<{ id: number; issuer_id: number | null; customer_ref: string; name: string; name_kana: string | null; birth_date: string | null; phone_on_file: string | null; phone_provisional: number; email: string | null }>(
      sql`SELECT id, issuer_id, customer_ref, name, name_kana, birth_date, phone_on_file, phone_provisional, email FROM cardholders
          WHERE coalesce(issuer_id, 0) = ${key} AND customer_ref IN (SELECT value FROM json_each(${json}))`,
    );
    for (const r of rows) {
      if (map.has(r.customer_ref)) continue; // the issuer's own row wins over one from before issuers
      map.set(r.customer_ref, { id: r.id, issuerId: r.issuer_id, name: r.name, nameKana: r.name_kana, birthDate: r.birth_date, phone: r.phone_on_file, phoneProvisional: !!r.phone_provisional, email: r.email });
    }
  }
  return map;
}

interface PendingHolder {
  id?: number;
  row: PreparedRow;
}
interface PendingCard {
  row: PreparedRow;
  holder: PendingHolder | OnFileHolder;
}

/** Applies the rows in file order; rows refused here join the result's rejections. */
export async function applyRows(ctx: ApplyContext, rows: PreparedRow[]): Promise<ApplyResult> {
  const result: ApplyResult = { inserted: 0, updated: 0, unchanged: 0, rejections: [] };
  if (rows.length === 0) return result;
  const now = ctx.clock.now();
  const hashes = rows.flatMap((r) => (r.replacesHash ? [r.panHash, r.replacesHash] : [r.panHash]));
  const cards = await cardsByHash(ctx.tx, hashes);
  const holders = await holdersByRef(ctx, [...new Set(rows.map((r) => r.customerRef))]);
  const pendingHolders = new Map<string, PendingHolder>();
  let pendingCards: PendingCard[] = [];
  /** Customer numbers of cards added earlier in this batch (a reissue may replace one). */
  const addedCards = new Map<string, string>();
  /** Personal messages for the registrations of cards on file (a new card has none yet), by card account. */
  const messages = new Map<number, { message: string; counted: 'updated' | 'unchanged' | 'inserted' }>();

  const flush = async () => {
    if (ctx.dryRun || (pendingHolders.size === 0 && pendingCards.length === 0)) return;
    const fresh = [...pendingHolders.values()].filter((h) => h.id === undefined);
    if (fresh.length > 0) {
      const base = await maxId(ctx.tx, 'cardholders');
      const values = fresh.map((h, k) => {
        h.id = base + k + 1; // as the INSERT numbers them: the array index is json_each's key
        const r = h.row;
        return [r.customerRef, r.name, r.nameKana, r.email, r.phone, r.phoneProvisional ? 1 : 0, r.birthDate];
      });
      // What is the same for every row is bound once, and ids come from the array index: each
      // `value->>n` parses the row's JSON again, so fewer of them is most of a multi-row INSERT's cost.
      await ctx.tx.run(sql`INSERT INTO cardholders (id, issuer_id, customer_ref, name, name_kana, email, phone_on_file, phone_provisional, birth_date, created_at, updated_at)
        SELECT ${base} + key + 1, ${ctx.issuerId}, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ${now}, ${now} FROM json_each(${JSON.stringify(values)})`);
    }
    if (pendingCards.length > 0) {
      const missing = pendingCards.filter((c) => !ctx.ciphers.has(c.row.pan)).map((c) => c.row.pan);
      if (missing.length > 0) {
        const made = await ctx.encrypt(missing);
        missing.forEach((pan, i) => ctx.ciphers.set(pan, made[i]));
      }
      // In the order of their keyed hash: the unique pan_hash index is then written front to back
      // in one pass instead of at random (fewer page visits per batch).
      pendingCards.sort((x, y) => (x.row.panHash < y.row.panHash ? -1 : x.row.panHash > y.row.panHash ? 1 : 0));
      // Card k of the sorted list gets card id cardBase + k + 1 and its own account accountBase + k + 1.
      const accountBase = await maxId(ctx.tx, 'card_accounts');
      const cardBase = await maxId(ctx.tx, 'cards');
      const json = JSON.stringify(
        pendingCards.map(({ row: r, holder }) => [holder.id!, r.panHash, ctx.ciphers.get(r.pan), r.pan.slice(0, 6), r.pan.slice(-4), r.expiry, r.brand, r.status, r.corporate ? 1 : 0, r.storePinHash ?? null]),
      );
      await ctx.tx.run(sql`INSERT INTO card_accounts (id, cardholder_id, created_at) SELECT ${accountBase} + key + 1, value->>0, ${now} FROM json_each(${json})`);
      await ctx.tx.run(sql`INSERT INTO cards (id, pan_hash, pan_cipher, pan_first6, pan_last4, expiry, brand, status, cardholder_id, account_id, corporate, pin_hash, created_at, updated_at)
        SELECT ${cardBase} + key + 1, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>0, ${accountBase} + key + 1, value->>8, value->>9, ${now}, ${now} FROM json_each(${json})`);
    }
    // Written: the holders are on file now, with their ids.
    for (const [ref, h] of pendingHolders) holders.set(ref, { id: h.id!, issuerId: ctx.issuerId, ...holderFields(h.row) });
    pendingHolders.clear();
    pendingCards = [];
  };

  for (const row of rows) {
    const last4 = row.pan.slice(-4);
    const card = cards.get(row.panHash);
    if (card && card.customerRef !== row.customerRef) {
      result.rejections.push(rejection(row.line, 'pan', 'pan_other_customer', { last4 }));
      continue;
    }
    let old: OnFileCard | undefined;
    if (!card && row.replacesHash) {
      const replacesLast4 = row.replacesPan!.slice(-4);
      old = cards.get(row.replacesHash);
      const earlierRef = addedCards.get(row.replacesHash);
      if (!old && !ctx.dryRun && earlierRef !== undefined) {
        // Replaces a card an earlier row of this batch added: write that first, then read it back.
        await flush();
        old = (await cardsByHash(ctx.tx, [row.replacesHash])).get(row.replacesHash);
        if (old) cards.set(row.replacesHash, old);
      }
      if (!old && ctx.dryRun && (earlierRef !== undefined || ctx.earlierValid(row.replacesPan!))) {
        // Dry run: the replaced card is a valid earlier row, which a real run would have put on file.
        if (earlierRef !== undefined && earlierRef !== row.customerRef) {
          result.rejections.push(rejection(row.line, 'replaces_pan', 'replaces_other_customer', { last4: replacesLast4 }));
          continue;
        }
      } else {
        if (!old) {
          result.rejections.push(rejection(row.line, 'replaces_pan', 'replaces_unknown', { last4: replacesLast4 }));
          continue;
        }
        if (old.customerRef !== row.customerRef) {
          result.rejections.push(rejection(row.line, 'replaces_pan', 'replaces_other_customer', { last4: replacesLast4 }));
          continue;
        }
        if (old.status === 'replaced') {
          result.rejections.push(rejection(row.line, 'replaces_pan', 'already_replaced', { last4: replacesLast4 }));
          continue;
        }
      }
    }
    if (!card && !old && row.corporate && !row.storePinHash) {
      result.rejections.push(rejection(row.line, 'pin', 'pin_required'));
      continue;
    }

    // The cardholder: on file (maybe changed), pending from an earlier row of this batch, or new.
    let holderChanged = false;
    let holder: OnFileHolder | PendingHolder | undefined = holders.get(row.customerRef);
    if (holder) {
      const h = holder as OnFileHolder;
      const want = holderFields(row);
      if (h.issuerId !== ctx.issuerId || (Object.keys(want) as (keyof typeof want)[]).some((k) => want[k] !== h[k])) {
        holderChanged = true;
        if (!ctx.dryRun) {
          await ctx.tx.run(sql`UPDATE cardholders SET issuer_id = ${ctx.issuerId}, name = ${want.name}, name_kana = ${want.nameKana}, birth_date = ${want.birthDate},
            phone_on_file = ${want.phone}, phone_provisional = ${want.phoneProvisional ? 1 : 0}, email = ${want.email}, updated_at = ${now} WHERE id = ${h.id}`);
        }
        Object.assign(h, want, { issuerId: ctx.issuerId });
      }
    } else {
      const pending = pendingHolders.get(row.customerRef);
      if (pending) {
        const before = holderFields(pending.row);
        const want = holderFields(row);
        if ((Object.keys(want) as (keyof typeof want)[]).some((k) => want[k] !== before[k])) pending.row = row; // the later line wins
        holder = pending;
      } else {
        holder = { row };
        pendingHolders.set(row.customerRef, holder);
      }
    }

    if (card) {
      const status = card.status === 'replaced' ? 'replaced' : row.status; // a replaced card stays replaced
      const pinHash = row.storePinHash ?? card.pinHash;
      const changed = card.expiry !== row.expiry || card.status !== status || card.corporate !== row.corporate || card.pinHash !== pinHash;
      if (changed) {
        if (!ctx.dryRun) {
          await ctx.tx.run(sql`UPDATE cards SET expiry = ${row.expiry}, status = ${status}, corporate = ${row.corporate ? 1 : 0}, pin_hash = ${pinHash}, updated_at = ${now} WHERE id = ${card.id}`);
        }
        Object.assign(card, { expiry: row.expiry, status, corporate: row.corporate, pinHash });
      }
      const counted = changed || holderChanged ? 'updated' : 'unchanged';
      result[counted]++;
      if (row.personalMessage) messages.set(card.accountId, { message: row.personalMessage, counted });
      continue;
    }

    if (old) {
      // A reissue: the new number joins the old card's account (reissue.ts, REISSUE_POLICY).
      if (!ctx.dryRun) {
        await flush();
        const r = await reissueCard(
          { db: ctx.tx, keys: ctx.keys, clock: ctx.clock },
          { replaces: { cardId: old.id }, card: { pan: row.pan, expiry: row.expiry, brand: row.brand, status: row.status, corporate: row.corporate, pinHash: row.storePinHash ?? old.pinHash }, policy: ctx.reissuePolicy },
        );
        if (!r.ok) {
          result.rejections.push(rejection(row.line, 'replaces_pan', r.reason === 'already_replaced' ? 'already_replaced' : 'replaces_unknown', { last4: row.replacesPan!.slice(-4) }));
          continue;
        }
        cards.set(row.panHash, { id: r.cardId, cardholderId: old.cardholderId, accountId: old.accountId, customerRef: row.customerRef, expiry: row.expiry, status: row.status, corporate: row.corporate, pinHash: row.storePinHash ?? old.pinHash });
      }
      old.status = 'replaced';
      result.inserted++;
      addedCards.set(row.panHash, row.customerRef);
      // The new number joins the old card's account, and with it its registration.
      if (row.personalMessage) messages.set(old.accountId, { message: row.personalMessage, counted: 'inserted' });
      continue;
    }

    pendingCards.push({ row, holder });
    addedCards.set(row.panHash, row.customerRef);
    result.inserted++;
  }
  await flush();
  await applyMessages(ctx, messages, result, now);
  return result;
}

/**
 * The issuer's provisional personal messages (JCB's 仮メッセージ) set on the registrations of the
 * rows' card accounts: only where the member has no message yet or its message is still the
 * issuer's (provisional), never over one the cardholder chose. A card with no registration gets
 * nothing (the portal's registration asks for a message). A row whose only change is its message
 * counts as updated.
 */
async function applyMessages(ctx: ApplyContext, messages: Map<number, { message: string; counted: RowOutcome }>, result: ApplyResult, now: number): Promise<void> {
  if (messages.size === 0) return;
  const registered = await ctx.tx.all<{ id: number; card_account_id: number; personal_message: string | null; personal_message_provisional: number }>(
    sql`SELECT id, card_account_id, personal_message, personal_message_provisional FROM members
        WHERE card_account_id IN (SELECT value FROM json_each(${JSON.stringify([...messages.keys()])}))`,
  );
  for (const m of registered) {
    const { message, counted } = messages.get(m.card_account_id)!;
    const own = !!m.personal_message && !m.personal_message_provisional;
    if (own || (m.personal_message === message && m.personal_message_provisional)) continue;
    if (!ctx.dryRun) {
      await ctx.tx.run(sql`UPDATE members SET personal_message = ${message}, personal_message_provisional = 1, updated_at = ${now}
        WHERE id = ${m.id} AND (personal_message IS NULL OR personal_message = '' OR personal_message_provisional = 1)`);
    }
    if (counted === 'unchanged') {
      result.unchanged--;
      result.updated++;
    }
  }
}

function holderFields(r: ValidRow) {
  return { name: r.name, nameKana: r.nameKana, birthDate: r.birthDate, phone: r.phone, phoneProvisional: r.phoneProvisional, email: r.email };
}

async function maxId(tx: DatabaseOrTransaction, table: 'cardholders' | 'card_accounts' | 'cards'): Promise<number> {
  const row = await tx.get<{ m: number }>(sql.raw(`SELECT coalesce(max(id), 0) AS m FROM ${table}`));
  return Number(row?.m ?? 0);
}
