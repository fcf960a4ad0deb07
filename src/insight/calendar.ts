/**
 * The dashboard's periods in the issuer's time zone: the last 24 hours hour by hour, or the last
 * 7 or 30 days day by day with days starting at local midnight (offsets read back from Intl, so
 * daylight saving moves the boundary with it). Pure.
 */
import { dateTimeFormat, wallClock, zonedToEpoch } from '../intl.ts';
import { HOUR_MS, hourStart } from './stats.ts';

export type Window = '24h' | '7d' | '30d';
export const WINDOWS: readonly Window[] = ['24h', '7d', '30d'];

export interface Period {
  /** Inclusive start, exclusive end, epoch ms. */
  start: number;
  end: number;
}

/** The window's periods, oldest first; the last one holds `now`. */
export function periodsOf(window: Window, now: number, timeZone: string): Period[] {
  if (window === '24h') {
    const last = hourStart(now);
    return Array.from({ length: 24 }, (_, i) => ({ start: last - (23 - i) * HOUR_MS, end: last - (22 - i) * HOUR_MS }));
  }
  const days = window === '7d' ? 7 : 30;
  const today = localDate(now, timeZone);
  const starts = Array.from({ length: days + 1 }, (_, i) => startOfLocalDay(addDays(today, i - days + 1), timeZone));
  return starts.slice(0, -1).map((start, i) => ({ start, end: starts[i + 1] }));
}

/** The calendar date (y, m, d) of an instant in a time zone. */
export function localDate(at: number, timeZone: string): [number, number, number] {
  const p = wallClock(at, timeZone);
  return [p.year, p.month, p.day];
}

function addDays([y, m, d]: [number, number, number], n: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/** Local midnight of a calendar date, as epoch ms. */
export function startOfLocalDay([y, m, d]: [number, number, number], timeZone: string): number {
  return zonedToEpoch(y, m, d, 0, 0, timeZone);
}

/** A period's name on the chart and in its table: "14:00" for an hour, "12/01" or "1 Dec" for a day. */
export function periodLabel(period: Period, window: Window, lang: 'ja' | 'en', timeZone: string): string {
  const d = new Date(period.start);
  const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
  if (window === '24h') return dateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return dateTimeFormat(locale, { timeZone, month: lang === 'ja' ? 'numeric' : 'short', day: 'numeric' }).format(d);
}
