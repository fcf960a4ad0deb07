/**
 * The portal's sign-in, sign-out, home page, terms and recovery on real libSQL through the app:
 * every failed sign-in answers the same page, wrong passwords count on the member's one counter
 * (the challenge's) and lock at the issuer's limit, addresses are throttled, sessions idle out on
 * the fake clock, forms need the Origin and the session token, and forgot ID / password answer the
 * same whatever was found while the mail (read from mail_outbox) goes only when it should.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { auditLog, cardholders, cards, mailOutbox, members } from '../../src/db/schema.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { setPassword } from '../../src/members/store.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const ORIGIN = 'https://acs.test';
const PASSWORD = 'Mamori-2026';
const COOKIE = '__Host-mamori-member';

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env: { CLIENT_IP_HEADER: 'x-real-ip', ...env } });
  open.push(t);
  // The first issuer's row is made on first use: make it now, so the tests can change its settings.
  await ensureFirstIssuer(t.deps);
  return t;
}

const memberRow = async (t: TestApp, loginId: string) => (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;

interface Req {
  cookie?: string;
  origin?: string | null;
  ip?: string;
  host?: string;
}

function post(t: TestApp, path: string, form: Record<string, string>, o: Req = {}) {
  return t.app.request(`http://${o.host ?? 'acs.test'}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: o.host ?? 'acs.test',
      'x-real-ip': o.ip ?? '198.51.100.7',
      ...(o.origin === null ? {} : { origin: o.origin ?? ORIGIN }),
      ...(o.cookie ? { cookie: o.cookie } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
}

function get(t: TestApp, path: string, o: Req = {}) {
  return t.app.request(`http://${o.host ?? 'acs.test'}${path}`, { headers: { host: o.host ?? 'acs.test', 'x-real-ip': o.ip ?? '198.51.100.7', ...(o.cookie ? { cookie: o.cookie } : {}) } });
}

/** The session cookie a response set, as a request sends it back. */
function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  if (!set) throw new Error('no session cookie');
  return set.split(';')[0];
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
/** The page's main part, to compare answers that must read the same. */
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0];

const signIn = (t: TestApp, memberId: string, password: string, o: Req = {}) => post(t, '/portal/sign-in', { memberId, password }, o);

async function signedIn(t: TestApp, memberId = 'demo-pass', password = PASSWORD): Promise<{ cookie: string; csrf: string; html: string }> {
  const res = await signIn(t, memberId, password);
  expect(res.status).toBe(303);
  const cookie = cookieOf(res);
  const home = await get(t, '/portal', { cookie });
  expect(home.status).toBe(200);
  const html = await home.text();
  return { cookie, csrf: csrfOf(html), html };
}

const audits = (t: TestApp, action: string) => t.deps.db.select().from(auditLog).where(eq(auditLog.action, action));

