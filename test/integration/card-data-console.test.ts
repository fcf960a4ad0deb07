/**
 * Card data in the console through real HTTP on a real libSQL file: staff upload card files
 * (UTF-8 with a BOM, Shift_JIS made here with iconv-lite, real kanji names) as multipart forms,
 * dry-run them, import them in the background of this process while the progress fragment is
 * polled, read the rejected rows (Japanese and English) and the error report, export cards and
 * registrations with a fresh TOTP code (audited, masked card numbers), and never reach another
 * issuer's imports. The AReq of an imported card is answered from its new record.
 */
import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCardOnFile } from '../../src/cards/card-store.ts';
import { createImport } from '../../src/cards/import/job.ts';
import { continueImports, importLoop, STALE_MS } from '../../src/cards/import/runner.ts';
import { panLookupHash } from '../../src/cards/pan.ts';
import { auditLog, binRanges, cardholders, cardImports } from '../../src/db/schema.ts';
import { assignBinRange, ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig, type Issuer } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';
import { csrfOf, newStaff, nextCode, ORIGIN, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let first: Issuer;
let kita: Issuer;
const people: Record<'admin' | 'helpdesk' | 'auditor' | 'kita' | 'platform', Enrolled> = {} as never;

const HEADER = 'customer_number,name,name_kana,birth_date,phone,pan,expiry,status';
/** Cards of the first issuer's demo JCB range, far from the demo cards' own serials. */
const jcb = (serial: number) => demoPan('jcb', 500 + serial);
const visa = (serial: number) => demoPan('visa', 500 + serial);

/** A card file in this format, one row per card. */
function csv(rows: string[]): string {
  return `${[HEADER, ...rows].join('\r\n')}\r\n`;
}

/** A valid row: customer, kanji name, kana, phone on file, card. */
function row(customer: string, name: string, pan: string, status = 'active'): string {
  return `${customer},${name},ヤマダ タロウ,1980-04-01,090-1234-5678,${pan},3012,${status}`;
}

/** POSTs the upload form as a browser does: multipart, with the session's form token in it. */
async function upload(client: Client, file: { name: string; bytes: Uint8Array<ArrayBuffer> | string }, fields: Record<string, string> = {}, csrf?: string): Promise<Response> {
  const page = await (await client.get('/admin/card-data')).text();
  const form = new FormData();
  form.set('_csrf', csrf ?? csrfOf(page));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new File([file.bytes], file.name, { type: 'text/csv' }));
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.request(`${ORIGIN}/admin/card-data/imports`, { method: 'POST', headers: { origin: ORIGIN, cookie }, body: form });
}

/** The import an upload redirected to. */
function importIdOf(res: Response): number {
  expect(res.status).toBe(303);
  const m = /^\/admin\/card-data\/imports\/(\d+)$/.exec(res.headers.get('location') ?? '');
  expect(m, `redirect to ${res.headers.get('location')}`).not.toBeNull();
  return Number(m![1]);
}

/** Polls the progress fragment as htmx does until the import ends; its last answer. */
async function untilFinished(client: Client, id: number, lang: 'ja' | 'en' = 'ja'): Promise<string> {
  for (let i = 0; i < 2000; i++) {
    const res = await client.get(`/admin/card-data/imports/${id}/progress?lang=${lang}`, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const state = /data-state="(\w+)"/.exec(html)?.[1];
    if (state === 'done' || state === 'failed') return html;
    // Polling: each answer says where it stands and asks again.
    expect(html).toContain(`hx-get="/admin/card-data/imports/${id}/progress"`);
    expect(html).toContain('hx-trigger="every 1s"');
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`import ${id} did not finish`);
}

const counts = (html: string) => ({ inserted: countOf(html, 'inserted'), updated: countOf(html, 'updated'), unchanged: countOf(html, 'unchanged'), rejected: countOf(html, 'rejected') });
function countOf(html: string, name: string): number {
  const m = new RegExp(`data-count="${name}">([\\d,]+)<`).exec(html);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}

const cardOf = async (pan: string) => findCardOnFile(t.deps.db, await panLookupHash(t.deps.keys.panLookup, pan));

beforeAll(async () => {
  t = await createTestApp({ seed: true });
  first = await ensureFirstIssuer(t.deps);
  // The second issuer, with the demo Visa range as the sandbox gives it (demo-staff.ts).
  kita = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'kita', nameJa: 'きたぐにカード', nameEn: 'Kitaguni Card' }, t.clock.now());
  for (const r of await t.deps.db.select({ id: binRanges.id }).from(binRanges).where(eq(binRanges.label, 'Demo Visa'))) await assignBinRange(t.deps.db, r.id, kita.id);
  forgetIssuerSettings(t.deps.db);
  people.admin = await newStaff(t, 'card-admin', 'issuer_admin', first.id);
  people.helpdesk = await newStaff(t, 'card-help', 'helpdesk', first.id);
  people.auditor = await newStaff(t, 'card-audit', 'auditor', first.id);
  people.kita = await newStaff(t, 'kita-card-admin', 'issuer_admin', kita.id);
  people.platform = await newStaff(t, 'card-root', 'platform_admin', null);
}, 120_000);
afterAll(() => t.close());

