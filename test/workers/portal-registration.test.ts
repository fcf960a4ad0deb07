/**
 * The portal's registration inside workerd, through the real Worker entry, on a real sqld: a card
 * put on file for the test (with the Worker's keys, so the Worker finds it by its keyed hash) is
 * proven by its birth date, a member ID and password chosen (PBKDF2 in the Workers runtime), the
 * mailed code read from the sandbox's mail outbox (JSON), and the member created with the flow's
 * move to completed in one batch over HTTP; the browser-bound cookie and the member's session
 * carry the steps.
 */
import { env, SELF } from 'cloudflare:test';
import { createClient } from '@libsql/client/web';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertCard, insertCardholder } from '../../src/cards/card-store.ts';
import { systemClock } from '../../src/clock.ts';
import { createDatabase } from '../../src/db/client.ts';
import { members } from '../../src/db/schema.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { importKeys } from '../../src/keys.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';
import { TEST_WORKER_SECRETS } from './secrets.ts';

const ORIGIN = 'https://acs.test';
const db = createDatabase(createClient({ url: env.DATABASE_URL }));

/** Cookies as a browser keeps them, and the Origin on every POST. */
const jar = new Map<string, string>();
async function send(path: string, form?: Record<string, string>): Promise<Response> {
  const res = await SELF.fetch(`${ORIGIN}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: {
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
    redirect: 'manual',
  });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return res;
}

describe('the portal registration on Workers', () => {
  it('registers a card: proof, member ID and password, the mailed code, the member', async () => {
    // A serial of the first issuer's demo JCB range no other test uses.
    const serial = 8_500_000 + Math.floor(Math.random() * 400_000);
    const pan = demoPan('jcb', serial);
    const keys = await importKeys(TEST_WORKER_SECRETS);
    const holder = await insertCardholder(db, systemClock, { customerRef: `WR-${serial}`, name: '労働 花子' });
    await db.run(`UPDATE cardholders SET birth_date = '1981-09-09' WHERE id = ${holder}`);
    const card = await insertCard(db, keys, systemClock, holder, { pan, expiry: '3012', brand: 'jcb' });

    const start = await send('/portal/register');
    expect(start.status).toBe(303);
    const path = start.headers.get('location')!;
    const flowId = /flow=([0-9a-f-]{36})/.exec(path)![1];
    expect(jar.get('__Host-mamori-registration')).toMatch(/^[\w-]{43}$/);
    const page = await send(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('生年月日');

    const proven = await send(path, { pan, expiry: '12/30', proof: '1981/09/09', pin: '' });
    expect(proven.status).toBe(303);
    const loginId = `wk-${serial}`;
    const chosen = await send(`/portal/register/account?flow=${flowId}`, { loginId, password: 'workers-kanazawa-9', confirmation: 'workers-kanazawa-9', email: `${loginId}@example.jp` });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.get('location')).toBe(`/portal/register/email?flow=${flowId}&send=sent`);

    const mails = (await (await SELF.fetch(`${ORIGIN}/sandbox/mail`, { headers: { accept: 'application/json' } })).json()) as { recipient: string; body: string }[];
    const mail = mails.find((m) => m.recipient === `${loginId}@example.jp`)!;
    const code = /確認コード：(\d{6})/.exec(mail.body)![1];

    const done = await send(`/portal/register/email?flow=${flowId}`, { code });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/portal/register/done?flow=${flowId}`);
    expect(jar.get('__Host-mamori-member')).toBeTruthy();
    const donePage = await send(done.headers.get('location')!);
    expect(donePage.status).toBe(200);
    expect(await donePage.text()).toContain(`会員ID：${loginId}`);

    const member = (await db.select().from(members).where(eq(members.loginId, loginId)).get())!;
    expect(member).toMatchObject({ cardAccountId: card.accountId, status: 'active', authMethod: 'sms_otp', email: `${loginId}@example.jp` });
    expect(await verifyPassword('workers-kanazawa-9', member.passwordHash)).toBe(true);
  });
});
