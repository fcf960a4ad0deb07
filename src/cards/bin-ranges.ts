/**
 * The issuers' card ranges: which PANs are ours, each card's brand, and its issuer.
 *
 * Reading: they change rarely and every AReq needs them, so each process keeps them for a few
 * seconds instead of asking the database each time (an edit in this process forgets them at once;
 * another process sees it within those seconds).
 * Editing: the rules a range must meet and the overlap check, with the audit row written in the
 * same transaction; `npm run bin-ranges` uses them today, the admin area next.
 */
import { eq } from 'drizzle-orm';
import { appendAudit, type AuditActor, type AuditEntry } from '../admin/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { binRanges, type Brand } from '../db/schema.ts';
import { BRAND_IDS, BRANDS } from '../protocol/brands.ts';

export interface BinRange {
  id: number;
  brand: Brand;
  rangeStart: string;
  rangeEnd: string;
  /** The issuer whose cards these are; null: the install's first issuer (issuers/issuer-store.ts). */
  issuerId: number | null;
}

// ─── Look-up ────────────────────────────────────────────────────────────────────

const CACHE_MS = 5_000;
const cache = new WeakMap<Database, { at: number; ranges: Promise<BinRange[]> }>();

export function loadBinRanges(db: Database, now: number): Promise<BinRange[]> {
  const hit = cache.get(db);
  if (hit && now - hit.at < CACHE_MS) return hit.ranges;
  const ranges = db
    .select({ id: binRanges.id, brand: binRanges.brand, rangeStart: binRanges.rangeStart, rangeEnd: binRanges.rangeEnd, issuerId: binRanges.issuerId })
    .from(binRanges)
    .where(eq(binRanges.enabled, true))
    // A Drizzle query runs again each time it is awaited: keep the rows, not the query.
    .then((rows) => rows);
  cache.set(db, { at: now, ranges });
  ranges.catch(() => cache.delete(db));
  return ranges;
}

/** Forgets the kept ranges, after any change to them (added, disabled, given to another issuer). */
export function forgetBinRanges(db: Database): void {
  cache.delete(db);
}

/** The range a PAN falls in: its prefix of the range's length lies between start and end. */
export function findBinRange(ranges: BinRange[], pan: string): BinRange | undefined {
  return ranges.find((r) => {
    const prefix = pan.slice(0, r.rangeStart.length);
    return prefix.length === r.rangeStart.length && prefix >= r.rangeStart && prefix <= r.rangeEnd;
  });
}

// ─── Rules ──────────────────────────────────────────────────────────────────────

export const BIN_RANGE_BRANDS: readonly Brand[] = BRAND_IDS;
/** Bounds are 6 to 11 digits: a 6- or 8-digit BIN, or a narrower block of numbers inside one. */
export const BIN_RANGE_DIGITS = { min: 6, max: 11 } as const;
export const BIN_RANGE_MAX_LABEL = 60;

export interface NewBinRange {
  brand: Brand;
  rangeStart: string;
  rangeEnd: string;
  label: string;
}

/** Why a range as typed is refused: the field, and a code a CLI or a page turns into words. */
export type BinRangeProblem =
  | { field: 'brand' | 'start' | 'end'; code: 'required' }
  | { field: 'brand'; code: 'unknown_brand'; value: string }
  | { field: 'start' | 'end'; code: 'not_digits'; value: string }
  | { field: 'start' | 'end'; code: 'digit_count'; length: number }
  | { field: 'end'; code: 'length_mismatch'; startLength: number; endLength: number }
  | { field: 'start'; code: 'start_above_end'; start: string; end: string }
  | { field: 'label'; code: 'label_too_long'; max: number };

/**
 * Checks a range as a person typed it: a known brand, digits only, bounds of equal length (6 to
 * 11 digits), start not above end, a label of at most 60 characters. The first problem found wins.
 */
export function checkBinRange(input: { brand?: string; start?: string; end?: string; label?: string }): { ok: true; range: NewBinRange } | { ok: false; problem: BinRangeProblem } {
  const { brand, start, end, label = '' } = input;
  const refuse = (problem: BinRangeProblem) => ({ ok: false as const, problem });
  if (!brand) return refuse({ field: 'brand', code: 'required' });
  if (!BIN_RANGE_BRANDS.includes(brand as Brand)) return refuse({ field: 'brand', code: 'unknown_brand', value: brand });
  if (!start) return refuse({ field: 'start', code: 'required' });
  if (!end) return refuse({ field: 'end', code: 'required' });
  for (const [field, value] of [['start', start], ['end', end]] as const) {
    if (!/^\d+$/.test(value)) return refuse({ field, code: 'not_digits', value });
    if (value.length < BIN_RANGE_DIGITS.min || value.length > BIN_RANGE_DIGITS.max) return refuse({ field, code: 'digit_count', length: value.length });
  }
  if (start.length !== end.length) return refuse({ field: 'end', code: 'length_mismatch', startLength: start.length, endLength: end.length });
  if (start > end) return refuse({ field: 'start', code: 'start_above_end', start, end });
  if (label.length > BIN_RANGE_MAX_LABEL) return refuse({ field: 'label', code: 'label_too_long', max: BIN_RANGE_MAX_LABEL });
  return { ok: true, range: { brand: brand as Brand, rangeStart: start, rangeEnd: end, label: label.trim() } };
}

