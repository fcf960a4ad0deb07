/**
 * An issuer's cards and their registrations as CSV, for reconciliation with its core system:
 * masked card numbers only (first 6 and last 4: the full number is never decrypted here),
 * statuses as the import file writes them, when each card and registration was put on file, and
 * whether the registration is locked. Read a page at a time (keyset on the card id), so a million
 * cards stream without holding them all.
 *
 * @example
 *   for await (const piece of exportCardsCsv(deps, issuerId)) stream.write(piece);
 */
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { CardStatus, LockCause, MemberStatus, PhoneStatus } from '../../db/schema.ts';
import { firstIssuer } from '../../issuers/issuer-store.ts';
import { fileStatusOf } from './format.ts';

export const EXPORT_COLUMNS = [
  'customer_number',
  'name',
  'pan_masked',
  'expiry',
  'brand',
  'status',
  'corporate',
  'replaced_by_pan_masked',
  'card_created_at',
  'card_updated_at',
  'registered',
  'member_id',
  'registration_status',
  'phone_status',
  'registered_at',
  'locked',
  'lock_cause',
  'locked_at',
] as const;

const PAGE = 5_000;

interface Row {
  id: number;
  customer_ref: string;
  name: string;
  pan_first6: string;
  pan_last4: string;
  expiry: string;
  brand: string;
  status: CardStatus;
  corporate: number;
  next_first6: string | null;
  next_last4: string | null;
  created_at: number;
  updated_at: number;
  login_id: string | null;
  member_status: MemberStatus | null;
  phone_status: PhoneStatus | null;
  member_created_at: number | null;
  locked_at: number | null;
  lock_cause: LockCause | null;
}

/** The CSV (UTF-8 with a BOM, CRLF), header first, in pieces of up to 5,000 cards. Times are ISO 8601 UTC. */
export async function* exportCardsCsv(deps: { db: Database }, issuerId: number): AsyncIterable<string> {
  for await (const page of exportPages(deps.db, issuerId)) yield page.csv;
}

async function* exportPages(db: Database, issuerId: number): AsyncIterable<{ csv: string; rows: number }> {
  const first = await firstIssuer(db);
  const orNull = first?.id === issuerId ? 1 : 0;
  yield { csv: '\ufeff' + stringify([[...EXPORT_COLUMNS]], { record_delimiter: '\r\n' }), rows: 0 };
  for (let after = 0; ; ) {
    const rows = await db.all<Row>(sql`
      SELECT c.id, ch.customer_ref, ch.name, c.pan_first6, c.pan_last4, c.expiry, c.brand, c.status, c.corporate,
             n.pan_first6 AS next_first6, n.pan_last4 AS next_last4, c.created_at, c.updated_at,
             m.login_id, m.status AS member_status, m.phone_status, m.created_at AS member_created_at, m.locked_at, m.lock_cause
      FROM cards c
      JOIN cardholders ch ON ch.id = c.cardholder_id
      LEFT JOIN cards n ON n.id = c.replaced_by_card_id
      LEFT JOIN members m ON m.card_account_id = c.account_id
      WHERE c.id > ${after} AND (ch.issuer_id = ${issuerId} OR (ch.issuer_id IS NULL AND ${orNull} = 1))
      ORDER BY c.id LIMIT ${PAGE}`);
    if (rows.length === 0) return;
    yield { csv: stringify(rows.map(csvRow), { record_delimiter: '\r\n' }), rows: rows.length };
    after = rows[rows.length - 1].id;
  }
}

/** The whole export as one string, and how many cards it lists (for the audit row). */
export async function exportCardsCsvText(deps: { db: Database }, issuerId: number): Promise<{ csv: string; rows: number }> {
  let csv = '';
  let rows = 0;
  for await (const page of exportPages(deps.db, issuerId)) {
    csv += page.csv;
    rows += page.rows;
  }
  return { csv, rows };
}

const iso = (t: number | null) => (t == null ? '' : new Date(t).toISOString());
const masked = (first6: string, last4: string) => `${first6}******${last4}`;

function csvRow(r: Row): string[] {
  const registered = r.login_id !== null;
  return [
    r.customer_ref,
    r.name,
    masked(r.pan_first6, r.pan_last4),
    r.expiry,
    r.brand,
    fileStatusOf(r.status),
    r.corporate ? '1' : '0',
    r.next_first6 && r.next_last4 ? masked(r.next_first6, r.next_last4) : '',
    iso(r.created_at),
    iso(r.updated_at),
    registered ? '1' : '0',
    r.login_id ?? '',
    r.member_status ?? '',
    r.phone_status ?? '',
    iso(r.member_created_at),
    r.member_status === 'locked' ? '1' : '0',
    r.lock_cause ?? '',
    iso(r.locked_at),
  ];
}
