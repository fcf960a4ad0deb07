/**
 * The flow kernel on real libSQL, driven as a registration or recovery flow will drive it: a
 * `phone_verification` flow (not a challenge) issues, sends and checks an SMS code with the same
 * send slots, delivery policy, per-phone window and single-use codes as the 3-D Secure challenge.
 * Also the FlowStore's guarded moves and the members store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { members, otps } from '../../src/db/schema.ts';
import { consumeCode, issueCode } from '../../src/flow/codes.ts';
import { normaliseEntry } from '../../src/flow/entry.ts';
import { valid } from '../../src/flow/flow.ts';
import { sendCode, type SendRequest } from '../../src/flow/send.ts';
import { issuerSettings } from '../../src/issuers/settings.ts';
import { flowStore } from '../../src/flow/store.ts';
import { claimAttempt, lockMember, unlockMember } from '../../src/members/attempts.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { createMember, findMember, loginIdMatches, setPassword, setPersonalMessage, setPhone } from '../../src/members/store.ts';
import type { SmsGateway, SmsMessage } from '../../src/messaging/sms-gateway.ts';
import { openChallenge } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

/** A provider that keeps what it was given and can be told to fail. */
function capturingGateway() {
  const sent: SmsMessage[] = [];
  const gateway: SmsGateway & { sent: SmsMessage[]; down: boolean } = {
    name: 'capture',
    sent,
    down: false,
    async send(message) {
      if (gateway.down) return { ok: false, error: 'provider down', transient: false };
      sent.push(message);
      return { ok: true, providerMessageId: `m${sent.length}` };
    },
  };
  return gateway;
}

async function start(env: Record<string, string> = {}) {
  const sms = capturingGateway();
  const t = await createTestApp({ seed: true, env: { SMS_RETRIES: '0', ...env }, overrides: { sms } });
  open.push(t);
  const [row] = await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb'));
  const member = (await findMember(t.deps.db, row.id))!;
  // Sent for the card's issuer (the first, seeded from this test's configuration): its limits and lifetime.
  const request: SendRequest = { issuer: await issuerSettings(t.deps, null), compose: (code, minutes) => `Mamori: your code is ${code} (${minutes} min)` };
  return { t, sms, member, request };
}

const codeOf = (message: SmsMessage) => /code is (\d{6})/.exec(message.body)![1];

