/**
 * The portal's registration pages (src/portal/registration.ts): the card and its proof, the member
 * ID / password / mail address, the mailed code, and done; plus the pages for a registration that
 * cannot go on. One language at a time (the shell's switch), every error beside its field and in
 * the live region, every form usable without JavaScript (htmx only swaps main and checks the ID
 * on leaving the field).
 */
import type { Bi, Lang } from '../i18n.ts';
import { Tel } from '../phone.tsx';
import { announceErrors, ErrorSummary, Field } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export type RegistrationProofKind = 'birth_date' | 'phone_on_file';
export type CardProblem = 'empty' | 'format' | 'luhn';
export type LoginIdProblem = 'empty' | 'format' | 'taken';
export type PasswordProblem = 'empty' | 'too_short' | 'too_long' | 'common' | 'contains_member_id';
export type RegistrationKind = 'new' | 'reregistration' | 'provisional';

const W = {
  title: { ja: '本人認証サービスの会員登録', en: 'Register for 3-D Secure' },
  step: (n: number): Bi => ({ ja: `ステップ ${n} / 3`, en: `Step ${n} of 3` }),
  cardIntro: {
    ja: 'お手元のカードと、カード会社にお届けの情報で、ご本人であることを確認します。カード1枚ごとにご登録ください。',
    en: 'We confirm it is you with your card and the details your card issuer holds. Each card is registered on its own.',
  },
  anotherCard: (id: string): Bi => ({
    ja: `会員ID「${id}」でログイン中です。お持ちの別のカードを登録できます。カードごとに別の会員IDになり、登録が終わると新しい会員IDでログインした状態になります。`,
    en: `You are signed in as ${id}. You can register another card you hold here. Each card has its own member ID; when this is done you are signed in with the new one.`,
  }),
  pan: { ja: 'カード番号', en: 'Card number' },
  panHint: { ja: '半角・全角、スペースやハイフンがあってもかまいません。', en: 'Spaces and hyphens are fine.' },
  expiry: { ja: '有効期限（月/年）', en: 'Expiry (MM/YY)' },
  expiryHint: { ja: '例：03/30（カードの表示のとおり）', en: 'For example 03/30, as on the card.' },
  birthDate: { ja: '生年月日', en: 'Date of birth' },
  birthDateHint: { ja: '例：1980/04/01', en: 'For example 1980/04/01 (year/month/day).' },
  phone: { ja: 'カード会社にお届けの電話番号', en: 'The phone number your card issuer has on file' },
  phoneHint: { ja: '例：090-1234-5678', en: 'For example 090-1234-5678.' },
  pin: { ja: '法人カードの方：カード暗証番号', en: 'Corporate cards: the card PIN' },
  pinHint: { ja: '法人カードは、上の項目の代わりにカードの暗証番号で確認します。', en: 'A corporate card is confirmed with its PIN instead of the field above.' },
  next: { ja: '次へ', en: 'Next' },
  cancel: { ja: '登録をやめる', en: 'Cancel the registration' },
  unconfirmed: {
    ja: 'カード情報を確認できませんでした。入力内容をお確かめのうえ、もう一度お試しください。',
    en: 'The card details could not be confirmed. Please check what you entered and try again.',
  },
  paused: {
    ja: 'このカードのご登録は、現在お受けできません。お手数ですが、カード会社へお電話ください。',
    en: 'This card cannot be registered here at the moment. Please call your card issuer.',
  },
  cardError: {
    pan: {
      empty: { ja: 'カード番号を入力してください。', en: 'Enter the card number.' },
      format: { ja: 'カード番号は12〜19桁の数字で入力してください。', en: 'The card number is 12 to 19 digits.' },
      luhn: { ja: 'カード番号に誤りがあります。カードの表示をお確かめください。', en: 'This card number is not right. Please check it against the card.' },
    },
    expiry: {
      empty: { ja: '有効期限を入力してください。', en: 'Enter the expiry date.' },
      format: { ja: '有効期限は「月/年」（例：03/30）で入力してください。', en: 'Enter the expiry as MM/YY, for example 03/30.' },
      luhn: { ja: '有効期限を入力してください。', en: 'Enter the expiry date.' },
    },
    birth_date: {
      empty: { ja: '生年月日（法人カードの方は暗証番号）を入力してください。', en: 'Enter your date of birth (corporate cards: the card PIN).' },
      format: { ja: '生年月日は「年/月/日」（例：1980/04/01）で入力してください。', en: 'Enter the date of birth as year/month/day, for example 1980/04/01.' },
      luhn: { ja: '生年月日を入力してください。', en: 'Enter your date of birth.' },
    },
    phone_on_file: {
      empty: { ja: 'お届けの電話番号（法人カードの方は暗証番号）を入力してください。', en: 'Enter the phone number on file (corporate cards: the card PIN).' },
      format: { ja: '電話番号は、例：090-1234-5678 のように入力してください。', en: 'Enter the phone number like 090-1234-5678.' },
      luhn: { ja: '電話番号を入力してください。', en: 'Enter the phone number.' },
    },
    pin: {
      empty: { ja: '暗証番号を入力してください。', en: 'Enter the PIN.' },
      format: { ja: '暗証番号は4〜12桁の数字です。', en: 'The PIN is 4 to 12 digits.' },
      luhn: { ja: '暗証番号を入力してください。', en: 'Enter the PIN.' },
    },
  } satisfies Record<string, Record<CardProblem, Bi>>,

  accountIntro: { ja: 'ログインに使う会員IDとパスワード、連絡先のメールアドレスを登録します。', en: 'Choose the member ID and password you sign in with, and your mail address.' },
  cardLine: (brand: string, last4: string): Bi => ({ ja: `登録するカード：${brand} 下4桁 ${last4}`, en: `Card: ${brand} ending ${last4}` }),
  reregistration: (id: string): Bi => ({
    ja: `このカードは会員ID「${id}」で登録済みです。新しい会員IDとパスワードを登録すると、これまでの会員IDとパスワードは同時に削除され、使えなくなります。ご登録の携帯電話番号とあいことば（メッセージ）はそのまま引き継がれます。`,
    en: `This card is registered as ${id}. Registering a new member ID and password deletes the old ones at the same time. Your registered mobile number and personal message stay as they are.`,
  }),
  provisional: {
    ja: 'このカードはカード会社により仮登録されています。ここで会員IDとパスワードを決めると本登録になります。',
    en: 'Your card issuer registered this card provisionally. Choosing your member ID and password here completes the registration.',
  },
  reissued: {
    ja: '再発行前のカードのご登録を、このカードで引き継ぎます。',
    en: 'The registration of the card this one replaced carries on with this card.',
  },
  loginId: { ja: '会員ID', en: 'Member ID' },
  loginIdHint: { ja: '6〜20文字。半角英数字と「-」「_」「.」が使えます。', en: '6 to 20 characters: letters, digits, - _ and .' },
  loginIdFree: { ja: 'この会員IDは使えます。', en: 'This member ID is available.' },
  loginIdError: {
    empty: { ja: '会員IDを入力してください。', en: 'Enter a member ID.' },
    format: { ja: '会員IDは6〜20文字の半角英数字と「-」「_」「.」で入力してください。', en: 'Use 6 to 20 letters, digits, - _ or .' },
    taken: { ja: 'この会員IDはすでに使われています。別の会員IDにしてください。', en: 'This member ID is taken. Choose another.' },
  } satisfies Record<LoginIdProblem, Bi>,
  password: { ja: 'パスワード', en: 'Password' },
  passwordHint: {
    ja: '8文字以上。よく使われるパスワードや会員IDを含むものは使えません。文字の種類の組み合わせは自由です。',
    en: 'At least 8 characters; not a common password and not containing your member ID. Any mix of characters.',
  },
  passwordError: {
    empty: { ja: 'パスワードを入力してください。', en: 'Enter a password.' },
    too_short: { ja: 'パスワードは8文字以上にしてください。', en: 'Use at least 8 characters.' },
    too_long: { ja: 'パスワードは128文字以内にしてください。', en: 'Use at most 128 characters.' },
    common: { ja: 'よく使われていて推測されやすいパスワードです。別のものにしてください。', en: 'This password is common and easy to guess. Choose another.' },
    contains_member_id: { ja: '会員IDを含まないパスワードにしてください。', en: 'Do not use your member ID in the password.' },
  } satisfies Record<PasswordProblem, Bi>,
  confirmation: { ja: 'パスワード（確認）', en: 'Password again' },
  confirmationError: {
    empty: { ja: '確認のため、もう一度入力してください。', en: 'Enter the password again.' },
    mismatch: { ja: '1回目と同じパスワードを入力してください。', en: 'This does not match the first entry.' },
  },
  email: { ja: 'メールアドレス', en: 'Mail address' },
  emailHint: { ja: '確認コードをお送りします。', en: 'We send a confirmation code to it.' },
  emailError: {
    empty: { ja: 'メールアドレスを入力してください。', en: 'Enter your mail address.' },
    format: { ja: 'メールアドレスの形式をお確かめください（例：taro@example.jp）。', en: 'Check the mail address (for example taro@example.jp).' },
  },
  sendCode: { ja: '確認コードを送信', en: 'Send the code' },

  codeIntro: (to: string): Bi => ({ ja: `${to} に確認コード（6桁）をメールでお送りしました。`, en: `We mailed a 6-digit code to ${to}.` }),
  code: { ja: '確認コード（6桁）', en: 'Code (6 digits)' },
  codeError: {
    empty: { ja: '確認コードを入力してください。', en: 'Enter the code.' },
    format: { ja: '確認コードは6桁の数字で入力してください。', en: 'The code is 6 digits.' },
    wrong: { ja: '確認コードが正しくありません。', en: 'That code is not right.' },
  },
  remaining: (n: number): Bi => ({ ja: `あと${n}回間違えると、この登録手続きは使えなくなります。`, en: `After ${n} more wrong ${n === 1 ? 'code' : 'codes'} this registration stops.` }),
  register: { ja: '登録する', en: 'Register' },
  resend: { ja: '確認コードを再送信', en: 'Send the code again' },
  changeEmail: { ja: 'メールアドレスを変更する', en: 'Change the mail address' },
  send: {
    sent: (to: string): Bi => ({ ja: `${to} に確認コードを送信しました。`, en: `We sent a code to ${to}.` }),
    kept: (to: string): Bi => ({ ja: `${to} にお送りした確認コードをお使いください。`, en: `Use the code we sent to ${to}.` }),
    cooldown: (s: number): Bi => ({ ja: `確認コードの送信は${s}秒後からできます。`, en: `You can ask for a code in ${s} seconds.` }),
    limit: { ja: 'これ以上は送信できません。届かない場合はカード会社へお電話ください。', en: 'No more codes can be sent. If none arrived, please call your card issuer.' },
    failed: { ja: '確認コードを送信できませんでした。時間をおいて再送信してください。', en: 'The code could not be sent. Please try again later.' },
    not_sent: { ja: 'このメールアドレスにはまだ確認コードを送信していません。「確認コードを再送信」を押してください。', en: 'No code has gone to this address yet. Press “Send the code again”.' },
  },

  doneTitle: { ja: '会員登録が完了しました', en: 'You are registered' },
  doneId: (id: string): Bi => ({ ja: `会員ID：${id}`, en: `Member ID: ${id}` }),
  doneNew: {
    ja: '次に、本人認証サービスの利用規約をご確認ください。そのあと、ワンタイムパスワードを受け取る携帯電話番号を登録します。',
    en: 'Next, please read and accept the 3-D Secure terms. Then register the mobile phone that receives your one-time codes.',
  },
  doneReplaced: (old: string): Bi => ({
    ja: `これまでの会員ID「${old}」とパスワードは削除されました。携帯電話番号とあいことばはそのままです。`,
    en: `The old member ID ${old} and its password were deleted. Your mobile number and personal message stay as they were.`,
  }),
  doneSameId: { ja: 'パスワードを新しくしました。携帯電話番号とあいことばはそのままです。', en: 'Your password is new. Your mobile number and personal message stay as they were.' },
  doneProvisional: { ja: '仮登録から本登録に切り替わりました。', en: 'Your provisional registration is now a full registration.' },
  reissueContinue: {
    ja: 'カード会社の取り扱いにより、再発行前のご登録（携帯電話番号・あいことば）を新しいカードでそのままお使いいただけます。',
    en: 'Under your card issuer’s policy, the registration of your old card (mobile number and personal message) carries on with the new card.',
  },
  reissuePhone: {
    ja: 'カード会社の取り扱いにより、再発行後は携帯電話番号の再登録が必要です。利用規約のあとでご登録ください。',
    en: 'Under your card issuer’s policy, the mobile number must be registered again after a reissue. Please do so after the terms.',
  },
  toTerms: { ja: '利用規約へ進む', en: 'Continue to the terms' },

  closedTitle: { ja: 'この登録手続きは続けられません', en: 'This registration cannot go on' },
  closed: {
    ja: '有効期限（20分）が切れたか、別のブラウザで開かれたか、すでに終わっています。お手数ですが、最初からやり直してください。',
    en: 'It expired (after 20 minutes), was opened in another browser, or has ended. Please start again.',
  },
  tooMany: {
    ja: '確認コードを規定の回数以上間違えたため、この登録手続きは使えなくなりました。',
    en: 'The code was entered wrongly too many times, so this registration stopped.',
  },
  again: { ja: '最初からやり直す', en: 'Start again' },
  lockedTitle: { ja: 'このカードのご登録はロックされています', en: 'This card’s registration is locked' },
  locked: {
    ja: 'ロックの解除はカード会社で承ります。お手数ですが、カード会社へお電話ください。',
    en: 'Only your card issuer can lift the lock. Please call them.',
  },
  call: { ja: 'お問い合わせ', en: 'Questions' },
} as const;