/**
 * Whether two ranges share a card number. Ranges of different lengths are compared at the longer
 * length: 354012–354012 covers 35401200–35401299, as the AReq look-up matches a PAN's prefix.
 */
export function rangesOverlap(a: { rangeStart: string; rangeEnd: string }, b: { rangeStart: string; rangeEnd: string }): boolean {
  const length = Math.max(a.rangeStart.length, b.rangeStart.length);
  const low = (s: string) => s.padEnd(length, '0');
  const high = (s: string) => s.padEnd(length, '9');
  return low(a.rangeStart) <= high(b.rangeEnd) && low(b.rangeStart) <= high(a.rangeEnd);
}

/** Scheme prefixes, to catch a mistyped brand: a warning only, the issuer knows its own cards. */
export function startsLikeBrand(range: { brand: Brand; rangeStart: string }): boolean {
  return BRANDS[range.brand].startsLike(range.rangeStart);
}

// ─── Edits ──────────────────────────────────────────────────────────────────────

/**
 * Who makes a change, for whom and how, as the audit log records it: `actor` as admin/audit-log.ts
 * takes it, `issuerId` the issuer whose range it is (null: the install's first issuer), `detail`
 * anything else worth keeping (the CLI adds `{ via: 'cli', osUser }`).
 */
export interface BinRangeChange {
  actor: AuditActor;
  issuerId?: number | null;
  detail?: Record<string, unknown>;
  requestId?: string | null;
}

export interface BinRangeRow extends BinRange {
  label: string;
  enabled: boolean;
}

export function listBinRanges(db: Database): Promise<BinRangeRow[]> {
  return db
    .select({ id: binRanges.id, brand: binRanges.brand, rangeStart: binRanges.rangeStart, rangeEnd: binRanges.rangeEnd, issuerId: binRanges.issuerId, label: binRanges.label, enabled: binRanges.enabled })
    .from(binRanges)
    .orderBy(binRanges.rangeStart, binRanges.id);
}

/**
 * Adds a checked range unless it overlaps an enabled one (of any issuer: a card number belongs to
 * one issuer). The check, the insert and the audit row are one write transaction, so two edits
 * cannot both pass the check.
 */
export async function addBinRange(
  deps: { db: Database; clock: Clock },
  range: NewBinRange,
  change: BinRangeChange,
): Promise<{ ok: true; id: number } | { ok: false; reason: 'overlap'; clash: BinRangeRow }> {
  const { db, clock } = deps;
  const now = clock.now();
  const result = await db.transaction(async (tx) => {
    const enabled = await tx.select().from(binRanges).where(eq(binRanges.enabled, true));
    const clash = enabled.find((r) => rangesOverlap(r, range));
    if (clash) return { ok: false as const, reason: 'overlap' as const, clash: rowOf(clash) };
    const [row] = await tx.insert(binRanges).values({ ...range, issuerId: change.issuerId ?? null, createdAt: now }).returning({ id: binRanges.id });
    await appendAudit(tx, auditEntry(change, now, 'bin_range.add', row.id, range));
    return { ok: true as const, id: row.id };
  });
  if (result.ok) forgetBinRanges(db);
  return result;
}

/** Disables a range (kept for the record); refused when there is none with that id or it is already off. */
export async function disableBinRange(
  deps: { db: Database; clock: Clock },
  id: number,
  change: BinRangeChange,
): Promise<{ ok: true; range: BinRangeRow } | { ok: false; reason: 'not_found' | 'already_disabled' }> {
  const { db, clock } = deps;
  const now = clock.now();
  const result = await db.transaction(async (tx) => {
    const [found] = await tx.select().from(binRanges).where(eq(binRanges.id, id));
    if (!found) return { ok: false as const, reason: 'not_found' as const };
    if (!found.enabled) return { ok: false as const, reason: 'already_disabled' as const };
    await tx.update(binRanges).set({ enabled: false }).where(eq(binRanges.id, id));
    await appendAudit(tx, auditEntry({ ...change, issuerId: change.issuerId ?? found.issuerId }, now, 'bin_range.disable', id, { brand: found.brand, rangeStart: found.rangeStart, rangeEnd: found.rangeEnd }));
    return { ok: true as const, range: { ...rowOf(found), enabled: false } };
  });
  if (result.ok) forgetBinRanges(db);
  return result;
}

function rowOf(r: typeof binRanges.$inferSelect): BinRangeRow {
  return { id: r.id, brand: r.brand, rangeStart: r.rangeStart, rangeEnd: r.rangeEnd, issuerId: r.issuerId, label: r.label, enabled: r.enabled };
}

function auditEntry(change: BinRangeChange, at: number, action: string, id: number, what: object): AuditEntry {
  return { at, actor: change.actor, issuerId: change.issuerId ?? null, action, target: `bin_range:${id}`, detail: { ...change.detail, ...what }, requestId: change.requestId ?? null };
}
