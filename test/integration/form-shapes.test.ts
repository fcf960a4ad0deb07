/**
 * Forms and JSON bodies of the wrong shape (a field sent twice, a file, an oversized value, a
 * body that cannot be read) get each route's own defined answer, never a 500: one test per
 * route group whose bodies go through src/http/validate.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { members, sandboxMessages, transactions } from '../../src/db/schema.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { ensureFirstIssuer } from '../../src/issuers/issuer-store.ts';
import { issuerSettings } from '../../src/issuers/settings.ts';
import { csrfOf, newStaff, nextCode, signIn, ORIGIN } from '../support/admin.ts';
import { openChallenge } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start() {
  const t = await createTestApp({ seed: true });
  open.push(t);
  return t;
}
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** A urlencoded form whose pairs may repeat a name (what a tampered page or a script can send). */
function postPairs(t: TestApp, path: string, pairs: [string, string][], headers: Record<string, string> = {}) {
  const body = new URLSearchParams(pairs).toString();
  return t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

/** A multipart body cut off in the middle: no form can be read from it. */
function postBroken(t: TestApp, path: string, headers: Record<string, string> = {}) {
  return t.app.request(path, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', ...headers }, body: '--x\r\nContent-Disposition: form-data; name="state"\r\n\r\nabc' });
}

describe('the challenge routes', () => {
  it('answer a form of the wrong shape with the page or the field messages, and count nothing', async () => {
    const t = await start();
    const ja = MESSAGES.ja;
    const { ares, state, creq } = await openChallenge(t, 'jcb-otp');

    // A creq sent twice is no CReq: the page that cannot continue, and the challenge goes on.
    const twice = await postPairs(t, '/3ds/challenge', [['creq', creq], ['creq', creq]]);
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain(ja.cannotContinueHeading);

    // The member ID sent twice and a code far too long: both answered beside their fields, as empty.
    const entry = await postPairs(t, '/3ds/challenge/submit', [['state', state!], ['memberId', 'demo-jcb'], ['memberId', 'demo-jcb'], ['secret', '1'.repeat(5000)]]);
    expect(entry.status).toBe(400);
    const html = await entry.text();
    expect(html).toContain(ja.memberIdEmpty);
    expect(html).toContain(ja.otpEmpty);
    const [member] = await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb'));
    expect(member.failedAttempts).toBe(0);
    expect(t.logs.filter((l) => l.includes('"challenge attempt"'))).toHaveLength(0);

    // A state sent twice, or a body that cannot be read, carries no state.
    const language = await postPairs(t, '/3ds/challenge/language', [['state', state!], ['state', state!]]);
    expect(language.status).toBe(400);
    expect(await language.text()).toContain(ja.cannotContinueHeading);
    const broken = await postBroken(t, '/3ds/challenge/cancel');
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain(ja.cannotContinueHeading);

    const [txn] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
    expect(txn).toMatchObject({ state: 'challenge_started', interactionCounter: 0 });
  });
});

describe('the sandbox routes', () => {
  it('answer a body of the wrong shape as an unreadable one, and record nothing', async () => {
    const t = await start();
    const json = (path: string, body: string) => t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    for (const body of ['{"advanceSeconds":"30"}', '{"advanceSeconds":[30]}', '{"advanceSeconds":30.5}', '{"advanceSeconds":']) {
      const res = await json('/sandbox/clock', body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'advanceSeconds' });
    }
    const initiate = await json('/sandbox/merchant/initiate-authentication', '{"serverTransactionId":["a","b"]}');
    expect(initiate.status).toBe(400);
    expect(((await initiate.json()) as { issues: string[] }).issues).toContain('serverTransactionId');

    const method = await postPairs(t, '/sandbox/merchant/method-notification', [['threeDSMethodData', 'e30'], ['threeDSMethodData', 'e30']]);
    expect(method.status).toBe(200);
    expect(await method.text()).toContain('methodNotification');
    const cres = await postPairs(t, '/sandbox/merchant/challenge-notification', [['cres', 'e30'], ['cres', 'e30']]);
    expect(cres.status).toBe(200);
    expect(await cres.text()).toContain('unreadable cres');
    expect(await t.deps.db.$count(sandboxMessages)).toBe(0);
  });
});

describe('the console (form token, issuers)', { timeout: 120_000 }, () => {
  it('refuses a form token of the wrong shape, and shows an issuer form of the wrong shape again with its fields marked', async () => {
    const t = await start();
    const first = await ensureFirstIssuer(t.deps);
    const admin = await newStaff(t, 'shape-admin', 'platform_admin', null);
    const { client } = await signIn(t, admin.username, admin.secret);
    const page = await (await client.get(`/admin/issuers/${first.code}`)).text();
    const token = csrfOf(page);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { cookie, origin: ORIGIN };
    const path = `${ORIGIN}/admin/issuers/${first.code}`;

    // The right token, but twice: not one token, so refused like a wrong one.
    const doubled = await postPairs(t, path, [['_csrf', token], ['_csrf', token], ['nameEn', 'Changed']], headers);
    expect(doubled.status).toBe(403);
    const unreadable = await postBroken(t, path, headers);
    expect(unreadable.status).toBe(403);

    // With the token: a name sent twice and an oversized phone are marked beside their fields, and nothing is saved.
    const fields = Object.entries({ ...Object.fromEntries(Object.entries(await formValues(page))), code: nextCode(t, admin.secret) });
    const shaped = await postPairs(t, path, [['_csrf', token], ...fields.filter(([k]) => k !== 'helpdeskPhone'), ['nameEn', 'Second'], ['helpdeskPhone', '0'.repeat(5000)]], headers);
    expect(shaped.status).toBe(400);
    const html = await shaped.text();
    expect(html.match(/aria-invalid="true"/g)).toHaveLength(2);
    expect((await issuerSettings(t.deps, first.id)).name.en).toBe(first.nameEn);

    // A range id sent twice names no range.
    const move = await postPairs(t, `${path}/ranges`, [['_csrf', token], ['rangeId', '1'], ['rangeId', '1'], ['code', nextCode(t, admin.secret)]], headers);
    expect(move.status).toBe(404);
  });
});

/** The issuer form's inputs as the page fills them in. */
async function formValues(html: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) if (m[1] !== '_csrf' && m[1] !== 'code') values[m[1]] = m[2].replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<select[^>]*name="([^"]+)"[\s\S]*?<option[^>]*value="([^"]*)"[^>]*selected/g)) values[m[1]] = m[2];
  return values;
}