const BRAND: Record<string, string> = { jcb: 'JCB', visa: 'Visa', mastercard: 'Mastercard' };

interface Common {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member?: { loginId: string };
  csrf?: string;
}

function Steps({ lang, n }: { lang: Lang; n: number }) {
  return <p class="muted registration-step">{W.step(n)[lang]}</p>;
}

function CallLine({ lang, issuer }: { lang: Lang; issuer: PortalIssuer }) {
  return (
    <p>
      {lang === 'ja' ? `${issuer.name.ja}（` : `${issuer.name.en}: `}
      <Tel phone={issuer.phone} />
      {issuer.hours[lang] ? (lang === 'ja' ? ` ${issuer.hours.ja}）` : ` (${issuer.hours.en})`) : lang === 'ja' ? '）' : ''}
    </p>
  );
}

function CancelForm({ lang, flowId }: { lang: Lang; flowId: string }) {
  const action = `/portal/register/cancel?flow=${flowId}`;
  return (
    <form method="post" action={action} class="registration-cancel">
      <button type="submit" class="secondary">
        {W.cancel[lang]}
      </button>
    </form>
  );
}

// ─── Step 1 ─────────────────────────────────────────────────────────────────────

export interface CardStepProps extends Common {
  flowId: string;
  proof: RegistrationProofKind;
  errors?: Partial<Record<'pan' | 'expiry' | 'proof' | 'pin', CardProblem>>;
  /** The one answer for every failed proof; `paused` adds the line to call the issuer. */
  unconfirmed?: { paused: boolean };
  /** What was typed, shown again only beside a malformed entry (never the proof or PIN). */
  values?: { pan?: string; expiry?: string };
}

