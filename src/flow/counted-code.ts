/**
 * A flow's code typed back, checked with its wrong entries counted in the database: the one rule
 * for every code a person reads back (the portal's phone, e-mail and registration codes, the
 * password reset's SMS code, the helpdesk's test SMS).
 *
 * Each check first claims a count atomically (rate_counters), so concurrent entries cannot check
 * more than `limit` codes; the entry that reaches the limit fails the flow. A malformed entry is
 * answered without a claim. A right code is consumed (single use) and moves the flow to completed
 * in one guarded UPDATE, so of two racing right answers only one completes it (`complete: false`
 * leaves the move to a caller that completes the flow together with its own write).
 *
 * @example
 *   const r = await checkCountedCode(deps, flow, form.code, { counter: `portal_phone:${flow.id}`, limit: 5 })
 *   if (r.kind === 'ok') … // the flow is completed now
 */
import { hitCounters } from '../messaging/rate-limit.ts';
import type { CodeDeps } from './codes.ts';
import { CODE_PATTERN, consumeCode } from './codes.ts';
import { normaliseEntry } from './entry.ts';
import { valid, type Flow } from './flow.ts';
import { flowStore } from './store.ts';

export type CountedCodeCheck =
  | { kind: 'ok' }
  /** Nothing typed, or not 6 digits: not counted. */
  | { kind: 'empty' | 'format' }
  | { kind: 'wrong'; remaining: number }
  /** This entry reached the limit (or came after it): the flow failed. */
  | { kind: 'too_many' }
  /** The flow ended meanwhile (completed by a twin entry, expired, failed). */
  | { kind: 'closed' };

/**
 * The counter's window: longer than any code flow lives even with its extensions, so a flow meets a
 * window's end at most once; counters are kept 8 days (messaging/rate-limit.ts), longer than one.
 */
const WINDOW_MS = 7 * 24 * 3_600_000;

export async function checkCountedCode(
  deps: CodeDeps,
  flow: Pick<Flow, 'id' | 'kind' | 'state' | 'expiresAt'>,
  typed: unknown,
  o: { counter: string; limit: number; complete?: boolean },
): Promise<CountedCodeCheck> {
  const code = normaliseEntry(typed);
  if (code === '') return { kind: 'empty' };
  if (!CODE_PATTERN.test(code)) return { kind: 'format' };
  if (!valid(flow, deps.clock)) return { kind: 'closed' };
  const store = flowStore(deps);
  const [count] = await hitCounters(deps.db, [{ key: o.counter, windowMs: WINDOW_MS }], deps.clock.now());
  if (count > o.limit) {
    await store.move(flow, 'failed');
    return { kind: 'too_many' };
  }
  const check = await consumeCode(deps, flow.id, code);
  if (check === 'consumed_before') return { kind: 'closed' };
  if (check === 'wrong') {
    if (count < o.limit) return { kind: 'wrong', remaining: o.limit - count };
    await store.move(flow, 'failed');
    return { kind: 'too_many' };
  }
  if (o.complete === false) return { kind: 'ok' };
  return (await store.move(flow, 'completed')) ? { kind: 'ok' } : { kind: 'closed' };
}