describe('portal sign-in', () => {
  it('signs a member in by ID and password, full-width ID too, and shows the home page', async () => {
    const t = await setup();
    const res = await signIn(t, 'ｄｅｍｏ－ｐａｓｓ', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(COOKIE))!;
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
    const cookie = cookieOf(res);

    const home = await get(t, '/portal', { cookie });
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    const html = await home.text();
    expect(html).toContain(`JCB •••• ${demoCard('jcb-password').pan.slice(-4)}`);
    expect(html).toContain('固定パスワード');
    expect(html).toContain('href="/portal/method"');
    expect(html).toContain('青い傘');
    for (const href of ['/portal/password', '/portal/email', '/portal/history', '/portal/register', '/portal/data-sharing', '/portal/message', '/portal/phone']) expect(html, href).toContain(`href="${href}"`);
    // A good sign-in clears earlier wrong entries and is audited by signInMember.
    const m = await memberRow(t, 'demo-pass');
    expect(m.failedAttempts).toBe(0);
    expect(m.lastSignInAt).toBe(t.clock.now());
    expect(await audits(t, 'member.sign_in')).toHaveLength(1);

    // Signed in, the sign-in page sends the member on (a safe next only).
    expect((await get(t, '/portal/sign-in?next=/portal/history', { cookie })).headers.get('location')).toBe('/portal/history');
    expect((await get(t, '/portal/sign-in?next=https://evil.test/', { cookie })).headers.get('location')).toBe('/portal');
  });

  it('answers every failure with the same page, runs the same check, and audits the real reason without the password', async () => {
    const t = await setup();
    // A member of another issuer whose portal host is claimed; a locked and a provisional member with passwords.
    const other = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'other', nameJa: 'ほかのカード', nameEn: 'Other Card', portalHosts: ['portal.other.test'] }, t.clock.now());
    forgetIssuerSettings(t.deps.db);
    const locked = await memberRow(t, 'demo-locked');
    await setPassword(t.deps.db, t.deps.clock, locked.id, PASSWORD);
    const provisional = await memberRow(t, 'demo-provisional');
    await setPassword(t.deps.db, t.deps.clock, provisional.id, PASSWORD);
    await t.client.execute({ sql: "UPDATE members SET status = 'provisional' WHERE id = ?", args: [provisional.id] });

    const cases: [string, string, string, Req?][] = [
      ['unknown_id', 'no-such-member', PASSWORD],
      ['wrong_password', 'demo-pass', 'Wrong-password-1'],
      ['locked', 'demo-locked', PASSWORD],
      ['provisional', 'demo-provisional', PASSWORD],
      ['no_password', 'demo-jcb', PASSWORD],
      ['other_issuer', 'demo-pass', PASSWORD, { host: 'portal.other.test' }],
    ];
    const bodies: string[] = [];
    for (const [reason, id, pw, o] of cases) {
      const res = await signIn(t, id, pw, o);
      expect(res.status, reason).toBe(400);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${COOKIE}=`) && !c.includes('Max-Age=0')), reason).toBe(false);
      const html = await res.text();
      expect(html).toContain('会員IDまたはパスワードが正しくないか');
      // The other issuer's page has its own name in the shell; the main part is the same.
      bodies.push(main(html).replace(/value="[^"]*"/, ''));
    }
    expect(new Set(bodies).size).toBe(1);

    const failed = await audits(t, 'member.sign_in_failed');
    expect(failed.map((a) => JSON.parse(a.detail).reason)).toEqual(cases.map((c) => c[0]));
    expect(failed[0]).toMatchObject({ actorType: 'system', target: null });
    expect(JSON.parse(failed[0].detail).typedId).toBe('no***(12)');
    expect(failed[1]).toMatchObject({ actorType: 'member', actorName: 'demo-pass' });
    expect(failed[5].issuerId).not.toBe(other.id);
    const everything = JSON.stringify([await t.client.execute('SELECT * FROM audit_log'), t.logs]);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('Wrong-password-1');
    // Only the wrong password of an active member counted.
    expect((await memberRow(t, 'demo-pass')).failedAttempts).toBe(1);
    expect((await memberRow(t, 'demo-provisional')).failedAttempts).toBe(0);
  });

  it('answers an empty field beside it without counting', async () => {
    const t = await setup();
    const res = await signIn(t, 'demo-pass', '');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/id="password"[^>]*aria-describedby="password-error"/);
    expect(html).toContain('パスワードを入力してください');
    expect((await memberRow(t, 'demo-pass')).failedAttempts).toBe(0);
  });

  it("locks the member at the issuer's limit on the challenge's counter: the right password then fails alike, and the card answers N/19", async () => {
    const t = await setup();
    await t.client.execute('UPDATE issuers SET max_auth_attempts = 3');
    forgetIssuerSettings(t.deps.db);
    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push(main(await (await signIn(t, 'demo-pass', `Wrong-${i}-password`)).text()));
    const m = await memberRow(t, 'demo-pass');
    expect(m).toMatchObject({ status: 'locked', lockCause: 'attempts', failedAttempts: 3 });
    expect(await audits(t, 'member.locked')).toHaveLength(1);
    const right = await signIn(t, 'demo-pass', PASSWORD);
    expect(right.status).toBe(400);
    expect(main(await right.text())).toBe(wrong[0]);
    // The page told everyone the rule in general words; the challenge now declines the card.
    expect(wrong[0]).toContain('会員IDがロックされ');
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-password').pan, purchaseAmount: '98000' }))).json()) as Record<string, string>;
    expect(ares).toMatchObject({ transStatus: 'N', transStatusReason: '19' });
  });

  it('throttles an address after 20 tries in 15 minutes with the same page and 429; other addresses go on', async () => {
    const t = await setup();
    const ip = '203.0.113.9';
    let first = '';
    for (let i = 0; i < 20; i++) {
      const res = await signIn(t, `nobody-${i % 2}`, 'whatever-pass', { ip });
      expect(res.status).toBe(400);
      first ||= main(await res.text());
    }
    const throttled = await signIn(t, 'demo-pass', PASSWORD, { ip });
    expect(throttled.status).toBe(429);
    expect(main(await throttled.text()).replace(/value="[^"]*"/, '')).toBe(first.replace(/value="[^"]*"/, ''));
    expect((await memberRow(t, 'demo-pass')).failedAttempts).toBe(0); // nothing was checked
    expect((await signIn(t, 'demo-pass', PASSWORD, { ip: '203.0.113.10' })).status).toBe(303);
    t.clock.advance(15 * 60_000);
    expect((await signIn(t, 'demo-pass', PASSWORD, { ip })).status).toBe(303);
    expect((await audits(t, 'member.sign_in_failed')).map((a) => JSON.parse(a.detail).reason)).toContain('throttled');
  });

  it('refuses a sign-in posted from another origin', async () => {
    const t = await setup();
    expect((await signIn(t, 'demo-pass', PASSWORD, { origin: 'https://evil.test' })).status).toBe(403);
    expect((await signIn(t, 'demo-pass', PASSWORD, { origin: null })).status).toBe(403);
    expect(await audits(t, 'member.sign_in')).toHaveLength(0);
  });
});

describe('portal session', () => {
  it('signs out with the session token only, then says so', async () => {
    const t = await setup();
    const { cookie, csrf } = await signedIn(t);
    expect((await post(t, '/portal/sign-out', {}, { cookie })).status).toBe(403);
    expect((await post(t, '/portal/sign-out', { _csrf: 'x'.repeat(43) }, { cookie })).status).toBe(403);
    expect((await post(t, '/portal/sign-out', { _csrf: csrf }, { cookie, origin: 'https://evil.test' })).status).toBe(403);
    const out = await post(t, '/portal/sign-out', { _csrf: csrf }, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/portal/sign-in?signed_out=1');
    expect(await audits(t, 'member.sign_out')).toHaveLength(1);
    const page = await (await get(t, '/portal/sign-in?signed_out=1')).text();
    expect(page).toContain('ログアウトしました');
    // The old cookie opens nothing any more.
    expect(await (await get(t, '/portal', { cookie })).text()).toContain('会員ページにログイン');
  });

  it('ends after 15 idle minutes on the clock, and remembers the page wanted', async () => {
    const t = await setup();
    const { cookie } = await signedIn(t);
    t.clock.advance(14 * 60_000);
    expect((await get(t, '/portal/terms', { cookie })).status).toBe(200);
    t.clock.advance(15 * 60_000);
    const res = await get(t, '/portal/terms', { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal/sign-in?next=%2Fportal%2Fterms&expired=1');
    expect(await (await get(t, '/portal/sign-in?next=%2Fportal%2Fterms&expired=1')).text()).toContain('一定時間操作がなかったため');
  });

  it('asks for the terms at first sign-in, and every page waits for them', async () => {
    const t = await setup();
    const m = await memberRow(t, 'demo-pass');
    await t.client.execute({ sql: 'UPDATE members SET terms_accepted_at = NULL WHERE id = ?', args: [m.id] });
    const res = await signIn(t, 'demo-pass', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal/terms');
    const cookie = cookieOf(res);
    expect((await get(t, '/portal', { cookie })).headers.get('location')).toBe('/portal/terms');
    const terms = await get(t, '/portal/terms', { cookie });
    const html = await terms.text();
    expect(html).toContain('本人認証サービス利用規約');
    expect(html).toContain('不正検知サービスの提供会社');
    expect(html).toContain('規約に同意する');
    expect((await post(t, '/portal/terms', {}, { cookie })).status).toBe(403);
    expect((await memberRow(t, 'demo-pass')).termsAcceptedAt).toBeNull();
    const agreed = await post(t, '/portal/terms', { _csrf: csrfOf(html) }, { cookie });
    expect(agreed.status).toBe(303);
    expect(agreed.headers.get('location')).toBe('/portal');
    expect((await memberRow(t, 'demo-pass')).termsAcceptedAt).toBe(t.clock.now());
    expect(await audits(t, 'member.terms_accept')).toMatchObject([{ actorType: 'member', actorId: m.id, target: `member:${m.id}` }]);
    expect((await get(t, '/portal', { cookie })).status).toBe(200);
    expect(await (await get(t, '/portal/terms?lang=en', { cookie })).text()).toContain('You agreed on');
  });
});

describe('portal home page', () => {
  it('asks a provisional phone to be replaced, or to call, as the issuer sets', async () => {
    const t = await setup();
    const m = await memberRow(t, 'demo-provisional');
    await setPassword(t.deps.db, t.deps.clock, m.id, PASSWORD);
    await t.client.execute({ sql: 'UPDATE members SET personal_message = ?, personal_message_provisional = 1, email = ? WHERE id = ?', args: ['仮のメッセージ', 'prov@example.jp', m.id] });
    const { cookie, html } = await signedIn(t, 'demo-provisional');
    expect(html).toContain('090-****-0000');
    expect(html).not.toContain('+819000000000');
    expect(html).toContain('ご自身の携帯電話番号に変更してください');
    expect(html).toContain('カード会社が設定した仮のメッセージです');
    expect(html).toContain('p***@example.jp');
    await t.client.execute("UPDATE issuers SET provisional_phone_mode = 'phone_call'");
    forgetIssuerSettings(t.deps.db);
    expect(await (await get(t, '/portal', { cookie })).text()).toContain('携帯電話番号の登録はカード会社へお電話ください');
  });

  it('says where a reissued card left the registration, per the reissue policy', async () => {
    const t = await setup();
    const m = await memberRow(t, 'demo-reissue');
    await setPassword(t.deps.db, t.deps.clock, m.id, PASSWORD);
    await t.client.execute("UPDATE issuers SET reissue_policy = 'continue'");
    forgetIssuerSettings(t.deps.db);
    const newLast4 = demoCard('jcb-reissued-new').pan.slice(-4);
    const { cookie, html } = await signedIn(t, 'demo-reissue');
    expect(html).toContain(`JCB •••• ${newLast4}`);
    expect(html).toContain(`新しいカード（末尾 ${newLast4}）に引き継がれました`);
    await t.client.execute("UPDATE issuers SET reissue_policy = 'reregister_phone'");
    await t.client.execute({ sql: "UPDATE members SET phone = NULL, phone_status = 'none' WHERE id = ?", args: [m.id] });
    forgetIssuerSettings(t.deps.db);
    const again = await (await get(t, '/portal?lang=en', { cookie })).text();
    expect(again).toContain(`the mobile number must be registered again`);
    expect(again).toContain('href="/portal/phone"');
  });
});

describe('forgot ID', () => {
  async function withProof(t: TestApp) {
    const m = await memberRow(t, 'demo-jcb');
    const card = (await t.deps.db.select().from(cards).where(eq(cards.accountId, m.cardAccountId)).get())!;
    await t.client.execute({ sql: 'UPDATE cardholders SET birth_date = ? WHERE id = ?', args: ['1980-04-01', card.cardholderId] });
    await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: ['demo-jcb@example.jp', m.id] });
    return m;
  }
  const pan = demoCard('jcb-otp').pan;
  const spaced = pan.replace(/(\d{4})(?=\d)/g, '$1 ');

  it('mails the member ID when card, expiry and birth date match, and says the same otherwise', async () => {
    const t = await setup();
    const m = await withProof(t);
    const answers: string[] = [];
    for (const [what, form] of [
      ['match', { pan: spaced, expiry: '12/30', proof: '1980-04-01' }],
      ['wrong birth date', { pan, expiry: '12/30', proof: '1980-04-02' }],
      ['wrong expiry', { pan, expiry: '11/30', proof: '1980-04-01' }],
      ['unknown card', { pan: demoCard('visa-unregistered').pan, expiry: '12/30', proof: '1980-04-01' }],
    ] as const) {
      const res = await post(t, '/portal/forgot-id', form, { ip: `192.0.2.${answers.length + 1}` });
      expect(res.status, what).toBe(200);
      answers.push(main(await res.text()));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('会員IDをお送りしました');
    expect(answers[0]).not.toContain('demo-jcb');
    const mails = await t.deps.db.select().from(mailOutbox);
    expect(mails).toHaveLength(1);
    expect(mails[0].recipient).toBe('demo-jcb@example.jp');
    expect(mails[0].subject).toContain('会員IDのご案内');
    expect(mails[0].body).toContain('会員ID：demo-jcb');
    expect(mails[0].body).toContain('Member ID: demo-jcb');
    expect(mails[0].body).not.toContain(pan);
    expect(await audits(t, 'member.forgot_id.mail')).toMatchObject([{ actorType: 'member', actorId: m.id }]);
    expect(JSON.stringify([await t.client.execute('SELECT * FROM audit_log'), await t.client.execute('SELECT * FROM outbound_log'), t.logs])).not.toContain(pan);
  });

  it('answers malformed fields beside them, and throttles per card and per address', async () => {
    const t = await setup();
    await withProof(t);
    const bad = await post(t, '/portal/forgot-id', { pan: '1234', expiry: '13/30', proof: '' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    for (const f of ['pan', 'expiry', 'proof']) expect(html).toMatch(new RegExp(`id="${f}"[^>]*aria-describedby="[^"]*${f}-error`));
    expect(html).not.toContain('value="1234"');
    for (let i = 0; i < 3; i++) expect((await post(t, '/portal/forgot-id', { pan, expiry: '12/30', proof: '1999-01-01' }, { ip: `192.0.2.${i + 10}` })).status).toBe(200);
    const overCard = await post(t, '/portal/forgot-id', { pan, expiry: '12/30', proof: '1980-04-01' }, { ip: '192.0.2.50' });
    expect(overCard.status).toBe(429);
    expect(await overCard.text()).toContain('しばらく受け付けられません');
    expect(await t.deps.db.select().from(mailOutbox)).toHaveLength(0);
    for (let i = 0; i < 10; i++) await post(t, '/portal/forgot-id', { pan: demoCard('visa-otp').pan, expiry: '12/30', proof: '1980-04-01' }, { ip: '192.0.2.99' });
    expect((await post(t, '/portal/forgot-id', { pan: demoCard('mc-otp').pan, expiry: '12/30', proof: '1980-04-01' }, { ip: '192.0.2.99' })).status).toBe(429);
  });
});

describe('forgot password', () => {
  it('starts the mailed reset for a registered ID, and says the same for any other', async () => {
    const t = await setup();
    const m = await memberRow(t, 'demo-jcb');
    await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: ['demo-jcb@example.jp', m.id] });
    const answers: string[] = [];
    for (const id of ['ｄｅｍｏ－ｊｃｂ', 'no-such-member', 'demo-mc' /* no address */]) {
      const res = await post(t, '/portal/forgot-password', { memberId: id });
      expect(res.status, id).toBe(200);
      answers.push(main(await res.text()));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('再設定用のリンクをお送りしました');
    const mails = await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id));
    expect(mails).toHaveLength(1);
    const link = /https:\/\/acs\.test(\/portal\/password-reset\/[\w-]{43})/.exec(mails[0].body)![1];
    const page = await get(t, link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('090-****-0001');
    expect((await audits(t, 'member.password_reset.start'))[0]).toMatchObject({ actorType: 'member', actorId: m.id, actorName: 'demo-jcb' });
  });

  it('throttles per member ID and per address', async () => {
    const t = await setup();
    const m = await memberRow(t, 'demo-jcb');
    await t.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: ['demo-jcb@example.jp', m.id] });
    for (let i = 0; i < 3; i++) expect((await post(t, '/portal/forgot-password', { memberId: 'demo-jcb' }, { ip: `192.0.2.${i + 1}` })).status).toBe(200);
    expect((await post(t, '/portal/forgot-password', { memberId: 'demo-jcb' }, { ip: '192.0.2.60' })).status).toBe(429);
    expect(await t.deps.db.select().from(mailOutbox)).toHaveLength(3);
    for (let i = 0; i < 10; i++) await post(t, '/portal/forgot-password', { memberId: `someone-${i}` }, { ip: '192.0.2.70' });
    expect((await post(t, '/portal/forgot-password', { memberId: 'another' }, { ip: '192.0.2.70' })).status).toBe(429);
    expect((await post(t, '/portal/forgot-password', { memberId: '' })).status).toBe(400);
  });
});

describe('portal maintenance window', () => {
  it("shows the maintenance page in the issuer's window while the ACS keeps answering", async () => {
    const t = await setup();
    await t.client.execute({ sql: 'UPDATE issuers SET maintenance_window = ?', args: [JSON.stringify({ days: [0, 1, 2, 3, 4, 5, 6], start: '05:00', end: '07:00' })] });
    forgetIssuerSettings(t.deps.db);
    t.clock.set(Date.UTC(2026, 0, 14, 20, 30)); // 05:30 in Tokyo
    for (const path of ['/portal', '/portal/sign-in', '/portal/forgot-id']) {
      const res = await get(t, path);
      expect(res.status, path).toBe(503);
      expect(await res.text()).toContain('ただいまメンテナンス中です');
    }
    expect((await signIn(t, 'demo-pass', PASSWORD)).status).toBe(503);
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '1000' }))).json()) as Record<string, string>;
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
    t.clock.set(Date.UTC(2026, 0, 14, 22, 0)); // 07:00 in Tokyo: open again
    expect((await get(t, '/portal')).status).toBe(200);
  });
});
