import { wallClock } from './intl.ts';

/** The time, injected so that timers and expiries can be tested with a fake clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export function fakeClock(start = Date.UTC(2026, 0, 15, 3, 0, 0)): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

/**
 * The system clock plus an offset the sandbox can move forward, so that a person (or a browser
 * test) can see a challenge expire without waiting 10 minutes. Only used while the sandbox is on.
 */
export function adjustableClock(): Clock & { advance(ms: number): void; offset(): number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    offset: () => offset,
  };
}

/**
 * A moment as a person reads it in a time zone (the issuer's, IANA): "2026-01-15 12:00:03".
 * Pages name the zone beside it; machines get ISO 8601 in UTC instead.
 *
 * @example localTime(Date.UTC(2026, 0, 15, 3, 0, 3), 'Asia/Tokyo') // "2026-01-15 12:00:03"
 */
export function localTime(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}
