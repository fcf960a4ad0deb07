/**
 * One mail to a cardholder, recorded in the outbound log with the recipient masked and never the
 * body (a link or code in it is a credential). Used by every mail the portal and the helpdesk send.
 */
import { outboundLog } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { MailMessage } from './mailer.ts';

/** An address as logs and the audit show it: t***@example.jp. */
export function maskMail(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
}

/** Sends the mail and logs it; whether it went (a provider failure is logged, never thrown). */
export async function sendMail(deps: Pick<AppDeps, 'db' | 'clock' | 'log' | 'mailer'>, message: MailMessage, purpose: string, memberId: number | null): Promise<boolean> {
  const result = await deps.mailer.send(message).catch((error: unknown) => ({ ok: false as const, error: String(error), transient: true }));
  await deps.db.insert(outboundLog).values({
    channel: 'mail',
    purpose,
    memberId,
    recipient: maskMail(message.to),
    provider: deps.mailer.name,
    status: result.ok ? 'sent' : 'failed',
    detail: (result.ok ? result.providerMessageId : result.error).slice(0, 500),
    createdAt: deps.clock.now(),
  });
  if (!result.ok) deps.log.warn('mail failed', { purpose, memberId, to: maskMail(message.to), error: result.error });
  return result.ok;
}
