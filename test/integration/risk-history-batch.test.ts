/**
 * The risk history's writes as one group commit makes them (src/risk/history.ts
 * historyBatchStatements, through src/acs/transaction-writer.ts): a card twice in one commit counts
 * twice and in order, every card's counters move as if its AReqs came one by one, and an AReq whose
 * row lost a race (a twin) counts nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { recordTransaction } from '../../src/acs/transaction-writer.ts';
import { cardRiskState, cardSeen, transactions } from '../../src/db/schema.ts';
import { HOUR_MS, type HistoryUpdate } from '../../src/risk/history.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const NOW = Date.UTC(2026, 0, 15, 3, 30, 0);

function txn(ids: { threeDSServerTransID?: string; dsTransID?: string } = {}): typeof transactions.$inferInsert {
  return {
    acsTransID: crypto.randomUUID(),
    threeDSServerTransID: ids.threeDSServerTransID ?? crypto.randomUUID(),
    dsTransID: ids.dsTransID ?? crypto.randomUUID(),
    messageVersion: '2.2.0',
    deviceChannel: '02',
    messageCategory: '01',
    areqDigest: 'a'.repeat(64),
    panHash: 'b'.repeat(64),
    panCipher: 'v1.iv.ct',
    panLast4: '1234',
    brand: 'jcb',
    transStatus: 'Y',
    state: 'ares_sent',
    areq: '{}',
    ares: '{}',
    createdAt: NOW,
    updatedAt: NOW,
  };
}

const update = (cardId: number, transStatus: string, amountHome: number, now = NOW, device = 'dev-1'): HistoryUpdate => ({
  cardId,
  transStatus,
  amountHome,
  now,
  seen: { device, ip: null, merchant: 'shop-1' },
});

describe('the risk history of one group commit', () => {
  it('counts a card twice in one commit, resets on C, and ignores a twin that lost', async () => {
    const t = await createTestApp();
    open.push(t);
    const db = t.deps.db;
    const first = txn();
    const twin = txn({ threeDSServerTransID: first.threeDSServerTransID, dsTransID: first.dsTransID });
    const stored = await Promise.all([
      recordTransaction(db, { row: first, history: update(1, 'Y', 100) }),
      recordTransaction(db, { row: txn(), history: update(1, 'Y', 50) }),
      recordTransaction(db, { row: txn(), history: update(2, 'C', 70) }),
      recordTransaction(db, { row: twin, history: update(2, 'Y', 999, NOW, 'dev-twin') }),
    ]);
    expect(stored).toEqual([true, true, true, false]);

    const state = async (cardId: number) => (await db.select().from(cardRiskState).where(eq(cardRiskState.cardId, cardId)))[0];
    expect(await state(1)).toMatchObject({ hourCount: 2, dayCount: 2, prevHourCount: 0, consecutiveFrictionless: 2, frictionlessAmountHome: 150, updatedAt: NOW });
    expect(await state(2)).toMatchObject({ hourCount: 1, dayCount: 1, consecutiveFrictionless: 0, frictionlessAmountHome: 0 });
    const seen = await db.select().from(cardSeen).where(eq(cardSeen.cardId, 1));
    expect(seen.map((s) => [s.kind, s.value, s.count]).sort()).toEqual([
      ['device', 'dev-1', 2],
      ['merchant', 'shop-1', 2],
    ]);
    expect(await db.select().from(cardSeen).where(and(eq(cardSeen.cardId, 2), eq(cardSeen.value, 'dev-twin')))).toEqual([]);

    // The next hour: this hour's count becomes the previous one; a challenge resets the PSD2 counters.
    const later = NOW + HOUR_MS;
    await Promise.all([recordTransaction(db, { row: txn(), history: update(1, 'C', 10, later) }), recordTransaction(db, { row: txn(), history: update(2, 'Y', 30, later) })]);
    expect(await state(1)).toMatchObject({ hourCount: 1, prevHourCount: 2, dayCount: 3, consecutiveFrictionless: 0, frictionlessAmountHome: 0, updatedAt: later });
    expect(await state(2)).toMatchObject({ hourCount: 1, prevHourCount: 1, dayCount: 2, consecutiveFrictionless: 1, frictionlessAmountHome: 30 });
  });
});
