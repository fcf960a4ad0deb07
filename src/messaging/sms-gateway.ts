/**
 * The one interface every SMS provider adapter implements.
 * The outbox adapter (development) lives beside it; real providers plug in by configuration.
 */
export interface SmsMessage {
  /** E.164, e.g. +819012345678. */
  to: string;
  body: string;
  /** Bound transaction, for the outbound log and the sandbox outbox. */
  acsTransID?: string;
  /** Only the outbox adapter keeps it, so the sandbox can show it; real adapters ignore it. */
  otpCode?: string;
}

export type SmsResult =
  | { ok: true; providerMessageId: string }
  | { ok: false; error: string; /** worth retrying: timeouts, 5xx, throttling */ transient: boolean };

export interface SmsGateway {
  readonly name: string;
  send(message: SmsMessage): Promise<SmsResult>;
}
