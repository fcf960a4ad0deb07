/**
 * The console's card import inside workerd, through the real Worker entry, on a real sqld: a demo
 * platform administrator uploads a small CSV (multipart) for the first issuer, the progress page is
 * polled until the import is done (the upload's waitUntil and every poll run batches; the job's
 * cursor and counts live in the database, so whichever request comes next goes on), and then an
 * AReq for an imported card is answered from its record (C: on file, not yet registered) where it
 * was N/08 (no card record) before.
 */
import { env, SELF } from 'cloudflare:test';
import { createClient } from '@libsql/client/web';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/admin/totp.ts';
import { createDatabase } from '../../src/db/client.ts';
import { createImport } from '../../src/cards/import/job.ts';
import { cardImports } from '../../src/db/schema.ts';
import { issuerByCode } from '../../src/issuers/issuer-store.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';

const ORIGIN = 'https://acs.test';
const db = createDatabase(createClient({ url: env.DATABASE_URL }));

let session: Promise<string> | undefined;
/** The demo platform administrator's session, signed in once for this file. */
const platformSession = () => (session ??= signIn('demo-platform'));

/** Signs in; a code already spent by another test in this 30-second step is retried with the next step's (the window allows it). */
async function signIn(username: string): Promise<string> {
  const list = (await (await SELF.fetch(`${ORIGIN}/sandbox/staff`, { headers: { accept: 'application/json' } })).json()) as { username: string; password: string; totpSecret: string }[];
  const who = list.find((s) => s.username === username)!;
  for (const at of [Date.now(), Date.now() + 30_000]) {
    const res = await SELF.fetch(`${ORIGIN}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: new URLSearchParams({ username: who.username, password: who.password, code: totpCodeAt(who.totpSecret, at) }).toString(),
      redirect: 'manual',
    });
    if (res.status === 303) return res.headers.getSetCookie().find((c: string) => c.startsWith('__Host-mamori-staff='))!.split(';')[0];
  }
  throw new Error(`could not sign ${username} in`);
}

/** Polls the progress fragment as htmx does until the import ends; its last answer. */
async function untilFinished(cookie: string, id: number): Promise<string> {
  let html = '';
  for (let i = 0; i < 300; i++) {
    const res = await SELF.fetch(`${ORIGIN}/admin/card-data/imports/${id}/progress`, { headers: { cookie, 'hx-request': 'true' } });
    expect(res.status).toBe(200);
    html = await res.text();
    if (/data-state="(done|failed)"/.test(html)) return html;
    await new Promise((r) => setTimeout(r, 50));
  }
  return html;
}

const areq = async (pan: string) =>
  (await (await SELF.fetch(`${ORIGIN}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(browserAReq({ pan, purchaseAmount: '1500' })) })).json()) as Record<string, string>;

describe('the card import on Workers', () => {
  it('imports an uploaded CSV in batches driven by its progress polls, and the next AReq finds the card', async () => {
    // Serials of the first issuer's demo JCB range no other test uses.
    const base = 2_000_000 + Math.floor(Math.random() * 7_000_000);
    const pans = Array.from({ length: 12 }, (_, i) => demoPan('jcb', base + i));
    expect(await areq(pans[0])).toMatchObject({ messageType: 'ARes', transStatus: 'N', transStatusReason: '08' });

    const cookie = await platformSession();
    const page = await (await SELF.fetch(`${ORIGIN}/admin/card-data`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const firstIssuer = /<select id="upload-issuer"[^>]*>\s*<option value="(\d+)"/.exec(page)![1];

    const csv = ['customer_number,name,name_kana,pan,expiry', ...pans.map((pan, i) => `W-${base + i},髙橋 次郎${i},タカハシ ジロウ,${pan},3012`)].join('\r\n');
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('issuerId', firstIssuer);
    form.set('encoding', 'auto');
    form.set('file', new File([csv], 'workers.csv', { type: 'text/csv' }));
    const uploaded = await SELF.fetch(`${ORIGIN}/admin/card-data/imports`, { method: 'POST', headers: { origin: ORIGIN, cookie }, body: form, redirect: 'manual' });
    expect(uploaded.status).toBe(303);
    const id = Number(/\/admin\/card-data\/imports\/(\d+)$/.exec(uploaded.headers.get('location')!)![1]);

    const html = await untilFinished(cookie, id);
    expect(html).toContain('data-state="done"');
    expect(html).toContain('data-count="inserted">12<');
    expect(html).not.toContain('hx-trigger');
    const job = (await db.select().from(cardImports).where(eq(cardImports.id, id)).get())!;
    expect(job).toMatchObject({ state: 'done', totalRows: 12, processedRows: 12, inserted: 12, rejected: 0, fileName: 'workers.csv' });

    // Every isolate reads the new card from the database at once.
    const ares = await areq(pans[0]);
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'C' });
    expect((await areq(pans[11])).transStatus).toBe('C');
  });

  it('finishes an import no request is moving any more from its progress polls alone, batch after batch', async () => {
    // As if the isolate that took the upload was gone before its waitUntil ran: the job is only rows in the database.
    const base = 2_000_000 + Math.floor(Math.random() * 7_000_000);
    const rows = Array.from({ length: 1_200 }, (_, i) => `O-${base + i},渡邊 花子${i},${demoPan('jcb', base + i)},3012`);
    const issuer = (await issuerByCode(db, 'default'))!;
    const { importId } = await createImport({ db, clock: { now: () => Date.now() }, keys: undefined as never }, {
      issuerId: issuer.id,
      actorName: 'workers-test',
      fileName: 'orphan.csv',
      bytes: new TextEncoder().encode(['customer_number,name,pan,expiry', ...rows].join('\n')),
      dryRun: true,
    });
    expect((await db.select().from(cardImports).where(eq(cardImports.id, importId)).get())!.state).toBe('queued');

    const cookie = await platformSession();
    const html = await untilFinished(cookie, importId);
    expect(html).toContain('data-state="done"');
    expect(html).toContain('data-count="inserted">1,200<');
    expect(await db.select().from(cardImports).where(eq(cardImports.id, importId)).get()).toMatchObject({ state: 'done', totalRows: 1_200, processedRows: 1_200, inserted: 1_200, rejected: 0 });
  });
});
