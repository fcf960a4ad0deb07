/**
 * The development adapters: messages are "delivered" into database tables that the
 * sandbox shows (`GET /sandbox/sms`). Nothing leaves the machine.
 */
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { mailOutbox, smsOutbox } from '../db/schema.ts';
import type { Mailer } from './mailer.ts';
import type { SmsGateway } from './sms-gateway.ts';

export function outboxSmsGateway(db: Database, clock: Clock): SmsGateway {
  return {
    name: 'outbox',
    async send(message) {
      const [row] = await db
        .insert(smsOutbox)
        .values({
          recipient: message.to,
          body: message.body,
          otpCode: message.otpCode ?? null,
          acsTransID: message.acsTransID ?? null,
          sender: message.from ?? null,
          createdAt: clock.now(),
        })
        .returning({ id: smsOutbox.id });
      return { ok: true, providerMessageId: `outbox-${row.id}` };
    },
  };
}

export function outboxMailer(db: Database, clock: Clock): Mailer {
  return {
    name: 'outbox',
    async send(message) {
      const [row] = await db
        .insert(mailOutbox)
        .values({ recipient: message.to, sender: message.from ?? null, subject: message.subject, body: message.body, createdAt: clock.now() })
        .returning({ id: mailOutbox.id });
      return { ok: true, providerMessageId: `outbox-${row.id}` };
    },
  };
}
