/** The one interface every mail provider adapter implements (portal recovery mails). */
export interface MailMessage {
  to: string;
  subject: string;
  body: string;
}

export type MailResult = { ok: true; providerMessageId: string } | { ok: false; error: string; transient: boolean };

export interface Mailer {
  readonly name: string;
  send(message: MailMessage): Promise<MailResult>;
}
