/**
 * Chooses the SMS gateway and the mailer by configuration (`SMS_GATEWAY`, `MAILER`). The config
 * has already refused a choice whose settings are missing, so every `!` below is guaranteed.
 * SMS_SENDER_ID and MAIL_FROM are the adapters' defaults: each message names its issuer's sender
 * (`from`) when that issuer has one.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { httpMailer } from './http-mailer.ts';
import { httpSmsGateway } from './http-sms.ts';
import type { Mailer } from './mailer.ts';
import { outboxMailer, outboxSmsGateway } from './outbox.ts';
import type { SmsGateway } from './sms-gateway.ts';
import { twilioSmsGateway } from './twilio.ts';
import { vonageSmsGateway } from './vonage.ts';

interface AdapterIo {
  db: Database;
  clock: Clock;
  fetch: typeof fetch;
}

export function smsGatewayFor(config: Config, io: AdapterIo): SmsGateway {
  const timeoutMs = config.SMS_TIMEOUT_MS;
  switch (config.SMS_GATEWAY) {
    case 'outbox':
      return outboxSmsGateway(io.db, io.clock);
    case 'http':
      return httpSmsGateway({
        url: config.SMS_HTTP_URL!,
        authHeader: config.SMS_HTTP_AUTH_HEADER,
        authValue: config.SMS_HTTP_AUTH_VALUE,
        senderId: config.SMS_SENDER_ID,
        bodyTemplate: config.SMS_HTTP_BODY_TEMPLATE,
        messageIdPath: config.SMS_HTTP_MESSAGE_ID_PATH,
        timeoutMs,
        fetch: io.fetch,
      });
    case 'twilio':
      return twilioSmsGateway({
        accountSid: config.TWILIO_ACCOUNT_SID!,
        authToken: config.TWILIO_AUTH_TOKEN!,
        from: config.SMS_SENDER_ID!,
        apiUrl: config.TWILIO_API_URL,
        timeoutMs,
        fetch: io.fetch,
      });
    case 'vonage':
      return vonageSmsGateway({
        apiKey: config.VONAGE_API_KEY!,
        apiSecret: config.VONAGE_API_SECRET!,
        from: config.SMS_SENDER_ID!,
        apiUrl: config.VONAGE_API_URL,
        timeoutMs,
        fetch: io.fetch,
      });
  }
}

export function mailerFor(config: Config, io: AdapterIo): Mailer {
  switch (config.MAILER) {
    case 'outbox':
      return outboxMailer(io.db, io.clock);
    case 'http':
      return httpMailer({
        url: config.MAIL_HTTP_URL!,
        authHeader: config.MAIL_HTTP_AUTH_HEADER,
        authValue: config.MAIL_HTTP_AUTH_VALUE,
        from: config.MAIL_FROM!,
        bodyTemplate: config.MAIL_HTTP_BODY_TEMPLATE,
        messageIdPath: config.MAIL_HTTP_MESSAGE_ID_PATH,
        timeoutMs: config.MAIL_TIMEOUT_MS,
        fetch: io.fetch,
      });
  }
}
