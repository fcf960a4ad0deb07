/**
 * The BIN-range rules and edits as the admin area will call them (src/cards/bin-ranges.ts), on a
 * running app: an edit is seen by the same process's next AReq at once, every edit is in the
 * audit chain, and a refused edit writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/admin/audit-log.ts';
import { addBinRange, checkBinRange, disableBinRange, listBinRanges, rangesOverlap } from '../../src/cards/bin-ranges.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { auditLog } from '../../src/db/schema.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const staff = { actor: { type: 'staff' as const, id: 7, name: 'sato' }, detail: { via: 'admin' } };

async function answer(t: TestApp, pan: string) {
  return (await (await postAReq(t.app, browserAReq({ pan }))).json()) as Record<string, unknown>;
}

describe('BIN-range edits', () => {
  it('are seen by the next AReq of the same process, and land in the audit chain', async () => {
    const t = await createTestApp({ seed: true });
    open.push(t);
    const pan = withLuhnDigit('354012000000001');
    // Warm the range cache, then change the ranges within its lifetime.
    expect(await answer(t, pan)).toMatchObject({ messageType: 'Erro', errorCode: '305' });
    const range = checkBinRange({ brand: 'jcb', start: '35401200', end: '35401299', label: 'Gold JCB' });
    if (!range.ok) throw new Error(JSON.stringify(range.problem));
    const added = await addBinRange(t.deps, range.range, staff);
    expect(added.ok).toBe(true);
    // Ours now: a card we do not hold (N/08), no longer "not our range".
    expect(await answer(t, pan)).toMatchObject({ messageType: 'ARes', transStatus: 'N', transStatusReason: '08' });

    const id = added.ok ? added.id : 0;
    expect(await disableBinRange(t.deps, id, staff)).toMatchObject({ ok: true, range: { id, enabled: false } });
    expect(await answer(t, pan)).toMatchObject({ messageType: 'Erro', errorCode: '305' });
    expect(await disableBinRange(t.deps, id, staff)).toEqual({ ok: false, reason: 'already_disabled' });
    expect(await disableBinRange(t.deps, 9999, staff)).toEqual({ ok: false, reason: 'not_found' });

    const rows = (await t.deps.db.select().from(auditLog)).filter((r) => r.target === `bin_range:${id}`);
    expect(rows.map((r) => [r.action, r.actorType, r.actorId, r.actorName])).toEqual([
      ['bin_range.add', 'staff', 7, 'sato'],
      ['bin_range.disable', 'staff', 7, 'sato'],
    ]);
    expect(JSON.parse(rows[0].detail)).toEqual({ via: 'admin', brand: 'jcb', rangeStart: '35401200', rangeEnd: '35401299', label: 'Gold JCB' });
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });

  it('refuse an overlap with an enabled range, writing nothing', async () => {
    const t = await createTestApp({ seed: true });
    open.push(t);
    const before = { ranges: await listBinRanges(t.deps.db), audit: await t.deps.db.$count(auditLog) };
    const refused = await addBinRange(t.deps, { brand: 'jcb', rangeStart: '356999', rangeEnd: '356999', label: '' }, staff);
    expect(refused).toMatchObject({ ok: false, reason: 'overlap', clash: { brand: 'jcb', rangeStart: '35699900', rangeEnd: '35699999', enabled: true } });
    expect(await listBinRanges(t.deps.db)).toEqual(before.ranges);
    expect(await t.deps.db.$count(auditLog)).toBe(before.audit);
  });
});

describe('BIN-range rules', () => {
  it('name the field and the problem, the first found', () => {
    expect(checkBinRange({})).toEqual({ ok: false, problem: { field: 'brand', code: 'required' } });
    expect(checkBinRange({ brand: 'amex', start: '1', end: '2' })).toEqual({ ok: false, problem: { field: 'brand', code: 'unknown_brand', value: 'amex' } });
    expect(checkBinRange({ brand: 'visa', end: '49999899' })).toEqual({ ok: false, problem: { field: 'start', code: 'required' } });
    expect(checkBinRange({ brand: 'visa', start: '4999980', end: '4999989x' })).toEqual({ ok: false, problem: { field: 'end', code: 'not_digits', value: '4999989x' } });
    expect(checkBinRange({ brand: 'visa', start: '49999', end: '49999' })).toEqual({ ok: false, problem: { field: 'start', code: 'digit_count', length: 5 } });
    expect(checkBinRange({ brand: 'visa', start: '499998', end: '49999899' })).toEqual({ ok: false, problem: { field: 'end', code: 'length_mismatch', startLength: 6, endLength: 8 } });
    expect(checkBinRange({ brand: 'visa', start: '49999899', end: '49999800' })).toEqual({ ok: false, problem: { field: 'start', code: 'start_above_end', start: '49999899', end: '49999800' } });
    expect(checkBinRange({ brand: 'visa', start: '49999800', end: '49999899', label: 'x'.repeat(61) })).toEqual({ ok: false, problem: { field: 'label', code: 'label_too_long', max: 60 } });
    expect(checkBinRange({ brand: 'visa', start: '49999800', end: '49999899', label: ' Visa ' })).toEqual({ ok: true, range: { brand: 'visa', rangeStart: '49999800', rangeEnd: '49999899', label: 'Visa' } });
  });

  it('compare ranges of different lengths at the longer one', () => {
    const r = (rangeStart: string, rangeEnd: string) => ({ rangeStart, rangeEnd });
    expect(rangesOverlap(r('354012', '354012'), r('35401200', '35401299'))).toBe(true);
    expect(rangesOverlap(r('354011', '354011'), r('35401200', '35401299'))).toBe(false);
    expect(rangesOverlap(r('35401300', '35401399'), r('35401200', '35401299'))).toBe(false);
    expect(rangesOverlap(r('35401299', '35401300'), r('35401200', '35401299'))).toBe(true);
  });
});
