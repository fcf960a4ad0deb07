/**
 * The password reset's pages, for a cardholder who opened the mailed link on a phone: Japanese
 * first with English beneath (a page reached from a mail has no language choice yet), the card
 * issuer's name and logo on top, labelled fields with their errors tied to them, 44-px targets.
 *
 * htmx swaps `main#reset` in place; the one live region (#announce) sits outside it, so it is the
 * same element for the whole visit and only its text changes (hx-select-oob), as on the challenge.
 * Without JavaScript every form posts and the server answers with the whole page.
 */
import type { Child } from 'hono/jsx';
import type { Bi } from '../i18n.ts';
import { Bilingual, Page } from '../layout.tsx';
import { Tel } from '../phone.tsx';

/** The card's issuer as the page shows it. */
export interface ResetIssuer {
  name: Bi;
  logo: string;
  phone: string;
  hours: Bi;
}

export type CodeError = 'empty' | 'format' | 'wrong';
export type PasswordError = 'empty' | 'too_short' | 'too_long' | 'common' | 'contains_member_id';
export type ConfirmationError = 'empty' | 'mismatch';
export type SendNotice = 'sent' | 'cooldown' | 'limit' | 'failed' | 'none';

const W = {
  title: { ja: 'パスワードの再設定', en: 'Reset your password' },
  intro: {
    ja: 'ご登録の携帯電話にSMSでお送りした確認コードと、新しい本人認証パスワードを入力してください。',
    en: 'Enter the code we sent by SMS to your registered mobile phone, and your new 3-D Secure password.',
  },
  memberId: { ja: '会員ID', en: 'Member ID' },
  code: { ja: '確認コード（6桁）', en: 'Code (6 digits)' },
  password: { ja: '新しいパスワード', en: 'New password' },
  passwordHint: {
    ja: '8文字以上。よく使われるパスワードや会員IDを含むものは使えません。',
    en: 'At least 8 characters; not a common password, and not containing your member ID.',
  },
  confirmation: { ja: '新しいパスワード（確認）', en: 'New password again' },
  submit: { ja: 'パスワードを変更する', en: 'Change my password' },
  resend: { ja: '確認コードを再送信', en: 'Send the code again' },
  fixFields: { ja: '入力内容をご確認ください。', en: 'Please check what you entered.' },
  codeError: {
    empty: { ja: '確認コードを入力してください。', en: 'Enter the code.' },
    format: { ja: '確認コードは6桁の数字で入力してください。', en: 'The code is 6 digits.' },
    wrong: { ja: '確認コードが正しくありません。', en: 'That code is not right.' },
  } satisfies Record<CodeError, Bi>,
  passwordError: {
    empty: { ja: '新しいパスワードを入力してください。', en: 'Enter a new password.' },
    too_short: { ja: 'パスワードは8文字以上にしてください。', en: 'Use at least 8 characters.' },
    too_long: { ja: 'パスワードは128文字以内にしてください。', en: 'Use at most 128 characters.' },
    common: { ja: 'よく使われていて推測されやすいパスワードです。別のものにしてください。', en: 'This password is common and easy to guess. Choose another.' },
    contains_member_id: { ja: '会員IDを含まないパスワードにしてください。', en: 'Do not use your member ID in the password.' },
  } satisfies Record<PasswordError, Bi>,
  confirmationError: {
    empty: { ja: '確認のため、もう一度入力してください。', en: 'Enter the new password again.' },
    mismatch: { ja: '1回目と同じパスワードを入力してください。', en: 'This does not match the first entry.' },
  } satisfies Record<ConfirmationError, Bi>,
  remaining: (n: number): Bi => ({
    ja: `あと${n}回間違えると、このリンクは使えなくなります。`,
    en: `After ${n} more wrong ${n === 1 ? 'code' : 'codes'} this link stops working.`,
  }),
  sentTo: (phone: string): Bi => ({ ja: `${phone} にSMSで確認コードを送信しました。`, en: `We sent a code by SMS to ${phone}.` }),
  notSent: { ja: '確認コードはまだ送信されていません。', en: 'No code has been sent yet.' },
  send: {
    sent: (phone: string): Bi => ({ ja: `${phone} に新しい確認コードを送信しました。`, en: `We sent a new code to ${phone}.` }),
    cooldown: (s: number): Bi => ({ ja: `再送信は${s}秒後からできます。`, en: `You can ask again in ${s} seconds.` }),
    limit: { ja: 'これ以上は再送信できません。届かない場合はカード会社へお電話ください。', en: 'No more codes can be sent. If none arrived, please call your card issuer.' },
    failed: { ja: '確認コードを送信できませんでした。時間をおいて再送信するか、カード会社へお電話ください。', en: 'The code could not be sent. Try again later, or call your card issuer.' },
  },
  call: (issuer: ResetIssuer) => ({
    ja: (
      <>
        お困りの場合は {issuer.name.ja}（<Tel phone={issuer.phone} />
        {issuer.hours.ja ? ` ${issuer.hours.ja}` : ''}）へお電話ください。
      </>
    ),
    en: (
      <>
        For help, call {issuer.name.en} on <Tel phone={issuer.phone} />
        {issuer.hours.en ? ` (${issuer.hours.en})` : ''}.
      </>
    ),
  }),
  noPhone: {
    ja: '携帯電話番号が確認済みでないため、ここではパスワードを再設定できません。',
    en: 'Your mobile phone number is not verified, so the password cannot be reset here.',
  },
  noPhoneCall: (issuer: ResetIssuer) => ({
    ja: (
      <>
        {issuer.name.ja}（<Tel phone={issuer.phone} />
        {issuer.hours.ja ? ` ${issuer.hours.ja}` : ''}）へお電話ください。
      </>
    ),
    en: (
      <>
        Please call {issuer.name.en} on <Tel phone={issuer.phone} />
        {issuer.hours.en ? ` (${issuer.hours.en})` : ''}.
      </>
    ),
  }),
  invalidTitle: { ja: 'このリンクは使えません', en: 'This link cannot be used' },
  invalid: {
    ja: 'リンクの有効期限が切れたか、すでに使われたか、正しくありません。',
    en: 'The link has expired, has been used already, or is not valid.',
  },
  invalidNext: {
    ja: 'パスワードの再設定が必要な場合は、もう一度お手続きください。',
    en: 'If you still need to reset your password, please ask again.',
  },
  tooMany: {
    ja: '確認コードの入力を規定の回数以上間違えたため、このリンクは使えなくなりました。',
    en: 'The code was entered wrongly too many times, so this link no longer works.',
  },
  doneTitle: { ja: 'パスワードを変更しました', en: 'Your password was changed' },
  done: {
    ja: '新しいパスワードは今からお使いいただけます。確認のメールをお送りしました。',
    en: 'Your new password works from now on. We sent you a mail to confirm.',
  },
  toPortal: { ja: '会員ページへ', en: 'To the member portal' },
} as const;

