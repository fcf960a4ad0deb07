/**
 * The signed-in member's home page: their card and everything about its 3-D Secure registration,
 * each with the page that changes it. What needs the member's attention (a provisional phone or
 * message, a static password, a reissued card) is said first, in plain words.
 */
import type { Bi, Lang } from '../i18n.ts';
import { PortalShell, type PortalIssuer } from './shell.tsx';

export interface HomeView {
  card?: { brand: 'jcb' | 'visa' | 'mastercard'; last4: string };
  status: 'provisional' | 'active' | 'locked';
  authMethod: 'sms_otp' | 'password';
  phone: { masked: string; status: 'none' | 'provisional' | 'verified' };
  /** Whether a provisional phone is replaced here or only by calling. */
  provisionalPhone: 'self_service' | 'phone_call';
  personalMessage: string | null;
  personalMessageProvisional: boolean;
  email: { masked: string; verified: boolean } | null;
  dataSharingOptOut: boolean;
  /** After a reissue: the registration moved on to the new card, or its phone must be registered again. */
  reissue?: { kind: 'continued'; last4: string } | { kind: 'reregister_phone'; last4: string };
}

const BRAND = { jcb: 'JCB', visa: 'Visa', mastercard: 'Mastercard' } as const;

const W = {
  title: { ja: '会員ページ', en: 'Member portal' },
  card: { ja: 'ご登録のカード', en: 'Your card' },
  noCard: { ja: 'カード情報がありません', en: 'No card on file' },
  registration: { ja: '登録状況', en: 'Registration' },
  status: {
    active: { ja: '登録済み', en: 'Registered' },
    provisional: { ja: '仮登録（本登録が必要です）', en: 'Provisional (please complete the registration)' },
    locked: { ja: 'ロック中：カード会社へお電話ください', en: 'Locked: please call your card issuer' },
  } satisfies Record<HomeView['status'], Bi>,
  method: { ja: '認証方法', en: 'Authentication method' },
  methods: {
    sms_otp: { ja: 'SMSワンタイムパスワード', en: 'SMS one-time password' },
    password: { ja: '固定パスワード', en: 'Static password' },
  } satisfies Record<HomeView['authMethod'], Bi>,
  switchSms: {
    ja: '固定パスワードより安全な、SMSのワンタイムパスワードへの切り替えをおすすめします。',
    en: 'We recommend switching to one-time passwords by SMS: safer than a static password.',
  },
  switchLink: { ja: '認証方法を変更する', en: 'Change the method' },
  phone: { ja: 'ワンタイムパスワードを受け取る携帯電話', en: 'Mobile phone for one-time passwords' },
  phoneStatus: {
    verified: { ja: '確認済み', en: 'verified' },
    provisional: { ja: 'カード会社が登録した仮の番号です', en: 'a provisional number set by your card issuer' },
    none: { ja: '未登録', en: 'not registered' },
  } satisfies Record<HomeView['phone']['status'], Bi>,
  replacePhone: { ja: 'ご自身の携帯電話番号に変更してください', en: 'Please replace it with your own number' },
  callForPhone: { ja: '携帯電話番号の登録はカード会社へお電話ください。', en: 'To register your number, please call your card issuer.' },
  registerPhone: { ja: '携帯電話番号を登録する', en: 'Register a mobile number' },
  changePhone: { ja: '携帯電話番号を変更する', en: 'Change the number' },
  message: { ja: 'パーソナルメッセージ（認証画面に表示）', en: 'Personal message (shown on the authentication page)' },
  messageNone: { ja: '未設定', en: 'not set' },
  messageProvisional: {
    ja: 'カード会社が設定した仮のメッセージです。ご自身のメッセージを設定してください。',
    en: 'Set by your card issuer: please set your own.',
  },
  setMessage: { ja: 'メッセージを設定する', en: 'Set the message' },
  email: { ja: 'メールアドレス', en: 'E-mail address' },
  emailNone: { ja: '未登録（会員IDやパスワードをお忘れの際に必要です）', en: 'none (needed to recover your ID or password)' },
  emailUnverified: { ja: '（未確認）', en: '(not confirmed)' },
  changeEmail: { ja: 'メールアドレスを登録・変更する', en: 'Register or change the address' },
  dataSharing: { ja: '不正検知サービスへの情報提供', en: 'Sharing with the fraud-detection provider' },
  sharingOn: { ja: '提供する', en: 'on' },
  sharingOff: { ja: '停止中', en: 'off' },
  changeSharing: { ja: '設定を変更する', en: 'Change' },
  password: { ja: 'パスワードを変更する', en: 'Change your password' },
  history: { ja: 'ご利用履歴（本人認証の記録）', en: 'My authentications' },
  anotherCard: { ja: 'お持ちの別のカードを登録する', en: 'Register another card you hold' },
  more: { ja: 'お手続き', en: 'Errands' },
  reissueContinued: (last4: string): Bi => ({
    ja: `カードの再発行にともない、ご登録は新しいカード（末尾 ${last4}）に引き継がれました。会員ID・パスワードはそのままお使いいただけます。`,
    en: `Your card was reissued: the registration continued to the new card ending ••••${last4}. Your member ID and password stay the same.`,
  }),
  reissuePhone: (last4: string): Bi => ({
    ja: `カードの再発行にともない、ご登録は新しいカード（末尾 ${last4}）に引き継がれましたが、携帯電話番号はもう一度ご登録いただく必要があります。`,
    en: `Your card was reissued: the registration continues with the new card ending ••••${last4}, but the mobile number must be registered again.`,
  }),
} as const;

