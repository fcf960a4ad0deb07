/**
 * Idempotency-Key on every write: the first request with a key claims it (one conditional INSERT,
 * so of two concurrent duplicates only one runs), runs, and leaves its answer under the key; a
 * retry with the same key and the same request gets that answer again (`Idempotent-Replayed:
 * true`), the same key with another request is refused (`idempotency_key_reused`), and a retry
 * while the first is still running is told so (`idempotency_in_progress`, try again). A claim whose
 * process died is taken over after a lease; answers are kept for a day.
 */
import { and, eq, lt } from 'drizzle-orm';
import { apiIdempotency } from '../db/schema.ts';
import { hmacHex } from '../encoding.ts';
import type { ApiContext } from './auth.ts';
import { apiError } from './errors.ts';

/** A claim not answered within this long is taken to be dead (a request's own deadline is far shorter). */
const LEASE_MS = 60_000;
const KEEP_MS = 24 * 60 * 60 * 1000;
/** The status of a claim whose answer is not written yet. */
const RUNNING = 0;

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Runs `operation` once per Idempotency-Key of this API key. `request` is what identifies the
 * request besides method and path (the validated body).
 */
export async function once(c: ApiContext, request: unknown, operation: () => Promise<Answer>): Promise<Response> {
  const { db, clock, keys } = c.get('deps');
  const apiKeyId = c.get('apiKey').id;
  const key = c.req.header('idempotency-key')!;
  // Keyed like a PAN look-up: the request holds card numbers, and a plain hash of one can be brute-forced.
  const digest = await hmacHex(keys.panLookup, `${c.req.method} ${c.req.path}\n${canonicalJson(request)}`);
  const now = clock.now();
  await db.delete(apiIdempotency).where(lt(apiIdempotency.createdAt, now - KEEP_MS));

  const claimed = await db
    .insert(apiIdempotency)
    .values({ apiKeyId, key, requestDigest: digest, status: RUNNING, body: '', createdAt: now })
    .onConflictDoNothing()
    .returning({ key: apiIdempotency.key });
  if (claimed.length === 0) {
    const held = await db.select().from(apiIdempotency).where(and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key))).get();
    if (held && held.requestDigest !== digest) {
      return apiError(c, 422, 'idempotency_key_reused', 'this Idempotency-Key was used for another request', 'Idempotency-Key');
    }
    if (held && held.status !== RUNNING) {
      c.header('Idempotent-Replayed', 'true');
      return c.body(held.body, held.status as 200, { 'content-type': 'application/json; charset=UTF-8' });
    }
    // Still running elsewhere, unless its claim outlived the lease (that process is gone): take it over.
    const takenOver =
      held &&
      (await db
        .update(apiIdempotency)
        .set({ createdAt: now })
        .where(and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key), eq(apiIdempotency.status, RUNNING), eq(apiIdempotency.createdAt, held.createdAt), lt(apiIdempotency.createdAt, now - LEASE_MS)))
        .returning({ key: apiIdempotency.key }));
    if (!takenOver || takenOver.length === 0) {
      c.header('Retry-After', '1');
      return apiError(c, 409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still being answered; retry shortly', 'Idempotency-Key');
    }
  }

  const where = and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key), eq(apiIdempotency.status, RUNNING));
  let answer: Answer;
  try {
    answer = await operation();
  } catch (error) {
    // Nothing to replay: the key is free for a retry.
    await db.delete(apiIdempotency).where(where).catch(() => undefined);
    throw error;
  }
  const body = JSON.stringify(answer.body);
  await db.update(apiIdempotency).set({ status: answer.status, body }).where(where);
  return c.body(body, answer.status as 200, { 'content-type': 'application/json; charset=UTF-8' });
}

/** JSON with keys sorted, so the same request written in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
