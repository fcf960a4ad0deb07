/**
 * The sandbox, mounted only while it is enabled (never in production): the test merchant, the DS
 * receiver, the SMS outbox, the demo cards, and a clock a developer can move forward.
 */
import { desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { DemoCardsPage, SmsOutboxPage } from '../../views/sandbox/lists.tsx';
import { SandboxMerchantPage } from '../../views/sandbox/merchant.tsx';
import { smsOutbox, transactions } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { AppEnv } from '../deps.ts';
import { DEMO_CARDS, demoMemberOf } from './demo-issuer.ts';
import { exchangeOf } from './exchange.ts';
import { merchantRoutes } from './merchant.ts';

const wantsJson = (accept: string | undefined) => !!accept && accept.includes('application/json') && !accept.includes('text/html');

export function sandboxRoutes(appRef: Parameters<typeof merchantRoutes>[0]) {
  const routes = new Hono<AppEnv>();

  routes.get('/sandbox', (c) => c.html(<SandboxMerchantPage cards={DEMO_CARDS} />));
  routes.route('/', merchantRoutes(appRef));

  routes.get('/sandbox/sms', async (c) => {
    const rows = await c.get('deps').db.select().from(smsOutbox).orderBy(desc(smsOutbox.id)).limit(100);
    if (wantsJson(c.req.header('accept'))) {
      return c.json(
        rows.map((r) => ({
          id: r.id,
          recipient: r.recipient,
          body: r.body,
          otpCode: r.otpCode,
          acsTransID: r.acsTransID,
          createdAt: new Date(r.createdAt).toISOString(),
        })),
      );
    }
    return c.html(<SmsOutboxPage rows={rows} />);
  });

  routes.get('/sandbox/cards', (c) => {
    if (wantsJson(c.req.header('accept'))) {
      return c.json(
        DEMO_CARDS.map((card) => {
          const member = demoMemberOf(card);
          return {
            key: card.key,
            pan: card.pan,
            expiry: card.expiry,
            brand: card.brand,
            memberId: member?.loginId ?? null,
            ...(member?.password ? { password: member.password } : {}),
            purpose: card.purpose,
            outcome: card.outcome,
          };
        }),
      );
    }
    return c.html(<DemoCardsPage cards={DEMO_CARDS} />);
  });

  /** The exchange as the sandbox saw it, and whether an RReq is still to come. */
  routes.get('/sandbox/exchange/:id', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const txn = await deps.db.select({ transStatus: transactions.transStatus, state: transactions.state }).from(transactions).where(eq(transactions.threeDSServerTransID, id)).get();
    const expectRReq = txn?.transStatus === 'C';
    return c.json({
      messages: await exchangeOf(deps, id),
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
  routes.post('/sandbox/clock', async (c) => {
    const clock = c.get('deps').clock as Clock & { advance?: (ms: number) => void; offset?: () => number };
    if (typeof clock.advance !== 'function') return c.json({ error: 'this clock cannot be moved (the system clock runs here)' }, 409);
    if (!c.req.header('content-type')?.startsWith('application/json')) return c.json({ error: 'send JSON: {"advanceSeconds": 1–86400}' }, 415);
    const body = (await c.req.json().catch(() => ({}))) as { advanceSeconds?: unknown };
    const seconds = body?.advanceSeconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
      return c.json({ error: 'advanceSeconds must be a whole number of seconds, 1–86400', field: 'advanceSeconds' }, 400);
    }
    clock.advance(seconds * 1000);
    c.get('deps').log.info('sandbox clock moved', { advancedSeconds: seconds });
    return c.json({ advancedSeconds: seconds, now: new Date(clock.now()).toISOString(), offsetMs: typeof clock.offset === 'function' ? clock.offset() : null });
  });

  return routes;
}
