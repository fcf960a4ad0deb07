/**
 * The 30-second CReq timer and RReq delivery, end to end: the app on a real libSQL file with the
 * fake clock, the sweeper as the scheduler runs it, and a real DS on 127.0.0.1 that answers each
 * RReq as the test says (RRes, 500, refused connection, late, garbage, Erro, other IDs).
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rreqDeliverySettings, RRES_TIMEOUT_MS } from '../../src/acs/rreq.ts';
import { runClaimed, sweepTimers } from '../../src/acs/timers.ts';
import { outboundLog, timers, transactionMessages, transactions } from '../../src/db/schema.ts';
import { buildErro } from '../../src/protocol/errors.ts';
import { ERRO_SCHEMAS } from '../../src/protocol/erro.ts';
import { RREQ_SCHEMAS } from '../../src/protocol/rreq.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { runScheduledWork } from '../../src/services.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { answers, startDsReceiver, type DsReceiver } from '../support/ds-receiver.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Version = '2.2.0' | '2.3.1';
const VERSIONS = ['2.2.0', '2.3.1'] as const;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  rreqDeliverySettings.rresTimeoutMs = RRES_TIMEOUT_MS;
  while (cleanups.length) await cleanups.pop()!();
});

/** A DS, and the app with that DS allowed for every scheme. */
async function start(env: Record<string, string> = {}) {
  const ds = await startDsReceiver();
  cleanups.push(() => ds.close());
  const allow = { DS_ALLOWLIST_JCB: ds.prefix, DS_ALLOWLIST_VISA: ds.prefix, DS_ALLOWLIST_MASTERCARD: ds.prefix };
  const t = await createTestApp({ seed: true, env: { ...allow, ...env } });
  cleanups.push(() => t.close());
  return { t, ds };
}

/** An AReq above the challenge threshold: ARes C, and the 30-second CReq timer armed. */
async function challenged(t: TestApp, ds: DsReceiver, messageVersion: Version = '2.2.0', dsURL = ds.url): Promise<string> {
  const res = await postAReq(t.app, browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99999', messageVersion, dsURL }));
  const ares = (await res.json()) as Record<string, string>;
  expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'C' });
  return ares.acsTransID;
}

const sweep = (t: TestApp) => runScheduledWork(t.deps);

/** 30 s without a CReq: the sweep ends the transaction and sends the RReq; a second sweep finds nothing more to do. */
async function letCReqTimeOut(t: TestApp) {
  t.clock.advance(30_000);
  await sweep(t);
  await sweep(t);
}

async function txnOf(t: TestApp, acsTransID: string) {
  return (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)).get())!;
}
async function rreqTimer(t: TestApp, acsTransID: string) {
  return t.deps.db.select().from(timers).where(and(eq(timers.kind, 'rreq_delivery'), eq(timers.subject, acsTransID))).get();
}
async function attempts(t: TestApp, acsTransID: string) {
  return t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, acsTransID)).orderBy(asc(outboundLog.id));
}
async function messages(t: TestApp, acsTransID: string, direction: 'in' | 'out', messageType: string) {
  return t.deps.db
    .select()
    .from(transactionMessages)
    .where(and(eq(transactionMessages.acsTransID, acsTransID), eq(transactionMessages.direction, direction), eq(transactionMessages.messageType, messageType)));
}

/** Delivered for good: state, one accepted RRes, timer done, and later sweeps send nothing more. */
async function expectDeliveredOnce(t: TestApp, ds: DsReceiver, acsTransID: string) {
  expect((await txnOf(t, acsTransID)).state).toBe('rreq_delivered');
  expect((await rreqTimer(t, acsTransID))?.doneAt).not.toBeNull();
  const rreqsSoFar = ds.rreqs().length;
  t.clock.advance(24 * 60 * 60 * 1000);
  await sweep(t);
  await sweep(t);
  expect(ds.rreqs()).toHaveLength(rreqsSoFar);
}

