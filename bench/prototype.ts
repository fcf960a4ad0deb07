/**
 * The naive prototype the benchmark measures Mamori against (issue 17), in its own process:
 * what a first version of a frictionless-only ACS looks like. Hono on Node, zod validation of a
 * browser AReq, a keyed-hash card look-up, one libSQL insert per AReq (autocommit: durable
 * before the ARes leaves, like Mamori, but no group commit), no risk, no 3DS Method, no trail,
 * no logging. GET /healthz is bare Hono (no middleware, no database): the ceiling of Hono on
 * Node on this machine, the baseline for Mamori's /healthz.
 *
 *   PORT=… DATABASE_URL=file:… PAN_LOOKUP_KEY=<base64> CARDS=10000 node --import tsx bench/prototype.ts
 *
 * It enrols bench cards 0…CARDS-1 (bench/cards.ts) in its own table on start, so the AReqs the
 * benchmark sends to Mamori are frictionless here too.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { benchPan } from './cards.ts';

const env = process.env;
const key = Buffer.from(env.PAN_LOOKUP_KEY ?? '', 'base64');
if (key.length < 32 || !env.DATABASE_URL?.startsWith('file:')) throw new Error('PAN_LOOKUP_KEY (base64, 32 bytes) and DATABASE_URL=file:… are required');
const panHash = (pan: string) => createHmac('sha256', key).update(pan).digest('hex');

// The same pragma Mamori gives its embedded file (WAL, SQLite's default synchronous).
const db = createClient({ url: env.DATABASE_URL });
await db.execute('PRAGMA journal_mode = WAL');
await db.batch(
  [
    'CREATE TABLE IF NOT EXISTS cards (pan_hash TEXT PRIMARY KEY, brand TEXT NOT NULL, expiry TEXT NOT NULL, status TEXT NOT NULL)',
    `CREATE TABLE IF NOT EXISTS transactions (acs_trans_id TEXT PRIMARY KEY, three_ds_server_trans_id TEXT NOT NULL, ds_trans_id TEXT NOT NULL,
       pan_hash TEXT NOT NULL, purchase_amount TEXT, trans_status TEXT NOT NULL, eci TEXT, authentication_value TEXT, created_at INTEGER NOT NULL)`,
  ],
  'write',
);
const cards = Number(env.CARDS ?? 10_000);
const brands = ['jcb', 'visa', 'mastercard'];
await db.batch(
  Array.from({ length: cards }, (_, i) => ({ sql: 'INSERT OR IGNORE INTO cards VALUES (?, ?, ?, ?)', args: [panHash(benchPan(i)), brands[i % 3], '3012', 'active'] })),
  'write',
);

const digits = (min: number, max: number) => z.string().regex(new RegExp(`^\\d{${min},${max}}$`));
const text = (max: number) => z.string().min(1).max(max);
/** A 2.2.0 browser AReq's fields as the DS forwards them (the ones a first version would check). */
const BrowserAReq = z.object({
  messageType: z.literal('AReq'),
  messageVersion: z.literal('2.2.0'),
  messageCategory: z.enum(['01', '02']),
  deviceChannel: z.literal('02'),
  threeDSServerTransID: z.uuid(),
  dsTransID: z.uuid(),
  dsReferenceNumber: text(32),
  dsURL: z.url().max(2048).optional(),
  threeDSServerRefNumber: text(32),
  threeDSServerOperatorID: text(32).optional(),
  threeDSServerURL: z.url().max(2048),
  threeDSRequestorID: text(35),
  threeDSRequestorName: text(40),
  threeDSRequestorURL: z.url().max(2048),
  threeDSRequestorAuthenticationInd: digits(2, 2),
  threeDSRequestorChallengeInd: digits(2, 2).optional(),
  threeDSCompInd: z.enum(['Y', 'N', 'U']),
  acquirerBIN: text(11),
  acquirerMerchantID: text(35),
  mcc: digits(4, 4),
  merchantCountryCode: digits(3, 3),
  merchantName: text(40),
  acctNumber: digits(13, 19),
  cardExpiryDate: digits(4, 4).optional(),
  purchaseAmount: digits(1, 48),
  purchaseCurrency: digits(3, 3),
  purchaseExponent: digits(1, 1),
  purchaseDate: digits(14, 14),
  transType: digits(2, 2).optional(),
  notificationURL: z.url().max(256),
  browserAcceptHeader: text(2048),
  browserIP: z.string().max(45).optional(),
  browserJavaEnabled: z.boolean(),
  browserJavascriptEnabled: z.boolean(),
  browserLanguage: text(8),
  browserColorDepth: digits(1, 2),
  browserScreenHeight: digits(1, 6),
  browserScreenWidth: digits(1, 6),
  browserTZ: z.string().regex(/^[+-]?\d{1,5}$/),
  browserUserAgent: text(2048),
});

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.post('/3ds/areq', async (c) => {
  const parsed = BrowserAReq.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.json({ messageType: 'Erro', messageVersion: '2.2.0', errorCode: '203', errorComponent: 'A', errorDescription: 'invalid AReq' });
  const areq = parsed.data;
  const hash = panHash(areq.acctNumber);
  const card = (await db.execute({ sql: 'SELECT brand, status FROM cards WHERE pan_hash = ?', args: [hash] })).rows[0];
  const acsTransID = randomUUID();
  const ok = card?.status === 'active';
  const eci = ok ? (card.brand === 'mastercard' ? '02' : '05') : undefined;
  const authenticationValue = ok ? randomBytes(20).toString('base64') : undefined;
  await db.execute({
    sql: 'INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    args: [acsTransID, areq.threeDSServerTransID, areq.dsTransID, hash, areq.purchaseAmount, ok ? 'Y' : 'N', eci ?? null, authenticationValue ?? null, Date.now()],
  });
  return c.json({
    messageType: 'ARes',
    messageVersion: '2.2.0',
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID,
    acsTransID,
    acsReferenceNumber: 'PROTOTYPE',
    acsOperatorID: 'PROTOTYPE',
    dsReferenceNumber: areq.dsReferenceNumber,
    transStatus: ok ? 'Y' : 'N',
    ...(ok ? { eci, authenticationValue } : { transStatusReason: '01' }),
  });
});

serve({ fetch: app.fetch, port: Number(env.PORT ?? 8788), hostname: env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
