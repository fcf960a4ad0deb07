/**
 * The optional `personal_message` column (JCB's 仮メッセージ): on a registered card it becomes the
 * registration's provisional personal message, but only where the member has no message yet or
 * the current one is still the issuer's; a cardholder's own message is never overwritten; a card
 * without a registration gets nothing and no error; more than 40 characters is refused in both
 * languages; a dry run writes nothing; the same file twice changes nothing.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createImport, importErrors, runImport } from '../../src/cards/import/job.ts';
import { HEADER_ROW } from '../../src/cards/import/format.ts';
import { panLookupHash, withLuhnDigit } from '../../src/cards/pan.ts';
import { cards, members } from '../../src/db/schema.ts';
import { ensureFirstIssuer } from '../../src/issuers/issuer-store.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const pan = (n: number) => withLuhnDigit('35699980' + String(n).padStart(7, '0'));
const HEADER = `${HEADER_ROW},personal_message`;
const line = (n: number, message = '') => `M${n},山田 太郎,ヤマダ タロウ,1980-04-01,+819012345678,0,,${pan(n)},3012,,active,,0,,,${message}`;
const file = (...lines: string[]) => new TextEncoder().encode([HEADER, ...lines].join('\r\n') + '\r\n');

async function start() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  const issuer = await ensureFirstIssuer(t.deps);
  return { t, issuerId: issuer.id };
}

async function importFile(t: TestApp, issuerId: number, bytes: Uint8Array, dryRun = false) {
  const { importId } = await createImport(t.deps, { issuerId, actorName: 'cli:test', fileName: 'cards.csv', bytes, dryRun });
  const done = await runImport(t.deps, importId, { batchRows: 500 });
  return { done, errors: await importErrors(t.deps.db, importId, { limit: 100 }) };
}

/** A registration on card n's account, as the portal makes it, with the message given. */
async function register(t: TestApp, n: number, message: string | null, provisional: boolean) {
  const card = (await t.deps.db.select().from(cards).where(eq(cards.panHash, await panLookupHash(t.deps.keys.panLookup, pan(n)))).get())!;
  const now = t.deps.clock.now();
  await t.deps.db.insert(members).values({
    cardAccountId: card.accountId,
    loginId: `member${n}`,
    phone: '+819012345678',
    phoneStatus: 'verified',
    status: 'active',
    personalMessage: message,
    personalMessageProvisional: provisional,
    createdAt: now,
    updatedAt: now,
  });
}

async function messageOf(t: TestApp, n: number) {
  const m = (await t.deps.db.select().from(members).where(eq(members.loginId, `member${n}`)).get())!;
  return { message: m.personalMessage, provisional: m.personalMessageProvisional };
}

describe('CSV import: personal_message', { timeout: 60_000 }, () => {
  it('sets the provisional message of registered cards, never over the cardholder’s own, and skips unregistered cards', async () => {
    const { t, issuerId } = await start();
    // The cards first (no message column), then registrations on three of them.
    const first = await importFile(t, issuerId, file(line(1), line(2), line(3), line(4)));
    expect(first.done).toMatchObject({ state: 'done', inserted: 4, rejected: 0 });
    await register(t, 1, null, false); // registered, no message yet
    await register(t, 2, 'ねこが好き', false); // the cardholder's own message
    await register(t, 3, '旧い仮メッセージ', true); // the issuer's earlier provisional one

    const lines = [line(1, 'ようこそ JCB へ'), line(2, '上書きしない'), line(3, '新しい仮メッセージ'), line(4, '未登録のカード'), line(5, '新しいカード')];
    const dry = await importFile(t, issuerId, file(...lines), true);
    expect(dry.done).toMatchObject({ state: 'done', dryRun: true, inserted: 1, updated: 2, unchanged: 2, rejected: 0 });
    expect(await messageOf(t, 1)).toEqual({ message: null, provisional: false }); // a dry run writes nothing

    const real = await importFile(t, issuerId, file(...lines));
    expect(real.done).toMatchObject({ state: 'done', inserted: 1, updated: 2, unchanged: 2, rejected: 0 });
    expect(real.errors).toEqual([]);
    expect(await messageOf(t, 1)).toEqual({ message: 'ようこそ JCB へ', provisional: true });
    expect(await messageOf(t, 2)).toEqual({ message: 'ねこが好き', provisional: false });
    expect(await messageOf(t, 3)).toEqual({ message: '新しい仮メッセージ', provisional: true });
    // Cards 4 (on file) and 5 (new) have no registration: nothing is made for them.
    expect(await t.deps.db.select().from(members).where(eq(members.loginId, 'member4')).get()).toBeUndefined();

    // The same file again changes nothing.
    const again = await importFile(t, issuerId, file(...lines));
    expect(again.done).toMatchObject({ state: 'done', inserted: 0, updated: 0, unchanged: 5, rejected: 0 });
  });

  it('refuses a message over 40 characters in both languages, takes 40, and reads the Japanese header', async () => {
    const { t, issuerId } = await start();
    const forty = 'あ'.repeat(40);
    const bytes = new TextEncoder().encode(
      [HEADER.replace('personal_message', '仮メッセージ'), line(11, forty), line(12, forty + 'い')].join('\n') + '\n',
    );
    const { done, errors } = await importFile(t, issuerId, bytes);
    expect(done).toMatchObject({ state: 'done', inserted: 1, rejected: 1 });
    expect(errors).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'personal_message',
        code: 'personal_message_too_long',
        messageJa: '仮メッセージは 40 文字以内で指定してください。',
        messageEn: 'The personal message must be at most 40 characters.',
      }),
    ]);
  });
});
