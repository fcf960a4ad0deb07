/** The sandbox's record of each exchange it plays, shown on its page in order with timings. */
import { asc, eq } from 'drizzle-orm';
import { maskPan } from '../cards/pan.ts';
import { sandboxMessages } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

export async function recordExchange(deps: AppDeps, threeDSServerTransID: string, step: string, messageType: string, body: unknown, ms?: number) {
  const masked = typeof body === 'object' && body !== null && 'acctNumber' in body ? { ...body, acctNumber: maskPan(String((body as { acctNumber: unknown }).acctNumber)) } : body;
  await deps.db.insert(sandboxMessages).values({
    threeDSServerTransID,
    step,
    messageType,
    body: typeof masked === 'string' ? masked : JSON.stringify(masked),
    ms: ms ?? null,
    createdAt: deps.clock.now(),
  });
}

export async function exchangeOf(deps: AppDeps, threeDSServerTransID: string) {
  const rows = await deps.db.select().from(sandboxMessages).where(eq(sandboxMessages.threeDSServerTransID, threeDSServerTransID)).orderBy(asc(sandboxMessages.id));
  return rows.map((r) => ({ step: r.step, messageType: r.messageType, body: parseOrText(r.body), ms: r.ms, at: r.createdAt }));
}

function parseOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