describe.each(VERSIONS)('no CReq within 30 s of ARes C (%s)', (messageVersion) => {
  it('nothing happens before 30 s; then N/14/05, one schema-valid RReq, rreq_delivered after the RRes', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);

    t.clock.advance(29_999);
    await sweep(t);
    await sweep(t);
    expect((await txnOf(t, acsTransID)).state).toBe('ares_sent');
    expect(ds.received).toHaveLength(0);

    // Due: the same sweep ends the transaction and sends the RReq (not a sweep later, which on
    // Workers would be another minute).
    t.clock.advance(1);
    await sweep(t);
    expect(await txnOf(t, acsTransID)).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' });
    expect(ds.received).toHaveLength(1);
    const [rreq] = ds.rreqs();
    expect(rreq).toMatchObject({
      messageType: 'RReq',
      messageVersion,
      acsTransID,
      transStatus: 'N',
      transStatusReason: '14',
      challengeCancel: '05',
      interactionCounter: '00',
      messageCategory: '01',
    });
    if (messageVersion === '2.2.0') expect(rreq.authenticationType).toBe('02');
    else {
      expect(rreq.authenticationMethod).toEqual(['02']);
      expect(rreq).not.toHaveProperty('authenticationType');
    }
    expect(rreq.authenticationValue).toBeUndefined();
    expect(RREQ_SCHEMAS[messageVersion].safeParse(rreq).success).toBe(true);
    expect(ds.received[0].headers['x-request-id']).toBe(acsTransID);
    expect(ds.received[0].headers['content-type']).toBe('application/json; charset=utf-8');

    expect(await attempts(t, acsTransID)).toEqual([
      expect.objectContaining({ channel: 'rreq', recipient: ds.url, status: 'sent', detail: 'resultsStatus 01' }),
    ]);
    expect(await messages(t, acsTransID, 'in', 'RRes')).toHaveLength(1);
    expect(ds.erros()).toEqual([]);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('a DS failing with 500, then refusing connections, then recovering: back-off, then exactly one delivery', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    ds.queue(answers.status(500));
    await letCReqTimeOut(t);

    // 1st attempt: HTTP 500 → again in 10 s.
    expect(ds.rreqs()).toHaveLength(1);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 1, dueAt: t.clock.now() + 10_000, lastError: 'HTTP 500', doneAt: null });
    expect((await txnOf(t, acsTransID)).state).toBe('expired');

    t.clock.advance(9_999);
    await sweep(t);
    expect(ds.received).toHaveLength(1); // not yet due

    // 2nd attempt: connection refused → again in 20 s.
    await ds.refuse();
    t.clock.advance(1);
    await sweep(t);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 2, dueAt: t.clock.now() + 20_000, doneAt: null });
    expect((await rreqTimer(t, acsTransID))!.lastError).toMatch(/^connection failed: .*ECONNREFUSED/);

    // 3rd attempt, 20 s later: still refused → again in 40 s.
    t.clock.advance(19_999);
    await sweep(t);
    expect((await rreqTimer(t, acsTransID))!.attempts).toBe(2);
    t.clock.advance(1);
    await sweep(t);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 3, dueAt: t.clock.now() + 40_000 });

    // The DS is back: the 4th attempt is delivered.
    await ds.accept();
    t.clock.advance(40_000);
    await sweep(t);
    expect(ds.rreqs()).toHaveLength(2); // the refused attempts never reached it
    expect(ds.rreqs()[1]).toEqual(ds.rreqs()[0]); // the same RReq each time
    expect((await attempts(t, acsTransID)).map((a) => [a.status, a.detail?.replace(/^(connection failed).*/, '$1')])).toEqual([
      ['failed', 'HTTP 500'],
      ['failed', 'connection failed'],
      ['failed', 'connection failed'],
      ['sent', 'resultsStatus 01'],
    ]);
    expect(await messages(t, acsTransID, 'in', 'RRes')).toHaveLength(1);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('a DS answering late: the ACS stops waiting, tells the DS with Erro 402, and retries', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    // The late DS never answers until released, so a short wait keeps the suite fast; a second is
    // still ample for the RReq to reach the DS on a loaded machine before the ACS stops waiting.
    rreqDeliverySettings.rresTimeoutMs = 1_000;
    ds.queue(answers.late());
    await letCReqTimeOut(t);

    expect(ds.rreqs()).toHaveLength(1);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 1, lastError: 'RRes timed out', dueAt: t.clock.now() + 10_000 });
    const [erro] = ds.erros();
    expect(erro).toMatchObject({ errorCode: '402', errorComponent: 'A', errorMessageType: 'RRes', messageVersion, acsTransID });
    expect(ERRO_SCHEMAS[messageVersion].safeParse(erro).success).toBe(true);
    expect(ds.received.find((r) => r.json?.messageType === 'Erro')!.headers['x-request-id']).toBe(acsTransID);
    expect((await txnOf(t, acsTransID)).state).toBe('expired');

    ds.releaseHeld(); // its RRes arrives long after the ACS stopped listening: it changes nothing
    rreqDeliverySettings.rresTimeoutMs = RRES_TIMEOUT_MS;
    t.clock.advance(10_000);
    await sweep(t);
    expect(ds.rreqs()).toHaveLength(2);
    expect((await attempts(t, acsTransID)).map((a) => a.status)).toEqual(['failed', 'sent']);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('a first refused connection is retried at once (Req 240), then after 10 s', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    await ds.refuse();
    await letCReqTimeOut(t);
    expect((await attempts(t, acsTransID)).map((a) => a.status)).toEqual(['failed', 'failed']);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 1, dueAt: t.clock.now() + 10_000 });
    await ds.accept();
    t.clock.advance(10_000);
    await sweep(t);
    await expectDeliveredOnce(t, ds, acsTransID);
  });
});