export function CardStepPage(p: CardStepProps) {
  const e = p.errors ?? {};
  const l = p.lang;
  const err = {
    pan: e.pan && W.cardError.pan[e.pan],
    expiry: e.expiry && W.cardError.expiry[e.expiry],
    proof: e.proof && W.cardError[p.proof][e.proof],
    pin: e.pin && W.cardError.pin[e.pin],
  };
  const list = [err.pan, err.expiry, err.proof, err.pin];
  const announce = p.unconfirmed ? [W.unconfirmed[l], p.unconfirmed.paused ? W.paused[l] : ''].filter(Boolean).join(' ') : announceErrors(l, list);
  const action = `/portal/register?flow=${p.flowId}`;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf} announce={announce}>
      <h1>{W.title[l]}</h1>
      <Steps lang={l} n={1} />
      <p>{W.cardIntro[l]}</p>
      {p.member && <p class="notice">{W.anotherCard(p.member.loginId)[l]}</p>}
      {p.unconfirmed && (
        <div class="alert" id="unconfirmed">
          <p>{W.unconfirmed[l]}</p>
          {p.unconfirmed.paused && (
            <>
              <p>{W.paused[l]}</p>
              <CallLine lang={l} issuer={p.issuer} />
            </>
          )}
        </div>
      )}
      <ErrorSummary lang={l} errors={list} />
      <form method="post" action={action} hx-post={action} {...PORTAL_HX} novalidate>
        <Field lang={l} name="pan" label={W.pan} hint={W.panHint} error={err.pan} value={e.pan || e.expiry ? p.values?.pan : undefined} inputmode="numeric" autocomplete="cc-number" maxlength={40} autofocus={!p.unconfirmed} />
        <Field lang={l} name="expiry" label={W.expiry} hint={W.expiryHint} error={err.expiry} value={e.pan || e.expiry ? p.values?.expiry : undefined} inputmode="numeric" autocomplete="cc-exp" maxlength={7} />
        {p.proof === 'birth_date' ? (
          <Field lang={l} name="proof" label={W.birthDate} hint={W.birthDateHint} error={err.proof} inputmode="numeric" autocomplete="bday" maxlength={16} required={false} />
        ) : (
          <Field lang={l} name="proof" label={W.phone} hint={W.phoneHint} error={err.proof} type="tel" inputmode="tel" autocomplete="tel-national" maxlength={24} required={false} />
        )}
        <Field lang={l} name="pin" label={W.pin} hint={W.pinHint} error={err.pin} type="password" inputmode="numeric" autocomplete="off" maxlength={12} required={false} />
        <p>
          <button type="submit">{W.next[l]}</button>
        </p>
      </form>
      <CallLine lang={l} issuer={p.issuer} />
    </PortalShell>
  );
}

