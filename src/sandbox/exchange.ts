/** The sandbox's record of each exchange it plays, shown on its page in order with timings. */
import { asc, eq } from 'drizzle-orm';
import { maskPan } from '../cards/pan.ts';
import { sandboxMessages } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { CHALLENGE_CANCEL, RESULTS_STATUS, TRANS_STATUS, TRANS_STATUS_REASON } from '../protocol/codes.ts';

export async function recordExchange(deps: Pick<AppDeps, 'db' | 'clock'>, threeDSServerTransID: string, step: string, messageType: string, body: unknown, ms?: number) {
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

export interface ExchangeMessage {
  step: string;
  messageType: string;
  /** The fields a reader looks for first (status, reason, ECI…), with the meaning of each code. */
  summary: string;
  body: unknown;
  ms: number | null;
  at: number;
}

export async function exchangeOf(deps: Pick<AppDeps, 'db'>, threeDSServerTransID: string): Promise<ExchangeMessage[]> {
  const rows = await deps.db.select().from(sandboxMessages).where(eq(sandboxMessages.threeDSServerTransID, threeDSServerTransID)).orderBy(asc(sandboxMessages.id));
  return rows.map((r) => {
    const body = parseOrText(r.body);
    return { step: r.step, messageType: r.messageType, summary: summarize(r.messageType, body), body, ms: r.ms, at: r.createdAt };
  });
}

/**
 * One line per message: what a developer would otherwise open the JSON for.
 * @example summarize('ARes', { transStatus: 'N', transStatusReason: '19' }) // "transStatus N (Not authenticated…) · reason 19 (Exceeds ACS maximum challenges)"
 */
export function summarize(messageType: string, body: unknown): string {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body.slice(0, 80) : '';
  const m = body as Record<string, unknown>;
  const parts: string[] = [];
  const add = (label: string, value: unknown, meanings?: Record<string, string>) => {
    if (value === undefined || value === null || value === '') return;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    const meaning = meanings?.[text];
    parts.push(meaning ? `${label} ${text} (${meaning})` : `${label} ${text}`);
  };
  switch (messageType) {
    case 'AReq':
      add('v', m.messageVersion);
      add('card', m.acctNumber);
      add('amount', m.purchaseAmount !== undefined ? `${m.purchaseAmount} (currency ${m.purchaseCurrency}, exponent ${m.purchaseExponent})` : undefined);
      add('challengeInd', m.threeDSRequestorChallengeInd);
      break;
    case 'ARes':
    case 'RReq':
    case 'CRes':
      add('transStatus', m.transStatus, TRANS_STATUS);
      add('reason', m.transStatusReason, TRANS_STATUS_REASON);
      add('ECI', m.eci);
      add('challengeCancel', m.challengeCancel, CHALLENGE_CANCEL);
      add('acsChallengeMandated', m.acsChallengeMandated);
      add('challengeCompletionInd', m.challengeCompletionInd);
      break;
    case 'CReq':
      add('challengeWindowSize', m.challengeWindowSize);
      break;
    case 'RRes':
      add('resultsStatus', m.resultsStatus, RESULTS_STATUS);
      break;
    case 'Erro':
      add('errorCode', m.errorCode);
      add('about', m.errorMessageType);
      add('detail', m.errorDetail);
      break;
    default:
      add('error', m.error);
  }
  return parts.join(' · ');
}

function parseOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
