/**
 * What every real messaging adapter shares: one POST through the injected `fetch` with a timeout
 * (and the caller's signal), a bounded read of the answer, and the mapping of HTTP statuses to
 * transient or permanent failures. Web-standard APIs only (fetch, AbortSignal, TextDecoder),
 * so it runs on Node, Workers and Deno alike.
 */
import { bytesToBase64 } from '../encoding.ts';

export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The caller's budget; aborting it ends the request like a timeout. */
  signal?: AbortSignal;
}

/** The provider answered (any status), or it did not (timeout, connection failure). */
export type ProviderAnswer =
  | { kind: 'answer'; status: number; text: string; json: unknown }
  | { kind: 'no-answer'; error: string };

export type Failure = { ok: false; error: string; transient: boolean };

/** The error of a send cut short by the caller's budget (SMS_SEND_BUDGET_MS). */
export const BUDGET_SPENT = 'timed out: the send budget was used up';

/** Enough for any provider's answer; more is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;

export async function postToProvider(fetchFn: typeof fetch, req: ProviderRequest): Promise<ProviderAnswer> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  try {
    // A provider API never redirects a POST; following one would send credentials elsewhere.
    const res = await fetchFn(req.url, { method: 'POST', headers: req.headers, body: req.body, signal, redirect: 'manual' });
    const text = await readBounded(res);
    return { kind: 'answer', status: res.status, text, json: parseJson(text) };
  } catch (error) {
    if (timeout.aborted) return { kind: 'no-answer', error: `timed out after ${req.timeoutMs} ms` };
    if (req.signal?.aborted) return { kind: 'no-answer', error: BUDGET_SPENT };
    return { kind: 'no-answer', error: `connection failed: ${describeError(error)}` };
  }
}

/** Timeouts, connection failures, 408, 425, 429 and 5xx are worth another try; other statuses are not. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A failure for a non-2xx answer, with the provider's own words where it gave some. */
export function statusFailure(status: number, detail: string | undefined): Failure {
  return { ok: false, error: `HTTP ${status}${detail ? `: ${detail}` : ''}`, transient: isTransientStatus(status) };
}

/** A 2xx answer we cannot read: the message may or may not have gone out, so it is not retried. */
export function unreadableFailure(status: number, text: string): Failure {
  return { ok: false, error: `unreadable answer (HTTP ${status}): ${snippet(text) || 'empty body'}`, transient: false };
}

export function noAnswerFailure(answer: { error: string }): Failure {
  return { ok: false, error: answer.error, transient: true };
}

/**
 * Fills a JSON body template: every `{{name}}` inside a string value (or key) is replaced by the
 * raw value, and the result is serialised again, so values never need escaping by hand.
 *
 * @example fillTemplate('{"to":"{{to}}","text":"{{text}}"}', { to: '+819012345678', text: 'a "b"' })
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const fill = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? values[name] : whole));
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return fill(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [fill(k), walk(v)]));
    return node;
  };
  return JSON.stringify(walk(JSON.parse(template)));
}

/** The string (or number) at a dotted path such as `id` or `messages.0.id`; undefined otherwise. */
export function valueAt(json: unknown, path: string): string | undefined {
  let node = json;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === 'string' && node.length > 0) return node;
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return undefined;
}

/** HTTP basic authentication, UTF-8 safe. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${user}:${password}`))}`;
}

/**
 * Removes what must never reach a log line or the outbound log from a provider's words: the code,
 * the message text, the credentials, and the recipient (masked to its last 4 digits).
 */
export function scrub(text: string, secrets: (string | undefined)[], recipient?: string): string {
  let out = text;
  const hidden = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of hidden) out = out.split(s).join('[redacted]');
  if (recipient) {
    const digits = recipient.replace(/^\+/, '');
    const masked = `****${digits.slice(-4)}`;
    for (const form of [recipient, digits]) if (form.length >= 6) out = out.split(form).join(masked);
  }
  return out;
}

/** The start of a provider's answer, on one line, for an error message. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const all = new Uint8Array(Math.min(size, MAX_ANSWER_BYTES));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - offset);
    all.set(part, offset);
    offset += part.length;
    if (offset >= all.length) break;
  }
  return new TextDecoder().decode(all);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Runtimes hide the reason (ECONNREFUSED…) of a failed fetch in `cause`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : undefined;
  return reason ? `${error.message} (${reason})` : error.message;
}
