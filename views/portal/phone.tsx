/**
 * The OTP phone page (/portal/phone, src/portal/phone-routes.tsx): register a first number, change
 * a verified one (after the member's password or a code to the current number), or replace a
 * number the issuer marked provisional; or, where the issuer wants it, the number to call.
 *
 * One language at a time (the shell's switch), every field labelled with its error tied to it,
 * what each send did said beside the code field and in the live region.
 */
import type { Bi, Lang } from '../i18n.ts';
import { Tel } from '../phone.tsx';
import { announceErrors, CsrfField, ErrorSummary, Field } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

/** What the member has now: no number, one the issuer (or staff) marked provisional, or a verified one. */
export type PhoneSituation = 'none' | 'provisional' | 'verified';
export type PhoneStep = 'start' | 'call' | 'proof' | 'verify' | 'done' | 'failed' | 'locked';
export type PhoneError = 'empty' | 'format' | 'not_mobile' | 'same';
export type PasswordError = 'empty' | 'wrong';
export type CodeError = 'empty' | 'format' | 'wrong';

/** What a send did, as the page says it (flow/send.ts SendResult). */
export interface SendNotice {
  outcome: 'sent' | 'cooldown' | 'limit' | 'closed' | 'failed';
  refusal?: string;
  retryInSeconds?: number;
}

export interface PhonePageProps {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  /** The signed-in member (none once a lock ended the session). */
  member?: { loginId: string };
  csrf?: string;
  situation: PhoneSituation;
  step: PhoneStep;
  /** The number on file, masked ('' when none). */
  current: string;
  /** How a change is proven: the member's password, a code to the current number, or not at all (no verified number yet). */
  proof: 'password' | 'sms_code' | 'none';
  flow?: string;
  /** Where the code went, masked. */
  to?: string;
  phoneTyped?: string;
  errors?: { phone?: PhoneError; password?: PasswordError; code?: CodeError };
  /** Wrong codes or passwords left before the flow fails (or the member is locked). */
  remaining?: number;
  send?: SendNotice;
  /** After a change: what reached the old number and the mail address. */
  notice?: { sms: string; mail: string };
  /** The portal page to go on to afterwards (a registration continues with its next step). */
  next?: string;
}