// ─── Step 2 ─────────────────────────────────────────────────────────────────────

export interface AccountStepProps extends Common {
  flowId: string;
  card: { brand: string; last4: string; kind: RegistrationKind; previousLoginId: string | null; reissued: boolean };
  errors?: { loginId?: LoginIdProblem; password?: PasswordProblem; confirmation?: 'empty' | 'mismatch'; email?: 'empty' | 'format' };
  values?: { loginId?: string; email?: string };
}

/** The member ID's availability line (also the htmx fragment answering the check on leaving the field). */
export function LoginIdStatus({ lang, problem, free }: { lang: Lang; problem?: LoginIdProblem; free?: boolean }) {
  if (problem) {
    return (
      <p id="loginId-status" class="field-error">
        {W.loginIdError[problem][lang]}
      </p>
    );
  }
  return (
    <p id="loginId-status" class={free ? 'muted small' : 'visually-hidden'}>
      {free ? W.loginIdFree[lang] : ''}
    </p>
  );
}

export function AccountStepPage(p: AccountStepProps) {
  const e = p.errors ?? {};
  const l = p.lang;
  const err = {
    loginId: e.loginId && W.loginIdError[e.loginId],
    password: e.password && W.passwordError[e.password],
    confirmation: e.confirmation && W.confirmationError[e.confirmation],
    email: e.email && W.emailError[e.email],
  };
  const list = [err.loginId, err.password, err.confirmation, err.email];
  const action = `/portal/register/account?flow=${p.flowId}`;
  const check = `/portal/register/account/check?flow=${p.flowId}`;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf} announce={announceErrors(l, list)}>
      <h1>{W.title[l]}</h1>
      <Steps lang={l} n={2} />
      <p>{W.accountIntro[l]}</p>
      <p class="notice">{W.cardLine(BRAND[p.card.brand] ?? p.card.brand, p.card.last4)[l]}</p>
      {p.card.kind === 'reregistration' && p.card.previousLoginId && <p class="notice">{W.reregistration(p.card.previousLoginId)[l]}</p>}
      {p.card.kind === 'provisional' && <p class="notice">{W.provisional[l]}</p>}
      {p.card.reissued && p.card.kind !== 'new' && <p class="notice">{W.reissued[l]}</p>}
      <ErrorSummary lang={l} errors={list} />
      {/* hx-disinherit: the ID check on the input swaps only its own status line. */}
      <form method="post" action={action} hx-post={action} {...PORTAL_HX} hx-disinherit="*" novalidate>
        <div class="field">
          <label for="loginId">{W.loginId[l]}</label>
          <p id="loginId-hint" class="muted small">
            {W.loginIdHint[l]}
          </p>
          <input
            id="loginId"
            name="loginId"
            type="text"
            value={p.values?.loginId}
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            maxlength={40}
            required
            autofocus={!!e.loginId || !e.password && !e.confirmation && !e.email}
            aria-invalid={e.loginId ? 'true' : undefined}
            aria-describedby="loginId-hint loginId-status"
            hx-post={check}
            hx-trigger="blur changed"
            hx-target="#loginId-status"
            hx-select="#loginId-status"
            hx-swap="outerHTML"
            hx-params="loginId"
          />
          <LoginIdStatus lang={l} problem={e.loginId} />
        </div>
        <Field lang={l} name="password" type="password" label={W.password} hint={W.passwordHint} error={err.password} autocomplete="new-password" maxlength={256} />
        <Field lang={l} name="confirmation" type="password" label={W.confirmation} error={err.confirmation} autocomplete="new-password" maxlength={256} />
        <Field lang={l} name="email" type="email" label={W.email} hint={W.emailHint} error={err.email} value={p.values?.email} inputmode="email" autocomplete="email" maxlength={254} />
        <p>
          <button type="submit">{W.sendCode[l]}</button>
        </p>
      </form>
      <CancelForm lang={l} flowId={p.flowId} />
    </PortalShell>
  );
}

