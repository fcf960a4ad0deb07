/**
 * A flow's code typed back, checked with its wrong entries counted in the database: the one rule
 * for a code that confirms a phone (the portal's phone change here; the helpdesk's test SMS and
 * the password reset check their codes the same way and can call this).
 *
 * Each check first claims a count atomically (rate_counters), so concurrent entries cannot check
 * more than `limit` codes; the entry that reaches the limit fails the flow. A malformed entry is
 * answered without a claim. A right code is consumed (single use) and moves the flow to completed
 * in one guarded UPDATE, so of two racing right answers only one completes it.
 *
 * @example
 *   const r = await checkCountedCode(deps, flow, form.code, { counter: `portal_phone:${flow.id}`, limit: 5 })
 *   if (r.kind === 'ok') … // the flow is completed now
 */
import type { CodeDeps } from '../flow/codes.ts';
import { CODE_PATTERN, consumeCode } from '../flow/codes.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { valid, type Flow } from '../flow/flow.ts';
import { flowStore } from '../flow/store.ts';
import { hitCounters } from '../messaging/rate-limit.ts';

export type CountedCodeCheck =
  | { kind: 'ok' }
  /** Nothing typed, or not 6 digits: not counted. */
  | { kind: 'empty' | 'format' }
  | { kind: 'wrong'; remaining: number }
  /** This entry reached the limit (or came after it): the flow failed. */
  | { kind: 'too_many' }
  /** The flow ended meanwhile (completed by a twin entry, expired, failed). */
  | { kind: 'closed' };

/** The counter's window: longer than any code flow lives, so a flow meets a window's end at most once. */
const WINDOW_MS = 24 * 3_600_000;

export async function checkCountedCode(
  deps: CodeDeps,
  flow: Pick<Flow, 'id' | 'kind' | 'state' | 'expiresAt'>,
  typed: unknown,
  o: { counter: string; limit: number },
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
  return (await store.move(flow, 'completed')) ? { kind: 'ok' } : { kind: 'closed' };
}
