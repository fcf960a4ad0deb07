/**
 * The challenge page keeps its state in the form, not in a cookie (merchants frame it, and
 * browsers block third-party cookies): a small JSON object, base64url, with an HMAC under the
 * session secret so that nobody can point a form at another transaction or alter the echoed
 * threeDSSessionData.
 */
import { base64urlToBytes, bytesToBase64url, hmacHex, timingSafeEqual } from '../encoding.ts';
import type { Lang } from './messages.ts';

export interface ChallengeState {
  acsTransID: string;
  lang: Lang;
  /** Echoed byte for byte into the final CRes post; absent when the merchant sent none. */
  threeDSSessionData?: string;
}

export async function signState(key: CryptoKey, state: ChallengeState): Promise<string> {
  const body = bytesToBase64url(new TextEncoder().encode(JSON.stringify(state)));
  return `${body}.${await hmacHex(key, `challenge-state|${body}`)}`;
}

export async function verifyState(key: CryptoKey, token: unknown): Promise<ChallengeState | undefined> {
  if (typeof token !== 'string' || token.length > 4096) return undefined;
  const [body, mac] = token.split('.');
  if (!body || !mac || !timingSafeEqual(mac, await hmacHex(key, `challenge-state|${body}`))) return undefined;
  try {
    const state = JSON.parse(new TextDecoder().decode(base64urlToBytes(body)));
    if (typeof state?.acsTransID !== 'string' || (state.lang !== 'ja' && state.lang !== 'en')) return undefined;
    return state as ChallengeState;
  } catch {
    return undefined;
  }
}
