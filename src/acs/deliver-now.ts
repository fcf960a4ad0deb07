/**
 * Runs a transaction's queued RReq job at once (the challenge page wants the RRes before it posts
 * the final CRes), claiming it exactly as the sweeper does, so the two never both send it.
 */
import { and, eq, sql } from 'drizzle-orm';
import { preparedPerDatabase } from '../db/prepared.ts';
import { timers } from '../db/schema.ts';
import { deliverRReq, type RReqDeps } from './rreq.ts';
import { runClaimed } from './timers.ts';

const rreqTimerOf = preparedPerDatabase((db) =>
  db.select().from(timers).where(and(eq(timers.kind, 'rreq_delivery'), eq(timers.subject, sql.placeholder('acsTransID')))).prepare(),
);

export async function deliverRReqNow(deps: RReqDeps, acsTransID: string): Promise<void> {
  const timer = await rreqTimerOf(deps.db).get({ acsTransID });
  if (timer && timer.doneAt === null) await runClaimed(deps, timer, (d, t) => deliverRReq(d, t.subject, t.attempts + 1));
}
