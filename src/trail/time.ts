/** Wall-clock times of a time zone as epoch ms (the zone's offset read back from Intl, no library). */
import { wallClock, zoneOffsetMs } from '../intl.ts';

/** The instant a clock in `timeZone` shows y-mo-d h:mi (day overflow rolls over, as Date.UTC does). */
export function zonedToEpoch(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes: the offset at the guess, then at the corrected instant (right across a DST change).
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

/** "YYYY-MM-DDTHH:MM" of an instant in the zone (for the form's datetime-local fields). */
export function epochToZoned(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}
