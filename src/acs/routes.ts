/**
 * The machine-facing ACS endpoints: `POST /3ds/areq` for the Directory Servers, and the 3DS Method
 * (`POST /3ds/method`) that merchants' pages load in a hidden iframe.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../deps.ts';
import { buildErro } from '../protocol/errors.ts';
import { countErro } from '../insight/count-http.ts';
import { logRequestAs } from '../http/request-log.ts';
import { authenticate } from './authenticate.ts';
import { requireDsClientCertificate } from './ds-auth.ts';
import { threeDSMethod } from './method.tsx';

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };

export const acsRoutes = new Hono<AppEnv>();

acsRoutes.post('/3ds/areq', requireDsClientCertificate(), async (c) => {
  // The ARes latency histogram measures from here (real time: the injected clock may stand still).
  const receivedAt = performance.now();
  let body: string;
  try {
    body = await c.req.text();
  } catch {
    const erro = buildErro({ errorCode: '101', errorDetail: 'body could not be read', errorMessageType: 'AReq' });
    await countErro(c, erro.errorCode);
    return c.body(JSON.stringify(erro), 200, JSON_UTF8);
  }
  // The budget starts once the message is in: past it the DS gets Erro 403 rather than nothing.
  const answer = await authenticate(c.get('deps'), body, AbortSignal.timeout(c.get('deps').config.AREQ_BUDGET_MS), receivedAt);
  if (answer.kind === 'Erro') {
    logRequestAs(c, 'warn', 'areq refused', { errorCode: answer.message.errorCode, errorDetail: answer.message.errorDetail });
    await countErro(c, answer.message.errorCode);
    return c.body(JSON.stringify(answer.message), 200, JSON_UTF8);
  }
  if (answer.log) logRequestAs(c, 'info', 'areq', answer.log);
  // EMV 2.3 correlation: the DS's X-Request-ID is echoed (requestId middleware), ours is X-Response-ID.
  return c.body(JSON.stringify(answer.message), 200, { ...JSON_UTF8, 'x-response-id': answer.acsTransID });
});

acsRoutes.route('/', threeDSMethod);

/**
 * The answer to an AReq larger than the ACS reads (the body limit, src/app.ts): an Erro like any
 * other refusal. EMV names no code for a message too large; the nearest (Req 217) is 203, since
 * some element must be longer than its format allows (the largest, messageExtension, is at most
 * 81,920 characters). Nothing of the message was read, so the Erro carries no transaction IDs.
 */
export async function areqTooLarge(c: Context<AppEnv>, limit: number): Promise<Response> {
  const erro = buildErro({
    errorCode: '203',
    errorDetail: `message size: larger than ${limit} bytes, the most this ACS accepts for an AReq`,
    errorMessageType: 'AReq',
  });
  logRequestAs(c, 'warn', 'areq refused', { errorCode: erro.errorCode, errorDetail: erro.errorDetail });
  await countErro(c, erro.errorCode);
  return c.body(JSON.stringify(erro), 200, JSON_UTF8);
}
