import { Bilingual, SitePage, type SiteInfo } from './layout.tsx';
import { Tel } from './phone.tsx';

export interface LandingProps {
  site: SiteInfo;
  sandbox: boolean;
}

/** The id of the landing page's member-portal section: the challenge's guidance pages link to it. */
export const PORTAL_SECTION_ID = 'portal';

export function LandingPage({ site, sandbox }: LandingProps) {
  return (
    <SitePage title={{ ja: `本人認証サービス — ${site.issuerName.ja}`, en: `3-D Secure — ${site.issuerName.en}` }} site={site}>
      <h1>
        <Bilingual ja="本人認証サービス（3-Dセキュア）" en="Online card authentication (EMV 3-D Secure)" />
      </h1>
      <p>
        <Bilingual
          ja="このサーバーは、カード会社の本人認証サービスを提供するアプライアンスです。ネットショッピングでカードが使われたとき、カードの持ち主ご本人であることを確認します。"
          en="This server is the card issuer's 3-D Secure access control server: when the card is used online, it confirms that the purchase is made by the cardholder."
        />
      </p>
      <nav aria-label="main" class="cards-nav">
        <a class="nav-card" href="/portal">
          <strong>
            <Bilingual ja="会員ページ" en="Member portal" />
          </strong>
          <small>
            <Bilingual ja="登録・電話番号・パスワードの変更" en="Register, phone number, password" />
          </small>
        </a>
        <a class="nav-card" href="/admin">
          <strong>
            <Bilingual ja="管理画面" en="Admin area" />
          </strong>
          <small>
            <Bilingual ja="カード会社の担当者向け" en="For the issuer's staff" />
          </small>
        </a>
        {sandbox && (
          <a class="nav-card" href="/sandbox">
            <strong>
              <Bilingual ja="サンドボックス" en="Sandbox" />
            </strong>
            <small>
              <Bilingual ja="テスト用の加盟店で認証を試す" en="Try an authentication with a test merchant" />
            </small>
          </a>
        )}
      </nav>
      <section id={PORTAL_SECTION_ID} class="notice" aria-labelledby="portal-heading">
        <h2 id="portal-heading">
          <Bilingual ja="ご登録・携帯電話番号の登録" en="Registering, and your mobile number" />
        </h2>
        <p>
          <Bilingual
            ja="本人認証サービスへのご登録、ワンタイムパスワードを受け取る携帯電話番号の登録（仮登録からの本登録を含む）は、会員ページで行います。カードを複数お持ちの場合は、カードごとにご登録ください。"
            en="You register for 3-D Secure, and register (or confirm a provisionally registered) mobile number for one-time passwords, in the member portal. Each card is registered on its own."
          />
        </p>
        <p>
          <a class="button bilingual" href="/portal">
            <Bilingual ja="会員ページへ" en="Go to the member portal" />
          </a>
        </p>
        <p>
          <Bilingual
            ja={<>お電話でのご登録・お問い合わせ：<Tel phone={site.issuerPhone} /></>}
            en={<>To register by phone, or for any question: <Tel phone={site.issuerPhone} /></>}
          />
        </p>
      </section>
      {sandbox && (
        <section class="notice" aria-labelledby="demo-heading">
          <h2 id="demo-heading">
            <Bilingual ja="デモについて" en="About the demo" />
          </h2>
          <ol>
            <li>
              <Bilingual
                ja={<>デモ用のカード会社とテストカードが登録済みです（<a href="/sandbox/cards">/sandbox/cards</a>）。</>}
                en={<>A demo issuer with test cards is loaded (<a href="/sandbox/cards">/sandbox/cards</a>).</>}
              />
            </li>
            <li>
              <Bilingual
                ja="サンドボックスでカードを選んで購入すると、認証画面が表示されます。"
                en="Pick a card in the sandbox and buy: the challenge page appears in the merchant's frame."
              />
            </li>
            <li>
              <Bilingual
                ja={<>ワンタイムパスワードのSMSは送信されず、SMS送信箱（<a href="/sandbox/sms">/sandbox/sms</a>）に届きます。</>}
                en={<>No SMS leaves the machine: one-time passwords land in the SMS outbox (<a href="/sandbox/sms">/sandbox/sms</a>).</>}
              />
            </li>
          </ol>
        </section>
      )}
    </SitePage>
  );
}
