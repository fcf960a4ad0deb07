/**
 * `SMS_GATEWAY=twilio`: Twilio's Programmable Messaging REST API (Message resource, create).
 *
 *   POST {TWILIO_API_URL}/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json
 *   Authorization: Basic base64(AccountSid:AuthToken)
 *   Content-Type: application/x-www-form-urlencoded
 *   To=+819012345678&From={SMS_SENDER_ID}&Body=…
 *
 * 201 Created with the Message resource as JSON (`sid`: SM…) is a success. Errors come as JSON
 * `{ code, message, more_info, status }`; 429 (20429, too many requests) and 5xx are transient.
 */
import { basicAuth, isObject, noAnswerFailure, postToProvider, scrub, snippet, statusFailure, unreadableFailure } from './provider-http.ts';
import type { SmsGateway } from './sms-gateway.ts';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A Twilio number in E.164, an alphanumeric sender ID, or a short code. */
  from: string;
  apiUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function twilioSmsGateway(o: TwilioOptions): SmsGateway {
  const url = `${o.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
  const authorization = basicAuth(o.accountSid, o.authToken);
  return {
    name: 'twilio',
    async send(message, options) {
      const body = new URLSearchParams({ To: message.to, From: message.from ?? o.from, Body: message.body }).toString();
      const headers = { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const answer = await postToProvider(o.fetch, { url, headers, body, timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === 'no-answer') return noAnswerFailure(answer);
      const hide = (text: string) => scrub(text, [message.otpCode, message.body, o.authToken], message.to);
      const json = isObject(answer.json) ? answer.json : undefined;
      if (answer.status < 200 || answer.status > 299) {
        const detail = json && (json.code !== undefined || json.message !== undefined) ? `Twilio ${json.code ?? '?'} ${json.message ?? ''}`.trim() : snippet(answer.text);
        return statusFailure(answer.status, hide(detail));
      }
      const sid = json?.sid;
      return typeof sid === 'string' && sid ? { ok: true, providerMessageId: sid } : unreadableFailure(answer.status, hide(answer.text));
    },
  };
}