// ─── Step 3 ─────────────────────────────────────────────────────────────────────

export type SendNotice = 'sent' | 'kept' | 'cooldown' | 'limit' | 'failed' | 'not_sent';

export interface EmailStepProps extends Common {
  flowId: string;
  email: string;
  error?: 'empty' | 'format' | 'wrong';
  remaining?: number;
  send?: SendNotice;
  retryInSeconds?: number;
}

function sendText(p: EmailStepProps): Bi | undefined {
  switch (p.send) {
    case 'sent':
      return W.send.sent(p.email);
    case 'kept':
      return W.send.kept(p.email);
    case 'cooldown':
      return W.send.cooldown(p.retryInSeconds ?? 0);
    case 'limit':
      return W.send.limit;
    case 'failed':
      return W.send.failed;
    case 'not_sent':
      return W.send.not_sent;
    default:
      return undefined;
  }
}

export function EmailStepPage(p: EmailStepProps) {
  const l = p.lang;
  const err = p.error && W.codeError[p.error];
  const remaining = p.error === 'wrong' && p.remaining ? W.remaining(p.remaining) : undefined;
  const sent = sendText(p);
  const good = p.send === 'sent' || p.send === 'kept';
  const announce = err ? [announceErrors(l, [err]), remaining?.[l] ?? ''].filter(Boolean).join(' ') : (sent?.[l] ?? '');
  const action = `/portal/register/email?flow=${p.flowId}`;
  const resend = `/portal/register/email/resend?flow=${p.flowId}`;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf} announce={announce}>
      <h1>{W.title[l]}</h1>
      <Steps lang={l} n={3} />
      <p>{W.codeIntro(p.email)[l]}</p>
      {sent && (
        <p id="send-status" class={good ? 'success' : 'alert'}>
          {sent[l]}
        </p>
      )}
      <ErrorSummary lang={l} errors={[err]} />
      <form method="post" action={action} hx-post={action} {...PORTAL_HX} novalidate>
        <div class="field">
          <label for="code">{W.code[l]}</label>
          <input
            id="code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength={12}
            required
            autofocus
            aria-invalid={err ? 'true' : undefined}
            aria-describedby={err ? 'code-error' : undefined}
          />
          {err && (
            <p id="code-error" class="field-error">
              {err[l]} {remaining?.[l] ?? ''}
            </p>
          )}
        </div>
        <p>
          <button type="submit">{W.register[l]}</button>
        </p>
      </form>
      <div class="registration-actions">
        <form method="post" action={resend} hx-post={resend} {...PORTAL_HX}>
          <button type="submit" class="secondary">
            {W.resend[l]}
          </button>
        </form>
        <a class="button secondary" href={`/portal/register/account?flow=${p.flowId}`}>
          {W.changeEmail[l]}
        </a>
      </div>
      <CancelForm lang={l} flowId={p.flowId} />
    </PortalShell>
  );
}