describe('uploading a card file', () => {
  it('dry-runs a UTF-8 file with a BOM: counts and every rejected row with its line and reason, and nothing changes', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const text = csv([
      row('C-1001', '山田 太郎', jcb(1)),
      row('C-1002', '鈴木 花子', `${jcb(2).slice(0, -1)}${(Number(jcb(2).slice(-1)) + 1) % 10}`), // Luhn broken
      row('C-1003', '佐藤 一郎', visa(3)), // the other issuer's range
      row('C-1004', '田中 美咲', jcb(1)), // same card twice in the file
    ]);
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    const id = importIdOf(await upload(client, { name: 'cards-utf8.csv', bytes }, { encoding: 'auto', dryRun: 'on' }));

    const page = await client.get(`/admin/card-data/imports/${id}`);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    // The live region is outside the polled part, so it survives every swap.
    expect(pageHtml).toMatch(/<p id="import-announce"[^>]*aria-live="polite"[^>]*><\/p>\s*<section id="import-status"/);
    expect(pageHtml).toContain('<label for="import-bar">');

    const done = await untilFinished(client, id);
    expect(done).toContain('data-state="done"');
    expect(done).not.toContain('hx-trigger');
    expect(done).toContain('試行が終わりました。データは変更されていません。');
    expect(counts(done)).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 3 });
    expect(done).toContain('<progress id="import-bar" max="100" value="100">');
    // The last poll's answer gives the live region its text (htmx swaps only its inside).
    expect(done).toMatch(/<p id="import-announce" hx-swap-oob="innerHTML">試行が終わりました。 追加1件、更新0件、変更なし0件、却下3件。<\/p>/);
    // Rejected rows by line number (the header is line 1), in Japanese; the card number never shown.
    const lines = [...done.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([3, 4, 5]);
    expect(done).not.toContain(jcb(1));
    expect(done).toContain(`/admin/card-data/imports/${id}/errors.csv`);

    // The same, in English.
    const en = await untilFinished(client, id, 'en');
    expect(en).toContain('The dry run is done. Nothing was changed.');
    expect(en).toContain('Rejected rows');

    // A dry run changes nothing.
    expect(await cardOf(jcb(1))).toBeUndefined();
    const job = (await t.deps.db.select().from(cardImports).where(eq(cardImports.id, id)).get())!;
    expect(job).toMatchObject({ issuerId: first.id, dryRun: true, state: 'done', fileName: 'cards-utf8.csv', encoding: 'utf-8', staffId: people.admin.id });
    expect(job.fileDigest).toMatch(/^[0-9a-f]{64}$/);
    // Audited twice: the upload (with its request) and the job's outcome when it ended.
    const audit = await t.deps.db.select().from(auditLog).where(eq(auditLog.target, `card_import:${id}`));
    expect(audit.map((a) => a.action).sort()).toEqual(['cards.import', 'cards.import_upload']);
    for (const a of audit) expect(a).toMatchObject({ issuerId: first.id, actorType: 'staff', actorId: people.admin.id });
    expect(JSON.parse(audit.find((a) => a.action === 'cards.import')!.detail ?? '{}')).toMatchObject({ dryRun: true, inserted: 1, rejected: 3, fileDigest: job.fileDigest });

    // The error report has every rejected row, both languages.
    const report = await client.get(`/admin/card-data/imports/${id}/errors.csv`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(report.headers.get('content-disposition')).toBe(`attachment; filename="mamori-import-${id}-errors.csv"`);
    const reportText = await report.text();
    expect(reportText.trim().split(/\r?\n/)).toHaveLength(4);
    expect(reportText).not.toContain(jcb(1));

    // The overview lists it: who, file, digest, dry run, state, counts.
    const list = await (await client.get('/admin/card-data?lang=ja')).text();
    expect(list).toContain('cards-utf8.csv');
    expect(list).toContain(job.fileDigest.slice(0, 12));
    expect(list).toContain('card-admin');
    expect(list).toContain('試行');
  });

  it('imports a Shift_JIS file to the end; its cards answer AReqs; the same file again changes nothing', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const pans = [jcb(11), jcb(12), jcb(13)];
    // Before: the range is known, the card is not on file (N/08, not an Erro).
    const before = (await (await postAReq(t.app, browserAReq({ pan: pans[0], purchaseAmount: '1500' }))).json()) as Record<string, string>;
    expect(before).toMatchObject({ messageType: 'ARes', transStatus: 'N', transStatusReason: '08' });

    const text = csv([row('S-2001', '髙橋 健太', pans[0]), row('S-2002', '渡邊 さくら', pans[1]), row('S-2003', '﨑山 次郎', pans[2], 'stolen')]);
    const bytes = new Uint8Array(iconv.encode(text, 'cp932'));
    // Not UTF-8: made as a Japanese core system writes it.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const id = importIdOf(await upload(client, { name: '会員データ.csv', bytes }, { encoding: 'shift_jis' }));
    const done = await untilFinished(client, id);
    expect(done).toContain('取り込みが終わりました。');
    expect(counts(done)).toEqual({ inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    const job = (await t.deps.db.select().from(cardImports).where(eq(cardImports.id, id)).get())!;
    expect(job).toMatchObject({ encoding: 'shift_jis', dryRun: false, state: 'done', fileName: '会員データ.csv', totalRows: 3, processedRows: 3 });

    const card = (await cardOf(pans[0]))!;
    const holder = (await t.deps.db.select().from(cardholders).where(eq(cardholders.id, card.cardholder.id)).get())!;
    expect(holder).toMatchObject({ name: '髙橋 健太', customerRef: 'S-2001', issuerId: first.id, phoneOnFile: '+819012345678' });
    expect((await cardOf(pans[2]))?.card.status).toBe('blocked_stolen');
    // The imported card is on file now: no registration yet, so the challenge page guides to it (C).
    const after = (await (await postAReq(t.app, browserAReq({ pan: pans[0], purchaseAmount: '1500' }))).json()) as Record<string, string>;
    expect(after).toMatchObject({ messageType: 'ARes', transStatus: 'C' });
    const stolen = (await (await postAReq(t.app, browserAReq({ pan: pans[2], purchaseAmount: '1500' }))).json()) as Record<string, string>;
    expect(stolen).toMatchObject({ transStatus: 'R', transStatusReason: '10' });

    // Auto-detected this time, and idempotent: every row unchanged.
    const again = importIdOf(await upload(client, { name: '会員データ.csv', bytes }, { encoding: 'auto' }));
    const second = await untilFinished(client, again);
    expect(counts(second)).toEqual({ inserted: 0, updated: 0, unchanged: 3, rejected: 0 });
    expect((await t.deps.db.select().from(cardImports).where(eq(cardImports.id, again)).get())!.encoding).toBe('shift_jis');
  });

  it('answers a form without a file, or a file that is not the encoding chosen, with the message by the field', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const empty = await upload(client, { name: 'empty.csv', bytes: new Uint8Array() }, { encoding: 'auto' });
    expect(empty.status).toBe(400);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('<p class="field-error" id="upload-file-error">CSVファイルを選んでください。</p>');
    expect(emptyHtml).toMatch(/id="upload-file" aria-describedby="upload-file-hint upload-file-error" aria-invalid="true"/);

    const sjis = new Uint8Array(iconv.encode(csv([row('E-1', '髙橋 健太', jcb(21))]), 'cp932'));
    const wrong = await upload(client, { name: 'sjis.csv', bytes: sjis }, { encoding: 'utf-8' });
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toMatch(/<p class="field-error" id="upload-file-error">文字コードを読み取れません/);
    // Refused as a whole, and kept as such in the history.
    const [failed] = await t.deps.db.select().from(cardImports).where(eq(cardImports.fileName, 'sjis.csv'));
    expect(failed).toMatchObject({ state: 'failed', processedRows: 0 });

    const header = await upload(client, { name: 'header.csv', bytes: 'customer_number,name,pan\r\nC-1,山田 太郎,4111111111111111\r\n' }, { encoding: 'auto' });
    expect(header.status).toBe(400);
    expect(await header.text()).toContain('必須の列がありません: expiry');
  });

  it('refuses a multipart upload without the session’s form token', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const res = await upload(client, { name: 'forged.csv', bytes: csv([row('F-1', '山田 太郎', jcb(31))]) }, {}, 'not-the-token');
    expect(res.status).toBe(403);
    expect(await t.deps.db.select().from(cardImports).where(eq(cardImports.fileName, 'forged.csv'))).toHaveLength(0);
  });

  it('takes up an import no process is moving once its counts stood still long enough', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    // As if the process that took the upload ended before its loop began.
    const { importId } = await createImport(t.deps, {
      issuerId: first.id,
      actorName: 'card-admin',
      staffId: people.admin.id,
      fileName: 'orphan.csv',
      bytes: new TextEncoder().encode(csv([row('O-1', '小林 誠', jcb(41))])),
      dryRun: false,
    });
    const first1 = await (await client.get(`/admin/card-data/imports/${importId}/progress`)).text();
    expect(first1).toContain('data-state="queued"');
    expect(first1).toContain('hx-trigger="every 1s"');
    expect(first1).toContain('<progress id="import-bar" max="100" value="0">');
    t.clock.advance(STALE_MS);
    const done = await untilFinished(client, importId);
    expect(counts(done)).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
  });

  it('is continued by the scheduler: on Node a loop for an import left standing, on Workers batches within the cron’s budget', async () => {
    const orphan = async (customer: string, serial: number) =>
      (await createImport(t.deps, { issuerId: first.id, actorName: 'cli:test', fileName: `${customer}.csv`, bytes: new TextEncoder().encode(csv([row(customer, '中村 翼', jcb(serial))])), dryRun: false })).importId;
    const stateOf = async (id: number) => (await t.deps.db.select().from(cardImports).where(eq(cardImports.id, id)).get())!;

    // Node and Deno sweeps: seen standing still for STALE_MS, then a loop of this process takes it.
    const a = await orphan('N-1', 81);
    await continueImports(t.deps);
    expect(importLoop(a)).toBeUndefined();
    t.clock.advance(STALE_MS);
    await continueImports(t.deps);
    await importLoop(a);
    expect(await stateOf(a)).toMatchObject({ state: 'done', inserted: 1 });

    // The Workers cron (it has an ExecutionContext): awaited batches, at once.
    const b = await orphan('W-1', 82);
    await continueImports(t.deps, { waitUntil: () => undefined });
    expect(await stateOf(b)).toMatchObject({ state: 'done', inserted: 1 });
    expect((await cardOf(jcb(82)))?.card.status).toBe('active');
  });

  it('lets a platform administrator import for the issuer they choose', async () => {
    const { client } = await signIn(t, people.platform.username, people.platform.secret);
    const page = await (await client.get('/admin/card-data')).text();
    expect(page).toContain('<select id="upload-issuer"');
    const none = await upload(client, { name: 'kita.csv', bytes: csv([row('K-1', '北野 雪', visa(51))]) }, { issuerId: '99999' });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('カード会社を選んでください。');
    const id = importIdOf(await upload(client, { name: 'kita.csv', bytes: csv([row('K-1', '北野 雪', visa(51))]) }, { issuerId: String(kita.id) }));
    expect(counts(await untilFinished(client, id))).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect((await t.deps.db.select().from(cardImports).where(eq(cardImports.id, id)).get())!.issuerId).toBe(kita.id);
  });
});

