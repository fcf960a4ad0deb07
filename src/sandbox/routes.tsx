/**
 * The sandbox, mounted only while it is enabled (never in production): the test merchant, the DS
 * receiver, the SMS and mail outboxes, the demo cards with what each will do now (and a reset),
 * and a clock a developer can move forward. Times a person reads are in the issuer's time zone.
 */
import { desc, eq } from 'drizzle-orm';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { csrf } from 'hono/csrf';
import { DemoCardsPage, MailOutboxPage, SmsOutboxPage } from '../../views/sandbox/lists.tsx';
import { SandboxMerchantPage } from '../../views/sandbox/merchant.tsx';
import { mailOutbox, smsOutbox, transactions } from '../db/schema.ts';
import { localTime, type Clock } from '../clock.ts';
import type { AppEnv } from '../deps.ts';
import { issuerSettings, listIssuerSettings } from '../issuers/settings.ts';
import { demoCardNow, resetDemoCard } from './card-state.ts';
import { DEMO_CARDS, demoMemberOf } from './demo-issuer.ts';
import { exchangeOf } from './exchange.ts';
import { merchantRoutes } from './merchant.ts';
import { sandboxStaffRoutes } from '../admin/sandbox-routes.tsx';
import { sandboxAppRoutes } from './app-routes.tsx';
import { prefersJson } from '../http/machine-routes.ts';
import { validated } from '../http/validate.ts';

/** The issuer's time zone (IANA), which every time on these pages is shown in. */
async function timeZoneOf(c: Context<AppEnv>): Promise<string> {
  return (await issuerSettings(c.get('deps'), null)).timeZone;
}

