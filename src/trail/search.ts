/**
 * The transaction trail's search: filters over `transactions`, newest first, a page at a time by
 * keyset (created_at DESC, acs_trans_id DESC; never OFFSET), within the person's issuers.
 *
 * How each search stays on an index (checked with EXPLAIN QUERY PLAN in test/integration/trail.test.ts):
 * - An exact look-up (acsTransID, threeDSServerTransID, dsTransID, a full PAN's keyed hash)
 *   finds its few rows by the primary key, the (threeDSServerTransID, dsTransID) unique index or
 *   transactions_pan_hash; the issuer scope is then checked on those rows only, written as
 *   `coalesce(issuer_id, first) IN (…)` so the planner cannot pick the issuer index instead;
 *   dsTransID alone has its own index (transactions_ds_trans_id).
 * - A card's last four digits and an outcome (transStatus) walk their own issuer indexes
 *   (transactions_issuer_last4, transactions_issuer_status), which the planner takes by itself.
 * - Everything else walks transactions_issuer_created (issuer_id, created_at, acs_trans_id)
 *   backwards, one walk per issuer in scope (issuer_id IS NULL is one more walk for the first
 *   issuer, whose rows from before issuers carry no id), and merges the walks: the cursor and a
 *   time range are ranges on that index; status, brand, method, masked PAN and merchant are
 *   checked on the rows the walk passes, and the walk stops at a page's worth. A platform
 *   administrator ('all') walks transactions_created instead.
 * - Merchant name: "starts with" is written as a range (name >= p AND name < p + U+FFFF), the
 *   form an index on merchant_name could serve if one is added; "contains" (LIKE '%…%') can never
 *   use an index. Both are checked during the walk today, so a rare merchant over a long time
 *   range reads that issuer's rows in the range: narrow the time range for those.
 */
import { and, desc, eq, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { transactions, type Brand, type ChallengeMethod } from '../db/schema.ts';
import { firstIssuer } from '../issuers/issuer-store.ts';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.ts';

export interface TrailFilters {
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms, exclusive). */
  to?: number;
  /** The ARes's transStatus, and its reason. */
  transStatus?: string;
  transStatusReason?: string;
  /** The challenge's outcome (Y, N, U), or 'none' for a transaction with no final status. */
  finalStatus?: string;
  brand?: Brand;
  merchant?: { text: string; match: 'prefix' | 'contains' };
  acsTransID?: string;
  threeDSServerTransID?: string;
  dsTransID?: string;
  panFirst6?: string;
  panLast4?: string;
  /** A full PAN's keyed hash (panLookupHash); the PAN itself never reaches this module. */
  panHash?: string;
  challengeMethod?: ChallengeMethod;
}

export interface TrailScope {
  /** The issuers whose rows may be read; 'all' for a platform administrator. */
  issuerIds: number[] | 'all';
}

/** A row of the results: what the table and the CSV show (never the PAN's hash or cipher, never the messages). */
export const TRAIL_COLUMNS = {
  acsTransID: transactions.acsTransID,
  threeDSServerTransID: transactions.threeDSServerTransID,
  dsTransID: transactions.dsTransID,
  issuerId: transactions.issuerId,
  createdAt: transactions.createdAt,
  messageVersion: transactions.messageVersion,
  deviceChannel: transactions.deviceChannel,
  brand: transactions.brand,
  panFirst6: transactions.panFirst6,
  panLast4: transactions.panLast4,
  merchantName: transactions.merchantName,
  purchaseAmount: transactions.purchaseAmount,
  purchaseCurrency: transactions.purchaseCurrency,
  purchaseExponent: transactions.purchaseExponent,
  transStatus: transactions.transStatus,
  transStatusReason: transactions.transStatusReason,
  finalTransStatus: transactions.finalTransStatus,
  finalTransStatusReason: transactions.finalTransStatusReason,
  challengeMethod: transactions.challengeMethod,
  state: transactions.state,
};

export interface TrailRow {
  acsTransID: string;
  threeDSServerTransID: string;
  dsTransID: string;
  issuerId: number | null;
  createdAt: number;
  messageVersion: string;
  deviceChannel: string;
  brand: Brand;
  panFirst6: string | null;
  panLast4: string;
  merchantName: string | null;
  purchaseAmount: string | null;
  purchaseCurrency: string | null;
  purchaseExponent: number | null;
  transStatus: string;
  transStatusReason: string | null;
  finalTransStatus: string | null;
  finalTransStatusReason: string | null;
  challengeMethod: ChallengeMethod | null;
  state: string;
}

/**
 * One page of the trail, newest first, and the cursor of the next page when there is one.
 *
 * @example
 *   const { rows, next } = await searchTrail(db, { issuerIds: [1] }, { brand: 'jcb' }, { limit: 50 });
 *   const page2 = await searchTrail(db, { issuerIds: [1] }, { brand: 'jcb' }, { after: next, limit: 50 });
 */
export async function searchTrail(db: Database, scope: TrailScope, filters: TrailFilters, page: { after?: string; limit: number }): Promise<{ rows: TrailRow[]; next?: string }> {
  const limit = Math.max(1, Math.min(page.limit, 100_000));
  const rows = await findRows(db, scope, filters, decodeCursor(page.after), limit + 1);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > limit && last ? encodeCursor(last) : undefined };
}

