import { describe, expect, it } from 'vitest';
import { dateTimeFormat, numberFormat, wallClock, zonedToEpoch, zoneOffsetMs } from '../../src/intl.ts';

describe('intl formatters', () => {
  it('returns the same formatter for the same locale and options, another for other options', () => {
    const a = dateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', day: 'numeric' });
    expect(dateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', day: 'numeric' })).toBe(a);
    expect(dateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', day: 'numeric' })).not.toBe(a);
    expect(numberFormat('ja-JP', { style: 'currency', currency: 'JPY' })).toBe(numberFormat('ja-JP', { style: 'currency', currency: 'JPY' }));
    expect(numberFormat('ja-JP', { style: 'currency', currency: 'JPY' }).format(1234)).toBe('￥1,234');
  });

  it('throws for an unknown time zone, as the constructor does', () => {
    expect(() => dateTimeFormat('en-US', { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });

  it('reads a zone’s wall clock and offset, across a DST change', () => {
    const at = Date.UTC(2026, 0, 15, 15, 30, 5); // 00:30:05 the next day in Tokyo
    expect(wallClock(at, 'Asia/Tokyo')).toEqual({ year: 2026, month: 1, day: 16, hour: 0, minute: 30, second: 5 });
    expect(zoneOffsetMs(at, 'Asia/Tokyo')).toBe(9 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15, 12), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15, 12), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15, 12), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });

  it('turns a zone’s wall clock back into an instant, on both sides of a DST change', () => {
    expect(zonedToEpoch(2026, 1, 16, 0, 0, 'Asia/Tokyo')).toBe(Date.UTC(2026, 0, 15, 15, 0));
    expect(zonedToEpoch(2026, 3, 7, 0, 0, 'America/New_York')).toBe(Date.UTC(2026, 2, 7, 5, 0)); // EST
    expect(zonedToEpoch(2026, 3, 9, 0, 0, 'America/New_York')).toBe(Date.UTC(2026, 2, 9, 4, 0)); // EDT
    expect(zonedToEpoch(2026, 1, 32, 0, 0, 'Asia/Tokyo')).toBe(zonedToEpoch(2026, 2, 1, 0, 0, 'Asia/Tokyo'));
  });
});
