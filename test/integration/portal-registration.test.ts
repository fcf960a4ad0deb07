/**
 * The portal's registration on real libSQL through the app, as a browser drives it (a small
 * cookie jar follows the 303s): the card proven against the issuer's records (birth date, phone
 * on file, a corporate card's PIN), the member ID / password / address, the code read from
 * mail_outbox, and the member written with the flow's move to completed. Every failed proof
 * answers alike; the counters, the clock, the browser binding, re-registration, 本登録, a second
 * card and a reissued card.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { insertCard, insertCardholder } from '../../src/cards/card-store.ts';
import { reissueCard } from '../../src/cards/reissue.ts';
import { auditLog, flows, mailOutbox, members, outboundLog, sessions } from '../../src/db/schema.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../../src/issuers/settings.ts';
import { hashPassword, verifyPassword } from '../../src/members/password.ts';
import { createMember } from '../../src/members/store.ts';
import { PROOF_FAILURES_PER_CARD } from '../../src/portal/registration.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const ORIGIN = 'https://acs.test';
const PASSWORD = 'hinoki-no-mori-7';

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  // The first issuer is made on first use; the tests change issuers, so it must exist before.
  await ensureFirstIssuer(t.deps);
  return t;
}

let serial = 8_100_000;
interface CardSpec {
  birthDate?: string;
  phone?: string;
  corporate?: boolean;
  pin?: string;
  status?: 'active' | 'blocked_stolen';
  issuerId?: number;
  cardholderId?: number;
}
/** A cardholder (unless given) and a card of the demo JCB range, expiring 12/30. */
async function makeCard(t: TestApp, spec: CardSpec = {}) {
  const pan = demoPan('jcb', serial++);
  const cardholderId =
    spec.cardholderId ?? (await insertCardholder(t.deps.db, t.clock, { customerRef: `R-${serial}`, name: '登録 花子', issuerId: spec.issuerId ?? null, phoneOnFile: spec.phone ?? null }));
  if (spec.birthDate) await t.client.execute({ sql: 'UPDATE cardholders SET birth_date = ? WHERE id = ?', args: [spec.birthDate, cardholderId] });
  const card = await insertCard(t.deps.db, t.deps.keys, t.clock, cardholderId, { pan, expiry: '3012', brand: 'jcb', status: spec.status ?? 'active' });
  if (spec.corporate) await t.client.execute({ sql: 'UPDATE cards SET corporate = 1, pin_hash = ? WHERE id = ?', args: [await hashPassword(spec.pin ?? '4321'), card.id] });
  return { pan, spaced: pan.replace(/(\d{4})(?=\d)/g, '$1 '), cardholderId, ...card };
}