export interface HomePageProps {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member: { loginId: string };
  csrf?: string;
  view: HomeView;
  announce?: string;
}

export function HomePage(p: HomePageProps) {
  const t = (b: Bi) => b[p.lang];
  const v = p.view;
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf} announce={p.announce}>
      <h1>{t(W.title)}</h1>
      {v.reissue && (
        <div class="notice" id="reissue-note">
          <p>{t(v.reissue.kind === 'continued' ? W.reissueContinued(v.reissue.last4) : W.reissuePhone(v.reissue.last4))}</p>
          {v.reissue.kind === 'reregister_phone' && (
            <p>
              <a href="/portal/phone">{t(W.registerPhone)}</a>
            </p>
          )}
        </div>
      )}
      <dl class="portal-summary">
        <div>
          <dt>{t(W.card)}</dt>
          <dd id="home-card">{v.card ? `${BRAND[v.card.brand]} •••• ${v.card.last4}` : t(W.noCard)}</dd>
        </div>
        <div>
          <dt>{t(W.registration)}</dt>
          <dd>{t(W.status[v.status])}</dd>
        </div>
        <div>
          <dt>{t(W.method)}</dt>
          <dd id="home-method">
            {t(W.methods[v.authMethod])}
            {v.authMethod === 'password' && (
              <p class="notice">
                {t(W.switchSms)} <a href="/portal/method">{t(W.switchLink)}</a>
              </p>
            )}
          </dd>
        </div>
        <div>
          <dt>{t(W.phone)}</dt>
          <dd id="home-phone">
            {v.phone.masked ? (p.lang === 'ja' ? `${v.phone.masked}（${t(W.phoneStatus[v.phone.status])}）` : `${v.phone.masked} (${t(W.phoneStatus[v.phone.status])})`) : t(W.phoneStatus[v.phone.status])}
            {v.phone.status === 'provisional' &&
              (v.provisionalPhone === 'phone_call' ? (
                <p>{t(W.callForPhone)}</p>
              ) : (
                <p>
                  <a href="/portal/phone">{t(W.replacePhone)}</a>
                </p>
              ))}
            {v.phone.status === 'none' && (
              <p>
                <a href="/portal/phone">{t(W.registerPhone)}</a>
              </p>
            )}
            {v.phone.status === 'verified' && (
              <p>
                <a href="/portal/phone">{t(W.changePhone)}</a>
              </p>
            )}
          </dd>
        </div>
        <div>
          <dt>{t(W.message)}</dt>
          <dd id="home-message">
            {v.personalMessage ?? t(W.messageNone)}
            {v.personalMessageProvisional && <p class="notice">{t(W.messageProvisional)}</p>}
            <p>
              <a href="/portal/message">{t(W.setMessage)}</a>
            </p>
          </dd>
        </div>
        <div>
          <dt>{t(W.email)}</dt>
          <dd id="home-email">
            {v.email ? `${v.email.masked}${v.email.verified ? '' : ` ${t(W.emailUnverified)}`}` : t(W.emailNone)}
            <p>
              <a href="/portal/email">{t(W.changeEmail)}</a>
            </p>
          </dd>
        </div>
        <div>
          <dt>{t(W.dataSharing)}</dt>
          <dd id="home-sharing">
            {t(v.dataSharingOptOut ? W.sharingOff : W.sharingOn)}
            <p>
              <a href="/portal/data-sharing">{t(W.changeSharing)}</a>
            </p>
          </dd>
        </div>
      </dl>
      <h2>{t(W.more)}</h2>
      <ul class="portal-links">
        <li>
          <a href="/portal/password">{t(W.password)}</a>
        </li>
        <li>
          <a href="/portal/history">{t(W.history)}</a>
        </li>
        <li>
          <a href="/portal/register">{t(W.anotherCard)}</a>
        </li>
      </ul>
    </PortalShell>
  );
}
