/**
 * Everything the transaction page shows of one transaction, read in one place: its messages in
 * order (the AReq and ARes kept on the row, then every CReq, CRes, RReq, RRes and Erro of
 * transaction_messages), the decision and its reasons, the challenge's steps
 * (transaction_events), every SMS attempt and every RReq delivery attempt (outbound_log), and
 * the RReq delivery job (timers). PANs are stored masked; this module masks again any full card
 * number a message might carry, so the page can never show one.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Transaction } from '../acs/transactions.ts';
import { maskPan } from '../cards/pan.ts';
import type { Database } from '../db/client.ts';
import { outboundLog, timers, transactionEvents, transactionMessages, transactions } from '../db/schema.ts';

export interface TrailMessage {
  messageType: string;
  direction: 'in' | 'out';
  at: number;
  /** Since the message before it (ms); undefined for the first. */
  sinceMs?: number;
  /** Pretty-printed JSON (or the text as received when it was not JSON). */
  body: string;
}

export interface TrailEvent {
  kind: string;
  at: number;
  detail: Record<string, unknown>;
}

export interface OutboundAttempt {
  at: number;
  /** Masked phone (SMS), or the DS URL (RReq). */
  recipient: string;
  provider: string;
  status: 'sent' | 'failed';
  detail: string | null;
}

export interface TransactionView {
  txn: Transaction;
  messages: TrailMessage[];
  riskReasons: unknown[];
  events: TrailEvent[];
  sms: OutboundAttempt[];
  rreq: OutboundAttempt[];
  rreqJob?: { attempts: number; dueAt: number; doneAt: number | null; lastError: string | null };
}

export async function findTransactionView(db: Database, acsTransID: string): Promise<TransactionView | undefined> {
  const [txn] = await db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)).limit(1);
  if (!txn) return undefined;
  const [stored, events, outbound, jobs] = await Promise.all([
    db.select().from(transactionMessages).where(eq(transactionMessages.acsTransID, acsTransID)).orderBy(asc(transactionMessages.id)),
    db.select().from(transactionEvents).where(eq(transactionEvents.acsTransID, acsTransID)).orderBy(asc(transactionEvents.id)),
    db.select().from(outboundLog).where(eq(outboundLog.acsTransID, acsTransID)).orderBy(asc(outboundLog.id)),
    db.select().from(timers).where(and(eq(timers.kind, 'rreq_delivery'), eq(timers.subject, acsTransID))).limit(1),
  ]);
  const raw = [
    { messageType: 'AReq', direction: 'in' as const, at: txn.createdAt, body: txn.areq },
    { messageType: messageTypeOf(txn.ares, 'ARes'), direction: 'out' as const, at: txn.createdAt, body: txn.ares },
    ...stored.map((m) => ({ messageType: m.messageType, direction: m.direction, at: m.createdAt, body: m.body })),
  ];
  const messages = raw.map((m, i) => ({ ...m, body: pretty(m.body), sinceMs: i === 0 ? undefined : m.at - raw[i - 1].at }));
  const attempt = (o: (typeof outbound)[number]): OutboundAttempt => ({ at: o.createdAt, recipient: o.recipient, provider: o.provider, status: o.status, detail: o.detail });
  const job = jobs[0];
  return {
    txn,
    messages,
    riskReasons: parseList(txn.riskReasons),
    events: events.map((e) => ({ kind: e.kind, at: e.at, detail: parseObject(e.detail) })),
    sms: outbound.filter((o) => o.channel === 'sms').map(attempt),
    rreq: outbound.filter((o) => o.channel === 'rreq').map(attempt),
    rreqJob: job && { attempts: job.attempts, dueAt: job.dueAt, doneAt: job.doneAt, lastError: job.lastError },
  };
}

/** The stored answer to an AReq is an ARes, or an Erro when the AReq was refused. */
function messageTypeOf(body: string, fallback: string): string {
  try {
    const type = (JSON.parse(body) as { messageType?: unknown }).messageType;
    return typeof type === 'string' ? type : fallback;
  } catch {
    return fallback;
  }
}

/** JSON indented for reading, with any card number masked; text that is not JSON as it was. */
export function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), maskCardNumbers, 2);
  } catch {
    return body;
  }
}

/** acctNumber (and any field named like a PAN) shows at most first 6 and last 4, whatever was stored. */
function maskCardNumbers(key: string, value: unknown): unknown {
  if (typeof value === 'string' && /^(acctNumber|pan|cardNumber)$/i.test(key) && /^\d{12,19}$/.test(value)) return maskPan(value);
  return value;
}

function parseList(text: string | null): unknown[] {
  if (!text) return [];
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value : [value];
  } catch {
    return [text];
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
