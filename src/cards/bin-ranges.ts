/**
 * The issuer's card ranges. They change rarely (an administrator edits them) and every AReq
 * needs them, so each process keeps them for a few seconds instead of asking the database each time.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { binRanges, type Brand } from '../db/schema.ts';

export interface BinRange {
  id: number;
  brand: Brand;
  rangeStart: string;
  rangeEnd: string;
}

const CACHE_MS = 5_000;
const cache = new WeakMap<Database, { at: number; ranges: Promise<BinRange[]> }>();

export function loadBinRanges(db: Database, now: number): Promise<BinRange[]> {
  const hit = cache.get(db);
  if (hit && now - hit.at < CACHE_MS) return hit.ranges;
  const ranges = db
    .select({ id: binRanges.id, brand: binRanges.brand, rangeStart: binRanges.rangeStart, rangeEnd: binRanges.rangeEnd })
    .from(binRanges)
    .where(eq(binRanges.enabled, true))
    // A Drizzle query runs again each time it is awaited: keep the rows, not the query.
    .then((rows) => rows);
  cache.set(db, { at: now, ranges });
  ranges.catch(() => cache.delete(db));
  return ranges;
}

/** Forget the cached ranges (after an edit in this process). */
export function invalidateBinRanges(db: Database): void {
  cache.delete(db);
}

/** The range a PAN falls in: its prefix of the range's length lies between start and end. */
export function findBinRange(ranges: BinRange[], pan: string): BinRange | undefined {
  return ranges.find((r) => {
    const prefix = pan.slice(0, r.rangeStart.length);
    return prefix.length === r.rangeStart.length && prefix >= r.rangeStart && prefix <= r.rangeEnd;
  });
}
