/**
 * The 3-D Secure terms of use, and the "I agree" a member gives at first sign-in (JCB's rule:
 * that completes the enrolment). Our own short text, in plain words, one language at a time.
 */
import type { Bi, Lang } from '../i18n.ts';
import { CsrfField } from './fields.tsx';
import { PortalShell, type PortalIssuer } from './shell.tsx';

const W = {
  title: { ja: '本人認証サービス利用規約', en: '3-D Secure terms of use' },
  firstTime: {
    ja: 'ご利用を始めるには、次の規約をお読みのうえ「同意する」を押してください。同意いただくとご登録が完了します。',
    en: 'To start, please read these terms and press "I agree". Your registration is complete once you agree.',
  },
  agree: { ja: '規約に同意する', en: 'I agree' },
  acceptedOn: (when: string): Bi => ({ ja: `${when} に同意いただいています。`, en: `You agreed on ${when}.` }),
  back: { ja: '会員ページへ戻る', en: 'Back to the member portal' },
} satisfies Record<string, Bi | ((s: string) => Bi)>;

/** The articles: heading and text, in each language. */
const ARTICLES = (issuer: Bi): { h: Bi; p: Bi }[] => [
  {
    h: { ja: '第1条（このサービスについて）', en: '1. What the service is' },
    p: {
      ja: `本人認証サービス（3-Dセキュア）は、${issuer.ja}が発行するカードがインターネット上の加盟店で使われるとき、ご本人であることを確認するサービスです。必要なときは、ご登録の携帯電話にSMSでお送りするワンタイムパスワード、または登録されたパスワードの入力をお願いします。`,
      en: `3-D Secure confirms that it is you when a card issued by ${issuer.en} is used at an online shop. When needed, you are asked for a one-time password sent by SMS to your registered mobile phone, or for your registered password.`,
    },
  },
  {
    h: { ja: '第2条（会員ID・パスワード・携帯電話の管理）', en: '2. Your member ID, password and phone' },
    p: {
      ja: '会員ID、パスワード、ワンタイムパスワードは他人に教えず、ご自身で管理してください。カード会社がお電話やメールでこれらをおたずねすることはありません。携帯電話番号を変更したとき、携帯電話を紛失したときは、すぐに会員ページまたはお電話でお知らせください。',
      en: 'Keep your member ID, password and one-time passwords to yourself. Your card issuer never asks for them by phone or mail. If your mobile number changes or you lose your phone, tell us at once in the member portal or by phone.',
    },
  },
  {
    h: { ja: '第3条（不正利用を防ぐための情報の利用）', en: '3. Data used to prevent fraud' },
    p: {
      ja: 'カード会社は、不正利用を防ぐため、お取引の内容とご利用の端末の情報（ブラウザーの種類、IPアドレスなど）を利用し、不正検知サービスの提供会社と共有することがあります。提供会社との共有は、会員ページでいつでも停止できます（停止しても本人認証は引き続きご利用いただけます）。',
      en: 'To prevent fraud, your card issuer uses the details of the purchase and of your device (browser, IP address and the like), and may share them with its fraud-detection provider. You can stop the sharing with the provider at any time in the member portal (3-D Secure keeps working).',
    },
  },
  {
    h: { ja: '第4条（責任について）', en: '4. Liability' },
    p: {
      ja: 'ご本人が会員ID・パスワード等を適切に管理していたにもかかわらず不正に使われた場合は、カード会員規約に従って補償します。他人に教えた場合など、ご本人の管理に重大な落ち度がある場合は、補償されないことがあります。通信障害などで本人認証ができない間、お買い物ができないことがあります。',
      en: 'If your details were misused although you kept them safe, you are covered as the card membership terms say. If you were seriously careless — for example you told someone your password — you may not be covered. While the service cannot be reached (a network failure, say), you may be unable to buy online.',
    },
  },
  {
    h: { ja: '第5条（登録の解除）', en: '5. Ending your registration' },
    p: {
      ja: 'ご登録の解除をご希望の場合は、カード会社へお電話ください。カードを解約したときは、ご登録も解除されます。インターネットでのお買い物で本人認証を求められる加盟店では、ご登録がないとご利用いただけないことがあります。',
      en: 'To end your registration, call your card issuer. Closing the card ends the registration too. Shops that ask for 3-D Secure may refuse a card without a registration.',
    },
  },
];

export interface TermsPageProps {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member: { loginId: string };
  csrf?: string;
  /** When the member agreed (in the issuer's time), or undefined: the page asks. */
  acceptedAt?: string;
  next?: string;
}

export function TermsPage(p: TermsPageProps) {
  const t = (b: Bi) => b[p.lang];
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf}>
      <h1>{t(W.title)}</h1>
      {!p.acceptedAt && <p class="notice">{t(W.firstTime)}</p>}
      <section class="portal-terms" aria-label={t(W.title)}>
        {ARTICLES(p.issuer.name).map((a) => (
          <>
            <h2>{t(a.h)}</h2>
            <p>{t(a.p)}</p>
          </>
        ))}
      </section>
      {p.acceptedAt ? (
        <>
          <p>{t(W.acceptedOn(p.acceptedAt))}</p>
          <p>
            <a href="/portal">{t(W.back)}</a>
          </p>
        </>
      ) : (
        <form method="post" action="/portal/terms">
          <CsrfField token={p.csrf} />
          {p.next && <input type="hidden" name="next" value={p.next} />}
          <button type="submit" class="primary">
            {t(W.agree)}
          </button>
        </form>
      )}
    </PortalShell>
  );
}
