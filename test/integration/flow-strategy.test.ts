/**
 * A strategy added the way a passkey will be: its own definition and one registration line,
 * nothing else changed. This test-only "passphrase" strategy registers itself, and a challenge
 * whose decision chose it is begun, answered wrongly, then completed through the real routes; the
 * RReq's authenticationType and the authentication value's "how" come from the strategy.
 */
import { afterEach, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { authenticationTypeFor, registerStrategy, STRATEGIES, type ChallengeStrategy } from '../../src/challenge/strategies.ts';
import { verifyAuthenticationValue } from '../../src/acs/authentication-value.ts';
import { rreqFor } from '../../src/acs/rreq.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { members, transactions } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { creqFor, finalCResOf, postForm, stateOf, submit } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';

const begun: string[] = [];

/** The whole strategy: what a passkey file will look like (begin, verify, what it announces). */
const passphrase: ChallengeStrategy = {
  id: 'test_passphrase',
  authenticationType: '03',
  authenticationValueHow: 'password',
  secret: 'password',
  texts: { intro: 'introPassword', wrong: 'failedPassword' },
  readSecret: (raw) => (raw.trim() ? { ok: true, value: raw.trim() } : { ok: false, error: 'passwordEmpty' }),
  begin: async (_deps, ctx) => void begun.push(ctx.txn.acsTransID),
  verify: async (_deps, _ctx, secret, checkable) => (checkable && secret === 'open sesame' ? 'proved' : 'wrong'),
};
registerStrategy(passphrase);

const open: Awaited<ReturnType<typeof createTestApp>>[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

it('a registered test-only strategy completes a challenge through the same routes, state machine and RReq', async () => {
  const t = await createTestApp({ seed: true });
  open.push(t);
  expect(STRATEGIES.test_passphrase).toBe(passphrase);

  const areq = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' });
  const ares = (await (await postAReq(t.app, areq)).json()) as Record<string, any>;
  expect(ares.transStatus).toBe('C');
  // What the decision will store once it can choose this method for a member registered with it.
  await t.deps.db.update(transactions).set({ challengeMethod: 'test_passphrase' as never }).where(eq(transactions.acsTransID, ares.acsTransID));

  const first = await postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(ares)) });
  const html = await first.text();
  expect(begun).toEqual([ares.acsTransID]);
  expect(html).toContain('type="password"');
  expect(html).toContain(MESSAGES.ja.introPassword);
  expect(html).not.toContain('/3ds/challenge/resend'); // it sends nothing, so it offers no resend
  const state = stateOf(html)!;

  const empty = await submit(t, state, 'demo-jcb', '   ');
  expect(empty.res.status).toBe(400);
  expect(empty.html).toContain(MESSAGES.ja.passwordEmpty);
  const wrong = await submit(t, state, 'demo-jcb', 'close sesame');
  expect(wrong.html).toContain(MESSAGES.ja.failedPassword);
  expect(wrong.html).toContain('あと4回');
  const [member] = await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb'));
  expect(member.failedAttempts).toBe(1); // the empty entry was not counted

  const ok = await submit(t, state, 'demo-jcb', 'open sesame');
  expect(finalCResOf(ok.html).message?.transStatus).toBe('Y');
  const [txn] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
  expect(txn).toMatchObject({ state: 'completed', finalTransStatus: 'Y', interactionCounter: 2 });
  expect(authenticationTypeFor(txn.challengeMethod)).toBe('03');
  expect(rreqFor(txn)).toMatchObject({ transStatus: 'Y', authenticationType: '03' });
  const av = await verifyAuthenticationValue(t.deps.keys.authValue, txn.authenticationValue!, {
    pan: demoCard('jcb-otp').pan,
    dsTransID: txn.dsTransID,
    eci: txn.eci!,
    purchaseAmount: txn.purchaseAmount ?? undefined,
    purchaseCurrency: txn.purchaseCurrency ?? undefined,
  });
  expect(av).toMatchObject({ valid: true, how: 'password' });
});
