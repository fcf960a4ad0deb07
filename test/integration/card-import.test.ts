/**
 * The CSV import end to end on a real libSQL file seeded with the demo issuers: files made here in
 * UTF-8, UTF-8 with BOM and Shift_JIS (CP932, with 髙 and 﨑), every rejection reason with its line,
 * dry runs, idempotent re-import, updates, reissue and block through the file (the next AReq is
 * answered R), the error report, the audit row, and the export with masked PANs only.
 */
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createDatabase, libsqlConfig } from '../../src/db/client.ts';
import { ABANDONED_MS, createImport, errorReportCsv, importErrors, importProgress, runImport, runImportBatch } from '../../src/cards/import/job.ts';
import { continueImports, importLoop } from '../../src/cards/import/runner.ts';
import { exportCardsCsvText } from '../../src/cards/import/export.ts';
import { HEADER_ROW } from '../../src/cards/import/format.ts';
import { withLuhnDigit, panLookupHash } from '../../src/cards/pan.ts';
import { auditLog, cardAccounts, cardholders, cardImportChunks, cardImports, cards, members } from '../../src/db/schema.ts';
import { ensureFirstIssuer, issuerByCode } from '../../src/issuers/issuer-store.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
async function start() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  const issuer = await ensureFirstIssuer(t.deps);
  return { t, issuerId: issuer.id };
}

/** Card n of the tests: in the default issuer's demo JCB range, apart from the demo cards. */
const pan = (n: number, bin = '35699980') => withLuhnDigit(bin + String(n).padStart(7, '0'));
const mcPan = (n: number) => pan(n, '55999980');
type Row = Partial<Record<string, string>>;
const COLS = HEADER_ROW.split(',');
function csv(rows: Row[], header = COLS): string {
  return [header.join(','), ...rows.map((r) => header.map((c) => r[c] ?? '').join(','))].join('\r\n') + '\r\n';
}
const row = (n: number, more: Row = {}): Row => ({ customer_number: `C${n}`, name: '山田 太郎', name_kana: 'ヤマダ タロウ', birth_date: '1980-04-01', phone: '+819012345678', pan: pan(n), expiry: '3012', ...more });

async function importText(t: TestApp, issuerId: number, bytes: Uint8Array, dryRun = false, encoding?: 'utf-8' | 'shift_jis' | 'auto') {
  const { importId } = await createImport(t.deps, { issuerId, actorName: 'cli:test', fileName: 'cards.csv', bytes, dryRun, encoding });
  const done = await runImport(t.deps, importId, { batchRows: 500 });
  return { importId, done };
}
const utf8 = (s: string) => new TextEncoder().encode(s);

async function cardOf(t: TestApp, p: string) {
  return (await t.deps.db.select().from(cards).where(eq(cards.panHash, await panLookupHash(t.deps.keys.panLookup, p))))[0];
}
async function transStatus(t: TestApp, p: string) {
  const res = await postAReq(t.app, browserAReq({ pan: p, purchaseAmount: '1000' }));
  const body = (await res.json()) as Record<string, string>;
  return `${body.transStatus}/${body.transStatusReason ?? ''}`;
}

