/**
 * The ACS on a libSQL server that stops answering: a real sqld, stopped with SIGSTOP (its
 * connections stay open and nothing comes back, as with a hung machine) and resumed with SIGCONT.
 * The app is built on it over HTTP (DATABASE_URL=http://…) with the default deadlines
 * (DB_TIMEOUT_MS and AREQ_BUDGET_MS, 2 s each). Each answer is awaited with a bound well above
 * them; nothing here measures how long an answer took. A relay in front of sqld stops it, or
 * loses a request, at the exact statement a test names (test/support/sqld.ts).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { startServices } from '../../src/services.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { backoffMs } from '../../src/acs/timers.ts';
import { timers, transactions } from '../../src/db/schema.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { latestOtp, openChallenge, submit } from '../support/challenge.ts';
import { answerWithin, appOnSqld, startPausableSqld, type PausableSqld } from '../support/sqld.ts';

/** Far above the 2 s deadlines, far below the test's own timeout. */
const BOUND_MS = 15_000;

let sqld: PausableSqld;
let t: Awaited<ReturnType<typeof appOnSqld>>;

beforeAll(async () => {
  sqld = await startPausableSqld();
  // Many AReqs on few demo cards: keep the velocity rule out of the way.
  t = await appOnSqld(sqld.url, { VELOCITY_LIMIT_PER_HOUR: '1000' });
}, 60_000);

afterEach(() => {
  if (sqld.paused) sqld.resume();
});

afterAll(async () => {
  t?.close();
  await sqld?.stop();
});

const json = async (res: Response) => (await res.json()) as Record<string, any>;

/** Rows of the transaction an AReq would have made, with its timers. */
async function storedFor(areq: Record<string, unknown>) {
  const rows = await t.deps.db
    .select()
    .from(transactions)
    .where(and(eq(transactions.threeDSServerTransID, areq.threeDSServerTransID as string), eq(transactions.dsTransID, areq.dsTransID as string)));
  const armed = rows.length ? await t.deps.db.select().from(timers).where(eq(timers.subject, rows[0].acsTransID)) : [];
  return { rows, timers: armed };
}

