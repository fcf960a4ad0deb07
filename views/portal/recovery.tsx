/**
 * Forgot ID and forgot password: one form each, and one answer each that reads the same whatever
 * was found (nothing here tells whether a card, an ID or an address exists).
 */
import type { Bi, Lang } from '../i18n.ts';
import { announceErrors, ErrorSummary, Field } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export type RecoveryProblem = 'empty' | 'format';
export type ProofKind = 'birth_date' | 'phone_on_file';

const W = {
  idTitle: { ja: '会員IDをお忘れの方', en: 'Forgot your member ID' },
  idIntro: {
    ja: 'カード番号、有効期限とご本人確認の情報を入力してください。ご登録の内容と一致した場合、ご登録のメールアドレスに会員IDをお送りします。画面には表示しません。',
    en: 'Enter your card number, expiry date and the identity check. If they match a registration, we mail the member ID to the registered address; it is never shown here.',
  },
  pan: { ja: 'カード番号', en: 'Card number' },
  panHint: { ja: '半角・全角の数字。スペースやハイフンはあってもかまいません。', en: 'Digits; spaces or dashes are fine.' },
  expiry: { ja: '有効期限（月/年）', en: 'Expiry (MM/YY)' },
  expiryHint: { ja: 'カードの表示どおり、例：04/29', en: 'As printed on the card, e.g. 04/29' },
  birthDate: { ja: '生年月日', en: 'Date of birth' },
  birthDateHint: { ja: '例：1980-04-01', en: 'e.g. 1980-04-01' },
  phoneOnFile: { ja: 'カード会社にお届けの電話番号', en: 'The phone number your card issuer has on file' },
  phoneHint: { ja: '例：090-1234-5678', en: 'e.g. 090-1234-5678' },
  pin: { ja: '法人カードの方：カードの暗証番号', en: 'Corporate cards: the card PIN' },
  pinHint: {
    ja: '法人カードは生年月日の代わりに暗証番号で確認します。個人カードの方は空欄のままにしてください。',
    en: 'A corporate card is checked by its PIN instead. Leave this empty for a personal card.',
  },
  idSubmit: { ja: '会員IDをメールで受け取る', en: 'Mail me my member ID' },
  idDone: {
    ja: 'お手続きを受け付けました。入力内容がご登録と一致し、メールアドレスのご登録がある場合は、会員IDをお送りしました。しばらくしても届かない場合は、カード会社へお電話ください。',
    en: 'Thank you. If the details match a registration with an e-mail address, we have mailed the member ID to it. If nothing arrives in a while, please call your card issuer.',
  },
  pwTitle: { ja: 'パスワードをお忘れの方', en: 'Forgot your password' },
  pwIntro: {
    ja: '会員IDを入力してください。ご登録のメールアドレスに再設定用のリンクをお送りします。リンクを開くと、ご登録の携帯電話にSMSで確認コードをお送りします。仮のパスワードは発行しません。',
    en: 'Enter your member ID. We mail a reset link to the registered address; opening it sends a code by SMS to your registered mobile phone. We never issue a temporary password.',
  },
  memberId: { ja: '会員ID', en: 'Member ID' },
  pwSubmit: { ja: '再設定のメールを受け取る', en: 'Mail me a reset link' },
  pwDone: {
    ja: 'お手続きを受け付けました。会員IDがメールアドレスとともに登録されている場合は、再設定用のリンクをお送りしました。リンクは30分間有効です。',
    en: 'Thank you. If the member ID is registered with an e-mail address, we have sent a reset link to it. The link works for 30 minutes.',
  },
  forgotIdToo: { ja: '会員IDもお忘れの場合', en: 'Forgot your member ID too?' },
  throttled: {
    ja: '短い間にお手続きが続いたため、しばらく受け付けられません。時間をおいてお試しいただくか、カード会社へお電話ください。',
    en: 'There were too many requests in a short time. Please try again later, or call your card issuer.',
  },
  toSignIn: { ja: 'ログイン画面へ', en: 'To the sign-in page' },
  problem: {
    pan: { empty: { ja: 'カード番号を入力してください。', en: 'Enter the card number.' }, format: { ja: 'カード番号をご確認ください。', en: 'Check the card number.' } },
    expiry: { empty: { ja: '有効期限を入力してください。', en: 'Enter the expiry date.' }, format: { ja: '有効期限は「月/年」の4桁で入力してください（例：04/29）。', en: 'Enter the expiry as MM/YY (e.g. 04/29).' } },
    proof: { empty: { ja: 'ご本人確認の情報を入力してください。', en: 'Enter the identity check.' }, format: { ja: '入力の形式をご確認ください。', en: 'Check the format.' } },
    memberId: { empty: { ja: '会員IDを入力してください。', en: 'Enter your member ID.' }, format: { ja: '会員IDをご確認ください。', en: 'Check the member ID.' } },
  } satisfies Record<string, Record<RecoveryProblem, Bi>>,
} as const;

