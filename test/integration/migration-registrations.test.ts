/**
 * Migration 0004 (one registration per card account, flows) on a database made by the released
 * schema: drizzle/0000–0003 applied as the appliance had them, a realistic data set written with
 * that schema's SQL, then the app's own migrator. Every row must land where the README says
 * ("Upgrading: one registration per card"), and the app must answer for the migrated cards.
 *
 * The data set: a cardholder with two cards and one member; a reissue chain of three cards; a
 * cardholder with a member but no card; a cardholder whose newer card is blocked; a card without
 * a member; an open challenge with its OTP and timers, and a finished one.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client, type InValue } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { protectPan } from '../../src/cards/card-store.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { createDatabase, tuneEmbeddedDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { transactions } from '../../src/db/schema.ts';
import { importKeys } from '../../src/keys.ts';
import { runScheduledWork } from '../../src/services.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

const RELEASED = ['0000_init', '0001_audit_append_only', '0002_sandbox_messages', '0003_sms_breaker'];

/** drizzle/ as the released appliance shipped it: migrations 0000–0003 and their journal. */
function releasedMigrations(dir: string): string {
  const folder = join(dir, 'drizzle-0.1');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8'));
  journal.entries = journal.entries.filter((e: { tag: string }) => RELEASED.includes(e.tag));
  expect(journal.entries.map((e: { tag: string }) => e.tag)).toEqual(RELEASED);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const tag of RELEASED) copyFileSync(join('drizzle', `${tag}.sql`), join(folder, `${tag}.sql`));
  return folder;
}

// The test app's fake clock starts here; the data set's times sit around it.
const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const DAY = 86_400_000;
const OPEN_TXN = '7f1c2a9e-4b3d-4c1e-9a6b-2d5e8f0a1b2c';
const DONE_TXN = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';

/** PANs of the data set in the demo ranges, by card id (the last digit is the Luhn digit). */
const PAN: Record<number, string> = {
  1: withLuhnDigit('356999000010001'), // cardholder 1, JCB, older
  2: withLuhnDigit('499999000010001'), // cardholder 1, Visa, newer
  3: withLuhnDigit('356999000020001'), // cardholder 2: first card of the chain, replaced by 4
  4: withLuhnDigit('356999000020002'), // replaced by 5
  5: withLuhnDigit('356999000020003'), // the current card of the chain
  6: withLuhnDigit('499999000030001'), // cardholder 4, active
  7: withLuhnDigit('499999000030002'), // cardholder 4, newer, blocked as stolen
  8: withLuhnDigit('356999000050001'), // cardholder 5, no member
};

