/**
 * A trail search as CSV (csv-stringify): masked card numbers only, times in UTC (ISO 8601) and in
 * the issuer's zone, at most EXPORT_CAP rows (the page says so; narrow the search for more).
 * A cell that a spreadsheet would run as a formula (= + - @) is prefixed with a quote.
 */
import { stringify } from 'csv-stringify/sync';
import { maskedPan } from './present.ts';
import type { TrailRow } from './search.ts';
import { epochToZoned } from './time.ts';

export const EXPORT_CAP = 100_000;

const COLUMNS = [
  'created_at_utc',
  'created_at_local',
  'acs_trans_id',
  'three_ds_server_trans_id',
  'ds_trans_id',
  'brand',
  'card',
  'merchant',
  'amount',
  'currency',
  'trans_status',
  'trans_status_reason',
  'final_trans_status',
  'final_trans_status_reason',
  'challenge_method',
  'state',
  'message_version',
  'device_channel',
];

export function trailCsv(rows: TrailRow[], timeZone: string): string {
  const records = rows.map((r) => [
    new Date(r.createdAt).toISOString(),
    epochToZoned(r.createdAt, timeZone),
    r.acsTransID,
    r.threeDSServerTransID,
    r.dsTransID,
    r.brand,
    maskedPan(r),
    r.merchantName ?? '',
    decimalAmount(r),
    r.purchaseCurrency ?? '',
    r.transStatus,
    r.transStatusReason ?? '',
    r.finalTransStatus ?? '',
    r.finalTransStatusReason ?? '',
    r.challengeMethod ?? '',
    r.state,
    r.messageVersion,
    r.deviceChannel,
  ]);
  return stringify([COLUMNS, ...records.map((cells) => cells.map(defuse))], { record_delimiter: '\r\n' });
}

/** Minor units as a plain decimal (98000 with exponent 0 → 98000; 1234 with exponent 2 → 12.34), from the digits. */
function decimalAmount(r: TrailRow): string {
  if (!r.purchaseAmount || !/^\d+$/.test(r.purchaseAmount)) return '';
  const exp = r.purchaseExponent ?? 0;
  const digits = r.purchaseAmount.replace(/^0+(?=\d)/, '').padStart(exp + 1, '0');
  return exp > 0 ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
}

function defuse(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
