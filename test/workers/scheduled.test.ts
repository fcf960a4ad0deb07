/**
 * The Worker's scheduled handler inside workerd, as the cron trigger (and `npm run dev:worker`'s
 * ticker) fires it: due timers run against the real sqld, and an RReq the DS refused is sent
 * again on a later sweep until the DS answers.
 */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { createClient } from '@libsql/client/web';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db/client.ts';
import { outboundLog, timers, transactionMessages, transactions } from '../../src/db/schema.ts';
import worker from '../../src/entry/worker.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';

const db = createDatabase(createClient({ url: env.DATABASE_URL }));

/** One cron event, awaited with everything it handed to waitUntil. */
async function fireCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env as never, ctx);
  await waitOnExecutionContext(ctx);
}

/** Makes a transaction's timer due now, as if its time had come. */
async function makeDue(kind: 'creq_timeout' | 'rreq_delivery', acsTransID: string) {
  const [timer] = await db
    .update(timers)
    .set({ dueAt: 0 })
    .where(and(eq(timers.kind, kind), eq(timers.subject, acsTransID)))
    .returning({ doneAt: timers.doneAt });
  expect(timer, `${kind} timer of ${acsTransID}`).toBeDefined();
  expect(timer.doneAt).toBeNull();
}

const stateOf = async (acsTransID: string) =>
  (await db.select({ state: transactions.state, status: transactions.finalTransStatus, reason: transactions.finalTransStatusReason }).from(transactions).where(eq(transactions.acsTransID, acsTransID)).get())!;

describe('the scheduled handler on Workers', () => {
  it('runs a due CReq timeout, then retries the RReq the DS refused twice until it answers', async () => {
    const areq = browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99000', dsURL: `${inject('dsPrefix')}fail-twice` });
    const res = await SELF.fetch('https://acs.test/3ds/areq', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(areq) });
    const ares = (await res.json()) as Record<string, string>;
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'C' });
    const id = ares.acsTransID;

    // No CReq came: once the 30-second timer is due, the sweep ends the transaction N/14 and sends the RReq.
    await makeDue('creq_timeout', id);
    await fireCron();
    expect(await stateOf(id)).toEqual({ state: 'expired', status: 'N', reason: '14' });

    // The DS answered HTTP 500: the RReq waits for a later sweep, and each sweep sends it again.
    await makeDue('rreq_delivery', id);
    await fireCron();
    expect((await stateOf(id)).state).toBe('expired');
    await makeDue('rreq_delivery', id);
    await fireCron();
    expect((await stateOf(id)).state).toBe('rreq_delivered');

    const trail = await db.select({ direction: transactionMessages.direction, type: transactionMessages.messageType }).from(transactionMessages).where(eq(transactionMessages.acsTransID, id)).orderBy(asc(transactionMessages.id));
    expect(trail.filter((m) => m.type === 'RReq')).toHaveLength(3);
    expect(trail.at(-1)).toEqual({ direction: 'in', type: 'RRes' });
    const attempts = await db.select({ status: outboundLog.status, detail: outboundLog.detail }).from(outboundLog).where(and(eq(outboundLog.acsTransID, id), eq(outboundLog.channel, 'rreq'))).orderBy(asc(outboundLog.id));
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'sent']);
    expect(attempts[0].detail).toContain('HTTP 500');
  });
});