async function healthy() {
  for (const until = Date.now() + BOUND_MS; Date.now() < until; ) {
    if ((await t.app.request('/healthz')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/healthz not 200 within ${BOUND_MS} ms of SIGCONT`);
}

describe('a libSQL server that stops answering (SIGSTOP), comes back (SIGCONT), or loses a request', () => {
  it('answers the AReq with Erro 403, the challenge step with "cannot continue right now", then serves normally', async () => {
    const card = demoCard('jcb-otp');
    const challenge = await openChallenge(t, 'jcb-otp');
    expect(challenge.state).toBeDefined();
    const frictionless = browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '1200' });

    await sqld.pause();
    const [areqRes, stepRes, healthRes] = await Promise.all([
      answerWithin(postAReq(t.app, frictionless), BOUND_MS, 'AReq'),
      answerWithin(submit(t, challenge.state!, card.member!.loginId, '000000'), BOUND_MS, 'challenge step'),
      answerWithin(Promise.resolve(t.app.request('/healthz')), BOUND_MS, '/healthz'),
    ]);

    // The DS: an Erro it can act on (retry), in JSON, about its own transaction.
    expect(areqRes.status).toBe(200);
    expect(areqRes.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const erro = await json(areqRes);
    expect(erro).toMatchObject({
      messageType: 'Erro',
      errorCode: '403',
      errorComponent: 'A',
      errorMessageType: 'AReq',
      threeDSServerTransID: frictionless.threeDSServerTransID,
      dsTransID: frictionless.dsTransID,
    });

    // The cardholder: the page saying it cannot go on right now, not a wrong-code page, nothing posted to the shop.
    expect(stepRes.res.status).toBe(503);
    expect(stepRes.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(stepRes.html).toContain(MESSAGES.ja.unavailableHeading);
    expect(stepRes.html).not.toContain(MESSAGES.ja.failed);
    expect(stepRes.html).not.toContain('name="cres"');
    expect(healthRes.status).toBe(503);

    sqld.resume();
    await healthy();

    // Nothing of the refused AReq was written: it never reached its one write.
    expect((await storedFor(frictionless)).rows).toHaveLength(0);
    // The DS's retry of the same AReq is answered as a new one, and stored once.
    const retried = await json(await answerWithin(postAReq(t.app, frictionless), BOUND_MS, 'retried AReq'));
    expect(retried).toMatchObject({ messageType: 'ARes', transStatus: 'Y', threeDSServerTransID: frictionless.threeDSServerTransID });
    const stored = await storedFor(frictionless);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].acsTransID).toBe(retried.acsTransID);

    // The challenge the cardholder had open goes on from the same page.
    const txn = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, challenge.ares.acsTransID)).get();
    expect(txn?.state).toBe('challenge_started');
    const done = await submit(t, challenge.state!, card.member!.loginId, await latestOtp(t, challenge.ares.acsTransID));
    expect(done.res.status).toBe(200);
    expect(done.html).toContain('name="cres"');
    const after = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, challenge.ares.acsTransID)).get();
    expect(after).toMatchObject({ state: expect.stringMatching(/^(completed|rreq_delivered)$/), finalTransStatus: 'Y' });
  }, 60_000);

  it('a transaction write caught by the stop commits late, whole, and a DS retry gets that ARes replayed', async () => {
    const areq = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' });
    // Stop sqld just as the AReq's one write (the transaction row and its CReq timer) reaches it.
    const caught = sqld.pauseBefore(/INSERT INTO \\?"transactions\\?"/);

    const res = await answerWithin(postAReq(t.app, areq), BOUND_MS, 'AReq');
    await answerWithin(caught, BOUND_MS, 'the transaction write');
    expect(await json(res)).toMatchObject({ messageType: 'Erro', errorCode: '403', threeDSServerTransID: areq.threeDSServerTransID });
    expect(t.logs.some((line) => line.includes('areq: system failure') && line.includes(areq.threeDSServerTransID as string))).toBe(true);

    sqld.resume();
    await healthy();
    // The write was on its way and sqld carries it out: a whole transaction, row and timer together.
    let stored = await storedFor(areq);
    for (const until = Date.now() + BOUND_MS; stored.rows.length === 0 && Date.now() < until; stored = await storedFor(areq)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stored.rows).toHaveLength(1);
    const [row] = stored.rows;
    expect(row).toMatchObject({ state: 'ares_sent', transStatus: 'C' });
    expect(stored.timers.map((timer) => timer.kind)).toEqual(['creq_timeout']);

    // The DS retries the AReq it had Erro 403 for: it gets exactly the ARes that was stored.
    const replayed = await json(await answerWithin(postAReq(t.app, areq), BOUND_MS, 'retried AReq'));
    expect(replayed).toEqual(JSON.parse(row.ares));
    expect(replayed).toMatchObject({ messageType: 'ARes', transStatus: 'C', acsTransID: row.acsTransID });
    expect((await storedFor(areq)).rows).toHaveLength(1);
  }, 60_000);

  it('the AReq budget alone bounds the answer, even when one database call may wait longer', async () => {
    const patient = await appOnSqld(sqld.url, { VELOCITY_LIMIT_PER_HOUR: '1000', DB_TIMEOUT_MS: '60000' });
    try {
      const areq = browserAReq({ pan: demoCard('mc-otp').pan, purchaseAmount: '1200' });
      await sqld.pause();
      const erro = await json(await answerWithin(postAReq(patient.app, areq), BOUND_MS, 'AReq'));
      expect(erro).toMatchObject({ messageType: 'Erro', errorCode: '403', threeDSServerTransID: areq.threeDSServerTransID });
    } finally {
      sqld.resume();
      patient.close();
    }
  }, 60_000);

  it('the timer sweep outlives the stop: once sqld is back, a due CReq timeout is run', async () => {
    const areq = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' });
    const ares = await json(await postAReq(t.app, areq));
    expect(ares.transStatus).toBe('C');
    const services = await startServices(t.deps);
    try {
      await sqld.pause();
      t.clock.advance(31_000); // the CReq never comes: its 30-second timer is due
      // Let the interval fire into the stopped server, and fail on its deadline, a few times.
      for (const until = Date.now() + BOUND_MS; Date.now() < until; ) {
        if (t.logs.filter((line) => line.includes('scheduled work failed')).length >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(t.logs.filter((line) => line.includes('scheduled work failed')).length).toBeGreaterThanOrEqual(2);
      sqld.resume();

      let txn = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get();
      for (const until = Date.now() + 30_000; txn?.state === 'ares_sent' && Date.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        txn = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get();
      }
      expect(txn).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' });
    } finally {
      services.stop();
    }
  }, 90_000);

  it('a CReq timeout whose ending is lost on the way ends the transaction, with its RReq, on its next run', async () => {
    const areq = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' });
    const ares = await json(await postAReq(t.app, areq));
    expect(ares.transStatus).toBe('C');
    const jobs = () => t.deps.db.select().from(timers).where(and(eq(timers.kind, 'rreq_delivery'), eq(timers.subject, ares.acsTransID)));
    const creqTimer = () => t.deps.db.select().from(timers).where(and(eq(timers.kind, 'creq_timeout'), eq(timers.subject, ares.acsTransID))).get();
    const services = await startServices(t.deps);
    try {
      // The ending (move, CReq timer, RReq job: one batch, acs/end-transaction.ts) is lost on the way.
      const lost = sqld.dropBefore(new RegExp(`INSERT INTO \\\\?"timers\\\\?"[\\s\\S]*${ares.acsTransID}`, 'i'));
      t.clock.advance(31_000);
      await answerWithin(lost, BOUND_MS, 'the RReq job insert');
      let timer = await creqTimer();
      for (const until = Date.now() + BOUND_MS; !timer?.lastError && Date.now() < until; timer = await creqTimer()) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(timer).toMatchObject({ attempts: 1, doneAt: null });
      const txn = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get();
      // All of it or none of it: never a final transaction without its RReq job.
      expect(txn).toMatchObject({ state: 'ares_sent', finalTransStatus: null });
      expect(await jobs()).toHaveLength(0);

      // Its retry ends the transaction and queues the RReq (once).
      t.clock.advance(backoffMs(1));
      let queued = await jobs();
      for (const until = Date.now() + BOUND_MS; queued.length === 0 && Date.now() < until; queued = await jobs()) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(queued).toHaveLength(1);
      expect(await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get()).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' });
    } finally {
      services.stop();
    }
  }, 90_000);

  it("names the card's issuer and its phone on the page shown while the database does not answer", async () => {
    // The sandbox's second demo issuer takes the demo Visa range; the page's signed state names it.
    await seedDemoStaff(t.deps);
    const challenge = await openChallenge(t, 'visa-otp');
    await sqld.pause();
    const step = await answerWithin(submit(t, challenge.state!, 'demo-visa', '000000'), BOUND_MS, 'challenge step');
    expect(step.res.status).toBe(503);
    expect(step.html).toContain(MESSAGES.ja.unavailableHeading);
    expect(step.html).toContain('<span class="issuer-name">きたぐにカード</span>');
    expect(step.html).toContain('href="tel:0120111222"');
  }, 60_000);
});
