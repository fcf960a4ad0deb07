/**
 * The one interface every SMS provider adapter implements. The adapter is chosen by
 * `SMS_GATEWAY` (see adapters.ts): `outbox` (development), `http` (a generic JSON gateway),
 * `twilio`, `vonage`. Every real adapter speaks HTTPS through the injected `fetch`, so the same
 * code runs on Node, Workers and Deno.
 *
 * An adapter never throws for a provider problem: it answers `{ ok: false, error, transient }`,
 * with `transient` true for what is worth retrying (timeouts, connection failures, 5xx, 429).
 * `error` never contains the message text, the code or a credential.
 */
export interface SmsMessage {
  /** E.164, e.g. +819012345678. */
  to: string;
  /**
   * The sender ID it goes out under: the card's issuer's (several issuers share one gateway
   * account). Absent: the adapter's own (SMS_SENDER_ID, or the provider's default).
   */
  from?: string;
  body: string;
  /** Bound transaction, for the outbound log and the sandbox outbox. */
  acsTransID?: string;
  /** The issuer it is sent for, when there is no transaction to say (stats: src/insight/stats.ts). */
  issuerId?: number;
  /** What it is for when not a transaction's code ('notice', 'helpdesk_test', …), and whose registration: the outbound log. */
  purpose?: string;
  memberId?: number;
  /** Only the outbox adapter keeps it, so the sandbox can show it; real adapters ignore it. */
  otpCode?: string;
}

export type SmsResult =
  | { ok: true; providerMessageId: string }
  | { ok: false; error: string; /** worth retrying: timeouts, 5xx, throttling */ transient: boolean };

export interface SendOptions {
  /** Aborts the request (the caller's time budget); the adapter's own timeout applies as well. */
  signal?: AbortSignal;
}

export interface SmsGateway {
  readonly name: string;
  send(message: SmsMessage, options?: SendOptions): Promise<SmsResult>;
}
