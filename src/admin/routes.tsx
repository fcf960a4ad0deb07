/**
 * The staff console under /admin: sign-in and enrolment (no session yet), then the pages a
 * signed-in person's role allows. Every route either is public (sign-in, enrolment) or sits
 * behind the session guard and names its permission; every id in a URL is checked against the
 * person's issuer (roles.ts `inScope`), and an id outside it answers exactly like a missing one.
 */
import { reportRoutes } from '../helpdesk/report-routes.tsx';
import { riskRoutes } from '../risk/console-routes.tsx';
import { providerRoutes } from '../risk/provider-routes.tsx';
import { zValidator } from '@hono/zod-validator';
import { Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { HomePage, RecoveryCodesPage } from '../../views/admin/home.tsx';
import { EnrolInvalidPage, EnrolPasswordPage, EnrolTotpPage, SignInPage } from '../../views/admin/sign-in.tsx';
import type { Bi } from '../../views/i18n.ts';
import { hashPassword } from '../members/password.ts';
import { ensureFirstIssuer, issuerById } from '../issuers/issuer-store.ts';
import { issuerRoutes } from '../issuers/routes.tsx';
import { apiKeyRoutes } from '../api/key-routes.tsx';
import { binRangeRoutes } from '../cards/bin-range-routes.tsx';
import { cardDataRoutes } from '../cards/import/routes.tsx';
import { actionRoutes } from '../helpdesk/action-routes.tsx';
import { lookupRoutes } from '../helpdesk/lookup-routes.tsx';
import { dashboardRoutes } from '../insight/dashboard-routes.tsx';
import { trailRoutes } from '../trail/routes.tsx';
import { appendAudit } from './audit-log.ts';
import { auditRoutes } from './audit-routes.tsx';
import { newRecoveryCodes, normalisePassword, passwordProblem, recoveryCodeHash } from './credentials.ts';
import { chooseLanguage, originAllowed, requireStaff, safeNext, type AdminContext, type AdminEnv } from './http.ts';
import { refuse } from './refuse.tsx';
import { pageBase, signedIn, timeZoneOf } from './page.ts';
import { createSession, csrfTokenFor, endSession, purgeStaleSessions, SESSION_COOKIE } from './sessions.ts';
import { signIn } from './sign-in.ts';
import { staffRoutes } from './staff-routes.tsx';
import { completeEnrolment, openEnrolment, recoveryCodesLeft, setEnrolmentPassword } from './staff-store.ts';
import { decryptTotpSecret, encryptTotpSecret, newTotpSecret, qrSvg, totpStepFor, totpUri } from './totp.ts';
import { formatTime } from '../../views/admin/shell.tsx';

const PUBLIC_PATHS = [/^\/admin\/sign-in$/, /^\/admin\/enrol\/[^/]+(\/totp)?$/];
const isConsole = (path: string) => path === '/admin' || path.startsWith('/admin/');

/**
 * One guard for the whole console, in order: language and no caching, the first issuer (made
 * from the configuration on a fresh database), the Origin check on every POST, then the session
 * for every page but sign-in and enrolment.
 */
const consoleGuard: MiddlewareHandler<AdminEnv> = async (c, next) => {
  if (!isConsole(c.req.path)) return next();
  chooseLanguage(c);
  // Nothing of the console belongs in a shared cache or the back-forward cache.
  c.header('Cache-Control', 'no-store');
  const first = await ensureFirstIssuer(c.get('deps'));
  c.set('site', { ja: first.nameJa, en: first.nameEn });
  if (!(await originAllowed(c))) return refuse(c, 'csrf');
  if (PUBLIC_PATHS.some((p) => p.test(c.req.path))) return next();
  return sessionGuard(c, next);
};
const sessionGuard = requireStaff((c) => refuse(c, 'csrf'));

const cookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' as const };

const signInForm = z.object({
  username: z.string().max(200).default(''),
  password: z.string().max(1000).default(''),
  code: z.string().max(100).default(''),
  next: z.string().max(500).optional(),
});

const passwordForm = z.object({ password: z.string().max(1000).default(''), confirm: z.string().max(1000).default('') });
const codeForm = z.object({ code: z.string().max(100).default('') });

export function adminRoutes(): Hono<AdminEnv> {
  const admin = new Hono<AdminEnv>();
  admin.use('*', consoleGuard);

  // ─── Sign-in and sign-out ───────────────────────────────────────────────────

  admin.get('/admin/sign-in', (c) =>
    c.html(<SignInPage {...pageBase(c)} next={safeNext(c.req.query('next'))} signedOut={c.req.query('signed-out') === '1'} expired={c.req.query('expired') === '1'} />),
  );

  admin.post('/admin/sign-in', zValidator('form', signInForm, (r, c) => (r.success ? undefined : c.html(<SignInPage {...pageBase(c as unknown as AdminContext)} next="/admin" failed />, 401))), async (c) => {
    const deps = c.get('deps');
    const form = c.req.valid('form');
    const result = await signIn(deps, { username: form.username, password: form.password, code: form.code, requestId: c.get('requestId') });
    if (!result.ok) return c.html(<SignInPage {...pageBase(c)} next={safeNext(form.next)} username={form.username} failed />, 401);
    await purgeStaleSessions(deps.db, deps.clock.now());
    const { token } = await createSession(deps.db, result.staff.id, deps.clock.now());
    setCookie(c, SESSION_COOKIE, token, cookieOptions);
    return c.redirect(safeNext(form.next), 303);
  });

  // ─── Enrolment: password, authenticator, recovery codes ─────────────────────

  admin.get('/admin/enrol/:token', async (c) => {
    const deps = c.get('deps');
    const open = await openEnrolment(deps.db, c.req.param('token'), deps.clock.now());
    if (!open) return c.html(<EnrolInvalidPage {...pageBase(c)} />, 404);
    if (open.enrolment.pendingTotpCipher) return totpStep(c, c.req.param('token'), false);
    return c.html(<EnrolPasswordPage {...pageBase(c)} action={c.req.path} username={open.member.username} displayName={open.member.displayName} />);
  });

  admin.post('/admin/enrol/:token', zValidator('form', passwordForm), async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const now = deps.clock.now();
    const open = await openEnrolment(deps.db, token, now);
    if (!open) return c.html(<EnrolInvalidPage {...pageBase(c)} />, 404);
    const form = c.req.valid('form');
    const problem = passwordProblem(form.password, form.confirm, open.member.username);
    if (problem) {
      return c.html(<EnrolPasswordPage {...pageBase(c)} action={c.req.path} username={open.member.username} displayName={open.member.displayName} error={problem} />, 400);
    }
    const cipher = await encryptTotpSecret(deps.config.secrets.PAN_ENCRYPTION_KEY, newTotpSecret());
    await setEnrolmentPassword(deps.db, open.enrolment, await hashPassword(normalisePassword(form.password)), cipher, now);
    return c.redirect(`/admin/enrol/${token}`, 303);
  });

  admin.post('/admin/enrol/:token/totp', zValidator('form', codeForm), async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const now = deps.clock.now();
    const open = await openEnrolment(deps.db, token, now);
    if (!open || !open.enrolment.pendingTotpCipher) return c.html(<EnrolInvalidPage {...pageBase(c)} />, 404);
    const secret = await decryptTotpSecret(deps.config.secrets.PAN_ENCRYPTION_KEY, open.enrolment.pendingTotpCipher);
    const step = totpStepFor(secret, c.req.valid('form').code.trim(), now);
    if (step === null) return totpStep(c, token, true);
    const codes = newRecoveryCodes();
    const hashes = await Promise.all(codes.map((code) => recoveryCodeHash(deps.keys.session, code)));
    if (!(await completeEnrolment(deps.db, open.enrolment, step, hashes, now))) return c.html(<EnrolInvalidPage {...pageBase(c)} />, 404);
    await appendAudit(deps.db, {
      at: now,
      actor: { type: 'staff', id: open.member.id, name: open.member.username },
      issuerId: open.member.issuerId,
      action: 'staff.enrol',
      target: `staff:${open.member.id}`,
      detail: { username: open.member.username, recoveryCodes: codes.length },
      requestId: c.get('requestId'),
    });
    // Enrolment proved the password and the authenticator: the person is signed in.
    const { token: sessionToken, session } = await createSession(deps.db, open.member.id, now);
    setCookie(c, SESSION_COOKIE, sessionToken, cookieOptions);
    c.set('me', { ...open.member, status: 'active' });
    c.set('session', session);
    c.set('csrf', await csrfTokenFor(deps.keys.session, session));
    return c.html(<RecoveryCodesPage {...pageBase(c)} me={(await signedIn(c)).me} codes={codes} />);
  });

  // ─── Signed in ──────────────────────────────────────────────────────────────

  admin.post('/admin/sign-out', async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    await endSession(deps.db, c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, cookieOptions);
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: me.issuerId,
      action: 'staff.sign_out',
      target: `staff:${me.id}`,
      requestId: c.get('requestId'),
    });
    return c.redirect('/admin/sign-in?signed-out=1', 303);
  });

  admin.get('/admin', async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { me: view, issuer } = await signedIn(c);
    const previous = me.lastSignInAt;
    return c.html(
      <HomePage
        {...pageBase(c)}
        me={view}
        abilities={ABILITIES[me.role]}
        lastSignInAt={previous ? formatTime(previous, c.get('lang'), timeZoneOf(issuer)) : null}
        recoveryCodesLeft={await recoveryCodesLeft(deps.db, me.id)}
      />,
    );
  });

  admin.route('/', staffRoutes());
  admin.route('/', auditRoutes());
  admin.route('/', issuerRoutes());
  admin.route('/', lookupRoutes());
  admin.route('/', actionRoutes());
  admin.route('/', trailRoutes());
  admin.route('/', dashboardRoutes());
  admin.route('/', cardDataRoutes());
  admin.route('/', binRangeRoutes());
  admin.route('/', apiKeyRoutes());
  admin.route('/', reportRoutes());
  // The provider's settings first: /admin/risk/provider is not one of the console's /admin/risk/:… pages.
  admin.route('/', providerRoutes());
  admin.route('/', riskRoutes());
  return admin;
}

