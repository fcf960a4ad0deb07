/**
 * Notices to a cardholder that something about their 3-D Secure registration changed (the OTP
 * phone, the password, the e-mail address, the personal message, or the registration removed), so
 * that a change they did not ask for is noticed: by SMS to the number that was in use (the old
 * one, for a phone change) and by mail where an address is known, each naming the issuer's
 * helpdesk number to call, and the mail a "not me" link when the caller gives one
 * (portal/change-report.ts).
 *
 * A notice goes through the same delivery policy as a code (never a provisional number, only
 * allowed countries), the circuit breaker and the provider retries; it is not counted against the
 * per-phone code windows (staff send it, not the caller). Nothing here throws for a provider
 * problem: the result says what reached whom, for the audit row.
 */
import { outboundLog, type PhoneStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { acquireSend } from './breaker.ts';
import { deliverSms, recordRefusal } from './deliver.ts';
import { maskPhone } from './phone-mask.ts';
import { checkDestination } from './policy.ts';
// One masking of mail addresses for the whole appliance (the password reset's).
import { maskMail } from '../portal/password-reset.ts';

export type NoticeKind = 'phone_changed' | 'deregistered' | 'password_changed' | 'email_changed' | 'personal_message_changed';

export type NoticeDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'log' | 'sms' | 'mailer'>;

export interface NoticeRequest {
  kind: NoticeKind;
  issuer: Pick<IssuerSettings, 'id' | 'sms' | 'helpdesk' | 'mailFrom' | 'name'>;
  memberId: number;
  cardholderId: number;
  /** The number the notice goes to (the old one for a phone change), as it was. */
  phone?: { number: string | null; status: PhoneStatus };
  /** The registration's or cardholder's mail address, when one is known. */
  mail?: string | null;
  /** The "this was not me" link the mail carries (portal/change-report.ts changeReportUrl). */
  reportUrl?: string;
}

/** What reached the cardholder: each channel sent, failed, refused by the policy, or not tried (no number / address). */
export interface NoticeResult {
  sms: 'sent' | 'failed' | 'refused' | 'none';
  mail: 'sent' | 'failed' | 'none';
}

export async function notifyCardholder(deps: NoticeDeps, request: NoticeRequest): Promise<NoticeResult> {
  const result: NoticeResult = { sms: 'none', mail: 'none' };
  const { issuer } = request;
  const phone = request.phone?.number;
  if (phone) {
    const destination = await checkDestination(deps, { phone, phoneStatus: request.phone!.status, cardholderId: request.cardholderId });
    const logged = { to: phone, issuerId: issuer.id, purpose: 'notice', memberId: request.memberId };
    const permit = destination.ok ? await acquireSend(deps) : { ok: false as const };
    if (!destination.ok) {
      await recordRefusal(deps, logged, destination.refusal, `notice: ${destination.detail}`);
      result.sms = 'refused';
    } else if (!permit.ok) {
      await recordRefusal(deps, logged, 'unavailable', 'notice: circuit breaker open');
      result.sms = 'failed';
    } else {
      const body = smsText(request.kind, issuer);
      const delivery = await deliverSms(deps, { ...logged, from: issuer.sms.senderId ?? undefined, body }, { probe: permit.probe });
      result.sms = delivery.kind === 'sent' ? 'sent' : 'failed';
    }
  }
  const mail = request.mail;
  if (mail) {
    const text = mailText(request.kind, issuer, request.reportUrl);
    const sent = await deps.mailer
      .send({ to: mail, from: issuer.mailFrom ?? undefined, subject: text.subject, body: text.body })
      .catch((error: unknown) => ({ ok: false as const, error: String(error), transient: true }));
    result.mail = sent.ok ? 'sent' : 'failed';
    await deps.db.insert(outboundLog).values({
      channel: 'mail',
      purpose: 'notice',
      memberId: request.memberId,
      recipient: maskMail(mail),
      provider: deps.mailer.name,
      status: sent.ok ? 'sent' : 'failed',
      detail: (sent.ok ? `${request.kind}: ${sent.providerMessageId}` : `${request.kind}: ${sent.error}`).slice(0, 500),
      createdAt: deps.clock.now(),
    });
  }
  deps.log.info('cardholder notice', { kind: request.kind, memberId: request.memberId, to: phone ? maskPhone(phone) : undefined, ...result });
  return result;
}

/** What changed, in each language (the subject and the first line of a notice). */
const CHANGED: Record<NoticeKind, { ja: string; en: string }> = {
  phone_changed: { ja: '3Dセキュア（本人認証）の認証用電話番号が変更されました', en: 'Your 3-D Secure phone number was changed' },
  deregistered: { ja: '3Dセキュア（本人認証）のご登録が解除されました', en: 'Your 3-D Secure registration was removed' },
  password_changed: { ja: '3Dセキュア（本人認証）のパスワードが変更されました', en: 'Your 3-D Secure password was changed' },
  email_changed: { ja: '3Dセキュア（本人認証）のご登録メールアドレスが変更されました', en: 'The e-mail address of your 3-D Secure registration was changed' },
  personal_message_changed: { ja: '3Dセキュア（本人認証）のパーソナルメッセージが変更されました', en: 'Your 3-D Secure personal message was changed' },
};

/** Japanese only: an SMS in two languages would run to several segments, and the cardholders are the issuer's. */
export function smsText(kind: NoticeKind, issuer: NoticeRequest['issuer']): string {
  return `【${issuer.sms.name.ja}】${CHANGED[kind].ja}。お心当たりのない場合は ${issuer.helpdesk.phone} までお電話ください。`;
}

export function mailText(kind: NoticeKind, issuer: NoticeRequest['issuer'], reportUrl?: string): { subject: string; body: string } {
  const { ja, en } = CHANGED[kind];
  const hours = issuer.helpdesk.hours;
  return {
    subject: `【${issuer.name.ja}】${ja} / ${en}`,
    body: [
      `${issuer.name.ja}をご利用いただきありがとうございます。`,
      `${ja}。`,
      ...(reportUrl ? [`心当たりがない場合はこちらからお知らせください: ${reportUrl}`] : []),
      `お心当たりのない場合は、${issuer.helpdesk.phone}${hours.ja ? `（${hours.ja}）` : ''} までお電話ください。`,
      '',
      `${en} (${issuer.name.en}).`,
      ...(reportUrl ? [`Not you? Tell us: ${reportUrl}`] : []),
      `If this was not you, call ${issuer.helpdesk.phone}${hours.en ? ` (${hours.en})` : ''}.`,
    ].join('\n'),
  };
}