interface Common {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  /** The request was taken (same words whatever happened). */
  done?: boolean;
  throttled?: boolean;
}

export interface ForgotIdProps extends Common {
  proof: ProofKind;
  values?: { pan?: string; expiry?: string; proof?: string };
  errors?: Partial<Record<'pan' | 'expiry' | 'proof', RecoveryProblem>>;
}

function Outcome(p: Common & { text: Bi }) {
  const t = (b: Bi) => b[p.lang];
  if (p.throttled) {
    return (
      <div class="alert" id="recovery-outcome">
        <p>{t(W.throttled)}</p>
      </div>
    );
  }
  return (
    <p class="notice" id="recovery-outcome">
      {t(p.text)}
    </p>
  );
}

export function ForgotIdPage(p: ForgotIdProps) {
  const t = (b: Bi) => b[p.lang];
  const e = p.errors ?? {};
  const errs = [e.pan && W.problem.pan[e.pan], e.expiry && W.problem.expiry[e.expiry], e.proof && W.problem.proof[e.proof]];
  const announce = p.throttled ? t(W.throttled) : p.done ? t(W.idDone) : announceErrors(p.lang, errs);
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.idTitle} path={p.path} announce={announce}>
      <h1>{t(W.idTitle)}</h1>
      {p.done || p.throttled ? (
        <>
          <Outcome {...p} text={W.idDone} />
          <p>
            <a href="/portal/sign-in">{t(W.toSignIn)}</a>
          </p>
        </>
      ) : (
        <>
          <ErrorSummary lang={p.lang} errors={errs} />
          <p>{t(W.idIntro)}</p>
          <form method="post" action="/portal/forgot-id" class="portal-form" {...PORTAL_HX}>
            <Field lang={p.lang} name="pan" label={W.pan} hint={W.panHint} value={p.values?.pan} inputmode="numeric" autocomplete="cc-number" maxlength={30} error={e.pan && W.problem.pan[e.pan]} />
            <Field lang={p.lang} name="expiry" label={W.expiry} hint={W.expiryHint} value={p.values?.expiry} inputmode="numeric" autocomplete="cc-exp" maxlength={7} error={e.expiry && W.problem.expiry[e.expiry]} />
            {p.proof === 'birth_date' ? (
              <Field lang={p.lang} name="proof" type="date" label={W.birthDate} hint={W.birthDateHint} value={p.values?.proof} autocomplete="bday" required={false} error={e.proof && W.problem.proof[e.proof]} />
            ) : (
              <Field lang={p.lang} name="proof" type="tel" label={W.phoneOnFile} hint={W.phoneHint} value={p.values?.proof} inputmode="tel" autocomplete="tel" maxlength={20} required={false} error={e.proof && W.problem.proof[e.proof]} />
            )}
            <Field lang={p.lang} name="pin" type="password" label={W.pin} hint={W.pinHint} inputmode="numeric" autocomplete="off" maxlength={12} required={false} />
            <button type="submit" class="primary">
              {t(W.idSubmit)}
            </button>
          </form>
          <p>
            <a href="/portal/sign-in">{t(W.toSignIn)}</a>
          </p>
        </>
      )}
    </PortalShell>
  );
}

export interface ForgotPasswordProps extends Common {
  memberId?: string;
  error?: RecoveryProblem;
}

export function ForgotPasswordPage(p: ForgotPasswordProps) {
  const t = (b: Bi) => b[p.lang];
  const err = p.error && W.problem.memberId[p.error];
  const announce = p.throttled ? t(W.throttled) : p.done ? t(W.pwDone) : announceErrors(p.lang, [err]);
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.pwTitle} path={p.path} announce={announce}>
      <h1>{t(W.pwTitle)}</h1>
      {p.done || p.throttled ? (
        <>
          <Outcome {...p} text={W.pwDone} />
          <p>
            <a href="/portal/sign-in">{t(W.toSignIn)}</a>
          </p>
        </>
      ) : (
        <>
          <ErrorSummary lang={p.lang} errors={[err]} />
          <p>{t(W.pwIntro)}</p>
          <form method="post" action="/portal/forgot-password" class="portal-form" {...PORTAL_HX}>
            <Field lang={p.lang} name="memberId" label={W.memberId} value={p.memberId} autocomplete="username" maxlength={64} error={err} />
            <button type="submit" class="primary">
              {t(W.pwSubmit)}
            </button>
          </form>
          <ul class="portal-links">
            <li>
              <a href="/portal/forgot-id">{t(W.forgotIdToo)}</a>
            </li>
            <li>
              <a href="/portal/sign-in">{t(W.toSignIn)}</a>
            </li>
          </ul>
        </>
      )}
    </PortalShell>
  );
}
