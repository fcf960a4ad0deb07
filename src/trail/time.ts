/** The trail form's datetime-local values of a time zone (the conversion back is intl.ts's zonedToEpoch). */
import { wallClock } from '../intl.ts';

/** "YYYY-MM-DDTHH:MM" of an instant in the zone (for the form's datetime-local fields). */
export function epochToZoned(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}
