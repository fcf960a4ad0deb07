/** The import's pure parts: decoding, cutting into chunks with true line numbers, and row rules. */
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCardFile, DecodeError } from '../../src/cards/import/decode.ts';
import { chunkRecords, cutFile, FileFormatError, readHeader } from '../../src/cards/import/file.ts';
import { BUSY_HANDLER_MAX_SLEEP_MS, lockPacer } from '../../src/cards/import/pace.ts';
import { normalizeExpiry, normalizePhone, validateRow } from '../../src/cards/import/validate.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';

describe('decodeCardFile', () => {
  const text = 'customer_number,name\nC1,髙﨑 太郎\n';
  it('reads UTF-8, UTF-8 with BOM and CP932, detected or chosen', async () => {
    expect(await decodeCardFile(new TextEncoder().encode(text))).toEqual({ text, encoding: 'utf-8' });
    expect(await decodeCardFile(new TextEncoder().encode('\ufeff' + text))).toEqual({ text, encoding: 'utf-8' });
    const sjis = iconv.encode(text, 'cp932');
    expect(await decodeCardFile(sjis)).toEqual({ text, encoding: 'shift_jis' });
    expect(await decodeCardFile(sjis, 'shift_jis')).toEqual({ text, encoding: 'shift_jis' });
    await expect(decodeCardFile(sjis, 'utf-8')).rejects.toBeInstanceOf(DecodeError);
  });
});

describe('cutFile and chunkRecords', () => {
  it('keeps the file line of every record, across blank lines, CRLF and quoted line breaks', () => {
    const text = 'a,b\r\n1,x\r\n\r\n2,"two\nlines"\r\n3,"q""uote"\r\n';
    const cut = cutFile(text);
    expect(cut.totalRows).toBe(3);
    const records = cut.chunks.flatMap(chunkRecords);
    expect(records).toEqual([
      { line: 2, fields: ['1', 'x'] },
      { line: 4, fields: ['2', 'two\nlines'] },
      { line: 6, fields: ['3', 'q"uote'] },
    ]);
  });
  it('cuts a large file into chunks of whole records, numbered by their first line', () => {
    const lines = ['a,b', ...Array.from({ length: 1234 }, (_, i) => `${i},x`)];
    const cut = cutFile(lines.join('\n'));
    expect(cut.chunks.map((c) => c.seq)).toEqual([2, 502, 1002]);
    expect(cut.chunks.flatMap(chunkRecords).at(-1)).toEqual({ line: 1235, fields: ['1233', 'x'] });
  });
  it('refuses unknown, duplicate and missing columns; accepts Japanese names', () => {
    expect(readHeader('顧客番号,氏名,カード番号,有効期限')).toEqual(['customer_number', 'name', 'pan', 'expiry']);
    expect(() => readHeader('customer_number,name,pan')).toThrow(FileFormatError);
    expect(() => readHeader('customer_number,name,pan,expiry,pan')).toThrow(/duplicate_column/);
    expect(() => readHeader('customer_number,name,pan,expiry,colour')).toThrow(/unknown_column: colour/);
  });
});

describe('row rules', () => {
  it('normalises Japanese phone numbers and both expiry forms', () => {
    expect(normalizePhone('090-1234-5678')).toBe('+819012345678');
    expect(normalizePhone('03 1234 5678')).toBe('+81312345678');
    expect(normalizePhone('+819012345678')).toBe('+819012345678');
    expect(normalizePhone('12345')).toBeUndefined();
    expect(normalizeExpiry('3012')).toBe('3012');
    expect(normalizeExpiry('12/30')).toBe('3012');
    expect(normalizeExpiry('1/31')).toBe('3101');
    expect(normalizeExpiry('3013')).toBeUndefined();
  });
  it('derives the brand from the range and names the column of the first problem', () => {
    const pan = withLuhnDigit('356999800000001');
    const ctx = { ranges: [{ id: 1, brand: 'jcb' as const, rangeStart: '35699900', rangeEnd: '35699999', issuerId: 1 }], now: Date.UTC(2026, 0, 15) };
    const fields: Record<string, string> = { customer_number: 'C1', name: '山田 太郎', pan, expiry: '3012' };
    const ok = validateRow(2, (c) => fields[c] ?? '', ctx, new Map());
    expect(ok).toMatchObject({ ok: true, row: { brand: 'jcb', status: 'active', phone: null, corporate: false } });
    const dup = validateRow(3, (c) => fields[c] ?? '', ctx, new Map([[pan, { line: 2, valid: true }]]));
    expect(dup).toMatchObject({ ok: false, rejection: { line: 3, field: 'pan', code: 'pan_duplicate', messageEn: `The card number (ending ${pan.slice(-4)}) repeats line 2.` } });
  });
});

describe('lockPacer (the write lock left free between batches)', () => {
  afterEach(() => vi.useRealTimers());

  /** Two writes; the first holds the lock `heldMs` of the fake clock. Returns the fake ms the lock stayed free between them. */
  async function freeBetween(options: Parameters<typeof lockPacer>[0], heldMs: number): Promise<number> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const pace = lockPacer(options);
    let firstEnd = 0;
    let secondStart = 0;
    await pace.write(async () => {
      vi.advanceTimersByTime(heldMs);
      firstEnd = performance.now();
    });
    expect(pace.lastHeldMs).toBe(heldMs);
    const second = pace.write(async () => {
      secondStart = performance.now();
    });
    await vi.runAllTimersAsync();
    await second;
    return secondStart - firstEnd;
  }

  it('leaves a quarter of the held time free by default', async () => {
    expect(await freeBetween({}, 400)).toBeGreaterThanOrEqual(100);
    expect(await freeBetween({}, 400)).toBeLessThan(110);
  });

  it('with minFreeMs, stays free one busy-handler pause until another connection commits', async () => {
    const never = async () => false;
    expect(await freeBetween({ minFreeMs: BUSY_HANDLER_MAX_SLEEP_MS, othersWrote: never }, 100)).toBeGreaterThanOrEqual(BUSY_HANDLER_MAX_SLEEP_MS);
    // Another connection committed during the pause: the next batch follows shortly after it.
    let calls = 0;
    const secondPoll = async () => ++calls >= 3; // 1: baseline after the write, 2: first look, 3: moved
    const free = await freeBetween({ minFreeMs: BUSY_HANDLER_MAX_SLEEP_MS, othersWrote: secondPoll }, 100);
    expect(free).toBeLessThan(BUSY_HANDLER_MAX_SLEEP_MS);
    expect(calls).toBeGreaterThanOrEqual(3);
  });
});