async function writeReleasedData(client: Client): Promise<void> {
  const keys = await importKeys(TEST_SECRETS);
  const run = (sql: string, args: InValue[] = []) => client.execute({ sql, args });
  await run("INSERT INTO bin_ranges (brand, range_start, range_end, label, created_at) VALUES ('jcb', '35699900', '35699999', 'JCB', ?), ('visa', '49999900', '49999999', 'Visa', ?)", [T0 - 90 * DAY, T0 - 90 * DAY]);
  for (const [id, ref] of [[1, 'C-0001'], [2, 'C-0002'], [3, 'C-0003'], [4, 'C-0004'], [5, 'C-0005']] as const) {
    await run('INSERT INTO cardholders (id, customer_ref, name, phone_on_file, created_at) VALUES (?, ?, ?, ?, ?)', [id, ref, `会員 ${id}`, `+8190000000${id}`, T0 - 60 * DAY]);
  }
  const card = async (id: number, holder: number, brand: string, status: string, replacedBy: number | null, createdDaysAgo: number) => {
    const p = await protectPan(keys, PAN[id]);
    await run(
      'INSERT INTO cards (id, pan_hash, pan_cipher, pan_first6, pan_last4, expiry, brand, status, cardholder_id, replaced_by_card_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, p.panHash, p.panCipher, p.panFirst6, p.panLast4, '3012', brand, status, holder, replacedBy, T0 - createdDaysAgo * DAY, T0 - createdDaysAgo * DAY],
    );
  };
  await card(1, 1, 'jcb', 'active', null, 50);
  await card(2, 1, 'visa', 'active', null, 40);
  await card(3, 2, 'jcb', 'replaced', 4, 50);
  await card(4, 2, 'jcb', 'replaced', 5, 30);
  await card(5, 2, 'jcb', 'active', null, 10);
  await card(6, 4, 'visa', 'active', null, 50);
  await card(7, 4, 'visa', 'blocked_stolen', null, 5);
  await card(8, 5, 'jcb', 'active', null, 20);
  const member = (id: number, holder: number, loginId: string, phone: string | null, phoneStatus: string, message: string | null, failed = 0) =>
    run(
      "INSERT INTO members (id, cardholder_id, login_id, password_hash, auth_method, phone, phone_status, personal_message, status, failed_attempts, terms_accepted_at, created_at, updated_at) VALUES (?, ?, ?, NULL, 'sms_otp', ?, ?, ?, 'active', ?, ?, ?, ?)",
      [id, holder, loginId, phone, phoneStatus, message, failed, T0 - 45 * DAY, T0 - 45 * DAY, T0 - 2 * DAY],
    );
  await member(11, 1, 'two-cards', '+819012340001', 'verified', '二枚のカード', 2);
  await member(12, 2, 'chain', '+819012340002', 'verified', '再発行二回');
  await member(13, 3, 'no-card', '+819012340003', 'verified', null);
  await member(14, 4, 'blocked-newer', '+819012340004', 'verified', '使っているカード');

  // An open challenge on the chain's current card (sent once, 1 minute ago), and one that succeeded yesterday.
  const txn = (acsTransID: string, cardId: number, state: string, createdAt: number) => {
    const areq = browserAReq({ pan: PAN[cardId], purchaseAmount: '45000' });
    return protectPan(keys, PAN[cardId]).then((p) =>
      run(
        `INSERT INTO transactions (acs_trans_id, three_ds_server_trans_id, ds_trans_id, message_version, device_channel, message_category, areq_digest, card_id, member_id,
           pan_hash, pan_cipher, pan_last4, brand, purchase_amount, purchase_currency, purchase_exponent, merchant_name, ds_url, notification_url,
           trans_status, state, challenge_method, areq, ares, created_at, updated_at)
         VALUES (?, ?, ?, '2.2.0', '02', '01', 'digest', ?, 12, ?, ?, ?, 'jcb', '45000', '392', 0, 'まもりストア', ?, ?, 'C', ?, 'sms_otp', ?, ?, ?, ?)`,
        [acsTransID, areq.threeDSServerTransID as string, areq.dsTransID as string, cardId, p.panHash, p.panCipher, p.panLast4, areq.dsURL as string, areq.notificationURL as string, state, JSON.stringify(areq), JSON.stringify({ messageType: 'ARes', transStatus: 'C', acsTransID }), createdAt, createdAt],
      ),
    );
  };
  await txn(OPEN_TXN, 5, 'challenge_started', T0 - 70_000);
  await txn(DONE_TXN, 5, 'rreq_delivered', T0 - DAY);
  await run(
    "INSERT INTO challenges (id, acs_trans_id, method, state, challenge_window_size, language, creq_digest, send_count, last_sent_at, created_at, last_activity_at, expires_at) VALUES (1, ?, 'sms_otp', 'succeeded', '05', 'ja', 'creq-1', 1, ?, ?, ?, ?)",
    [DONE_TXN, T0 - DAY, T0 - DAY, T0 - DAY + 30_000, T0 - DAY + 600_000],
  );
  await run(
    "INSERT INTO challenges (id, acs_trans_id, method, state, challenge_window_size, language, creq_digest, send_count, last_sent_at, created_at, last_activity_at, expires_at) VALUES (2, ?, 'sms_otp', 'started', '03', 'en', 'creq-2', 1, ?, ?, ?, ?)",
    [OPEN_TXN, T0 - 60_000, T0 - 60_000, T0 - 60_000, T0 + 540_000],
  );
  await run('INSERT INTO otps (id, acs_trans_id, code_hash, expires_at, used_at, created_at) VALUES (1, ?, ?, ?, NULL, ?)', [OPEN_TXN, 'hash-of-open-code', T0 + 240_000, T0 - 60_000]);
  await run('INSERT INTO otps (id, acs_trans_id, code_hash, expires_at, used_at, created_at) VALUES (2, ?, ?, ?, ?, ?)', [DONE_TXN, 'hash-of-used-code', T0 - DAY + 300_000, T0 - DAY + 30_000, T0 - DAY]);
  await run("INSERT INTO timers (id, kind, acs_trans_id, due_at, attempts, done_at, created_at) VALUES (1, 'creq_timeout', ?, ?, 0, ?, ?)", [OPEN_TXN, T0 - 40_000, T0 - 60_000, T0 - 70_000]);
  await run("INSERT INTO timers (id, kind, acs_trans_id, due_at, attempts, done_at, created_at) VALUES (2, 'challenge_timeout', ?, ?, 0, NULL, ?)", [OPEN_TXN, T0 + 540_000, T0 - 60_000]);
}

const clients: Client[] = [];
const apps: { close(): void }[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.close();
  while (clients.length) clients.pop()!.close();
});