describe('a phone verification flow uses the challenge\'s code machinery', () => {
  it('sends a code, checks it once, and refuses it afterwards and in another flow', async () => {
    const { t, sms, member, request } = await start();
    const flows = flowStore(t.deps);
    const flow = await flows.create({ kind: 'phone_verification', subject: `member:${member.id}`, ttlMs: 600_000 });
    const other = await flows.create({ kind: 'phone_verification', subject: `member:${member.id}`, ttlMs: 600_000 });
    expect(flow.id).not.toBe(other.id);
    expect(flow).toMatchObject({ state: 'started', sendCount: 0, expiresAt: t.clock.now() + 600_000 });

    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'sent' });
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0].to).toBe('+819011110001');
    const code = codeOf(sms.sent[0]);
    // Stored only as a keyed hash, bound to this flow.
    const stored = await t.deps.db.select().from(otps).where(eq(otps.flowId, flow.id));
    expect(stored).toHaveLength(1);
    expect(stored[0].codeHash).not.toContain(code);

    expect(await consumeCode(t.deps, other.id, code)).toBe('wrong');
    expect(await consumeCode(t.deps, flow.id, normaliseEntry(code.split('').join(' ')))).toBe('consumed');
    // A repeat of the code a right entry used is not a wrong code; it proves nothing new either.
    expect(await consumeCode(t.deps, flow.id, code)).toBe('consumed_before');
    expect(await flows.move(flow, 'completed')).toBe(true);
    expect(await flows.move(flow, 'failed')).toBe(false);
    expect(valid((await flows.find(flow.id))!, t.clock)).toBe(false);
    // A flow that ended sends nothing more.
    t.clock.advance(60_000);
    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'closed' });
  });

  it('holds the same send slot as the challenge: cooldown, then the per-flow maximum, one claim per slot under concurrency', async () => {
    const { t, sms, member, request } = await start({ OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '3' });
    const flow = await flowStore(t.deps).create({ kind: 'phone_verification', subject: 'x', ttlMs: 3_600_000 });
    const burst = await Promise.all(Array.from({ length: 20 }, () => sendCode(t.deps, flow, member, request)));
    expect(burst.filter((r) => r.outcome === 'sent')).toHaveLength(1);
    expect(burst.filter((r) => r.outcome === 'cooldown').every((r) => r.retryInSeconds === 30)).toBe(true);
    expect(burst.filter((r) => r.outcome === 'cooldown')).toHaveLength(19);
    t.clock.advance(12_000);
    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'cooldown', retryInSeconds: 18 });
    for (let i = 0; i < 2; i++) {
      t.clock.advance(30_000);
      expect((await sendCode(t.deps, flow, member, request)).outcome).toBe('sent');
    }
    t.clock.advance(30_000);
    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'limit' });
    expect(sms.sent).toHaveLength(3);
    // Only the newest code is live.
    const codes = sms.sent.map(codeOf);
    if (codes[0] !== codes[2]) expect(await consumeCode(t.deps, flow.id, codes[0])).toBe('wrong');
    expect(await consumeCode(t.deps, flow.id, codes[2])).toBe('consumed');
  });

  it('counts against the same per-phone window as the challenge, and the policy still refuses a provisional number', async () => {
    const { t, sms, member, request } = await start({ SMS_LIMIT_PER_PHONE: '2/1h', SMS_LIMIT_PER_BIN: 'off', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const challenge = await openChallenge(t, 'jcb-otp'); // one SMS to +819011110001 from a challenge
    expect(sms.sent).toHaveLength(1);
    const flow = await flowStore(t.deps).create({ kind: 'phone_verification', subject: 'x', ttlMs: 600_000 });
    expect((await sendCode(t.deps, flow, member, request)).outcome).toBe('sent');
    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'failed', refusal: 'rate_limited' });
    expect(sms.sent).toHaveLength(2);
    expect(challenge.ares.acsTransID).toBe(sms.sent[0].acsTransID);
    expect(sms.sent[1].acsTransID).toBeUndefined();

    const fresh = await flowStore(t.deps).create({ kind: 'phone_verification', subject: 'y', ttlMs: 600_000 });
    expect(await sendCode(t.deps, fresh, { ...member, phoneStatus: 'provisional' }, request)).toEqual({ outcome: 'failed', refusal: 'provisional' });
  });

  it('stores no code when the delivery failed, and the earlier code stays valid', async () => {
    const { t, sms, member, request } = await start({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const flow = await flowStore(t.deps).create({ kind: 'phone_verification', subject: 'x', ttlMs: 600_000 });
    await sendCode(t.deps, flow, member, request);
    const first = codeOf(sms.sent[0]);
    sms.down = true;
    expect(await sendCode(t.deps, flow, member, request)).toEqual({ outcome: 'failed', refusal: 'provider' });
    expect(await t.deps.db.$count(otps, eq(otps.flowId, flow.id))).toBe(1);
    expect(await issueCode(t.deps, flow.id, 60_000, async () => false)).toBeUndefined();
    expect(await consumeCode(t.deps, flow.id, first)).toBe('consumed');
  });

  it('lets a code expire', async () => {
    const { t, sms, member, request } = await start({ OTP_TTL_SECONDS: '60' });
    const flow = await flowStore(t.deps).create({ kind: 'phone_verification', subject: 'x', ttlMs: 600_000 });
    await sendCode(t.deps, flow, member, request);
    t.clock.advance(60_000);
    expect(await consumeCode(t.deps, flow.id, codeOf(sms.sent[0]))).toBe('wrong');
  });
});

