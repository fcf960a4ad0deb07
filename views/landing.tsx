import { Bilingual, Page } from './layout.tsx';

export interface LandingProps {
  issuerName: string;
  issuerNameEn: string;
  sandbox: boolean;
}

export function LandingPage({ issuerName, issuerNameEn, sandbox }: LandingProps) {
  return (
    <Page title={`Mamori 3-D Secure — ${issuerName}`}>
      <header class="masthead">
        <img src="/static/img/mamori.svg" alt="" width="40" height="40" />
        <div>
          <p class="brand">Mamori 守り</p>
          <p class="muted">
            {issuerName} / {issuerNameEn}
          </p>
        </div>
      </header>
      <main class="container">
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
        {sandbox && (
          <section class="notice" aria-labelledby="demo-heading">
            <h2 id="demo-heading">
              <Bilingual ja="デモについて" en="About the demo" />
            </h2>
            <ol>
              <li>
                <Bilingual
                  ja="デモ用のカード会社とテストカードが登録済みです（/sandbox/cards）。"
                  en="A demo issuer with test cards is loaded (/sandbox/cards)."
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
                  ja="ワンタイムパスワードのSMSは送信されず、SMS送信箱（/sandbox/sms）に届きます。"
                  en="No SMS leaves the machine: one-time passwords land in the SMS outbox (/sandbox/sms)."
                />
              </li>
            </ol>
          </section>
        )}
      </main>
      <footer class="container muted">
        <small>Mamori — EMV 3-D Secure 2.2.0 / 2.3.1</small>
      </footer>
    </Page>
  );
}

/** Placeholder for a part whose issue has not landed yet; says so plainly in both languages. */
export function ComingPage({ titleJa, titleEn }: { titleJa: string; titleEn: string }) {
  return (
    <Page title={`${titleJa} / ${titleEn}`}>
      <main class="container">
        <h1>
          <Bilingual ja={titleJa} en={titleEn} />
        </h1>
        <p>
          <Bilingual ja="この機能は準備中です。" en="This part of the appliance is coming in a later release." />
        </p>
        <p>
          <a href="/">
            <Bilingual ja="トップへ戻る" en="Back to the start page" />
          </a>
        </p>
      </main>
    </Page>
  );
}
