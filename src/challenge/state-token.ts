/**
 * The challenge page keeps its state in the form, not in a cookie (merchants frame it, and
 * browsers block third-party cookies): a small JSON object, base64url, with an HMAC under the
 * session secret so that nobody can point a form at another transaction or alter the echoed
 * threeDSSessionData. It carries an expiry (`exp`, epoch ms on the business clock): a token is
 * good for one idle period after the page that carried it, as long as the flow it names.
 */
import { base64urlToBytes, bytesToBase64url, hmacHex, timingSafeEqual } from '../encoding.ts';
import type { Lang } from './messages.ts';

export interface ChallengeState {
  acsTransID: string;
  lang: Lang;
  /** The card's issuer, so that even a page shown while the database does not answer names it and its phone. */
  issuerId?: number;
  /** Echoed byte for byte into the final CRes post; absent when the merchant sent none. */
  threeDSSessionData?: string;
}

/** A verified token: its state, and whether its time ran out (an expired token may still show an ending). */
export type VerifiedState = ChallengeState & { expired: boolean };

export async function signState(key: CryptoKey, state: ChallengeState, expiresAt: number): Promise<string> {
  const body = bytesToBase64url(new TextEncoder().encode(JSON.stringify({ ...state, exp: expiresAt })));
  return `${body}.${await hmacHex(key, `challenge-state|${body}`)}`;
}

/** The token's state if its MAC is right (`expired` says whether `now` is past its expiry); undefined otherwise. */
export async function verifyState(key: CryptoKey, token: unknown, now: number): Promise<VerifiedState | undefined> {
  if (typeof token !== 'string' || token.length > 4096) return undefined;
  const [body, mac] = token.split('.');
  if (!body || !mac || !timingSafeEqual(mac, await hmacHex(key, `challenge-state|${body}`))) return undefined;
  try {
    const { exp, ...state } = JSON.parse(new TextDecoder().decode(base64urlToBytes(body)));
    if (typeof state?.acsTransID !== 'string' || (state.lang !== 'ja' && state.lang !== 'en') || typeof exp !== 'number') return undefined;
    if (state.issuerId !== undefined && !Number.isInteger(state.issuerId)) return undefined;
    return { ...(state as ChallengeState), expired: now >= exp };
  } catch {
    return undefined;
  }
}