describe('CSV import', { timeout: 60_000 }, () => {
  it('imports UTF-8, UTF-8 with BOM and Shift_JIS (CP932) files with kanji and kana names', async () => {
    const { t, issuerId } = await start();
    const a = await importText(t, issuerId, utf8(csv([row(1)])));
    expect(a.done).toMatchObject({ state: 'done', encoding: 'utf-8', totalRows: 1, inserted: 1, rejected: 0, percent: 100 });
    const b = await importText(t, issuerId, utf8('\ufeff' + csv([row(2, { name: '佐藤 花子', name_kana: 'サトウ ハナコ' })])));
    expect(b.done).toMatchObject({ state: 'done', encoding: 'utf-8', inserted: 1 });
    const sjis = iconv.encode(csv([row(3, { name: '髙﨑 健', name_kana: 'タカサキ ケン' })]), 'cp932');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(sjis)).toThrow();
    const c = await importText(t, issuerId, sjis);
    expect(c.done).toMatchObject({ state: 'done', encoding: 'shift_jis', inserted: 1, rejected: 0 });
    const holders = await t.deps.db.select().from(cardholders).where(eq(cardholders.issuerId, issuerId));
    const byRef = Object.fromEntries(holders.map((h) => [h.customerRef, h]));
    expect(byRef.C1).toMatchObject({ name: '山田 太郎', nameKana: 'ヤマダ タロウ', birthDate: '1980-04-01', phoneOnFile: '+819012345678' });
    expect(byRef.C2).toMatchObject({ name: '佐藤 花子', nameKana: 'サトウ ハナコ' });
    expect(byRef.C3).toMatchObject({ name: '髙﨑 健', nameKana: 'タカサキ ケン' });
    const card = await cardOf(t, pan(3));
    expect(card).toMatchObject({ brand: 'jcb', status: 'active', expiry: '3012', panFirst6: '356999', panLast4: pan(3).slice(-4) });
    expect(card.panCipher).not.toContain(pan(3));
    // Japanese header names are accepted too; Shift_JIS chosen explicitly.
    const ja = iconv.encode(['顧客番号,氏名,カード番号,有効期限,電話番号', `C4,髙橋 一郎,${pan(4)},12/30,090-1111-2222`].join('\n'), 'cp932');
    const d = await importText(t, issuerId, ja, false, 'shift_jis');
    expect(d.done).toMatchObject({ state: 'done', inserted: 1, rejected: 0 });
    expect((await t.deps.db.select().from(cardholders).where(eq(cardholders.customerRef, 'C4')))[0]).toMatchObject({ name: '髙橋 一郎', phoneOnFile: '+819011112222' });
    expect((await cardOf(t, pan(4))).expiry).toBe('3012');
  });

  it('refuses every bad row with its line, field and reason in Japanese and English; a dry run writes nothing', async () => {
    const { t, issuerId } = await start();
    await importText(t, issuerId, utf8(csv([row(90, { customer_number: 'OTHER' })])));
    const kitaPan = '4111111111111111'; // in no range of this issuer
    const rows: [Row, string, string | null][] = [
      [row(10), 'ok', null],
      [{ ...row(11), customer_number: '' }, 'required', 'customer_number'],
      [row(12, { customer_number: 'C 12' }), 'customer_number_format', 'customer_number'],
      [row(13, { name: '' }), 'required', 'name'],
      [row(14, { name: 'あ'.repeat(101) }), 'name_too_long', 'name'],
      [row(15, { name_kana: 'やまだ' }), 'name_kana_format', 'name_kana'],
      [row(16, { birth_date: '01/04/1980' }), 'birth_date_format', 'birth_date'],
      [row(17, { birth_date: '1980-02-30' }), 'birth_date_invalid', 'birth_date'],
      [row(18, { phone: '12345' }), 'phone_format', 'phone'],
      [row(19, { phone_provisional: 'maybe' }), 'flag_format', 'phone_provisional'],
      [row(20, { email: 'not-an-email' }), 'email_format', 'email'],
      [row(21, { pan: '1234' }), 'pan_format', 'pan'],
      [row(22, { pan: pan(22).slice(0, -1) + ((+pan(22).slice(-1) + 1) % 10) }), 'pan_luhn', 'pan'],
      [row(23, { pan: kitaPan }), 'pan_unknown_range', 'pan'],
      [row(24, { pan: pan(10) }), 'pan_duplicate', 'pan'],
      [row(25, { expiry: '3013' }), 'expiry_format', 'expiry'],
      [row(26, { expiry: '2512' }), 'expired', 'expiry'],
      [row(27, { brand: 'amex' }), 'brand_unknown', 'brand'],
      [row(28, { brand: 'visa' }), 'brand_mismatch', 'brand'],
      [row(29, { status: 'frozen' }), 'status_unknown', 'status'],
      [row(30, { replaces_pan: '999' }), 'replaces_format', 'replaces_pan'],
      [row(31, { replaces_pan: pan(31) }), 'replaces_self', 'replaces_pan'],
      [row(32, { replaces_pan: pan(5000) }), 'replaces_unknown', 'replaces_pan'],
      [row(33, { pin: '1234' }), 'pin_not_corporate', 'pin'],
      [row(34, { corporate: '1', pin: '12' }), 'pin_format', 'pin'],
      [row(35, { corporate: '1', pin: '1234', pin_hash: 'core$abc' }), 'pin_both', 'pin'],
      [row(36, { corporate: '1', pin_hash: 'nohash' }), 'pin_hash_format', 'pin_hash'],
      [row(37, { corporate: '1' }), 'pin_required', 'pin'],
      [row(38, { pan: pan(90) }), 'pan_other_customer', 'pan'],
      [row(39, { replaces_pan: pan(90) }), 'replaces_other_customer', 'replaces_pan'],
      [row(40, { corporate: 'x' }), 'flag_format', 'corporate'],
      [row(41, { customer_number: 'C10', pan: pan(41), replaces_pan: pan(10) }), 'ok', null], // replaces an earlier line (dry run: not on file)
    ];
    const text = csv(rows.map(([r]) => r)) + 'C99,only,three\r\n';
    const bytes = utf8(text);
    const before = await t.deps.db.$count(cards);
    const dry = await importText(t, issuerId, bytes, true);
    expect(await t.deps.db.$count(cards)).toBe(before);
    const expected = rows.map(([, code, field], i) => ({ line: i + 2, code, field })).filter((e) => e.code !== 'ok');
    expected.push({ line: rows.length + 2, code: 'column_count', field: null });
    const errors = await importErrors(t.deps.db, dry.importId, { limit: 100 });
    expect(errors.map((e) => ({ line: e.line, code: e.code, field: e.field }))).toEqual(expected);
    expect(dry.done).toMatchObject({ state: 'done', dryRun: true, totalRows: rows.length + 1, processedRows: rows.length + 1, inserted: 2, rejected: expected.length });
    for (const e of errors) {
      expect(e.messageJa).toMatch(/[ぁ-んァ-ン一-龯]/);
      expect(e.messageEn).toMatch(/[a-z]/);
      expect(e.messageJa + e.messageEn).not.toMatch(/\d{15,19}/); // never a card number
    }
    // The report: line, field, code, both messages; paging by id.
    const report = parse((await errorReportCsv(t.deps.db, dry.importId)).replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[];
    expect(report).toHaveLength(expected.length);
    expect(report[0]).toEqual({ line: '3', field: 'customer_number', code: 'required', message_ja: '顧客番号 は必須です。'.replace('顧客番号', 'customer_number'), message_en: 'customer_number is required.' });
    const page2 = await importErrors(t.deps.db, dry.importId, { after: errors[4].id, limit: 3 });
    expect(page2.map((e) => e.line)).toEqual(errors.slice(5, 8).map((e) => e.line));

    // The real run: the same counts, the two valid rows written (one a reissue of the other).
    const real = await importText(t, issuerId, bytes);
    expect(real.done).toMatchObject({ state: 'done', dryRun: false, inserted: 2, rejected: expected.length });
    expect((await cardOf(t, pan(10))).status).toBe('replaced');
    expect((await cardOf(t, pan(41))).accountId).toBe((await cardOf(t, pan(10))).accountId);

    // Audited, with digest and counts.
    const audits = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'cards.import'));
    const last = JSON.parse(audits.at(-1)!.detail);
    expect(audits.at(-1)).toMatchObject({ actorName: 'cli:test', issuerId, target: `card_import:${real.importId}` });
    expect(last).toMatchObject({ dryRun: false, inserted: 2, rejected: expected.length, fileDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const [r] of rows) if (r.pan) expect(JSON.stringify(audits)).not.toContain(r.pan);
  });

  it('is idempotent, updates what changed, reissues and blocks through the file (AReq answers R/10, R/12)', async () => {
    const { t, issuerId } = await start();
    const first = [row(1), row(2, { customer_number: 'C1', pan: mcPan(2) }), row(3, { corporate: '1', pin: '4321' }), row(4), row(5), row(6)];
    const one = await importText(t, issuerId, utf8(csv(first)));
    expect(one.done).toMatchObject({ inserted: 6, rejected: 0 });
    expect(await transStatus(t, pan(1))).toMatch(/^[YNC]/);
    const twice = await importText(t, issuerId, utf8(csv(first)));
    expect(twice.done).toMatchObject({ inserted: 0, updated: 0, unchanged: 6, rejected: 0 });
    // Two cards for C1: one cardholder, two accounts.
    const c1 = (await t.deps.db.select().from(cardholders).where(eq(cardholders.customerRef, 'C1')))[0];
    expect(await t.deps.db.$count(cards, eq(cards.cardholderId, c1.id))).toBe(2);
    expect(await t.deps.db.$count(cardAccounts, eq(cardAccounts.cardholderId, c1.id))).toBe(2);

    const later = [
      row(1, { phone: '080-9999-0000', phone_provisional: '1' }),
      row(2, { customer_number: 'C1', pan: mcPan(2), phone: '080-9999-0000', phone_provisional: '1', expiry: '3201' }),
      row(3, { corporate: '1', pin: '4321' }),
      row(4, { status: 'lost' }),
      row(5, { status: 'stolen' }),
      row(6, { status: 'blocked' }),
      row(7, { customer_number: 'C6', replaces_pan: pan(6) }),
      row(8, { customer_number: 'C3', replaces_pan: pan(3), corporate: '1' }),
    ];
    const upd = await importText(t, issuerId, utf8(csv(later)));
    expect(upd.done).toMatchObject({ inserted: 2, updated: 5, unchanged: 1, rejected: 0 });
    expect((await t.deps.db.select().from(cardholders).where(eq(cardholders.id, c1.id)))[0]).toMatchObject({ phoneOnFile: '+818099990000', phoneProvisional: true });
    expect((await cardOf(t, mcPan(2))).expiry).toBe('3201');
    expect(await transStatus(t, pan(4))).toBe('R/10');
    expect(await transStatus(t, pan(5))).toBe('R/10');
    expect(await transStatus(t, pan(6))).toBe('N/06'); // replaced by card 7
    const old6 = await cardOf(t, pan(6));
    const new7 = await cardOf(t, pan(7));
    expect(old6).toMatchObject({ status: 'replaced', replacedByCardId: new7.id });
    expect(new7.accountId).toBe(old6.accountId);
    // The corporate card's reissue keeps its PIN hash.
    expect((await cardOf(t, pan(8))).pinHash).toBe((await cardOf(t, pan(3))).pinHash);
    expect((await cardOf(t, pan(3))).pinHash).toMatch(/^pbkdf2-sha256\$/);
    // Closing: R/12; nothing was deleted.
    const close = await importText(t, issuerId, utf8(csv([row(7, { customer_number: 'C6', status: 'closed' }), row(6, { status: 'active' })])));
    expect(close.done).toMatchObject({ updated: 1, unchanged: 1 });
    expect(await transStatus(t, pan(7))).toBe('R/12');
    expect((await cardOf(t, pan(6))).status).toBe('replaced'); // stays replaced
    expect(await t.deps.db.$count(cards)).toBeGreaterThanOrEqual(8);
  });

  it('claims each batch once when two callers run the same import at once', async () => {
    const { t: app, issuerId } = await start();
    // A second client on the same file, made as every client should be (libsqlConfig: busy timeout on each pooled connection).
    const client = createClient(libsqlConfig(`file:${app.databaseFile}`));
    const t = { ...app, deps: { ...app.deps, db: createDatabase(client) } };
    onTestFinished(() => client.close());
    const rows = Array.from({ length: 1200 }, (_, i) => row(100 + i));
    const { importId } = await createImport(t.deps, { issuerId, actorName: 'cli:test', fileName: 'x.csv', bytes: utf8(csv(rows)), dryRun: false });
    expect((await importProgress(t.deps.db, importId))!.state).toBe('queued');
    for (;;) {
      const [a, b] = await Promise.all([runImportBatch(t.deps, importId, 500), runImportBatch(t.deps, importId, 500)]);
      if (a.state === 'done' && b.state === 'done') break;
    }
    const p = (await importProgress(t.deps.db, importId, t.clock.now()))!;
    expect(p).toMatchObject({ state: 'done', totalRows: 1200, processedRows: 1200, inserted: 1200, rejected: 0 });
    expect(await t.deps.db.$count(auditLog, and(eq(auditLog.action, 'cards.import'), eq(auditLog.target, `card_import:${importId}`)))).toBe(1);
  });

  it('runs a file held in memory (the shell tool) without card_import_chunks; a held job whose process stopped is failed as file_gone', async () => {
    const { t, issuerId } = await start();
    const rows = Array.from({ length: 1200 }, (_, i) => row(3000 + i));
    rows.push(row(3000)); // a duplicate across batches: found through the process's memory
    const { importId } = await createImport(t.deps, { issuerId, actorName: 'cli:test', fileName: 'held.csv', bytes: utf8(csv(rows)), dryRun: false, holdFile: true });
    expect(await t.deps.db.$count(cardImportChunks, eq(cardImportChunks.importId, importId))).toBe(0);
    const done = await runImport(t.deps, importId, { batchRows: 500 });
    expect(done).toMatchObject({ state: 'done', totalRows: 1201, processedRows: 1201, inserted: 1200, rejected: 1 });
    expect((await importErrors(t.deps.db, importId, { limit: 10 }))[0]).toMatchObject({ line: 1202, code: 'pan_duplicate' });
    expect(await transStatus(t, pan(3100))).toMatch(/^[YNCRA]\//);

    // A job another process holds the file of (as `npm run cards` leaves it when it is killed):
    // neither this process's loop, a batch call nor the sweep runs or finishes it while it may still move…
    const [other] = await t.deps.db
      .insert(cardImports)
      .values({ issuerId, actorName: 'cli:gone', fileName: 'gone.csv', fileDigest: 'x', encoding: 'utf-8', dryRun: false, state: 'running', totalRows: 5000, processedRows: 2000, cursor: 2002, filePlace: 'process', movedAt: t.clock.now(), createdAt: t.clock.now() - 10_000, startedAt: t.clock.now() - 10_000 })
      .returning({ id: cardImports.id });
    expect(await runImport(t.deps, other.id)).toMatchObject({ state: 'running', processedRows: 2000 });
    expect(await runImportBatch(t.deps, other.id)).toMatchObject({ state: 'running', processedRows: 2000 });
    await continueImports(t.deps);
    t.clock.advance(ABANDONED_MS - 1_000);
    await continueImports(t.deps); // stale to this process's sweep now: its loop looks, and leaves it
    await importLoop(other.id);
    expect(await runImportBatch(t.deps, other.id)).toMatchObject({ state: 'running' });
    // …and once it has stood still ABANDONED_MS, any of them fails it, once, audited, in both languages.
    t.clock.advance(1_000);
    const gone = await runImportBatch(t.deps, other.id);
    expect(gone).toMatchObject({ state: 'failed', processedRows: 2000, error: { code: 'file_gone' } });
    expect(gone.rowsPerSecond).toBe(200); // up to its last batch: 2,000 rows in 10 s
    expect(gone.error!.messageJa).toContain('もう一度取り込んで');
    expect(gone.error!.messageEn).toContain('import the same file again');
    await runImportBatch(t.deps, other.id);
    expect(await t.deps.db.$count(auditLog, and(eq(auditLog.action, 'cards.import'), eq(auditLog.target, `card_import:${other.id}`)))).toBe(1);
  });

  it('refuses a file with a bad header or encoding as a whole, with its own row and audit', async () => {
    const { t, issuerId } = await start();
    const missing = await importText(t, issuerId, utf8('customer_number,name\nC1,x\n'));
    expect(missing.done).toMatchObject({ state: 'failed', error: { code: 'missing_column', messageEn: 'Required columns are missing: pan, expiry' } });
    const unknown = await importText(t, issuerId, utf8('customer_number,name,pan,expiry,colour\n'));
    expect(unknown.done.error).toMatchObject({ code: 'unknown_column' });
    const bad = await importText(t, issuerId, new Uint8Array([0x82, 0xa0, 0xff, 0xfe]), false, 'utf-8');
    expect(bad.done.error).toMatchObject({ code: 'encoding' });
    expect(await t.deps.db.$count(auditLog, eq(auditLog.action, 'cards.import'))).toBe(3);
  });

  it('exports registrations and cards with masked numbers only', async () => {
    const { t, issuerId } = await start();
    await importText(t, issuerId, utf8(csv([row(1), row(2, { status: 'stolen' })])));
    const { csv: out, rows } = await exportCardsCsvText(t.deps, issuerId);
    expect(out.startsWith('\ufeff')).toBe(true);
    const records = parse(out.replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toBe(records.length);
    expect(out).not.toMatch(/\d{12,19}/);
    const two = records.find((r) => r.customer_number === 'C2')!;
    expect(two).toMatchObject({ pan_masked: `356999******${pan(2).slice(-4)}`, status: 'stolen', registered: '0' });
    // The demo cards (with registrations, one locked) are the default issuer's too.
    expect(records.some((r) => r.registered === '1' && r.member_id !== '')).toBe(true);
    expect(records.some((r) => r.locked === '1')).toBe(true);
    // Another issuer's export holds none of them.
    const kita = await issuerByCode(t.deps.db, 'kita');
    if (kita) expect((await exportCardsCsvText(t.deps, kita.id)).csv).not.toContain('C2');
    void members;
  });
});
