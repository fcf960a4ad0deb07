import { Bilingual } from '../layout.tsx';

/** The sandbox pages' masthead: back to the appliance, and the developer pages. */
export function SandboxHeader() {
  return (
    <header class="masthead sandbox-masthead">
      <img src="/static/img/mamori.svg" alt="" width="32" height="32" />
      <p class="brand">
        <a href="/">Mamori</a> / <a href="/sandbox">Sandbox</a>
      </p>
      <nav class="sandbox-nav" aria-label="sandbox">
        <a href="/sandbox/app">
          <Bilingual ja="アプリ決済" en="App checkout" />
        </a>
        <a href="/sandbox/cards">
          <Bilingual ja="テストカード" en="Demo cards" />
        </a>
        <a href="/sandbox/sms">
          <Bilingual ja="SMS送信箱" en="SMS outbox" />
        </a>
        <a href="/sandbox/mail">
          <Bilingual ja="メール送信箱" en="Mail outbox" />
        </a>
      </nav>
    </header>
  );
}