describe('the flow store', () => {
  it('moves a flow once of many concurrent tries, extends only an open flow, and discards an unused one', async () => {
    const { t } = await start();
    const flows = flowStore(t.deps);
    const flow = await flows.create({ kind: 'challenge', subject: 'txn', ttlMs: 1_000 });
    const tries = await Promise.all(['succeeded', 'failed', 'cancelled', 'expired', 'succeeded'].map((to) => flows.move(flow, to as 'succeeded')));
    expect(tries.filter(Boolean)).toHaveLength(1);
    expect(await flows.extend(flow, 60_000)).toBe(false);

    const second = await flows.create({ kind: 'challenge', subject: 'txn2', ttlMs: 1_000 });
    t.clock.advance(500);
    expect(await flows.extend(second, 60_000)).toBe(true);
    expect((await flows.find(second.id))!.expiresAt).toBe(t.clock.now() + 60_000);
    t.clock.advance(60_000);
    expect(await flows.extend(second, 60_000)).toBe(false); // expired: no step revives it
    await flows.discard(second.id);
    expect(await flows.find(second.id)).toBeUndefined();
  });

  it('keeps a given id (a migrated challenge keeps its acsTransID as flow id)', async () => {
    const { t } = await start();
    const id = crypto.randomUUID();
    expect((await flowStore(t.deps).create({ kind: 'challenge', subject: id, ttlMs: 1_000, id })).id).toBe(id);
  });
});

describe('the members store', () => {
  it('registers a card account and keeps its phone, message, password and lock', async () => {
    const { t, member: demo } = await start();
    const { db, clock } = t.deps;
    const { insertCard } = await import('../../src/cards/card-store.ts');
    const card = await insertCard(db, t.deps.keys, clock, demo.cardholderId, { pan: '3540999900001234', expiry: '3012', brand: 'jcb' });
    const id = await createMember(db, clock, { cardAccountId: card.accountId, loginId: 'second-card', authMethod: 'sms_otp', status: 'active', password: 'Secret-1' });
    const created = (await findMember(db, id))!;
    // The same cardholder holds a second registration, on the second card's account.
    expect(created).toMatchObject({ cardholderId: demo.cardholderId, cardAccountId: card.accountId, phoneStatus: 'none', failedAttempts: 0 });
    expect(await verifyPassword('Secret-1', created.passwordHash)).toBe(true);
    expect(loginIdMatches('ｓｅｃｏｎｄ－ｃａｒｄ', created)).toBe(true);
    expect(loginIdMatches('second-car', created)).toBe(false);

    await setPhone(db, clock, id, '+819012345678', 'verified');
    await setPersonalMessage(db, clock, id, '二枚目のカード');
    await setPassword(db, clock, id, 'Secret-2');
    const changed = (await findMember(db, id))!;
    expect(changed).toMatchObject({ phone: '+819012345678', phoneStatus: 'verified', personalMessage: '二枚目のカード' });
    expect(await verifyPassword('Secret-2', changed.passwordHash)).toBe(true);

    await Promise.all(Array.from({ length: 7 }, () => claimAttempt(db, id, 5, clock.now())));
    expect((await findMember(db, id))!.failedAttempts).toBe(7);
    expect(await lockMember(db, id, clock.now())).toBe(true);
    expect(await lockMember(db, id, clock.now())).toBe(false);
    expect((await claimAttempt(db, id, 5, clock.now())).allowed).toBe(false);
    expect(await unlockMember(db, id, clock.now())).toBe(true);
    expect((await findMember(db, id))!).toMatchObject({ status: 'active', failedAttempts: 0, lockedAt: null });
  });
});

it('the challenge sends through the same kernel: its first code is a flow code', async () => {
  const { t, sms } = await start();
  const { ares } = await openChallenge(t, 'visa-otp');
  const { challenges } = await import('../../src/db/schema.ts');
  const [challenge] = await t.deps.db.select().from(challenges).where(eq(challenges.acsTransID, ares.acsTransID));
  const flow = (await flowStore(t.deps).find(challenge.flowId))!;
  expect(flow).toMatchObject({ kind: 'challenge', subject: ares.acsTransID, state: 'started', sendCount: 1 });
  expect(flow.id).not.toBe(ares.acsTransID);
  expect(await t.deps.db.$count(otps, eq(otps.flowId, flow.id))).toBe(1);
  expect(sms.sent.map((m) => m.acsTransID)).toEqual([ares.acsTransID]);
});