const T = {
  title: {
    none: { ja: '認証用携帯電話番号の登録', en: 'Register your OTP phone' },
    provisional: { ja: '認証用携帯電話番号の登録（仮の番号の置き換え）', en: 'Replace the provisional phone number' },
    verified: { ja: '認証用携帯電話番号の変更', en: 'Change your OTP phone' },
  } satisfies Record<PhoneSituation, Bi>,
  why: {
    ja: 'ネットショッピングの本人認証で、この携帯電話にSMSで毎回ちがう確認コードをお送りします。',
    en: 'When you shop online, we send a new one-time code to this mobile phone by SMS each time.',
  },
  current: { ja: '現在の番号', en: 'Number on file' },
  currentProvisional: {
    ja: 'カード会社が仮の番号を登録しています。この番号にはSMSをお送りしません。お持ちの携帯電話番号を登録してください。',
    en: 'Your card issuer registered a provisional number, and no SMS goes to it. Register the mobile number you use.',
  },
  phone: { ja: '携帯電話番号', en: 'Mobile phone number' },
  newPhone: { ja: '新しい携帯電話番号', en: 'New mobile phone number' },
  phoneHint: { ja: '例：090-1234-5678（ハイフンはなくてもかまいません）', en: 'For example 090-1234-5678 (dashes optional)' },
  password: { ja: '現在のパスワード（本人確認のため）', en: 'Your current password (to confirm it is you)' },
  proofBySms: (to: string): Bi => ({
    ja: `本人確認のため、まず現在の番号（${to}）に確認コードをお送りします。`,
    en: `To confirm it is you, we first send a code to your current number (${to}).`,
  }),
  sendCode: { ja: '確認コードを送信する', en: 'Send the code' },
  proofTitle: { ja: '現在の番号での本人確認', en: 'Confirm it is you' },
  proofIntro: (to: string): Bi => ({ ja: `現在の番号（${to}）にお送りした確認コードを入力してください。`, en: `Enter the code we sent to your current number (${to}).` }),
  verifyIntro: (to: string): Bi => ({ ja: `新しい番号（${to}）にお送りした確認コードを入力してください。`, en: `Enter the code we sent to the new number (${to}).` }),
  code: { ja: '確認コード（6桁）', en: 'Code (6 digits)' },
  confirm: { ja: '確認する', en: 'Confirm' },
  resend: { ja: '確認コードを再送信', en: 'Send the code again' },
  restart: { ja: '番号を入力し直す', en: 'Enter another number' },
  phoneError: {
    empty: { ja: '携帯電話番号を入力してください。', en: 'Enter your mobile phone number.' },
    format: { ja: '電話番号の形式が正しくありません（例：090-1234-5678）。', en: 'This is not a phone number (for example 090-1234-5678).' },
    not_mobile: { ja: 'SMSを受け取れる携帯電話の番号（070・080・090など）を入力してください。', en: 'Enter a mobile number that can receive SMS (070, 080, 090 …).' },
    same: { ja: '現在ご登録の番号と同じです。', en: 'This is the number already on file.' },
  } satisfies Record<PhoneError, Bi>,
  passwordError: {
    empty: { ja: 'パスワードを入力してください。', en: 'Enter your password.' },
    wrong: { ja: 'パスワードが正しくありません。', en: 'That password is not right.' },
  } satisfies Record<PasswordError, Bi>,
  codeError: {
    empty: { ja: '確認コードを入力してください。', en: 'Enter the code.' },
    format: { ja: '確認コードは6桁の数字で入力してください。', en: 'The code is 6 digits.' },
    wrong: { ja: '確認コードが正しくありません。', en: 'That code is not right.' },
  } satisfies Record<CodeError, Bi>,
  remaining: (n: number): Bi => ({ ja: `あと${n}回間違えると、やり直しになります。`, en: `${n} more wrong ${n === 1 ? 'entry' : 'entries'} and you must start again.` }),
  passwordRemaining: (n: number): Bi => ({
    ja: `あと${n}回間違えると、本人認証サービスがロックされます。`,
    en: `${n} more wrong ${n === 1 ? 'password' : 'passwords'} will lock your 3-D Secure registration.`,
  }),
  sent: (to: string): Bi => ({ ja: `${to} にSMSで確認コードを送信しました。`, en: `We sent a code by SMS to ${to}.` }),
  cooldown: (s: number): Bi => ({ ja: `再送信は${s}秒後からできます。`, en: `You can ask again in ${s} seconds.` }),
  limit: { ja: 'これ以上は再送信できません。番号を入力し直すか、カード会社へお電話ください。', en: 'No more codes can be sent. Enter the number again, or call your card issuer.' },
  closed: { ja: '確認の有効期限が切れました。番号を入力し直してください。', en: 'This check has expired. Please enter the number again.' },
  unavailable: {
    ja: '現在SMSを送信できません（システムの一時的な不具合）。しばらくしてからもう一度お試しください。',
    en: 'We cannot send SMS right now (a temporary fault). Please try again in a while.',
  },
  rateLimited: { ja: 'SMSの送信が多すぎます。しばらくしてからもう一度お試しください。', en: 'Too many SMS were sent. Please try again later.' },
  notAllowed: { ja: 'この番号にはSMSをお送りできません（国外の番号など）。', en: 'SMS cannot be sent to this number (for example a number abroad).' },
  provisionalRefused: { ja: 'この番号にはSMSをお送りできません。カード会社へお電話ください。', en: 'SMS cannot be sent to this number. Please call your card issuer.' },
  failed: { ja: '確認コードを送信できませんでした。再送信するか、時間をおいてお試しください。', en: 'The code could not be sent. Send it again, or try again later.' },
  callTitle: { ja: 'お電話でのお手続き', en: 'By phone' },
  call: (i: PortalIssuer, situation: PhoneSituation) => ({
    ja: (
      <>
        {situation === 'provisional' ? '携帯電話番号の本登録' : 'ご登録の携帯電話番号の変更'}は、お手数ですが{i.name.ja}（<Tel phone={i.phone} />
        {i.hours.ja ? ` 受付時間 ${i.hours.ja}` : ''}）までお電話でお申し出ください。
      </>
    ),
    en: (
      <>
        To {situation === 'provisional' ? 'register your mobile number' : 'change the registered mobile number'}, please call {i.name.en} on <Tel phone={i.phone} />
        {i.hours.en ? ` (${i.hours.en})` : ''}.
      </>
    ),
  }),
  callUnlock: (i: PortalIssuer) => ({
    ja: (
      <>
        ロックの解除は{i.name.ja}（<Tel phone={i.phone} />
        {i.hours.ja ? ` 受付時間 ${i.hours.ja}` : ''}）へお電話ください。
      </>
    ),
    en: (
      <>
        To unlock it, please call {i.name.en} on <Tel phone={i.phone} />
        {i.hours.en ? ` (${i.hours.en})` : ''}.
      </>
    ),
  }),
  doneTitle: { ja: '携帯電話番号を登録しました', en: 'Your phone number is registered' },
  done: (to: string): Bi => ({ ja: `これから本人認証の確認コードは ${to} にお送りします。`, en: `From now on, codes go to ${to}.` }),
  doneNotice: { ja: '変更のお知らせを、これまでの番号とメールにお送りしました。', en: 'We told your previous number and your mail address about the change.' },
  doneMail: { ja: '登録のお知らせをメールでお送りしました。', en: 'We sent you a mail about it.' },
  continue: { ja: '次へ進む', en: 'Continue' },
  toHome: { ja: '会員メニューへ', en: 'To the member menu' },
  failedTitle: { ja: '確認できませんでした', en: 'The number was not confirmed' },
  failedText: { ja: '確認コードの入力を規定の回数間違えました。もう一度、番号の入力からお手続きください。', en: 'The code was entered wrongly too many times. Please start again with the number.' },
  lockedTitle: { ja: '本人認証サービスがロックされました', en: 'Your 3-D Secure registration is locked' },
  lockedText: { ja: 'パスワードの入力を規定の回数間違えたため、ロックしました。', en: 'The password was entered wrongly too many times, so the registration is locked.' },
} as const;

