/**
 * Where flows live (Kratos's flow persister): the only module that writes the `flows` table.
 * Every change is one guarded UPDATE, so two requests racing on one flow cannot both move it,
 * and a send slot cannot be claimed twice.
 *
 * @example
 *   const flows = flowStore(deps);
 *   const flow = await flows.create({ kind: 'phone_verification', subject: String(memberId), ttlMs: 600_000 });
 *   if (await flows.move(flow, 'completed')) …
 */
import { and, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { preparedPerDatabase } from '../db/prepared.ts';
import { flows } from '../db/schema.ts';
import { INITIAL_STATE, openStates, sourcesOf, type Flow, type FlowKind, type FlowState } from './flow.ts';

/** A send slot: either this send may go, or why not (cooldown still running, maximum reached, flow closed). */
export type SendSlot = { ok: true; sendCount: number } | { ok: false; reason: 'cooldown'; retryInMs: number } | { ok: false; reason: 'limit' | 'closed' };

export interface SendLimits {
  /** Sends allowed in one flow. */
  max: number;
  /** Time between two sends of one flow. */
  cooldownMs: number;
}

export interface FlowStore {
  /** A new flow in its kind's first state; the id is a fresh UUID unless given (migrated rows keep theirs). */
  create<K extends FlowKind>(input: { kind: K; subject: string; ttlMs: number; id?: string; data?: Record<string, unknown> }): Promise<Flow<K>>;
  /** The same create as one statement of a caller's `db.batch` (a challenge's flow and its row in one commit); the batch's result is the new row. */
  createStatement(input: { kind: FlowKind; subject: string; ttlMs: number; id: string }): BatchItem<'sqlite'>;
  find(id: string): Promise<Flow | undefined>;
  /**
   * Moves the flow to `to` if its kind's machine allows it from the current state; whether this
   * call moved it. `data` (when given) replaces what the flow holds, in the same guarded UPDATE.
   */
  move<K extends FlowKind>(flow: Pick<Flow<K>, 'id' | 'kind'>, to: FlowState<K>, data?: Record<string, unknown>): Promise<boolean>;
  /** Replaces what an open, unexpired flow holds (a step that gathers without moving); whether it was open. */
  saveData(flow: Pick<Flow, 'id' | 'kind'>, data: Record<string, unknown>): Promise<boolean>;
  /**
   * The same move as one statement of a caller's `db.batch` (one database transaction), applied
   * only where `onlyIf` also holds: a flow that ends with another row (a challenge's with its
   * transaction, acs/end-transaction.ts) ends in the same transaction as that row.
   */
  moveStatement<K extends FlowKind>(flow: Pick<Flow<K>, 'id' | 'kind'>, to: FlowState<K>, onlyIf?: SQL): BatchItem<'sqlite'>;
  /** Pushes the expiry to now + ttlMs while the flow is open and unexpired (each step served restarts the clock). */
  extend(flow: Pick<Flow, 'id' | 'kind'>, ttlMs: number): Promise<boolean>;
  /** Claims the right to send one code now: atomic on the flow row (open, under the maximum, past the cooldown). */
  claimSendSlot(flow: Pick<Flow, 'id' | 'kind'>, limits: SendLimits): Promise<SendSlot>;
  /** Removes a flow nothing came to use (the loser of a race to start one); only while it sent nothing. */
  discard(id: string): Promise<void>;
}

const flowById = preparedPerDatabase((db) => db.select().from(flows).where(eq(flows.id, sql.placeholder('id'))).prepare());

export function flowStore(deps: { db: Database; clock: Clock }): FlowStore {
  const { db, clock } = deps;
  const open = (flow: Pick<Flow, 'id' | 'kind'>, now: number) =>
    and(eq(flows.id, flow.id), inArray(flows.state, openStates(flow.kind)), gt(flows.expiresAt, now));

  const moveStatement = <K extends FlowKind>(flow: Pick<Flow<K>, 'id' | 'kind'>, to: FlowState<K>, onlyIf?: SQL, data?: Record<string, unknown>) =>
    db
      .update(flows)
      .set({ state: to, updatedAt: clock.now(), ...(data ? { data } : {}) })
      .where(and(eq(flows.id, flow.id), inArray(flows.state, sourcesOf(flow.kind, to)), onlyIf))
      .returning({ id: flows.id });

  const insert = ({ kind, subject, ttlMs, id, data }: { kind: FlowKind; subject: string; ttlMs: number; id?: string; data?: Record<string, unknown> }) => {
    const now = clock.now();
    return db
      .insert(flows)
      .values({ id: id ?? crypto.randomUUID(), kind, subject, state: INITIAL_STATE, data: data ?? null, createdAt: now, updatedAt: now, expiresAt: now + ttlMs })
      .returning();
  };

  return {
    async create(input) {
      const [row] = await insert(input);
      return row as unknown as Flow<typeof input.kind>;
    },

    createStatement: (input) => insert(input),

    async find(id) {
      return (await flowById(db).get({ id })) as Flow | undefined;
    },

    async move(flow, to, data) {
      return (await moveStatement(flow, to, undefined, data)).length === 1;
    },

    async saveData(flow, data) {
      const now = clock.now();
      return (await db.update(flows).set({ data, updatedAt: now }).where(open(flow, now)).returning({ id: flows.id })).length === 1;
    },

    moveStatement: (flow, to, onlyIf) => moveStatement(flow, to, onlyIf),

    async extend(flow, ttlMs) {
      const now = clock.now();
      const extended = await db.update(flows).set({ expiresAt: now + ttlMs, updatedAt: now }).where(open(flow, now)).returning({ id: flows.id });
      return extended.length === 1;
    },

    async claimSendSlot(flow, limits) {
      const now = clock.now();
      const [claimed] = await db
        .update(flows)
        .set({ sendCount: sql`${flows.sendCount} + 1`, lastSentAt: now, updatedAt: now })
        .where(and(open(flow, now), lt(flows.sendCount, limits.max), or(isNull(flows.lastSentAt), lte(flows.lastSentAt, now - limits.cooldownMs))))
        .returning({ sendCount: flows.sendCount });
      if (claimed) return { ok: true, sendCount: claimed.sendCount };
      // Refused: say why, from the row as it is now.
      const row = await db.select().from(flows).where(eq(flows.id, flow.id)).get();
      if (!row || row.expiresAt <= now || !openStates(flow.kind).includes(row.state)) return { ok: false, reason: 'closed' };
      if (row.sendCount >= limits.max) return { ok: false, reason: 'limit' };
      return { ok: false, reason: 'cooldown', retryInMs: Math.max(0, (row.lastSentAt ?? now) + limits.cooldownMs - now) };
    },

    async discard(id) {
      await db.delete(flows).where(and(eq(flows.id, id), eq(flows.sendCount, 0)));
    },
  };
}
