/**
 * The one interface every mail provider adapter implements (portal recovery mails). Chosen by
 * `MAILER` (see adapters.ts): `outbox` (development) or `http` (a generic transactional-mail API).
 * Like the SMS adapters, it answers failures instead of throwing.
 */
import type { SendOptions } from './sms-gateway.ts';

export interface MailMessage {
  to: string;
  /** The From it goes out under: the issuer's mail sender. Absent: the adapter's own (MAIL_FROM). */
  from?: string;
  subject: string;
  body: string;
}

export type MailResult = { ok: true; providerMessageId: string } | { ok: false; error: string; transient: boolean };

export interface Mailer {
  readonly name: string;
  send(message: MailMessage, options?: SendOptions): Promise<MailResult>;
}
