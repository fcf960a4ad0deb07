/**
 * `SMS_GATEWAY=http`: a generic JSON-over-HTTPS SMS gateway, the shape most Japanese SMS
 * aggregators offer. One POST to `SMS_HTTP_URL` with `Content-Type: application/json`, the auth
 * header of your choice, and a body built from `SMS_HTTP_BODY_TEMPLATE` ({{to}}, {{from}}, {{text}});
 * a 2xx answer whose JSON holds a message ID at `SMS_HTTP_MESSAGE_ID_PATH` is a success.
 *
 * @example
 *   SMS_GATEWAY=http SMS_HTTP_URL=https://sms.example.jp/v1/messages
 *   SMS_HTTP_AUTH_HEADER=X-Api-Key SMS_HTTP_AUTH_VALUE=… SMS_SENDER_ID=MAMORI
 *   SMS_HTTP_BODY_TEMPLATE='{"destination":"{{to}}","source":"{{from}}","body":"{{text}}"}'
 *   SMS_HTTP_MESSAGE_ID_PATH=result.id
 */
import { fillTemplate, noAnswerFailure, postToProvider, scrub, snippet, statusFailure, unreadableFailure, valueAt } from './provider-http.ts';
import type { SmsGateway } from './sms-gateway.ts';

export interface HttpSmsOptions {
  url: string;
  authHeader: string;
  authValue?: string;
  senderId?: string;
  bodyTemplate: string;
  messageIdPath: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function httpSmsGateway(o: HttpSmsOptions): SmsGateway {
  return {
    name: 'http',
    async send(message, options) {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' };
      if (o.authValue) headers[o.authHeader.toLowerCase()] = o.authValue;
      const body = fillTemplate(o.bodyTemplate, { to: message.to, from: message.from ?? o.senderId ?? '', text: message.body });
      const answer = await postToProvider(o.fetch, { url: o.url, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === 'no-answer') return noAnswerFailure(answer);
      const hide = (text: string) => scrub(text, [message.otpCode, message.body, o.authValue], message.to);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const id = valueAt(answer.json, o.messageIdPath);
      return id ? { ok: true, providerMessageId: id } : unreadableFailure(answer.status, hide(answer.text));
    },
  };
}
