import { Bilingual, Page } from '../layout.tsx';

export function NotFoundPage() {
  return (
    <Page title="ページが見つかりません / Page not found" htmx={false}>
      <main class="container">
        <h1>
          <Bilingual ja="ページが見つかりません" en="Page not found" />
        </h1>
        <p>
          <Bilingual ja="アドレスをご確認ください。" en="Please check the address." />
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

export function ErrorPage({ requestId }: { requestId?: string }) {
  return (
    <Page title="エラー / Error" htmx={false}>
      <main class="container">
        <h1>
          <Bilingual ja="ただいま処理できません" en="Something went wrong" />
        </h1>
        <p>
          <Bilingual
            ja="しばらくしてから、もう一度お試しください。"
            en="Please try again in a moment."
          />
        </p>
        {requestId && (
          <p class="muted">
            <small>ID: {requestId}</small>
          </p>
        )}
      </main>
    </Page>
  );
}

export function TooLargePage() {
  return (
    <Page title="送信内容が大きすぎます / Request too large" htmx={false}>
      <main class="container">
        <h1>
          <Bilingual ja="送信内容が大きすぎます" en="Request too large" />
        </h1>
      </main>
    </Page>
  );
}