export function sendText(send: SendNotice | undefined, to: string): Bi | undefined {
  if (!send) return undefined;
  switch (send.outcome) {
    case 'sent':
      return T.sent(to);
    case 'cooldown':
      return T.cooldown(send.retryInSeconds ?? 0);
    case 'limit':
      return T.limit;
    case 'closed':
      return T.closed;
    default:
      switch (send.refusal) {
        case 'unavailable':
          return T.unavailable;
        case 'rate_limited':
          return T.rateLimited;
        case 'not_allowed':
          return T.notAllowed;
        case 'provisional':
          return T.provisionalRefused;
        default:
          return T.failed;
      }
  }
}

export function PhonePage(p: PhonePageProps) {
  const t = (b: Bi) => b[p.lang];
  const e = p.errors ?? {};
  const phoneErr = e.phone ? T.phoneError[e.phone] : undefined;
  const passwordErr = e.password ? joinBi(T.passwordError[e.password], e.password === 'wrong' && p.remaining ? T.passwordRemaining(p.remaining) : undefined) : undefined;
  const codeErr = e.code ? joinBi(T.codeError[e.code], e.code === 'wrong' && p.remaining ? T.remaining(p.remaining) : undefined) : undefined;
  const sent = sendText(p.send, p.to ?? '');
  const errors = [phoneErr, passwordErr, codeErr];
  const title = p.step === 'done' ? T.doneTitle : p.step === 'failed' ? T.failedTitle : p.step === 'locked' ? T.lockedTitle : T.title[p.situation];
  const announce = announceErrors(p.lang, errors) || (sent ? t(sent) : '') || (p.step === 'done' ? t(T.doneTitle) : '');
  const hidden = (
    <>
      <CsrfField token={p.csrf} />
      {p.next && <input type="hidden" name="next" value={p.next} />}
    </>
  );
  const nextHref = p.next ?? '/portal';
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={title} path={p.path} member={p.member} csrf={p.csrf} announce={announce}>
      <h1>{t(title)}</h1>
      {p.step === 'start' && (
        <>
          <p>{t(T.why)}</p>
          {p.current && (
            <p>
              {t(T.current)}: <span class="nowrap">{p.current}</span>
            </p>
          )}
          {p.situation === 'provisional' && <p class="notice">{t(T.currentProvisional)}</p>}
          {sent && (
            <p id="send-status" class="alert">
              {t(sent)}
            </p>
          )}
          <ErrorSummary lang={p.lang} errors={errors} />
          <form method="post" action="/portal/phone" hx-post="/portal/phone" {...PORTAL_HX} novalidate>
            {hidden}
            <Field lang={p.lang} name="phone" type="tel" label={p.situation === 'verified' ? T.newPhone : T.phone} hint={T.phoneHint} value={p.phoneTyped} error={phoneErr} autocomplete="tel-national" inputmode="tel" maxlength={32} autofocus={!phoneErr && !passwordErr} />
            {p.proof === 'password' && <Field lang={p.lang} name="password" type="password" label={T.password} error={passwordErr} autocomplete="current-password" maxlength={256} />}
            {p.proof === 'sms_code' && <p>{t(T.proofBySms(p.current))}</p>}
            <p>
              <button type="submit">{t(T.sendCode)}</button>
            </p>
          </form>
        </>
      )}
      {p.step === 'call' && (
        <>
          {p.current && (
            <p>
              {t(T.current)}: <span class="nowrap">{p.current}</span>
            </p>
          )}
          {p.situation === 'provisional' && <p class="notice">{t(T.currentProvisional)}</p>}
          <h2>{t(T.callTitle)}</h2>
          <p id="call-issuer">{T.call(p.issuer, p.situation)[p.lang]}</p>
          <p>
            <a href="/portal">{t(T.toHome)}</a>
          </p>
        </>
      )}
      {(p.step === 'proof' || p.step === 'verify') && (
        <>
          <p>{t(p.step === 'proof' ? T.proofIntro(p.to ?? '') : T.verifyIntro(p.to ?? ''))}</p>
          {sent && (
            <p id="send-status" class={p.send?.outcome === 'sent' ? 'success' : 'alert'}>
              {t(sent)}
            </p>
          )}
          <ErrorSummary lang={p.lang} errors={errors} />
          <form method="post" action={`/portal/phone/${p.step}`} hx-post={`/portal/phone/${p.step}`} {...PORTAL_HX} novalidate>
            {hidden}
            <input type="hidden" name="flow" value={p.flow ?? ''} />
            <Field lang={p.lang} name="code" label={T.code} error={codeErr} autocomplete="one-time-code" inputmode="numeric" maxlength={12} autofocus />
            <p>
              <button type="submit">{t(T.confirm)}</button>
            </p>
          </form>
          <div class="secondary-actions">
            <form method="post" action="/portal/phone/resend" hx-post="/portal/phone/resend" {...PORTAL_HX}>
              {hidden}
              <input type="hidden" name="flow" value={p.flow ?? ''} />
              <button type="submit" class="secondary">
                {t(T.resend)}
              </button>
            </form>
            <a class="button secondary" href={`/portal/phone${p.next ? `?next=${encodeURIComponent(p.next)}` : ''}`}>
              {t(T.restart)}
            </a>
          </div>
        </>
      )}
      {p.step === 'done' && (
        <>
          <p class="success" id="done">
            {t(T.done(p.to ?? ''))}
          </p>
          {p.notice && p.notice.sms === 'sent' && <p>{t(T.doneNotice)}</p>}
          {p.notice && p.notice.sms !== 'sent' && p.notice.mail === 'sent' && <p>{t(T.doneMail)}</p>}
          <p>
            <a class="button" href={nextHref}>
              {t(p.next ? T.continue : T.toHome)}
            </a>
          </p>
        </>
      )}
      {p.step === 'failed' && (
        <>
          <p class="alert">{t(T.failedText)}</p>
          <p>
            <a class="button" href={`/portal/phone${p.next ? `?next=${encodeURIComponent(p.next)}` : ''}`}>
              {t(T.restart)}
            </a>
          </p>
        </>
      )}
      {p.step === 'locked' && (
        <>
          <p class="alert">{t(T.lockedText)}</p>
          <p>{T.callUnlock(p.issuer)[p.lang]}</p>
        </>
      )}
    </PortalShell>
  );
}

/** Two sentences as one text (an error and what is left). */
function joinBi(a: Bi, b: Bi | undefined): Bi {
  return b ? { ja: `${a.ja}${b.ja}`, en: `${a.en} ${b.en}` } : a;
}
