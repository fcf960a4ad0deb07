/** The appliance's own error pages, in the one site shell (views/layout.tsx). */
import { Bilingual, SitePage, type SiteInfo } from '../layout.tsx';

function Home() {
  return (
    <p>
      <a href="/">
        <Bilingual ja="トップへ戻る" en="Back to the start page" />
      </a>
    </p>
  );
}

export function NotFoundPage({ site }: { site: SiteInfo }) {
  return (
    <SitePage title={{ ja: 'ページが見つかりません', en: 'Page not found' }} site={site} htmx={false}>
      <h1>
        <Bilingual ja="ページが見つかりません" en="Page not found" />
      </h1>
      <p>
        <Bilingual ja="アドレスをご確認ください。" en="Please check the address." />
      </p>
      <Home />
    </SitePage>
  );
}

export function ErrorPage({ site, requestId }: { site: SiteInfo; requestId?: string }) {
  return (
    <SitePage title={{ ja: 'エラー', en: 'Error' }} site={site} htmx={false}>
      <h1>
        <Bilingual ja="ただいま処理できません" en="Something went wrong" />
      </h1>
      <p>
        <Bilingual ja="しばらくしてから、もう一度お試しください。" en="Please try again in a moment." />
      </p>
      {requestId && (
        <p class="muted">
          <small>ID: {requestId}</small>
        </p>
      )}
      <Home />
    </SitePage>
  );
}

export function TooLargePage({ site }: { site: SiteInfo }) {
  return (
    <SitePage title={{ ja: '送信内容が大きすぎます', en: 'Request too large' }} site={site} htmx={false}>
      <h1>
        <Bilingual ja="送信内容が大きすぎます" en="Request too large" />
      </h1>
      <p>
        <Bilingual ja="入力内容を短くして、もう一度お試しください。" en="Please shorten what you entered and try again." />
      </p>
      <Home />
    </SitePage>
  );
}
