/**
 * `SMS_GATEWAY=vonage`: the Vonage (formerly Nexmo) SMS API.
 *
 *   POST {VONAGE_API_URL}/sms/json
 *   Authorization: Basic base64(api_key:api_secret)
 *   Content-Type: application/x-www-form-urlencoded
 *   from={SMS_SENDER_ID}&to=819012345678&text=…&type=unicode
 *
 * `to` is E.164 without the leading +; `type=unicode` whenever the text is not plain GSM-safe ASCII
 * (always for Japanese). The API answers HTTP 200 with `{ "message-count", "messages": [{ status,
 * "message-id", "error-text" }] }`, one entry per part: status "0" for every part is a success.
 * Status 1 (throttled), 5 (internal error) and 10 (too many binds) are transient; others are not.
 */
import { basicAuth, isObject, noAnswerFailure, postToProvider, scrub, snippet, statusFailure, unreadableFailure } from './provider-http.ts';
import type { SmsGateway } from './sms-gateway.ts';

export interface VonageOptions {
  apiKey: string;
  apiSecret: string;
  from: string;
  apiUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

const TRANSIENT_STATUS = new Set(['1', '5', '10']);

/** Printable ASCII and newlines, without the backtick (not in GSM 03.38): safe as type=text. */
const GSM_SAFE = /^[\n\x20-\x5F\x61-\x7E]*$/;

export function vonageSmsGateway(o: VonageOptions): SmsGateway {
  const url = `${o.apiUrl.replace(/\/+$/, '')}/sms/json`;
  const authorization = basicAuth(o.apiKey, o.apiSecret);
  return {
    name: 'vonage',
    async send(message, options) {
      const form = new URLSearchParams({
        from: message.from ?? o.from,
        to: message.to.replace(/^\+/, ''),
        text: message.body,
        type: GSM_SAFE.test(message.body) ? 'text' : 'unicode',
      });
      const headers = { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const answer = await postToProvider(o.fetch, { url, headers, body: form.toString(), timeoutMs: o.timeoutMs, signal: options?.signal });
      if (answer.kind === 'no-answer') return noAnswerFailure(answer);
      const hide = (text: string) => scrub(text, [message.otpCode, message.body, o.apiSecret], message.to);
      if (answer.status < 200 || answer.status > 299) return statusFailure(answer.status, hide(snippet(answer.text)));
      const parts = isObject(answer.json) && Array.isArray(answer.json.messages) ? answer.json.messages.filter(isObject) : [];
      if (parts.length === 0 || parts.some((p) => typeof p.status !== 'string')) return unreadableFailure(answer.status, hide(answer.text));
      const failed = parts.find((p) => p.status !== '0');
      if (failed) {
        const status = failed.status as string;
        return { ok: false, error: hide(`Vonage status ${status}: ${String(failed['error-text'] ?? '')}`.trim()), transient: TRANSIENT_STATUS.has(status) };
      }
      const ids = parts.map((p) => p['message-id']).filter((id): id is string => typeof id === 'string' && id.length > 0);
      return ids.length === parts.length ? { ok: true, providerMessageId: ids.join(',') } : unreadableFailure(answer.status, hide(answer.text));
    },
  };
}