// ─── Done and the ends ──────────────────────────────────────────────────────────

export interface DoneProps extends Common {
  loginId: string;
  kind: RegistrationKind;
  previousLoginId: string | null;
  /** A reissued card: what the issuer's REISSUE_POLICY kept. */
  reissue?: 'continue' | 'reregister_phone';
}

export function DonePage(p: DoneProps) {
  const l = p.lang;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.doneTitle} path={p.path} member={p.member} csrf={p.csrf} announce={W.doneTitle[l]}>
      <h1>{W.doneTitle[l]}</h1>
      <p class="success">{W.doneId(p.loginId)[l]}</p>
      {p.kind === 'provisional' && <p>{W.doneProvisional[l]}</p>}
      {p.kind === 'reregistration' && p.previousLoginId && <p>{p.previousLoginId === p.loginId ? W.doneSameId[l] : W.doneReplaced(p.previousLoginId)[l]}</p>}
      {p.reissue && <p class="notice">{p.reissue === 'continue' ? W.reissueContinue[l] : W.reissuePhone[l]}</p>}
      <p>{W.doneNew[l]}</p>
      <p>
        <a class="button" href="/portal/terms">
          {W.toTerms[l]}
        </a>
      </p>
    </PortalShell>
  );
}

export function ClosedPage(p: Common & { tooMany?: boolean }) {
  const l = p.lang;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.closedTitle} path={p.path} member={p.member} csrf={p.csrf} announce={(p.tooMany ? W.tooMany : W.closedTitle)[l]}>
      <h1>{W.closedTitle[l]}</h1>
      <p>{(p.tooMany ? W.tooMany : W.closed)[l]}</p>
      <p>
        <a class="button" href="/portal/register">
          {W.again[l]}
        </a>
      </p>
      <CallLine lang={l} issuer={p.issuer} />
    </PortalShell>
  );
}

export function LockedPage(p: Common) {
  const l = p.lang;
  return (
    <PortalShell lang={l} issuer={p.issuer} title={W.lockedTitle} path={p.path} member={p.member} csrf={p.csrf} announce={W.lockedTitle[l]}>
      <h1>{W.lockedTitle[l]}</h1>
      <p>{W.locked[l]}</p>
      <CallLine lang={l} issuer={p.issuer} />
    </PortalShell>
  );
}