describe.each(VERSIONS)('a DS answer that is not a valid RRes (%s)', (messageVersion) => {
  const invalid: [string, string, string][] = [
    ['not JSON', '101', ''],
    ['JSON that is not a message', '101', ''],
    ['an RRes without resultsStatus', '201', 'resultsStatus'],
    ['an RRes with a malformed resultsStatus', '203', 'resultsStatus'],
  ];
  const answerFor = {
    'not JSON': answers.body('<html>oops</html>'),
    'JSON that is not a message': answers.body('[1,2,3]'),
    'an RRes without resultsStatus': answers.rres({ resultsStatus: undefined }),
    'an RRes with a malformed resultsStatus': answers.rres({ resultsStatus: 'OK' }),
  } as Record<string, ReturnType<typeof answers.body>>;
  it.each(invalid)('%s: Erro %s back to the DS, not retried, rreq_delivered', async (kind, errorCode, errorDetail) => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    ds.queue(answerFor[kind]);
    await letCReqTimeOut(t);

    expect(ds.rreqs()).toHaveLength(1);
    const erros = ds.erros();
    expect(erros).toHaveLength(1);
    expect(erros[0]).toMatchObject({ errorCode, errorComponent: 'A', errorMessageType: 'RRes', messageVersion, acsTransID });
    if (errorDetail) expect(erros[0].errorDetail).toBe(errorDetail);
    expect(ERRO_SCHEMAS[messageVersion].safeParse(erros[0]).success).toBe(true);
    expect(await attempts(t, acsTransID)).toEqual([expect.objectContaining({ status: 'failed', detail: expect.stringMatching(`^invalid RRes: ${errorCode}`) })]);
    expect(await messages(t, acsTransID, 'in', 'RRes(invalid)')).toHaveLength(1);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('an Erro from the DS: recorded, never answered with an Erro, not retried', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    ds.queue(answers.erro('305'));
    await letCReqTimeOut(t);

    expect(ds.rreqs()).toHaveLength(1);
    expect(ds.erros()).toEqual([]);
    expect(await attempts(t, acsTransID)).toEqual([expect.objectContaining({ status: 'failed', detail: expect.stringMatching(/^DS answered Erro 305/) })]);
    expect(await messages(t, acsTransID, 'in', 'Erro')).toHaveLength(1);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('an RRes for another transaction: Erro 301 naming the ID, not retried', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    ds.queue(answers.rres({ acsTransID: crypto.randomUUID() }));
    await letCReqTimeOut(t);

    expect(ds.erros()).toEqual([expect.objectContaining({ errorCode: '301', errorDetail: 'acsTransID', errorMessageType: 'RRes', acsTransID, messageVersion })]);
    expect(await attempts(t, acsTransID)).toEqual([expect.objectContaining({ status: 'failed', detail: 'RRes refused: Erro 301 acsTransID' })]);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('an RRes in another version than the transaction: Erro 203 messageVersion', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    ds.queue(answers.rres({ messageVersion: messageVersion === '2.2.0' ? '2.3.1' : '2.2.0' }));
    await letCReqTimeOut(t);
    expect(ds.erros()).toEqual([expect.objectContaining({ errorCode: '203', errorDetail: 'messageVersion', messageVersion })]);
    await expectDeliveredOnce(t, ds, acsTransID);
  });
});

describe('answers that mean no DS read the RReq', () => {
  it('a 404 page is a failed delivery, retried, and no Erro is sent to whoever answered', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds);
    ds.queue(answers.status(404, '<html>Not Found</html>'));
    await letCReqTimeOut(t);
    expect(ds.erros()).toEqual([]);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 1, lastError: 'HTTP 404', doneAt: null });
    t.clock.advance(10_000);
    await sweep(t);
    await expectDeliveredOnce(t, ds, acsTransID);
  });
});