/** A database file as the released appliance left it, then migrated by the app's migrator. */
async function migratedFromRelease() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-migration-'));
  const file = join(dir, 'mamori.db');
  const client = createClient({ url: `file:${file}` });
  clients.push(client);
  await tuneEmbeddedDatabase(client);
  await migrateDatabase(createDatabase(client), releasedMigrations(dir));
  await writeReleasedData(client);
  await migrateDatabase(createDatabase(client));
  const rows = async (sql: string) => (await client.execute(sql)).rows.map((r) => ({ ...r }));
  return { file, client, rows };
}

describe('migration 0004 on a released database', () => {
  it('gives every reissue chain one account numbered as its first card, and every other card its own', async () => {
    const { rows } = await migratedFromRelease();
    expect(await rows('SELECT id, cardholder_id FROM card_accounts ORDER BY id')).toEqual([
      { id: 1, cardholder_id: 1 },
      { id: 2, cardholder_id: 1 },
      { id: 3, cardholder_id: 2 },
      { id: 6, cardholder_id: 4 },
      { id: 7, cardholder_id: 4 },
      { id: 8, cardholder_id: 5 },
      // The cardholder with a member but no card: an account of its own, after the cards' ones.
      { id: 9, cardholder_id: 3 },
    ]);
    expect(await rows('SELECT id, account_id, cardholder_id, status, replaced_by_card_id FROM cards ORDER BY id')).toEqual([
      { id: 1, account_id: 1, cardholder_id: 1, status: 'active', replaced_by_card_id: null },
      { id: 2, account_id: 2, cardholder_id: 1, status: 'active', replaced_by_card_id: null },
      { id: 3, account_id: 3, cardholder_id: 2, status: 'replaced', replaced_by_card_id: 4 },
      { id: 4, account_id: 3, cardholder_id: 2, status: 'replaced', replaced_by_card_id: 5 },
      { id: 5, account_id: 3, cardholder_id: 2, status: 'active', replaced_by_card_id: null },
      { id: 6, account_id: 6, cardholder_id: 4, status: 'active', replaced_by_card_id: null },
      { id: 7, account_id: 7, cardholder_id: 4, status: 'blocked_stolen', replaced_by_card_id: null },
      { id: 8, account_id: 8, cardholder_id: 5, status: 'active', replaced_by_card_id: null },
    ]);
    // The PAN's stored forms and the dates are carried over untouched.
    const keys = await importKeys(TEST_SECRETS);
    const [card5] = await rows('SELECT pan_hash, pan_first6, pan_last4, expiry, brand, created_at FROM cards WHERE id = 5');
    expect(card5).toEqual({ pan_hash: (await protectPan(keys, PAN[5])).panHash, pan_first6: '356999', pan_last4: PAN[5].slice(-4), expiry: '3012', brand: 'jcb', created_at: T0 - 10 * DAY });
  });

  it("puts each member on the account of its cardholder's newest active card (else newest blocked, else newest), keeping every field", async () => {
    const { rows } = await migratedFromRelease();
    expect(await rows('SELECT id, card_account_id, login_id, phone, phone_status, personal_message, status, failed_attempts, terms_accepted_at, created_at, updated_at FROM members ORDER BY id')).toEqual([
      // Two active cards: the newer (card 2) keeps the registration; card 1 starts unregistered.
      { id: 11, card_account_id: 2, login_id: 'two-cards', phone: '+819012340001', phone_status: 'verified', personal_message: '二枚のカード', status: 'active', failed_attempts: 2, terms_accepted_at: T0 - 45 * DAY, created_at: T0 - 45 * DAY, updated_at: T0 - 2 * DAY },
      // The chain's account: all three of its cards.
      { id: 12, card_account_id: 3, login_id: 'chain', phone: '+819012340002', phone_status: 'verified', personal_message: '再発行二回', status: 'active', failed_attempts: 0, terms_accepted_at: T0 - 45 * DAY, created_at: T0 - 45 * DAY, updated_at: T0 - 2 * DAY },
      { id: 13, card_account_id: 9, login_id: 'no-card', phone: '+819012340003', phone_status: 'verified', personal_message: null, status: 'active', failed_attempts: 0, terms_accepted_at: T0 - 45 * DAY, created_at: T0 - 45 * DAY, updated_at: T0 - 2 * DAY },
      // The card in use (6), not the newer stolen one (7).
      { id: 14, card_account_id: 6, login_id: 'blocked-newer', phone: '+819012340004', phone_status: 'verified', personal_message: '使っているカード', status: 'active', failed_attempts: 0, terms_accepted_at: T0 - 45 * DAY, created_at: T0 - 45 * DAY, updated_at: T0 - 2 * DAY },
    ]);
  });

  it('turns each challenge into a flow with the acsTransID as its id, so its OTPs and timers keep their keys', async () => {
    const { rows } = await migratedFromRelease();
    expect(await rows('SELECT id, kind, subject, state, send_count, last_sent_at, created_at, updated_at, expires_at FROM flows ORDER BY created_at')).toEqual([
      { id: DONE_TXN, kind: 'challenge', subject: DONE_TXN, state: 'succeeded', send_count: 1, last_sent_at: T0 - DAY, created_at: T0 - DAY, updated_at: T0 - DAY + 30_000, expires_at: T0 - DAY + 600_000 },
      { id: OPEN_TXN, kind: 'challenge', subject: OPEN_TXN, state: 'started', send_count: 1, last_sent_at: T0 - 60_000, created_at: T0 - 60_000, updated_at: T0 - 60_000, expires_at: T0 + 540_000 },
    ]);
    expect(await rows('SELECT id, acs_trans_id, flow_id, method, challenge_window_size, language, creq_digest, created_at, last_activity_at FROM challenges ORDER BY id')).toEqual([
      { id: 1, acs_trans_id: DONE_TXN, flow_id: DONE_TXN, method: 'sms_otp', challenge_window_size: '05', language: 'ja', creq_digest: 'creq-1', created_at: T0 - DAY, last_activity_at: T0 - DAY + 30_000 },
      { id: 2, acs_trans_id: OPEN_TXN, flow_id: OPEN_TXN, method: 'sms_otp', challenge_window_size: '03', language: 'en', creq_digest: 'creq-2', created_at: T0 - 60_000, last_activity_at: T0 - 60_000 },
    ]);
    expect(await rows('SELECT id, flow_id, code_hash, expires_at, used_at FROM otps ORDER BY id')).toEqual([
      { id: 1, flow_id: OPEN_TXN, code_hash: 'hash-of-open-code', expires_at: T0 + 240_000, used_at: null },
      { id: 2, flow_id: DONE_TXN, code_hash: 'hash-of-used-code', expires_at: T0 - DAY + 300_000, used_at: T0 - DAY + 30_000 },
    ]);
    expect(await rows('SELECT id, kind, subject, due_at, done_at FROM timers ORDER BY id')).toEqual([
      { id: 1, kind: 'creq_timeout', subject: OPEN_TXN, due_at: T0 - 40_000, done_at: T0 - 60_000 },
      { id: 2, kind: 'challenge_timeout', subject: OPEN_TXN, due_at: T0 + 540_000, done_at: null },
    ]);
    expect(await rows('PRAGMA foreign_key_check')).toEqual([]);
    expect(await rows("SELECT name FROM sqlite_master WHERE name IN ('members_cardholder', 'otps_trans', 'timers_kind_trans')")).toEqual([]);
  });

  it('leaves an appliance that answers for the migrated cards and ends the open challenge on its timer', async () => {
    const { file, client } = await migratedFromRelease();
    client.close();
    clients.pop();
    // No DS is reachable in a test: every RReq is answered 503 here, so nothing leaves the machine.
    const t = await createTestApp({ databaseFile: file, env: { PROVISIONAL_POLICY: 'reject' }, fetch: async () => new Response('unavailable', { status: 503 }) });
    apps.push(t);
    const answer = async (cardId: number) => (await (await postAReq(t.app, browserAReq({ pan: PAN[cardId], purchaseAmount: '1200' }))).json()) as Record<string, unknown>;
    expect(await answer(2)).toMatchObject({ transStatus: 'Y' }); // the registration moved here
    expect(await answer(1)).toMatchObject({ transStatus: 'N', transStatusReason: '13' }); // not registered any more
    expect(await answer(5)).toMatchObject({ transStatus: 'Y' }); // the chain's current card
    expect(await answer(3)).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    expect(await answer(4)).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    expect(await answer(6)).toMatchObject({ transStatus: 'Y' });
    expect(await answer(7)).toMatchObject({ transStatus: 'R', transStatusReason: '10' });
    expect(await answer(8)).toMatchObject({ transStatus: 'N', transStatusReason: '13' });

    // The migrated challenge's inactivity timer still fires: not before its time, then N/14.
    await runScheduledWork(t.deps);
    expect((await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, OPEN_TXN)))[0].state).toBe('challenge_started');
    t.clock.advance(541_000);
    await runScheduledWork(t.deps);
    expect((await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, OPEN_TXN)))[0]).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '04' });
    expect((await t.client.execute({ sql: 'SELECT state FROM flows WHERE id = ?', args: [OPEN_TXN] })).rows[0].state).toBe('expired');
  });
});