export function sandboxRoutes(appRef: Parameters<typeof merchantRoutes>[0]) {
  const routes = new Hono<AppEnv>();

  routes.get('/sandbox', (c) => c.html(<SandboxMerchantPage cards={DEMO_CARDS} />));
  routes.route('/', merchantRoutes(appRef));
  routes.route('/', sandboxStaffRoutes());
  routes.route('/', sandboxAppRoutes(appRef));

  routes.get('/sandbox/sms', async (c) => {
    const rows = await c.get('deps').db.select().from(smsOutbox).orderBy(desc(smsOutbox.id)).limit(100);
    if (prefersJson(c)) {
      return c.json(
        rows.map((r) => ({
          id: r.id,
          recipient: r.recipient,
          body: r.body,
          otpCode: r.otpCode,
          acsTransID: r.acsTransID,
          sender: r.sender,
          createdAt: new Date(r.createdAt).toISOString(),
        })),
      );
    }
    return c.html(<SmsOutboxPage rows={rows} timeZone={await timeZoneOf(c)} />);
  });

  routes.get('/sandbox/mail', async (c) => {
    const rows = await c.get('deps').db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).limit(100);
    if (prefersJson(c)) {
      return c.json(rows.map((r) => ({ id: r.id, recipient: r.recipient, sender: r.sender, subject: r.subject, body: r.body, createdAt: new Date(r.createdAt).toISOString() })));
    }
    return c.html(<MailOutboxPage rows={rows} timeZone={await timeZoneOf(c)} />);
  });

  routes.get('/sandbox/cards', async (c) => {
    const deps = c.get('deps');
    const timeZone = await timeZoneOf(c);
    const now = await Promise.all(DEMO_CARDS.map((card) => demoCardNow(deps, card, timeZone)));
    if (prefersJson(c)) {
      const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
      return c.json(
        DEMO_CARDS.map((card, i) => {
          const member = demoMemberOf(card);
          const { issuer, sms, velocity, registration, proof, portalUrl, ...rest } = now[i];
          // The registration as it is now (the portal may have made it); the seeded password only while it is the seeded one.
          const seeded = rest.state === 'not_seeded' || !registration.changed;
          return {
            key: card.key,
            pan: card.pan,
            expiry: card.expiry,
            brand: card.brand,
            issuer: issuer.code,
            memberId: seeded ? (member?.loginId ?? null) : registration.memberId,
            ...(seeded && member?.password ? { password: member.password } : {}),
            purpose: card.purpose,
            outcome: card.outcome,
            // What a tester needs to register it in the member portal (a provisional registration is not registered yet).
            registered: registration.registered,
            memberStatus: registration.status,
            proof,
            portalUrl,
            now: { ...rest, sms: sms && { ...sms, resetsAt: iso(sms.resetsAt) }, velocity: { ...velocity, frictionlessAgainAt: iso(velocity.frictionlessAgainAt) } },
          };
        }),
      );
    }
    const resetKey = c.req.query('reset');
    const reset = DEMO_CARDS.find((card) => card.key === resetKey);
    const issuers = await listIssuerSettings(deps);
    return c.html(<DemoCardsPage cards={DEMO_CARDS} now={now} issuers={issuers} config={deps.config} timeZone={timeZone} at={localTime(deps.clock.now(), timeZone)} reset={reset} />);
  });

  /**
   * Puts one demo card back as seeded (card-state.ts): the cards page's "元に戻す / Reset" button,
   * a plain form post (no script needed), answered with the page again. Same-origin posts only.
   */
  routes.post('/sandbox/cards/:key/reset', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === c.get('deps').config.PUBLIC_URL }), async (c) => {
    const deps = c.get('deps');
    const card = DEMO_CARDS.find((d) => d.key === c.req.param('key'));
    if (!card) return c.json({ error: 'no such demo card', field: 'key' }, 404);
    const reset = await resetDemoCard(deps, card);
    if (prefersJson(c)) return c.json({ key: card.key, reset, now: await demoCardNow(deps, card, await timeZoneOf(c)) });
    return c.redirect(`/sandbox/cards?reset=${encodeURIComponent(card.key)}#card-${card.key}`, 303);
  });

  /** The exchange as the sandbox saw it, and whether an RReq is still to come. */
  routes.get('/sandbox/exchange/:id', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const txn = await deps.db.select({ transStatus: transactions.transStatus, state: transactions.state }).from(transactions).where(eq(transactions.threeDSServerTransID, id)).get();
    const expectRReq = txn?.transStatus === 'C';
    const timeZone = await timeZoneOf(c);
    return c.json({
      // Each message with the time a person reads, in the issuer's time zone.
      messages: (await exchangeOf(deps, id)).map((m) => ({ ...m, time: localTime(m.at, timeZone) })),
      timeZone,
      expectRReq,
      // A challenge whose RReq the ACS has not got an answer to yet (it may be retrying).
      rreqPending: expectRReq && txn?.state !== 'rreq_delivered',
      state: txn?.state ?? null,
    });
  });

  /**
   * Moves the appliance's clock forward (sandbox only), to watch timers fire without waiting:
   * `{"advanceSeconds": 601}` in, `{"advancedSeconds", "now", "offsetMs"}` out. Only a clock that
   * can be moved is: the sandbox's adjustable clock on Node and Deno, a test's fake clock; the
   * system clock (Workers) answers 409. Time only ever moves forward.
   */
  routes.post('/sandbox/clock', clockMovable, validated('json', ClockAdvance, clockAdvanceInvalid), async (c) => {
    const clock = movableClock(c);
    const seconds = c.req.valid('json').advanceSeconds;
    clock.advance!(seconds * 1000);
    c.get('deps').log.info('sandbox clock moved', { advancedSeconds: seconds });
    return c.json({ advancedSeconds: seconds, now: new Date(clock.now()).toISOString(), offsetMs: typeof clock.offset === 'function' ? clock.offset() : null });
  });

  return routes;
}

const movableClock = (c: Context<AppEnv>) => c.get('deps').clock as Clock & { advance?: (ms: number) => void; offset?: () => number };

/** Before the body is read: a clock that cannot be moved answers 409, a body that is not JSON 415. */
const clockMovable: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (typeof movableClock(c).advance !== 'function') return c.json({ error: 'this clock cannot be moved (the system clock runs here)' }, 409);
  if (!c.req.header('content-type')?.startsWith('application/json')) return c.json({ error: 'send JSON: {"advanceSeconds": 1–86400}' }, 415);
  await next();
};

/** How far to move the sandbox's clock: a whole number of seconds, up to a day. */
const ClockAdvance = z.object({ advanceSeconds: z.number().int().min(1).max(86_400) });

const clockAdvanceInvalid = (c: Context<AppEnv>) => c.json({ error: 'advanceSeconds must be a whole number of seconds, 1–86400', field: 'advanceSeconds' }, 400);