/** What every form on the page sends with htmx: the swapped part, and the live region's text. */
const HX = {
  'hx-target': '#reset',
  'hx-select': '#reset',
  'hx-swap': 'outerHTML',
  'hx-select-oob': '#announce:innerHTML',
  'hx-disabled-elt': 'find button',
} as const;

const say = (b: Bi) => `${b.ja} ${b.en}`;

/** The shell: the issuer's name and logo on top, the live region, the swapped main. */
function ResetShell(props: { issuer: ResetIssuer; title: Bi; announce?: string; children: Child }) {
  const { issuer } = props;
  return (
    <Page title={`${props.title.ja} / ${props.title.en} — ${issuer.name.ja}`}>
      <header class="masthead">
        <img src={issuer.logo} alt="" width="40" height="40" />
        <div>
          <p class="brand">{issuer.name.ja}</p>
          <p class="muted" lang="en">
            {issuer.name.en}
          </p>
        </div>
      </header>
      <p id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {props.announce ?? ''}
      </p>
      <main id="reset" class="container">
        {props.children}
      </main>
    </Page>
  );
}

export interface ResetFormProps {
  issuer: ResetIssuer;
  action: string;
  memberId: string;
  phoneMasked: string;
  codeSent: boolean;
  /** What the last send did (first visit or resend). */
  send?: SendNotice;
  retryInSeconds?: number;
  errors?: { code?: CodeError; password?: PasswordError; confirmation?: ConfirmationError };
  remaining?: number;
}

function sendText(p: ResetFormProps): Bi | undefined {
  switch (p.send) {
    case 'sent':
      return W.send.sent(p.phoneMasked);
    case 'cooldown':
      return W.send.cooldown(p.retryInSeconds ?? 0);
    case 'limit':
      return W.send.limit;
    case 'failed':
      return W.send.failed;
    default:
      return undefined;
  }
}