/** Up to `take` rows after `cursor`, in keyset order, by the walks the filters call for. */
export async function findRows(db: Database, scope: TrailScope, filters: TrailFilters, cursor: Cursor | undefined, take: number): Promise<TrailRow[]> {
  if (scope.issuerIds !== 'all' && scope.issuerIds.length === 0) return [];
  const common = [...filterConditions(filters), ...(cursor ? [after(cursor)] : [])];
  const first = scope.issuerIds === 'all' ? undefined : (await firstIssuer(db))?.id;

  if (exactLookup(filters)) {
    const scoped = scope.issuerIds === 'all' ? undefined : inArray(sql`coalesce(${transactions.issuerId}, ${first ?? -1})`, scope.issuerIds);
    return select(db, and(...exactConditions(filters), ...common, scoped), take);
  }
  if (scope.issuerIds === 'all') return select(db, and(...common), take);

  // One walk of the issuer index per issuer (and the first issuer's rows without one), merged.
  const walks = scope.issuerIds.map((id) => select(db, and(eq(transactions.issuerId, id), ...common), take));
  if (first !== undefined && scope.issuerIds.includes(first)) walks.push(select(db, and(isNull(transactions.issuerId), ...common), take));
  const merged = (await Promise.all(walks)).flat();
  merged.sort(compareKeyset);
  return merged.slice(0, take);
}

function select(db: Database, where: SQL | undefined, take: number): Promise<TrailRow[]> {
  return db.select(TRAIL_COLUMNS).from(transactions).where(where).orderBy(desc(transactions.createdAt), desc(transactions.acsTransID)).limit(take) as Promise<TrailRow[]>;
}

/** Newest first; within the same millisecond, the larger acsTransID first (the index's order). */
export function compareKeyset(a: Cursor, b: Cursor): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.acsTransID < b.acsTransID ? 1 : a.acsTransID > b.acsTransID ? -1 : 0;
}

/** Strictly after the cursor in keyset order; written so created_at is an index range and the id only breaks ties. */
function after(cursor: Cursor): SQL {
  return and(lte(transactions.createdAt, cursor.createdAt), or(lt(transactions.createdAt, cursor.createdAt), lt(transactions.acsTransID, cursor.acsTransID)))!;
}

function exactLookup(f: TrailFilters): boolean {
  return !!(f.acsTransID || f.threeDSServerTransID || f.dsTransID || f.panHash);
}

function exactConditions(f: TrailFilters): SQL[] {
  const out: SQL[] = [];
  if (f.acsTransID) out.push(eq(transactions.acsTransID, f.acsTransID));
  if (f.threeDSServerTransID) out.push(eq(transactions.threeDSServerTransID, f.threeDSServerTransID));
  if (f.dsTransID) out.push(eq(transactions.dsTransID, f.dsTransID));
  if (f.panHash) out.push(eq(transactions.panHash, f.panHash));
  return out;
}

/** The filters checked on every row a search reads (and the time range, an index range on the walks). */
function filterConditions(f: TrailFilters): SQL[] {
  const out: SQL[] = [];
  if (f.from !== undefined) out.push(gte(transactions.createdAt, f.from));
  if (f.to !== undefined) out.push(lt(transactions.createdAt, f.to));
  if (f.transStatus) out.push(eq(transactions.transStatus, f.transStatus));
  if (f.transStatusReason) out.push(eq(transactions.transStatusReason, f.transStatusReason));
  if (f.finalStatus === 'none') out.push(isNull(transactions.finalTransStatus));
  else if (f.finalStatus) out.push(eq(transactions.finalTransStatus, f.finalStatus));
  if (f.brand) out.push(eq(transactions.brand, f.brand));
  if (f.challengeMethod) out.push(eq(transactions.challengeMethod, f.challengeMethod));
  if (f.panFirst6) out.push(eq(transactions.panFirst6, f.panFirst6));
  if (f.panLast4) out.push(eq(transactions.panLast4, f.panLast4));
  if (f.merchant?.text) {
    const text = f.merchant.text;
    if (f.merchant.match === 'prefix') out.push(and(gte(transactions.merchantName, text), lt(transactions.merchantName, `${text}\uffff`))!);
    else out.push(sql`${transactions.merchantName} LIKE ${`%${escapeLike(text)}%`} ESCAPE '\\'`);
  }
  return out;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** The SQL a search would run (its first walk), for EXPLAIN QUERY PLAN in tests and the benchmark. */
export function explainable(db: Database, scope: TrailScope, filters: TrailFilters, cursor?: Cursor): { sql: string; params: unknown[] } {
  const common = [...filterConditions(filters), ...(cursor ? [after(cursor)] : [])];
  let where: SQL | undefined;
  if (exactLookup(filters)) {
    const scoped = scope.issuerIds === 'all' ? undefined : inArray(sql`coalesce(${transactions.issuerId}, 1)`, scope.issuerIds);
    where = and(...exactConditions(filters), ...common, scoped);
  } else if (scope.issuerIds === 'all') where = and(...common);
  else where = and(eq(transactions.issuerId, scope.issuerIds[0] ?? -1), ...common);
  return db.select(TRAIL_COLUMNS).from(transactions).where(where).orderBy(desc(transactions.createdAt), desc(transactions.acsTransID)).limit(51).toSQL();
}