describe('no DS URL for the scheme', () => {
  it('is not sent, is retried with back-off and a clear error, and goes out once DS_URL_VISA is configured', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, '2.2.0', 'https://ds.not-on-the-list.test/rreq');
    await letCReqTimeOut(t);

    expect(ds.received).toHaveLength(0);
    const timer = (await rreqTimer(t, acsTransID))!;
    expect(timer).toMatchObject({ attempts: 1, dueAt: t.clock.now() + 10_000, doneAt: null });
    expect(timer.lastError).toBe("no DS URL for visa: the AReq's dsURL is not on DS_ALLOWLIST_VISA and DS_URL_VISA is not set");
    expect(t.logs.some((line) => line.includes('rreq: no DS URL') && line.includes(acsTransID))).toBe(true);
    t.clock.advance(10_000);
    await sweep(t);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 2, dueAt: t.clock.now() + 20_000 });
    expect(await attempts(t, acsTransID)).toEqual([]); // nothing was sent, so no delivery attempt either

    // The operator sets the scheme's DS URL and restarts: the same database, a new configuration.
    t.close();
    const restarted = await createTestApp({ databaseFile: t.databaseFile, env: { DS_URL_VISA: ds.url } });
    cleanups.push(() => restarted.close());
    restarted.clock.set(t.clock.now() + 20_000);
    await sweep(restarted);
    expect(ds.rreqs()).toEqual([expect.objectContaining({ acsTransID, transStatusReason: '14' })]);
    await expectDeliveredOnce(restarted, ds, acsTransID);
  });
});

describe('several sweepers at once', () => {
  it('end the transaction once and send exactly one RReq', async () => {
    const { t, ds } = await start();
    const ids = [await challenged(t, ds), await challenged(t, ds, '2.3.1'), await challenged(t, ds)];
    t.clock.advance(30_000);
    await Promise.all([sweep(t), sweep(t), sweep(t)]);
    await Promise.all([sweep(t), sweep(t), sweep(t)]);

    expect(ds.rreqs().map((r) => r.acsTransID).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await attempts(t, id)).toHaveLength(1);
      await expectDeliveredOnce(t, ds, id);
    }
  });

  it('retry a failed delivery once per due time, not once per sweeper', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds);
    ds.queue(answers.status(500), answers.status(500));
    t.clock.advance(30_000);
    await sweep(t);
    await Promise.all([sweep(t), sweep(t)]);
    expect(ds.rreqs()).toHaveLength(1);
    t.clock.advance(10_000);
    await Promise.all([sweep(t), sweep(t)]);
    expect(ds.rreqs()).toHaveLength(2);
    expect(await rreqTimer(t, acsTransID)).toMatchObject({ attempts: 2, dueAt: t.clock.now() + 20_000 });
  });

  it('a sweeper holding a stale read cannot run a timer another has already run and rescheduled', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds);
    ds.queue(answers.status(500), answers.status(500));
    await letCReqTimeOut(t); // 1st delivery: 500, again in 10 s
    t.clock.advance(10_000);
    const stale = (await rreqTimer(t, acsTransID))!; // a sweeper reads it, due…
    await sweep(t); // …another runs it first: 500 again, rescheduled 20 s on
    let ranAgain = false;
    const ran = await runClaimed(t.deps, stale, async () => ((ranAgain = true), { done: true }), { onlyWhenDue: true });
    expect([ran, ranAgain]).toEqual([false, false]);
    expect(ds.rreqs()).toHaveLength(2);
  });
});

