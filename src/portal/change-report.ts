/**
 * The "this was not me" link of a change notice (messaging/notices.ts): /portal/report/:token,
 * where the token is a signed, expiring statement "member M's <change> changed at T". It needs no
 * storage and no sign-in (someone who did not make the change may not know the password any
 * more): the HMAC under the session key is the credential, and it only lets its holder file a
 * report about that one change.
 *
 * @example
 *   const url = await changeReportUrl(deps, member.id, 'password') // https://…/portal/report/eyJ….3f9a…
 *   const s = await readChangeReport(deps, token)                   // { memberId, change, at } | undefined
 */
import type { AppDeps } from '../deps.ts';
import { base64urlToBytes, bytesToBase64url, hmacHex, timingSafeEqual } from '../encoding.ts';
import type { ReportedChange } from './reports.ts';

/** How long a notice's link works: long enough for a mail read after a holiday. */
export const CHANGE_REPORT_TTL_MS = 14 * 24 * 60 * 60_000;
export const CHANGE_REPORT_PATH = '/portal/report';

const CHANGES: readonly ReportedChange[] = ['password', 'phone', 'email', 'personal_message'];

export interface ChangeStatement {
  memberId: number;
  change: ReportedChange;
  /** When the change was made (the clock's ms). */
  at: number;
}

type Deps = Pick<AppDeps, 'keys' | 'clock' | 'config'>;

const sign = (deps: Deps, payload: string) => hmacHex(deps.keys.session, `change-report|${payload}`);

/** The token for a change made now (or at `at`). */
export async function changeReportToken(deps: Deps, memberId: number, change: ReportedChange, at = deps.clock.now()): Promise<string> {
  const payload = bytesToBase64url(new TextEncoder().encode(JSON.stringify({ m: memberId, c: change, t: at })));
  return `${payload}.${await sign(deps, payload)}`;
}

/** The full link a notice mail carries. */
export async function changeReportUrl(deps: Deps, memberId: number, change: ReportedChange): Promise<string> {
  return `${deps.config.PUBLIC_URL.replace(/\/$/, '')}${CHANGE_REPORT_PATH}/${await changeReportToken(deps, memberId, change)}`;
}

/** What a token says, when it is ours, well-formed and not expired; undefined for anything else alike. */
export async function readChangeReport(deps: Deps, token: string): Promise<ChangeStatement | undefined> {
  const m = /^([A-Za-z0-9_-]{1,200})\.([0-9a-f]{64})$/.exec(token);
  if (!m || !timingSafeEqual(m[2], await sign(deps, m[1]))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(base64urlToBytes(m[1])));
  } catch {
    return undefined;
  }
  const { m: memberId, c: change, t: at } = (parsed ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(memberId) || !CHANGES.includes(change as ReportedChange) || !Number.isSafeInteger(at)) return undefined;
  const now = deps.clock.now();
  // A minute's grace for another process's clock running ahead.
  if ((at as number) > now + 60_000 || now - (at as number) >= CHANGE_REPORT_TTL_MS) return undefined;
  return { memberId: memberId as number, change: change as ReportedChange, at: at as number };
}
