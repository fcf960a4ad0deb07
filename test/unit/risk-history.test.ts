/**
 * The card history's sliding-window estimates (src/risk/history.ts): pure arithmetic over the
 * two fixed windows card_risk_state keeps.
 */
import { describe, expect, it } from 'vitest';
import { authsInLastHour, failedChallengesInLastDay, hourlyOutlook, slidingCount, type CardRiskState } from '../../src/risk/history.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-01-15T03:00:00.000Z'); // an hour's start
const state = (o: Partial<CardRiskState>): CardRiskState => ({
  cardId: 1, hourWindowStart: T0, hourCount: 0, prevHourCount: 0, dayWindowStart: 0, dayCount: 0, prevDayCount: 0,
  consecutiveFrictionless: 0, frictionlessAmountHome: 0, lastChallengeAt: null, failedChallengesDayStart: 0, failedChallengesDayCount: 0, updatedAt: T0, ...o,
});

describe('slidingCount', () => {
  it('counts all of the current window and the part of the previous one still inside the last hour', () => {
    expect(slidingCount(T0, 3, 0, T0 + 1000, H)).toBe(3);
    expect(slidingCount(T0, 2, 4, T0 + H / 4, H)).toBe(5); // 2 + 4 × ¾
    // Read in the next window: the stored current window is now the previous one.
    expect(slidingCount(T0, 4, 9, T0 + H + H / 2, H)).toBe(2);
    // Two windows later: nothing.
    expect(slidingCount(T0, 4, 9, T0 + 2 * H, H)).toBe(0);
  });

  it('never counts a card without history', () => {
    expect(authsInLastHour(undefined, T0)).toBe(0);
    expect(failedChallengesInLastDay(undefined, T0)).toBe(0);
  });
});

describe('hourlyOutlook', () => {
  it('is within the limit: no waiting', () => {
    expect(hourlyOutlook(state({ hourCount: 2 }), T0 + 60_000, 3)).toEqual({ count: 2, frictionlessAgainAt: null });
  });

  it('over the limit: the first moment the next AReq is within it again, as the estimate falls', () => {
    // 3 in the 03:00 window, limit 3: the 4th would be over until 3 × (1 − f) rounds to 2 in the next window.
    const three = hourlyOutlook(state({ hourCount: 3 }), T0 + 3 * 60_000, 3);
    expect(three).toEqual({ count: 3, frictionlessAgainAt: Date.parse('2026-01-15T04:10:00.001Z') });
    expect(authsInLastHour(state({ hourCount: 3 }), three.frictionlessAgainAt! - 1)).toBe(3);
    expect(authsInLastHour(state({ hourCount: 3 }), three.frictionlessAgainAt!)).toBe(2);
    const four = hourlyOutlook(state({ hourCount: 4 }), T0 + 4 * 60_000, 3);
    expect(four.frictionlessAgainAt).toBe(Date.parse('2026-01-15T04:22:30.001Z'));
  });
});