describe('timers and delivery over time', () => {
  it('a CReq timer fires only for a transaction still waiting for its first CReq', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds);
    // The challenge began in time (as the challenge flow records it): the timer must leave it alone.
    await t.deps.db.update(transactions).set({ state: 'challenge_started' }).where(eq(transactions.acsTransID, acsTransID));
    t.clock.advance(30_000);
    await sweep(t);
    await sweep(t);
    expect(await txnOf(t, acsTransID)).toMatchObject({ state: 'challenge_started', finalTransStatus: null });
    expect(ds.received).toHaveLength(0);
  });

  it('gives up after a day of failures, says so in the log, and keeps the state for staff', async () => {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds);
    await ds.refuse();
    await letCReqTimeOut(t);
    t.clock.advance(24 * 60 * 60 * 1000 + 1);
    await sweep(t);
    expect((await rreqTimer(t, acsTransID))!.doneAt).not.toBeNull();
    expect((await txnOf(t, acsTransID)).state).toBe('expired');
    expect(t.logs.some((line) => line.includes('giving up') && line.includes(acsTransID))).toBe(true);
  });

  it('keeps a timer nobody handles instead of dropping it', async () => {
    const { t } = await start();
    await t.deps.db.insert(timers).values({ kind: 'rreq_delivery', subject: crypto.randomUUID(), dueAt: t.clock.now(), createdAt: t.clock.now() });
    expect(await sweepTimers(t.deps, {})).toBe(1);
    const [row] = await t.deps.db.select().from(timers).where(eq(timers.kind, 'rreq_delivery'));
    expect(row).toMatchObject({ doneAt: null, attempts: 1, lastError: 'no handler for rreq_delivery', dueAt: t.clock.now() + 10_000 });
  });
});

describe.each(VERSIONS)('RReq content for other endings (%s)', (messageVersion) => {
  /** A challenge ended as the challenge flow ends it, with its RReq queued. */
  async function ended(patch: Partial<typeof transactions.$inferInsert>) {
    const { t, ds } = await start();
    const acsTransID = await challenged(t, ds, messageVersion);
    await t.deps.db.update(transactions).set({ state: 'failed', ...patch }).where(eq(transactions.acsTransID, acsTransID));
    await t.deps.db.insert(timers).values({ kind: 'rreq_delivery', subject: acsTransID, dueAt: t.clock.now(), createdAt: t.clock.now() });
    return { t, ds, acsTransID };
  }

  it('U after a refused CReq: no authentication type, challengeCancel 10 with a copy of the Erro in 2.3.1, 06 in 2.2.0', async () => {
    const { t, ds, acsTransID } = await ended({ finalTransStatus: 'U', finalTransStatusReason: '07', challengeCancel: messageVersion === '2.3.1' ? '10' : '06' });
    const txn = await txnOf(t, acsTransID);
    const creqErro = buildErro({ errorCode: '203', errorDetail: 'challengeWindowSize', errorMessageType: 'CReq', messageVersion, acsTransID, dsTransID: txn.dsTransID, threeDSServerTransID: txn.threeDSServerTransID });
    await t.deps.db.insert(transactionMessages).values({ acsTransID, direction: 'out', messageType: 'Erro', body: JSON.stringify(creqErro), createdAt: t.clock.now() });
    await sweep(t);

    const [rreq] = ds.rreqs();
    expect(rreq).toMatchObject({ transStatus: 'U', transStatusReason: '07', interactionCounter: '00' });
    expect(rreq.authenticationType ?? rreq.authenticationMethod).toBeUndefined();
    if (messageVersion === '2.3.1') expect(rreq).toMatchObject({ challengeCancel: '10', challengeErrorReporting: creqErro });
    else {
      expect(rreq.challengeCancel).toBe('06');
      expect(rreq).not.toHaveProperty('challengeErrorReporting');
    }
    expect(RREQ_SCHEMAS[messageVersion].safeParse(rreq).success).toBe(true);
    await expectDeliveredOnce(t, ds, acsTransID);
  });

  it('challengeCancel 10 without the Erro on record still makes a valid RReq (06)', async () => {
    const { t, ds, acsTransID } = await ended({ finalTransStatus: 'U', finalTransStatusReason: '07', challengeCancel: '10' });
    await sweep(t);
    const [rreq] = ds.rreqs();
    expect(rreq.challengeCancel).toBe('06');
    expect(RREQ_SCHEMAS[messageVersion].safeParse(rreq).success).toBe(true);
  });

  it('Y after a password challenge: eci, authenticationValue and the static method', async () => {
    const { t, ds, acsTransID } = await ended({
      state: 'completed',
      finalTransStatus: 'Y',
      eci: '05',
      authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      challengeMethod: 'password',
      interactionCounter: 2,
    });
    await sweep(t);
    const [rreq] = ds.rreqs();
    expect(rreq).toMatchObject({ transStatus: 'Y', eci: '05', authenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA=', interactionCounter: '02' });
    if (messageVersion === '2.2.0') expect(rreq.authenticationType).toBe('01');
    else expect(rreq.authenticationMethod).toEqual(['01']);
    expect(RREQ_SCHEMAS[messageVersion].safeParse(rreq).success).toBe(true);
    await expectDeliveredOnce(t, ds, acsTransID);
  });
});
