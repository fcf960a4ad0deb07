/**
 * The challenges table's owner: what only a 3-D Secure challenge has (its method, window size,
 * language, first CReq's digest), beside its flow (src/flow/), which holds state, expiry and sends.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { preparedPerDatabase } from '../db/prepared.ts';
import { challenges, flows, type ChallengeMethod } from '../db/schema.ts';
import type { Flow } from '../flow/flow.ts';
import { flowStore } from '../flow/store.ts';
import type { Lang } from './messages.ts';

export type Challenge = typeof challenges.$inferSelect;

/** The challenge ends after 10 minutes without a page (spec: inactivity timer per page). */
export const CHALLENGE_IDLE_MS = 10 * 60 * 1000;

export interface NewChallenge {
  acsTransID: string;
  method: ChallengeMethod;
  challengeWindowSize: string;
  language: Lang;
  creqDigest: string;
}

/**
 * Creates the challenge and its flow for a first CReq, in one commit. Of two identical CReqs
 * racing, one creates them; the other gets undefined (its unused flow is removed in that same commit).
 */
export async function createChallenge(deps: { db: Database; clock: Clock }, input: NewChallenge): Promise<{ challenge: Challenge; flow: Flow<'challenge'> } | undefined> {
  const { db } = deps;
  const flowId = crypto.randomUUID();
  const now = deps.clock.now();
  const [[flow], [challenge]] = await db.batch([
    flowStore(deps).createStatement({ kind: 'challenge', subject: input.acsTransID, ttlMs: CHALLENGE_IDLE_MS, id: flowId }),
    db.insert(challenges).values({ ...input, flowId, createdAt: now, lastActivityAt: now }).onConflictDoNothing().returning(),
    db.delete(flows).where(and(eq(flows.id, flowId), sql`NOT EXISTS (SELECT 1 FROM ${challenges} WHERE ${challenges.flowId} = ${flowId})`)),
  ]) as unknown as [Flow<'challenge'>[], Challenge[], unknown];
  return challenge ? { challenge, flow } : undefined;
}

const challengeOfTransaction = preparedPerDatabase((db) => db.select().from(challenges).where(eq(challenges.acsTransID, sql.placeholder('acsTransID'))).prepare());
const challengeOfFlow = preparedPerDatabase((db) => db.select().from(challenges).where(eq(challenges.flowId, sql.placeholder('flowId'))).prepare());

export function findChallenge(db: Database, acsTransID: string): Promise<Challenge | undefined> {
  return challengeOfTransaction(db).get({ acsTransID });
}

export function findChallengeOfFlow(db: Database, flowId: string): Promise<Challenge | undefined> {
  return challengeOfFlow(db).get({ flowId });
}

/** A page was served: the challenge's last activity (its flow's expiry moves with it, see routes). */
export async function touchChallenge(db: Database, id: number, now: number): Promise<void> {
  await db.update(challenges).set({ lastActivityAt: now }).where(eq(challenges.id, id));
}

export async function setChallengeLanguage(db: Database, id: number, language: Lang): Promise<void> {
  await db.update(challenges).set({ language }).where(eq(challenges.id, id));
}
