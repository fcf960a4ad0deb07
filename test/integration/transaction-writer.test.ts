/**
 * The AReq's durable write with group commit (src/acs/transaction-writer.ts) on a real libSQL file:
 * concurrent AReqs share one transaction and are all durable when they resolve, a failing batch
 * fails every AReq in it (and only those), and twins inside one batch are told apart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { recordTransaction } from '../../src/acs/transaction-writer.ts';
import { timers, transactions } from '../../src/db/schema.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start() {
  const t = await createTestApp();
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

function txn(overrides: Partial<typeof transactions.$inferInsert> = {}): typeof transactions.$inferInsert {
  const now = Date.UTC(2026, 0, 15, 3, 0, 0);
  return {
    acsTransID: crypto.randomUUID(),
    threeDSServerTransID: crypto.randomUUID(),
    dsTransID: crypto.randomUUID(),
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
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** What another connection sees: committed rows only. */
async function committedIds(file: string): Promise<string[]> {
  const other = createClient({ url: `file:${file}` });
  try {
    return (await other.execute('SELECT acs_trans_id FROM transactions')).rows.map((r) => r[0] as string);
  } finally {
    other.close();
  }
}

describe('recordTransaction (group commit)', () => {
  it('commits concurrent writes together, each durable when it resolves', async () => {
    const t = await start();
    const batch = vi.spyOn(t.client, 'batch');
    const rows = Array.from({ length: 100 }, () => txn());
    const results = await Promise.all(rows.map((row) => recordTransaction(t.deps.db, { row })));
    expect(results).toEqual(rows.map(() => true));
    expect(batch.mock.calls.length).toBeLessThan(rows.length); // shared transactions, not one per write
    expect(new Set(await committedIds(t.databaseFile))).toEqual(new Set(rows.map((r) => r.acsTransID)));
    // Defaults apply as with Drizzle's insert.
    const [stored] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, rows[0].acsTransID));
    expect(stored).toMatchObject({ interactionCounter: 0, cardId: null, finalTransStatus: null, state: 'ares_sent' });
  });

  it('fails every write of a failing batch with its error, commits none of them, and goes on', async () => {
    const t = await start();
    const good = txn();
    // NOT NULL violated: the whole transaction fails.
    const bad = txn({ messageVersion: null as unknown as string });
    const outcomes = await Promise.allSettled([good, bad].map((row) => recordTransaction(t.deps.db, { row })));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const [first, second] = outcomes as PromiseRejectedResult[];
    expect(first.reason).toBe(second.reason);
    expect(await committedIds(t.databaseFile)).toEqual([]);

    const later = txn();
    expect(await recordTransaction(t.deps.db, { row: later })).toBe(true);
    expect(await committedIds(t.databaseFile)).toEqual([later.acsTransID]);
  });

  it('rejects every waiter when the database is closed', async () => {
    const t = await start();
    t.client.close();
    const outcomes = await Promise.allSettled([txn(), txn(), txn()].map((row) => recordTransaction(t.deps.db, { row })));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  });

  it('stores the first of two twins in one batch and reports the second as taken; only the stored one gets a CReq timer', async () => {
    const t = await start();
    const first = txn({ transStatus: 'C' });
    const twin = txn({ transStatus: 'C', threeDSServerTransID: first.threeDSServerTransID, dsTransID: first.dsTransID });
    const other = txn({ transStatus: 'C' });
    const due = first.createdAt + 30_000;
    const results = await Promise.all([first, twin, other].map((row) => recordTransaction(t.deps.db, { row, creqTimeoutAt: due })));
    expect(results).toEqual([true, false, true]);
    expect(new Set(await committedIds(t.databaseFile))).toEqual(new Set([first.acsTransID, other.acsTransID]));
    const armed = await t.deps.db.select().from(timers);
    expect(armed.map((x) => x.subject).sort()).toEqual([first.acsTransID, other.acsTransID].sort());
    expect(armed[0]).toMatchObject({ kind: 'creq_timeout', dueAt: due, createdAt: first.createdAt, doneAt: null, attempts: 0 });

    // A later repeat of stored IDs is taken too, and arms nothing.
    const repeat = txn({ threeDSServerTransID: first.threeDSServerTransID, dsTransID: first.dsTransID });
    expect(await recordTransaction(t.deps.db, { row: repeat, creqTimeoutAt: due })).toBe(false);
    expect(await t.deps.db.$count(timers)).toBe(2);
  });
});