async function totpStep(c: AdminContext, token: string, error: boolean): Promise<Response> {
  const deps = c.get('deps');
  const open = (await openEnrolment(deps.db, token, deps.clock.now()))!;
  const secret = await decryptTotpSecret(deps.config.secrets.PAN_ENCRYPTION_KEY, open.enrolment.pendingTotpCipher!);
  const issuer = open.member.issuerId === null ? undefined : await issuerById(deps.db, open.member.issuerId);
  const label = issuer ? `Mamori ${issuer.nameEn}` : 'Mamori';
  const uri = totpUri(secret, open.member.username, label);
  const alt = c.get('lang') === 'ja' ? '認証アプリに読み取らせるQRコード' : 'QR code for your authenticator app';
  return c.html(
    <EnrolTotpPage {...pageBase(c)} action={`/admin/enrol/${token}/totp`} username={open.member.username} secret={secret} qrSvg={qrSvg(uri, alt)} error={error} />,
    error ? 400 : 200,
  );
}

/** What each role may do, as the home page says it (roles.ts is the rule; this is its wording). */
const ABILITIES: Record<string, Bi[]> = {
  platform_admin: [
    { ja: 'すべてのカード会社の設定・スタッフ・監査ログ', en: 'Settings, staff and audit log of every issuer' },
    { ja: 'カード会社の追加', en: 'Add issuers' },
    { ja: 'スタッフの招待・停止・再開・リセット・ロック解除・役割変更', en: 'Invite, disable, re-enable, reset, unlock staff and change roles' },
  ],
  issuer_admin: [
    { ja: '自社の設定（表示・SMS・しきい値・ポリシー）の変更', en: 'Change your issuer’s settings (branding, SMS, thresholds, policies)' },
    { ja: '自社スタッフの招待・停止・再開・リセット・ロック解除・役割変更', en: 'Invite, disable, re-enable, reset, unlock your issuer’s staff and change their roles' },
    { ja: '自社の監査ログの閲覧と書き出し', en: 'Read and export your issuer’s audit log' },
    { ja: '会員照会・ヘルプデスク操作・承認待ちの承認と却下', en: 'Cardholder look-up, helpdesk actions, approving or rejecting requests' },
    { ja: '取引履歴・ダッシュボード・カードデータの取り込みと書き出し・BINレンジ・APIキー', en: 'Transactions, dashboard, card data import and export, BIN ranges, API keys' },
  ],
  helpdesk: [
    { ja: '自社の会員・取引の照会とダッシュボード', en: 'Look up your issuer’s cardholders and transactions; the dashboard' },
    { ja: 'ロック解除・電話番号の変更・カードの利用停止など（承認が必要な操作は申請）', en: 'Unlock, change phones, block cards and more (filing a request where approval is required)' },
    { ja: 'それ以外の操作はできません', en: 'Nothing else' },
  ],
  auditor: [
    { ja: '自社の設定・スタッフ・監査ログの閲覧', en: 'Read your issuer’s settings, staff and audit log' },
    { ja: '会員照会・取引履歴・ダッシュボードの閲覧', en: 'Read cardholders, transactions and the dashboard' },
    { ja: '監査ログ・取引・カードデータの書き出し（CSV）', en: 'Export the audit log, transactions and card data (CSV)' },
    { ja: '変更はできません', en: 'Change nothing' },
  ],
};