/** A browser: keeps cookies, sends the Origin on POST, follows 303s on request. */
class Browser {
  cookies = new Map<string, string>();
  constructor(
    private t: TestApp,
    private host?: string,
  ) {}
  async request(path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.t.app.request(path, {
      method: form ? 'POST' : 'GET',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(this.host ? { host: this.host } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const [name, value] = [pair.slice(0, i), pair.slice(i + 1)];
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  get = (path: string) => this.request(path);
  post = (path: string, form: Record<string, string>) => this.request(path, form);
  /** GET, following redirects; the last answer and its path. */
  async follow(path: string): Promise<{ res: Response; path: string }> {
    for (let i = 0; i < 5; i++) {
      const res = await this.get(path);
      if (res.status !== 303) return { res, path };
      path = res.headers.get('location')!;
    }
    throw new Error('too many redirects');
  }
}

/** A new registration's first page: its URL (with ?flow=) and flow id. */
async function begin(b: Browser, query = '') {
  const { res, path } = await b.follow(`/portal/register${query}`);
  expect(res.status).toBe(200);
  return { path, flowId: /flow=([0-9a-f-]{36})/.exec(path)![1], html: await res.text() };
}

const lastCode = async (t: TestApp, to: string) => {
  const mail = (await t.deps.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, to)).orderBy(desc(mailOutbox.id)).get())!;
  return /確認コード：(\d{6})/.exec(mail.body)![1];
};
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0];

interface Proof {
  pan: string;
  expiry?: string;
  proof?: string;
  pin?: string;
}
/** The three steps; the done page's answer. */
async function register(t: TestApp, b: Browser, proof: Proof, account: { loginId: string; email: string; password?: string }) {
  const { path, flowId } = await begin(b);
  const card = await b.post(path, { expiry: '12/30', proof: '', pin: '', ...proof });
  expect(card.status, await card.clone().text()).toBe(303);
  expect(card.headers.get('location')).toBe(`/portal/register/account?flow=${flowId}`);
  const chosen = await b.post(card.headers.get('location')!, { loginId: account.loginId, password: account.password ?? PASSWORD, confirmation: account.password ?? PASSWORD, email: account.email });
  expect(chosen.status, await chosen.clone().text()).toBe(303);
  expect(chosen.headers.get('location')).toBe(`/portal/register/email?flow=${flowId}&send=sent`);
  const codePage = await b.get(chosen.headers.get('location')!);
  expect(await codePage.text()).toContain(account.email);
  const done = await b.post(`/portal/register/email?flow=${flowId}`, { code: await lastCode(t, account.email) });
  expect(done.status, await done.clone().text()).toBe(303);
  expect(done.headers.get('location')).toBe(`/portal/register/done?flow=${flowId}`);
  const page = await b.get(done.headers.get('location')!);
  expect(page.status).toBe(200);
  return { flowId, html: await page.text() };
}

const memberByLogin = (t: TestApp, loginId: string) => t.deps.db.select().from(members).where(eq(members.loginId, loginId)).get();

describe('registration of a card in the portal', () => {
  it('proves the card, mails a code, creates the member with the flow, signs them in, and audits it', async () => {
    const t = await setup();
    const card = await makeCard(t, { birthDate: '1980-04-01' });
    const b = new Browser(t);
    const { path, flowId, html } = await begin(b);
    expect(html).toContain('<label for="proof">生年月日</label>');
    expect(html).toContain('法人カードの方：カード暗証番号');
    // The browser binding: an HttpOnly __Host- cookie whose token only hashed is in the flow.
    const token = b.cookies.get('__Host-mamori-registration')!;
    expect(token).toMatch(/^[\w-]{43}$/);
    const flow = (await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!;
    expect(flow).toMatchObject({ kind: 'registration', state: 'started', expiresAt: t.clock.now() + 20 * 60_000 });
    expect(JSON.stringify(flow.data)).not.toContain(token);

    // Full-width digits and spaces, full-width slash, a Japanese date: as typed on a phone.
    const fullWidth = card.spaced.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    t.clock.advance(60_000);
    const proven = await b.post(path, { pan: fullWidth, expiry: '１２／３０', proof: '1980年4月1日', pin: '' });
    expect(proven.status).toBe(303);
    const afterCard = (await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!;
    expect(afterCard.state).toBe('card_verified');
    expect(afterCard.expiresAt).toBe(t.clock.now() + 20 * 60_000);
    const account = await b.get(proven.headers.get('location')!);
    expect(await account.text()).toContain(`下4桁 ${card.pan.slice(-4)}`);

    const chosen = await b.post(`/portal/register/account?flow=${flowId}`, { loginId: 'hanako-2026', password: PASSWORD, confirmation: PASSWORD, email: 'hanako@example.jp' });
    expect(chosen.status).toBe(303);
    const stored = (await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!;
    expect(stored.state).toBe('email_sent');
    const dump = JSON.stringify(await t.client.execute('SELECT * FROM flows'));
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(card.pan);
    expect(await verifyPassword(PASSWORD, (stored.data as { account: { passwordHash: string } }).account.passwordHash)).toBe(true);
    const mail = (await t.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    expect(mail.recipient).toBe('hanako@example.jp');
    expect(mail.body.indexOf('確認コード')).toBeLessThan(mail.body.indexOf('Code:'));
    const code = await lastCode(t, 'hanako@example.jp');

    // A wrong code is counted and answered beside the field.
    const wrong = await b.post(`/portal/register/email?flow=${flowId}`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('id="code-error"');
    expect(wrongHtml).toMatch(/id="code"[^>]*aria-describedby="code-error"/);
    expect(wrongHtml).toContain('あと4回');

    // Two racing right answers: one creates the member, the other finds the flow ended.
    const answers = await Promise.all([b.post(`/portal/register/email?flow=${flowId}`, { code }), b.post(`/portal/register/email?flow=${flowId}`, { code })]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 404]);
    const member = (await memberByLogin(t, 'hanako-2026'))!;
    expect(member).toMatchObject({ cardAccountId: card.accountId, authMethod: 'sms_otp', status: 'active', phone: null, phoneStatus: 'none', email: 'hanako@example.jp', emailVerifiedAt: t.clock.now(), termsAcceptedAt: null });
    expect(await verifyPassword(PASSWORD, member.passwordHash)).toBe(true);
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!.state).toBe('completed');
    const audit = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.register')).get())!;
    expect(audit).toMatchObject({ actorType: 'member', actorId: member.id, actorName: 'hanako-2026', target: `member:${member.id}` });
    expect(JSON.parse(audit.detail)).toMatchObject({ kind: 'new', card: `*${card.pan.slice(-4)}` });
    expect(audit.detail).not.toContain(card.pan);

    // Signed in; the done page leads to the terms.
    expect(b.cookies.get('__Host-mamori-member')).toBeTruthy();
    const done = await b.get(`/portal/register/done?flow=${flowId}`);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('会員登録が完了しました');
    expect(doneHtml).toContain('href="/portal/terms"');
    expect(await t.deps.db.$count(sessions, eq(sessions.subjectId, member.id))).toBe(1);
    // The ended flow takes no step again.
    expect((await b.post(`/portal/register/email?flow=${flowId}`, { code })).status).toBe(404);
  });

  it('answers every failed proof alike: unknown card, wrong expiry, wrong birth date, blocked or replaced card, another issuer\'s card', async () => {
    const t = await setup();
    const good = await makeCard(t, { birthDate: '1975-11-30' });
    const stolen = await makeCard(t, { birthDate: '1975-11-30', status: 'blocked_stolen' });
    const old = await makeCard(t, { birthDate: '1975-11-30' });
    await reissueCard(t.deps, { replaces: { cardId: old.id }, card: { pan: demoPan('jcb', serial++), expiry: '3012' }, policy: 'continue' });
    const other = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'other', nameJa: 'ほかのカード', nameEn: 'Other Card' }, t.clock.now());
    forgetIssuerSettings(t.deps.db);
    const foreign = await makeCard(t, { birthDate: '1975-11-30', issuerId: other.id });
    const b = new Browser(t);
    const { path } = await begin(b);
    const attempt = async (p: Proof) => {
      const res = await b.post(path, { expiry: '12/30', proof: '1975/11/30', pin: '', ...p });
      expect(res.status).toBe(400);
      return main(await res.text());
    };
    const answers = [
      await attempt({ pan: demoPan('jcb', 7_999_999) }),
      await attempt({ pan: good.pan, expiry: '11/30' }),
      await attempt({ pan: good.pan, proof: '1975/11/29' }),
      await attempt({ pan: good.pan, proof: '', pin: '4321' }),
      await attempt({ pan: stolen.pan }),
      await attempt({ pan: old.pan }),
    ];
    expect(answers[0]).toContain('カード情報を確認できませんでした');
    for (const a of answers) expect(a).toBe(answers[0]);
    // The typed card number is not shown back.
    expect(answers[0]).not.toContain(good.pan.slice(0, 8));

    // On a host the first issuer claims, another issuer's card answers like an unknown one.
    await t.client.execute({ sql: 'UPDATE issuers SET portal_hosts = ? WHERE id <> ?', args: [JSON.stringify(['portal.mamori.test']), other.id] });
    forgetIssuerSettings(t.deps.db);
    const claimed = new Browser(t, 'portal.mamori.test');
    const second = await begin(claimed);
    const foreignAnswer = await claimed.post(second.path, { pan: foreign.pan, expiry: '12/30', proof: '1975/11/30', pin: '' });
    const unknownAnswer = await claimed.post(second.path, { pan: demoPan('jcb', 7_999_998), expiry: '12/30', proof: '1975/11/30', pin: '' });
    expect(main(await foreignAnswer.text())).toBe(main(await unknownAnswer.text()));
    // Still open: the right proof goes on.
    expect((await b.post(path, { pan: good.pan, expiry: '12/30', proof: '1975-11-30', pin: '' })).status).toBe(303);
  });

  it('checks the entries beside their fields in Japanese and English, without counting them', async () => {
    const t = await setup();
    const card = await makeCard(t, { birthDate: '1990-01-15' });
    const b = new Browser(t);
    const { path, flowId } = await begin(b);
    const res = await b.post(path, { pan: card.pan.slice(0, -1) + ((Number(card.pan.at(-1)) + 1) % 10), expiry: '13/30', proof: '1990/02/30', pin: '12' });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const [field, text] of [['pan', 'カード番号に誤りがあります'], ['expiry', '「月/年」'], ['proof', '「年/月/日」'], ['pin', '4〜12桁']]) {
      expect(html).toContain(`id="${field}-error"`);
      expect(html).toContain(text);
      expect(html).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error`));
    }
    expect(html).toContain('入力内容をご確認ください');
    const en = await b.post(`${path}&lang=en`, { pan: '', expiry: '', proof: '', pin: '' });
    const enHtml = await en.text();
    expect(enHtml).toContain('<html lang="en"');
    expect(enHtml).toContain('Enter the card number.');
    expect(enHtml).toContain('Enter your date of birth (corporate cards: the card PIN).');

    // Step 2: the password rules and the ID, beside their fields, both languages.
    expect((await b.post(path, { pan: card.pan, expiry: '12/30', proof: '1990-01-15', pin: '' })).status).toBe(303);
    const accountPath = `/portal/register/account?flow=${flowId}`;
    for (const [lang, loginId, password, confirmation, field, text] of [
      ['ja', 'hanako-90', 'short', 'short', 'password', '8文字以上'],
      ['ja', 'hanako-90', 'password', 'password', 'password', 'よく使われていて'],
      ['ja', 'hanako-90', 'my-hanako-90-pw', 'my-hanako-90-pw', 'password', '会員IDを含まない'],
      ['ja', 'hanako-90', PASSWORD, 'something-else', 'confirmation', '1回目と同じ'],
      ['ja', 'demo-jcb', PASSWORD, PASSWORD, 'loginId', 'すでに使われています'],
      ['ja', 'ab', PASSWORD, PASSWORD, 'loginId', '6〜20文字'],
      ['en', 'hanako-90', 'short', 'short', 'password', 'Use at least 8 characters.'],
      ['en', 'hanako-90', 'password1', 'password1', 'password', 'This password is common'],
      ['en', 'hanako-90', 'x-hanako-90', 'x-hanako-90', 'password', 'Do not use your member ID'],
      ['en', 'demo-jcb', PASSWORD, PASSWORD, 'loginId', 'This member ID is taken.'],
    ]) {
      const r = await b.post(`${accountPath}&lang=${lang}`, { loginId, password, confirmation, email: 'hanako@example.jp' });
      expect(r.status, `${lang} ${password}`).toBe(400);
      const body = await r.text();
      expect(body).toContain(text);
      const errorId = field === 'loginId' ? 'loginId-status' : `${field}-error`;
      expect(body).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${errorId}`));
    }
    const badMail = await b.post(accountPath, { loginId: 'hanako-90', password: PASSWORD, confirmation: PASSWORD, email: 'hanako@' });
    expect(await badMail.text()).toContain('id="email-error"');
    // The check on leaving the field says "taken", and nothing about a free ID but that it is free.
    const taken = await b.post(`/portal/register/account/check?flow=${flowId}&lang=ja`, { loginId: 'demo-jcb' });
    expect(await taken.text()).toContain('すでに使われています');
    const free = await b.post(`/portal/register/account/check?flow=${flowId}`, { loginId: 'hanako-90' });
    expect(await free.text()).toContain('この会員IDは使えます');
    // Nothing was mailed yet.
    expect(await t.deps.db.$count(mailOutbox)).toBe(0);
    // Cancelled: the flow ends and takes no step again.
    const cancelled = await b.post(`/portal/register/cancel?flow=${flowId}`, {});
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe('/portal');
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!.state).toBe('cancelled');
    expect((await b.get(accountPath)).status).toBe(404);
  });

  it('pauses a card number after repeated wrong proofs, known or not, and says to call the issuer', async () => {
    const t = await setup();
    const card = await makeCard(t, { birthDate: '1980-04-01' });
    const b = new Browser(t);
    const { path } = await begin(b);
    const tryProof = async (pan: string, proof: string) => {
      const res = await b.post(path, { pan, expiry: '12/30', proof, pin: '' });
      return { status: res.status, html: main(await res.text()) };
    };
    const unknown = demoPan('jcb', 7_777_777);
    for (let i = 0; i < PROOF_FAILURES_PER_CARD; i++) {
      expect((await tryProof(card.pan, '1980/04/02')).html).not.toContain('お電話ください');
      expect((await tryProof(unknown, '1980/04/02')).html).not.toContain('お電話ください');
    }
    // Now even the right proof is refused, with the same message and a line to call; an unknown number alike.
    const paused = await tryProof(card.pan, '1980/04/01');
    expect(paused.status).toBe(400);
    expect(paused.html).toContain('カード情報を確認できませんでした');
    expect(paused.html).toContain('カード会社へお電話ください');
    expect((await tryProof(unknown, '1980/04/01')).html).toBe(paused.html);
    // Counted in the database, per card number's keyed hash (never the number).
    const counters = JSON.stringify((await t.client.execute("SELECT key FROM rate_counters WHERE key LIKE 'registration:%'")).rows);
    expect(counters).not.toContain(card.pan);

    // Another card from the same address is not paused; the paused one works again the next day.
    const other = await makeCard(t, { birthDate: '1966-06-06' });
    expect((await b.post(path, { pan: other.pan, expiry: '12/30', proof: '1966/06/06', pin: '' })).status).toBe(303);
    t.clock.advance(24 * 60 * 60_000);
    const next = await begin(b);
    expect((await b.post(next.path, { pan: card.pan, expiry: '12/30', proof: '1980/04/01', pin: '' })).status).toBe(303);
  });

  it('lets the flow expire after 20 minutes without a step, and refuses it in another browser', async () => {
    const t = await setup();
    const card = await makeCard(t, { phone: '+819012340001' });
    await t.client.execute("UPDATE issuers SET registration_proof = 'phone_on_file'");
    forgetIssuerSettings(t.deps.db);
    const b = new Browser(t);
    const { path, flowId, html } = await begin(b);
    expect(html).toContain('カード会社にお届けの電話番号');

    // The URL alone, in another browser: the same page as an unknown flow, and nothing moves.
    const thief = new Browser(t);
    const stolen = await thief.post(path, { pan: card.pan, expiry: '12/30', proof: '090-1234-0001', pin: '' });
    expect(stolen.status).toBe(404);
    const stolenHtml = main(await stolen.text());
    expect(stolenHtml).toContain('この登録手続きは続けられません');
    expect((await thief.get(path)).status).toBe(404);
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!.state).toBe('started');

    // The phone on file as typed in Japan.
    t.clock.advance(19 * 60_000);
    expect((await b.post(path, { pan: card.pan, expiry: '12/30', proof: '０９０ー１２３４ー０００１', pin: '' })).status).toBe(303);
    // Each step restarts the 20 minutes; past them the flow is over.
    t.clock.advance(19 * 60_000);
    expect((await b.get(`/portal/register/account?flow=${flowId}`)).status).toBe(200);
    t.clock.advance(20 * 60_000);
    const late = await b.post(`/portal/register/account?flow=${flowId}`, { loginId: 'late-comer', password: PASSWORD, confirmation: PASSWORD, email: 'late@example.jp' });
    expect(late.status).toBe(404);
    expect(main(await late.text())).toBe(stolenHtml);
    expect(await memberByLogin(t, 'late-comer')).toBeUndefined();
  });

  it('fails the flow at the issuer\'s wrong-code limit, and resends within the cooldown and maximum', async () => {
    const t = await setup({ MAX_AUTH_ATTEMPTS: '3', OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '2' });
    const card = await makeCard(t, { birthDate: '1980-04-01' });
    const b = new Browser(t);
    const { path, flowId } = await begin(b);
    await b.post(path, { pan: card.pan, expiry: '12/30', proof: '1980/04/01', pin: '' });
    await b.post(`/portal/register/account?flow=${flowId}`, { loginId: 'code-tester', password: PASSWORD, confirmation: PASSWORD, email: 'codes@example.jp' });
    const soon = await b.post(`/portal/register/email/resend?flow=${flowId}`, {});
    expect(soon.status).toBe(429);
    expect(await soon.text()).toContain('秒後から');
    t.clock.advance(30_000);
    expect((await b.post(`/portal/register/email/resend?flow=${flowId}`, {})).status).toBe(200);
    t.clock.advance(30_000);
    const limit = await b.post(`/portal/register/email/resend?flow=${flowId}`, {});
    expect(limit.status).toBe(429);
    expect(await limit.text()).toContain('これ以上は送信できません');
    expect(await t.deps.db.$count(mailOutbox, eq(mailOutbox.recipient, 'codes@example.jp'))).toBe(2);

    const code = await lastCode(t, 'codes@example.jp');
    const wrongCode = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(Array.from({ length: 5 }, () => b.post(`/portal/register/email?flow=${flowId}`, { code: wrongCode })));
    expect(answers.map((r) => r.status).sort()).toEqual([400, 400, 404, 404, 404]);
    expect((await b.post(`/portal/register/email?flow=${flowId}`, { code })).status).toBe(404);
    expect((await t.deps.db.select().from(flows).where(eq(flows.id, flowId)).get())!.state).toBe('failed');
    expect(await memberByLogin(t, 'code-tester')).toBeUndefined();
  });

  it('re-registration replaces the card\'s ID and password (the old ones deleted), keeping phone and message; a locked member must call', async () => {
    const t = await setup();
    const card = await makeCard(t, { birthDate: '1970-07-07' });
    const oldId = await createMember(t.deps.db, t.clock, { cardAccountId: card.accountId, loginId: 'old-member', authMethod: 'sms_otp', status: 'active', password: 'old-password-1', phone: '+819055550001', phoneStatus: 'verified', personalMessage: '赤い自転車', termsAccepted: true });
    await t.client.execute({ sql: 'UPDATE members SET failed_attempts = 3 WHERE id = ?', args: [oldId] });
    // A session of the old credentials.
    await t.client.execute({ sql: 'INSERT INTO sessions (id, subject_type, subject_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', args: ['s'.repeat(64), 'member', oldId, t.clock.now(), t.clock.now(), t.clock.now() + 900_000] });

    const b = new Browser(t);
    const { path, flowId } = await begin(b);
    expect((await b.post(path, { pan: card.pan, expiry: '12/30', proof: '1970/07/07', pin: '' })).status).toBe(303);
    const account = await (await b.get(`/portal/register/account?flow=${flowId}`)).text();
    expect(account).toContain('会員ID「old-member」で登録済みです');
    expect(account).toContain('携帯電話番号とあいことば（メッセージ）はそのまま');
    const code = await b.post(`/portal/register/account?flow=${flowId}`, { loginId: 'new-member', password: PASSWORD, confirmation: PASSWORD, email: 'new@example.jp' });
    expect(code.status).toBe(303);
    const done = await b.post(`/portal/register/email?flow=${flowId}`, { code: await lastCode(t, 'new@example.jp') });
    expect(done.status).toBe(303);
    const html = await (await b.get(`/portal/register/done?flow=${flowId}`)).text();
    expect(html).toContain('これまでの会員ID「old-member」とパスワードは削除されました');

    expect(await memberByLogin(t, 'old-member')).toBeUndefined();
    const row = (await memberByLogin(t, 'new-member'))!;
    expect(row).toMatchObject({ id: oldId, phone: '+819055550001', phoneStatus: 'verified', personalMessage: '赤い自転車', failedAttempts: 0, email: 'new@example.jp', status: 'active' });
    expect(await verifyPassword('old-password-1', row.passwordHash)).toBe(false);
    expect(await verifyPassword(PASSWORD, row.passwordHash)).toBe(true);
    expect(await t.deps.db.$count(members, eq(members.cardAccountId, card.accountId))).toBe(1);
    // The old session ended; the new one is this browser's.
    expect((await t.client.execute({ sql: 'SELECT id FROM sessions WHERE subject_id = ?', args: [oldId] })).rows.map((r) => r.id)).not.toContain('s'.repeat(64));
    // Told on the registered phone: a re-registration nobody asked for is noticed.
    expect(await t.deps.db.$count(outboundLog, and(eq(outboundLog.purpose, 'notice'), eq(outboundLog.memberId, oldId)))).toBeGreaterThan(0);
    const audit = JSON.parse((await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'member.register')).get())!.detail);
    expect(audit).toMatchObject({ kind: 'reregistration', previousLoginId: 'old-member' });

    // A locked registration is not unlocked by re-registering: the issuer lifts locks.
    const lockedCard = await makeCard(t, { birthDate: '1970-07-07' });
    await createMember(t.deps.db, t.clock, { cardAccountId: lockedCard.accountId, loginId: 'locked-one', authMethod: 'sms_otp', status: 'locked', password: 'whatever-123' });
    const again = await begin(b);
    const locked = await b.post(again.path, { pan: lockedCard.pan, expiry: '12/30', proof: '1970/07/07', pin: '' });
    expect(locked.status).toBe(403);
    expect(await locked.text()).toContain('カード会社へお電話ください');
    expect((await memberByLogin(t, 'locked-one'))!.status).toBe('locked');
  });

  it('completes the 本登録 of a provisional member, a corporate card by its PIN, and a reissued card', async () => {
    const t = await setup();
    // 仮登録 by the issuer.
    const provisional = await makeCard(t, { birthDate: '1985-05-05' });
    const provisionalId = await createMember(t.deps.db, t.clock, { cardAccountId: provisional.accountId, loginId: 'kari-0001', authMethod: 'sms_otp', status: 'provisional' });
    const b = new Browser(t);
    const first = await begin(b, '?issuer=default');
    expect((await b.post(first.path, { pan: provisional.pan, expiry: '12/30', proof: '1985/05/05', pin: '' })).status).toBe(303);
    expect(await (await b.get(`/portal/register/account?flow=${first.flowId}`)).text()).toContain('仮登録されています');
    await b.post(`/portal/register/account?flow=${first.flowId}`, { loginId: 'hon-touroku', password: PASSWORD, confirmation: PASSWORD, email: 'hon@example.jp' });
    await b.post(`/portal/register/email?flow=${first.flowId}`, { code: await lastCode(t, 'hon@example.jp') });
    expect(await (await b.get(`/portal/register/done?flow=${first.flowId}`)).text()).toContain('仮登録から本登録に切り替わりました');
    expect(await memberByLogin(t, 'hon-touroku')).toMatchObject({ id: provisionalId, status: 'active', email: 'hon@example.jp' });

    // A corporate card: its PIN, not a birth date.
    const corporate = await makeCard(t, { birthDate: '1960-01-01', corporate: true, pin: '8642' });
    const c = new Browser(t);
    const byBirth = await begin(c);
    expect((await c.post(byBirth.path, { pan: corporate.pan, expiry: '12/30', proof: '1960/01/01', pin: '' })).status).toBe(400);
    expect((await c.post(byBirth.path, { pan: corporate.pan, expiry: '12/30', proof: '', pin: '1111' })).status).toBe(400);
    const corp = await register(t, c, { pan: corporate.pan, pin: '８６４２' }, { loginId: 'corp.card_01', email: 'corp@example.jp' });
    expect(corp.html).toContain('会員ID：corp.card_01');

    // A reissued card finds its account's member: re-registration, and the issuer's REISSUE_POLICY said.
    const oldCard = await makeCard(t, { birthDate: '1955-03-03' });
    await createMember(t.deps.db, t.clock, { cardAccountId: oldCard.accountId, loginId: 'before-reissue', authMethod: 'sms_otp', status: 'active', password: 'before-pass-1', phone: '+819055550002', phoneStatus: 'verified', termsAccepted: true });
    const newPan = demoPan('jcb', serial++);
    await reissueCard(t.deps, { replaces: { cardId: oldCard.id }, card: { pan: newPan, expiry: '3012' }, policy: 'continue' });
    const r = new Browser(t);
    const reissued = await register(t, r, { pan: newPan, proof: '1955/03/03' }, { loginId: 'after-reissue', email: 'reissue@example.jp' });
    expect(reissued.html).toContain('再発行前のご登録（携帯電話番号・あいことば）を新しいカードでそのままお使いいただけます');
    expect(await memberByLogin(t, 'before-reissue')).toBeUndefined();
    expect(await memberByLogin(t, 'after-reissue')).toMatchObject({ cardAccountId: oldCard.accountId, phone: '+819055550002' });
  });

  it('lets a signed-in member register another card they hold, with its own member ID', async () => {
    const t = await setup();
    const first = await makeCard(t, { birthDate: '1988-08-08' });
    const second = await makeCard(t, { cardholderId: first.cardholderId });
    const b = new Browser(t);
    await register(t, b, { pan: first.pan, proof: '1988/08/08' }, { loginId: 'first-card', email: 'cards@example.jp' });
    const { html } = await begin(b);
    expect(html).toContain('会員ID「first-card」でログイン中です');
    expect(html).toContain('カードごとに別の会員ID');
    await register(t, b, { pan: second.pan, proof: '1988/08/08' }, { loginId: 'second-card', email: 'cards@example.jp' });
    const one = (await memberByLogin(t, 'first-card'))!;
    const two = (await memberByLogin(t, 'second-card'))!;
    expect(one.cardAccountId).toBe(first.accountId);
    expect(two.cardAccountId).toBe(second.accountId);
    expect(one.id).not.toBe(two.id);
    // The second registration signed this browser in as the new member.
    expect(await t.deps.db.$count(sessions, eq(sessions.subjectId, one.id))).toBe(0);
    expect(await t.deps.db.$count(sessions, eq(sessions.subjectId, two.id))).toBe(1);
  });
  it('sends the cardholder back to choose another ID when theirs was taken meanwhile, keeping the mailed code', async () => {
    const t = await setup();
    const one = await makeCard(t, { birthDate: '1991-01-01' });
    const two = await makeCard(t, { birthDate: '1992-02-02' });
    const first = new Browser(t);
    const second = new Browser(t);
    const f = await begin(second);
    await second.post(f.path, { pan: two.pan, expiry: '12/30', proof: '1992/02/02', pin: '' });
    await second.post(`/portal/register/account?flow=${f.flowId}`, { loginId: 'same-name', password: PASSWORD, confirmation: PASSWORD, email: 'two@example.jp' });
    await register(t, first, { pan: one.pan, proof: '1991/01/01' }, { loginId: 'same-name', email: 'one@example.jp' });
    const code = await lastCode(t, 'two@example.jp');
    const taken = await second.post(`/portal/register/email?flow=${f.flowId}`, { code });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('この会員IDはすでに使われています');
    const again = await second.post(`/portal/register/account?flow=${f.flowId}`, { loginId: 'other-name', password: PASSWORD, confirmation: PASSWORD, email: 'two@example.jp' });
    expect(again.headers.get('location')).toBe(`/portal/register/email?flow=${f.flowId}&send=kept`);
    expect((await second.post(`/portal/register/email?flow=${f.flowId}`, { code })).status).toBe(303);
    expect(await memberByLogin(t, 'other-name')).toMatchObject({ cardAccountId: two.accountId });
    expect(await memberByLogin(t, 'same-name')).toMatchObject({ cardAccountId: one.accountId });
  });
});