/** The code, the new password twice, and the resend. */
export function ResetFormPage(p: ResetFormProps) {
  const e = p.errors ?? {};
  const codeErr = e.code ? W.codeError[e.code] : undefined;
  const passwordErr = e.password ? W.passwordError[e.password] : undefined;
  const confirmationErr = e.confirmation ? W.confirmationError[e.confirmation] : undefined;
  const sent = sendText(p);
  const problems = [codeErr, passwordErr, confirmationErr].filter((b): b is Bi => !!b);
  const announce = problems.length
    ? [e.code === 'wrong' ? '' : say(W.fixFields), ...problems.map(say), p.remaining ? say(W.remaining(p.remaining)) : ''].filter(Boolean).join(' ')
    : sent
      ? say(sent)
      : '';
  const first = e.code ? 'code' : e.password ? 'password' : e.confirmation ? 'confirmation' : p.codeSent ? 'code' : undefined;
  const field = (name: 'code' | 'password' | 'confirmation', err: Bi | undefined, hint?: string) => ({
    id: name,
    name,
    'aria-invalid': err ? ('true' as const) : undefined,
    'aria-describedby': [hint, err ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined,
    autofocus: first === name,
  });
  return (
    <ResetShell issuer={p.issuer} title={W.title} announce={announce}>
      <h1>
        <Bilingual {...W.title} />
      </h1>
      <p>
        <Bilingual {...W.intro} />
      </p>
      <p>
        <Bilingual ja={`${W.memberId.ja}：${p.memberId}`} en={`${W.memberId.en}: ${p.memberId}`} />
      </p>
      {p.codeSent ? (
        p.send !== 'sent' && (
          <p>
            <Bilingual {...W.sentTo(p.phoneMasked)} />
          </p>
        )
      ) : (
        <p class="alert">
          <Bilingual {...W.notSent} />
        </p>
      )}
      {sent && (
        <p id="send-status" class={p.send === 'sent' ? 'success' : 'alert'}>
          <Bilingual {...sent} />
        </p>
      )}
      {problems.length > 0 && e.code !== 'wrong' && (
        <p id="answer" class="alert">
          <Bilingual {...W.fixFields} />
        </p>
      )}
      <form method="post" action={p.action} hx-post={p.action} {...HX} novalidate>
        <label for="code">
          <Bilingual {...W.code} />
        </label>
        <input {...field('code', codeErr)} type="text" inputmode="numeric" autocomplete="one-time-code" maxlength={12} required />
        {codeErr && (
          <p id="code-error" class="field-error">
            <Bilingual {...codeErr} />
            {e.code === 'wrong' && p.remaining ? (
              <>
                {' '}
                <Bilingual {...W.remaining(p.remaining)} />
              </>
            ) : null}
          </p>
        )}
        <label for="password">
          <Bilingual {...W.password} />
        </label>
        <p id="password-hint" class="muted small">
          <Bilingual {...W.passwordHint} />
        </p>
        <input {...field('password', passwordErr, 'password-hint')} type="password" autocomplete="new-password" maxlength={256} required />
        {passwordErr && (
          <p id="password-error" class="field-error">
            <Bilingual {...passwordErr} />
          </p>
        )}
        <label for="confirmation">
          <Bilingual {...W.confirmation} />
        </label>
        <input {...field('confirmation', confirmationErr)} type="password" autocomplete="new-password" maxlength={256} required />
        {confirmationErr && (
          <p id="confirmation-error" class="field-error">
            <Bilingual {...confirmationErr} />
          </p>
        )}
        <p>
          <button type="submit" class="button bilingual">
            <Bilingual {...W.submit} />
          </button>
        </p>
      </form>
      <form method="post" action={`${p.action}/resend`} hx-post={`${p.action}/resend`} {...HX}>
        <button type="submit" class="button secondary bilingual">
          <Bilingual {...W.resend} />
        </button>
      </form>
      <p>
        <Bilingual {...W.call(p.issuer)} />
      </p>
    </ResetShell>
  );
}

/** The member has no verified OTP phone: the reset is done by calling the issuer. */
export function CallIssuerPage({ issuer }: { issuer: ResetIssuer }) {
  return (
    <ResetShell issuer={issuer} title={W.title}>
      <h1>
        <Bilingual {...W.title} />
      </h1>
      <p class="alert">
        <Bilingual {...W.noPhone} />
      </p>
      <p>
        <Bilingual {...W.noPhoneCall(issuer)} />
      </p>
    </ResetShell>
  );
}

/** One page for a link that is unknown, used, expired or superseded (and, once, for too many wrong codes). */
export function InvalidLinkPage({ issuer, tooMany = false }: { issuer: ResetIssuer; tooMany?: boolean }) {
  return (
    <ResetShell issuer={issuer} title={W.invalidTitle} announce={say(tooMany ? W.tooMany : W.invalidTitle)}>
      <h1>
        <Bilingual {...W.invalidTitle} />
      </h1>
      <p>
        <Bilingual {...(tooMany ? W.tooMany : W.invalid)} />
      </p>
      <p>
        <Bilingual {...W.invalidNext} />
      </p>
      <p>
        <Bilingual {...W.call(issuer)} />
      </p>
    </ResetShell>
  );
}

export function ResetDonePage({ issuer }: { issuer: ResetIssuer }) {
  return (
    <ResetShell issuer={issuer} title={W.doneTitle} announce={say(W.doneTitle)}>
      <h1>
        <Bilingual {...W.doneTitle} />
      </h1>
      <p class="success">
        <Bilingual {...W.done} />
      </p>
      <p>
        <a href="/portal" class="button secondary bilingual">
          <Bilingual {...W.toPortal} />
        </a>
      </p>
      <p>
        <Bilingual {...W.call(issuer)} />
      </p>
    </ResetShell>
  );
}
