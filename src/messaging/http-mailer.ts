/**
 * `MAILER=http`: a generic transactional-mail JSON API (the shape of Resend, Postmark, SendGrid-like
 * services). One POST to `MAIL_HTTP_URL` with the auth header of your choice and a body built from
 * `MAIL_HTTP_BODY_TEMPLATE` ({{from}}, {{to}}, {{subject}}, {{text}}); a 2xx answer whose JSON holds
 * a message ID at `MAIL_HTTP_MESSAGE_ID_PATH` is a success.
 *
 * @example
 *   MAILER=http MAIL_HTTP_URL=https://api.resend.com/emails MAIL_HTTP_AUTH_VALUE="Bearer re_…"
 *   MAIL_FROM="Mamori Card <no-reply@card.example.jp>"
 */
import type { Mailer } from './mailer.ts';
import { fillTemplate, noAnswerFailure, postToProvider, scrub, snippet, statusFailure, unreadableFailure, valueAt } from './provider-http.ts';

export interface HttpMailerOptions {
  url: string;
  authHeader: string;
  authValue?: string;
  from: string;
  bodyTemplate: string;
  messageIdPath: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function httpMailer(o: HttpMailerOptions): Mailer {
  return {
    name: 'http',
    async send(message, options) {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' };
      if (o.authValue) headers[o.authHeader.toLowerCase()] = o.authValue;
      const body = fillTemplate(o.bodyTemplate, { from: message.from ?? o.from, to: message.to, subject: message.subject, text: message.body });
      const answer = await postToProvider(o.fetch, { url: o.url, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === 'no-answer') return noAnswerFailure(answer);
      const hide = (text: string) => scrub(text, [message.body, message.to, o.authValue]);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const id = valueAt(answer.json, o.messageIdPath);
      return id ? { ok: true, providerMessageId: id } : unreadableFailure(answer.status, hide(answer.text));
    },
  };
}