describe('exporting cards and registrations', () => {
  it('needs a fresh TOTP code, audits the export with its count, and shows card numbers masked', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const page = await (await client.get('/admin/card-data')).text();
    const refused = await client.submit(page, '/admin/card-data/export', { code: '000000' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('<p class="field-error" id="export-code-error">コードが正しくありません。</p>');

    const res = await client.submit(page, '/admin/card-data/export', { code: nextCode(t, people.admin.secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="mamori-cards-default-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    // Masked numbers only: first 6 and last 4, never a whole PAN.
    expect(text).not.toMatch(/\d{12,19}/);
    expect(text).toContain(`${jcb(11).slice(0, 6)}`);
    expect(text).toContain(jcb(11).slice(-4));
    // The first issuer's cards only.
    expect(text).not.toContain(visa(51).slice(-4) + ',');
    const rows = text.trim().split(/\r?\n/).length - 1;
    expect(rows).toBeGreaterThan(3);

    const [entry] = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'cards.export'));
    expect(entry).toMatchObject({ issuerId: first.id, actorName: people.admin.username });
    expect(JSON.parse(entry.detail ?? '{}')).toMatchObject({ rows });
  });

  it('lets an auditor export but not upload', async () => {
    const { client } = await signIn(t, people.auditor.username, people.auditor.secret);
    const page = await (await client.get('/admin/card-data')).text();
    expect(page).not.toContain('action="/admin/card-data/imports"');
    expect(page).toContain('action="/admin/card-data/export"');
    expect((await upload(client, { name: 'a.csv', bytes: csv([row('A-1', '山田 太郎', jcb(61))]) })).status).toBe(403);
    const res = await client.submit(page, '/admin/card-data/export', { code: nextCode(t, people.auditor.secret) });
    expect(res.status).toBe(200);
  });
});

describe('who reaches card data', () => {
  it('refuses the helpdesk every page and action', async () => {
    const { client } = await signIn(t, people.helpdesk.username, people.helpdesk.secret);
    const home = await (await client.get('/admin')).text();
    expect(home).not.toContain('href="/admin/card-data"');
    expect((await client.get('/admin/card-data')).status).toBe(403);
    const [any] = await t.deps.db.select({ id: cardImports.id }).from(cardImports).limit(1);
    expect((await client.get(`/admin/card-data/imports/${any.id}`)).status).toBe(403);
    expect((await upload(client, { name: 'h.csv', bytes: csv([row('H-1', '山田 太郎', jcb(71))]) }, {}, csrfOf(home))).status).toBe(403);
    expect((await client.submit(home, '/admin/card-data/export', { code: nextCode(t, people.helpdesk.secret) })).status).toBe(403);
  });

  it('answers another issuer’s import exactly like a missing one, and never lists it', async () => {
    const { client } = await signIn(t, people.kita.username, people.kita.secret);
    const theirs = await t.deps.db.select({ id: cardImports.id }).from(cardImports).where(eq(cardImports.issuerId, first.id));
    expect(theirs.length).toBeGreaterThan(0);
    const missing = await client.get('/admin/card-data/imports/999999');
    expect(missing.status).toBe(404);
    const missingMain = /<main[\s\S]*<\/main>/.exec(await missing.text())![0];
    for (const suffix of ['', '/progress', '/errors.csv']) {
      const res = await client.get(`/admin/card-data/imports/${theirs[0].id}${suffix}`);
      expect(res.status, suffix).toBe(404);
      expect(/<main[\s\S]*<\/main>/.exec(await res.text())![0]).toBe(missingMain);
    }
    const list = await (await client.get('/admin/card-data')).text();
    expect(list).toContain('kita.csv');
    expect(list).not.toContain('cards-utf8.csv');
    expect(list).not.toContain('<select id="upload-issuer"');
    // Its export is its own cards only.
    const res = await client.submit(list, '/admin/card-data/export', { code: nextCode(t, people.kita.secret) });
    const text = await res.text();
    expect(text).toContain(visa(51).slice(-4));
    expect(text).not.toContain(jcb(11).slice(-4));
  });
});
