/** Driving a challenge through the app as a browser would: CReq in, forms posted back. */
import { desc, eq } from 'drizzle-orm';
import { smsOutbox } from '../../src/db/schema.ts';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq, type AReqOptions } from './areq.ts';
import type { createTestApp } from './test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export function creqFor(ares: Record<string, any>, windowSize = '05', overrides: Record<string, unknown> = {}) {
  return {
    messageType: 'CReq',
    messageVersion: ares.messageVersion,
    threeDSServerTransID: ares.threeDSServerTransID,
    acsTransID: ares.acsTransID,
    challengeWindowSize: windowSize,
    ...overrides,
  };
}

export function postForm(t: TestApp, path: string, fields: Record<string, string | undefined>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
  return t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
}

/** An ARes C for the demo card, then the first CReq posted to the acsURL. */
export async function openChallenge(t: TestApp, key: string, o: Partial<AReqOptions> & { windowSize?: string; sessionData?: string; padded?: boolean } = {}) {
  const areq = browserAReq({ pan: demoCard(key).pan, purchaseAmount: '98000', ...o });
  const ares = (await (await postAReq(t.app, areq)).json()) as Record<string, any>;
  if (ares.transStatus !== 'C') throw new Error(`expected C, got ${JSON.stringify(ares)}`);
  let creq = encodeJsonBase64Url(creqFor(ares, o.windowSize));
  if (o.padded) creq += '='.repeat((4 - (creq.length % 4)) % 4);
  const res = await postForm(t, '/3ds/challenge', { creq, threeDSSessionData: o.sessionData });
  const html = await res.text();
  return { areq, ares, res, html, state: stateOf(html), creq };
}

export function stateOf(html: string): string | undefined {
  return /name="state" value="([^"]+)"/.exec(html)?.[1];
}

/** The cres form of an ending page, decoded. */
export function finalCResOf(html: string) {
  const action = /<form method="post" action="([^"]+)"[^>]*id="cres-form"/.exec(html)?.[1];
  const cres = /name="cres" value="([^"]+)"/.exec(html)?.[1];
  const sessionData = /name="threeDSSessionData" value="([^"]*)"/.exec(html)?.[1];
  const decoded = cres ? decodeJsonBase64Url(cres) : undefined;
  return {
    action: action?.replace(/&amp;/g, '&'),
    cres,
    message: decoded?.ok ? (decoded.value as Record<string, any>) : undefined,
    sessionData,
    autosubmit: /data-autosubmit="true"/.test(html),
  };
}

export async function latestOtp(t: TestApp, acsTransID: string): Promise<string> {
  const [row] = await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, acsTransID)).orderBy(desc(smsOutbox.id)).limit(1);
  if (!row?.otpCode) throw new Error('no OTP sent');
  return row.otpCode;
}

export async function submit(t: TestApp, state: string, memberId: string, secret: string) {
  const res = await postForm(t, '/3ds/challenge/submit', { state, memberId, secret });
  return { res, html: await res.text() };
}
