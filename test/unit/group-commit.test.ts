import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/db/group-commit.ts';

describe('groupCommit', () => {
  it('commits what was submitted in one turn as one batch, in order', async () => {
    const batches: number[][] = [];
    const write = groupCommit(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 10);
    });
    expect(await Promise.all([1, 2, 3].map(write))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await write(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('splits at maxBatch', async () => {
    const batches: number[][] = [];
    const write = groupCommit(
      async (items: number[]) => {
        batches.push(items);
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map(write));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('collects while a commit is in flight and sends it as the next batch', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Flushes run when the test says, not at the end of a real event-loop turn.
    const scheduled: (() => void)[] = [];
    const runScheduled = () => scheduled.splice(0).forEach((flush) => flush());
    const write = groupCommit(
      async (items: string[]) => {
        batches.push(items);
        if (batches.length === 1) await gate; // a slow first commit (a libSQL server over HTTP)
        return items;
      },
      { schedule: (flush) => void scheduled.push(flush) },
    );
    const first = write('a');
    runScheduled(); // 'a' is being committed
    const more = [write('b'), write('c')];
    expect(scheduled).toHaveLength(0); // b and c wait for a's commit
    expect(batches).toEqual([['a']]);
    release();
    expect(await first).toBe('a');
    expect(scheduled).toHaveLength(1); // a's commit settled: the next flush is due
    runScheduled();
    expect(await Promise.all(more)).toEqual(['b', 'c']);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('rejects every item of a failed batch with its error; the next batch is unaffected', async () => {
    let fail = true;
    const write = groupCommit(async (items: number[]) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map(write));
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))).toEqual(['disk full', 'disk full', 'disk full']);
    fail = false;
    expect(await write(4)).toBe(4);
  });

  it('rejects the batch when commit answers for the wrong number of items', async () => {
    const write = groupCommit(async () => [1]);
    const outcomes = await Promise.allSettled([write(1), write(2)]);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  });
});
