import { raw } from 'hono/html';
import type { DemoCard } from '../../src/sandbox/demo-issuer.ts';
import type { ExchangeMessage } from '../../src/sandbox/exchange.ts';
import { Bilingual, Page } from '../layout.tsx';
import { SandboxHeader } from './header.tsx';

/** What the phone shows now: nothing yet, a CRes to act on, or the end of the challenge. */
export type PhoneScreen =
  | { kind: 'cres'; cres: Record<string, any>; state: string; htmlDoc?: string }
  | { kind: 'final'; cres: Record<string, any> }
  | { kind: 'stopped'; reason: string };

export interface AppRun {
  threeDSServerTransID: string;
  messages: ExchangeMessage[];
  screen: PhoneScreen;
  /** One sentence for the live region: what happened last. */
  outcome: { ja: string; en: string };
}

/**
 * The sandbox's app checkout: the sandbox plays the merchant's app and its EMV 3DS SDK. Pick a
 * demo card, start; the ARes and the checked signed content, then a phone showing the ACS's UI
 * from each decrypted CRes, and every message (CReq and CRes decrypted, beside their JWE).
 * Plain form posts throughout, so it works without JavaScript.
 */
export function AppCheckoutPage({ cards, run, error }: { cards: DemoCard[]; run?: AppRun; error?: { ja: string; en: string } }) {
  return (
    <Page title="Sandbox — アプリ決済 / App checkout" htmx={false}>
      <SandboxHeader />
      <link rel="stylesheet" href="/static/css/sandbox-app.css" />
      <main class="container sandbox">
        <h1>
          <Bilingual ja="アプリ決済（アプリチャネル）" en="App checkout (app channel)" />
        </h1>
        <p id="outcome" role="status" aria-live="polite" class="outcome">
          {error ? <Bilingual {...error} /> : run ? <Bilingual {...run.outcome} /> : <Bilingual ja="カードと金額を選んで「アプリで購入」を押してください。" en="Pick a card and an amount, then press Buy in the app." />}
        </p>
        <div class="sandbox-grid">
          <div>
            {run ? <Phone screen={run.screen} /> : <StartForm cards={cards} />}
            {run?.screen.kind === 'final' && <DsReceived messages={run.messages} />}
          </div>
          <section aria-labelledby="messages-heading">
            <h2 id="messages-heading">
              <Bilingual ja="メッセージ" en="Messages" />
            </h2>
            {run ? <Messages messages={run.messages} /> : <p class="muted"><Bilingual ja="まだありません。" en="None yet." /></p>}
            <p>
              <a href="/sandbox/sms" target="_blank" rel="noopener" class="button secondary">
                <Bilingual ja="SMS送信箱（ワンタイムパスワード）" en="SMS outbox (the one-time code)" />
              </a>{' '}
              <a href="/sandbox/app" class="button secondary">
                <Bilingual ja="最初から" en="Start again" />
              </a>
            </p>
          </section>
        </div>
      </main>
    </Page>
  );
}

function StartForm({ cards }: { cards: DemoCard[] }) {
  return (
    <form method="post" action="/sandbox/app/start" class="checkout">
      <label for="card">
        <Bilingual ja="テストカード" en="Demo card" />
      </label>
      <select id="card" name="card">
        {cards.map((c) => (
          <option value={c.key} selected={c.key === 'jcb-otp'}>
            {c.brand.toUpperCase()} …{c.pan.slice(-4)} — {c.purpose.ja} / {c.purpose.en}
          </option>
        ))}
      </select>
      <label for="amount">
        <Bilingual ja="金額（円）" en="Amount (JPY)" />
      </label>
      <input id="amount" name="amount" type="text" inputmode="numeric" value="45000" required />
      <div class="row">
        <div>
          <label for="messageVersion">
            <Bilingual ja="バージョン" en="Version" />
          </label>
          <select id="messageVersion" name="messageVersion">
            <option value="2.2.0">2.2.0</option>
            <option value="2.3.1">2.3.1</option>
          </select>
        </div>
        <div>
          <label for="enc">
            <Bilingual ja="暗号方式" en="JWE enc" />
          </label>
          <select id="enc" name="enc">
            <option value="A128CBC-HS256">A128CBC-HS256</option>
            <option value="A128GCM">A128GCM</option>
          </select>
        </div>
      </div>
      <div class="row">
        <div>
          <label for="sdkInterface">
            <Bilingual ja="SDKの画面" en="SDK interface" />
          </label>
          <select id="sdkInterface" name="sdkInterface">
            <option value="03">03 — native + HTML</option>
            <option value="01">01 — native</option>
            <option value="02">02 — HTML</option>
          </select>
        </div>
        <div>
          <label for="locale">
            <Bilingual ja="端末の言語" en="Phone locale" />
          </label>
          <select id="locale" name="locale">
            <option value="ja_JP">ja_JP</option>
            <option value="en_US">en_US</option>
          </select>
        </div>
      </div>
      <button type="submit" class="primary">
        <Bilingual ja="アプリで購入" en="Buy in the app" />
      </button>
    </form>
  );
}

/** A phone-shaped frame around the SDK's screen, drawn from the decrypted CRes. */
function Phone({ screen }: { screen: PhoneScreen }) {
  return (
    <section class="phone" aria-labelledby="phone-heading">
      <h2 id="phone-heading" class="phone-bar">
        <Bilingual ja="アプリ（3DS SDK）" en="App (3DS SDK)" />
      </h2>
      <div class="phone-screen">
        {screen.kind === 'cres' && <ChallengeScreen cres={screen.cres} state={screen.state} htmlDoc={screen.htmlDoc} />}
        {screen.kind === 'final' && (
          <div class="phone-final">
            <p class="phone-header">
              <Bilingual ja="認証が終わりました" en="Authentication finished" />
            </p>
            <p id="final-status">
              transStatus <strong>{String(screen.cres.transStatus)}</strong>
            </p>
          </div>
        )}
        {screen.kind === 'stopped' && (
          <p class="phone-error">
            <Bilingual ja="SDKが止まりました：" en="The SDK stopped:" /> {screen.reason}
          </p>
        )}
      </div>
    </section>
  );
}

/** The native UI types (01 text, 02/03 selects, 04 OOB, 07 information) and HTML (05/06). */
function ChallengeScreen({ cres, state, htmlDoc }: { cres: Record<string, any>; state: string; htmlDoc?: string }) {
  const ui = String(cres.acsUiType ?? '');
  const Hidden = () => <input type="hidden" name="state" value={state} />;
  const cancel = (
    <form method="post" action="/sandbox/app/step" class="phone-cancel">
      <Hidden />
      <button type="submit" name="action" value="cancel" class="secondary">
        <Bilingual ja="キャンセル" en="Cancel" />
      </button>
    </form>
  );
  if (ui === '05' || ui === '06') {
    return (
      <>
        {cancel}
        <iframe class="phone-html" title="ACS HTML UI" sandbox="allow-forms allow-top-navigation" srcdoc={htmlDoc ?? ''}></iframe>
      </>
    );
  }
  const images = [cres.issuerImage, cres.psImage].map(imageUrl).filter((u): u is string => !!u);
  const entryLabel = String(cres.challengeEntryBox?.challengeDataEntryLabel ?? cres.challengeInfoLabel ?? '');
  const options = Array.isArray(cres.challengeSelectInfo) ? (cres.challengeSelectInfo as Record<string, string>[]).map((o) => Object.entries(o)[0]) : [];
  return (
    <>
      {cancel}
      {images.length > 0 && (
        <p class="phone-images">
          {images.map((src, i) => (
            <img src={src} alt={i === 0 ? 'issuer' : 'payment system'} height="40" />
          ))}
        </p>
      )}
      {cres.challengeInfoHeader && <p class="phone-header">{String(cres.challengeInfoHeader)}</p>}
      {cres.challengeInfoText && <p class={cres.challengeInfoTextIndicator === 'Y' ? 'phone-text warning' : 'phone-text'}>{raw(infoText(String(cres.challengeInfoText)))}</p>}
      <form method="post" action="/sandbox/app/step" class="phone-form">
        <Hidden />
        {ui === '01' && (
          <>
            <label for="entry">{entryLabel || 'Code'}</label>
            <input id="entry" name="entry" type="text" inputmode={cres.challengeEntryBox?.challengeDataEntryKeyboardType === '02' ? 'text' : 'numeric'} autocomplete="one-time-code" maxlength={45} />
          </>
        )}
        {(ui === '02' || ui === '03') && (
          <fieldset>
            <legend>{String(cres.challengeInfoLabel ?? '')}</legend>
            {options.map(([key, value], i) => (
              <label class="phone-option">
                <input type={ui === '02' ? 'radio' : 'checkbox'} name="select" value={key} checked={ui === '02' && i === 0} /> {value}
              </label>
            ))}
          </fieldset>
        )}
        {ui === '04' && (
          <button type="submit" name="action" value="oob" class="primary">
            {String(cres.oobContinueLabel ?? 'Continue')}
          </button>
        )}
        {ui === '07' && (
          <button type="submit" name="action" value="info" class="primary">
            {String(cres.infoContinueLabel ?? 'Continue')}
          </button>
        )}
        {(ui === '01' || ui === '02' || ui === '03') && (
          <button type="submit" name="action" value="submit" class="primary">
            {String(cres.submitAuthenticationLabel ?? 'Submit')}
          </button>
        )}
        {ui === '01' && cres.resendInformationLabel && (
          <button type="submit" name="action" value="resend" class="secondary">
            {String(cres.resendInformationLabel)}
          </button>
        )}
      </form>
      {cres.whyInfoLabel && (
        <details class="help">
          <summary>{String(cres.whyInfoLabel)}</summary>
          <p>{String(cres.whyInfoText ?? '')}</p>
        </details>
      )}
      {cres.expandInfoLabel && (
        <details class="help">
          <summary>{String(cres.expandInfoLabel)}</summary>
          <p>{String(cres.expandInfoText ?? '')}</p>
        </details>
      )}
    </>
  );
}

/** 2.2.0 images are {medium, high, extraHigh}, 2.3.1 {default, dark, monochrome}: the one a phone would pick. */
function imageUrl(image: unknown): string | undefined {
  if (typeof image !== 'object' || image === null) return undefined;
  const i = image as Record<string, unknown>;
  const url = i.high ?? i.default ?? i.medium ?? i.extraHigh;
  return typeof url === 'string' ? url : undefined;
}

/** challengeInfoText: escaped, `\n` as a line break and 2.3.1's **bold**. */
function infoText(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return escaped.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/\n/g, '<br>');
}

/** What the sandbox DS got from the ACS before the SDK got its final CRes. */
function DsReceived({ messages }: { messages: ExchangeMessage[] }) {
  const rreq = messages.findLast((m) => m.messageType === 'RReq');
  return (
    <p id="ds-rreq" class="phone-rreq">
      <Bilingual ja="DSが受け取ったRReq：" en="RReq at the sandbox DS:" /> {rreq ? rreq.summary : <Bilingual ja="まだありません" en="none yet" />}
    </p>
  );
}

/** Every message of the run in order, each opening to its JSON (or its JWE). */
function Messages({ messages }: { messages: ExchangeMessage[] }) {
  return (
    <ol class="exchange" id="exchange">
      {messages.map((m) => (
        <li class={m.messageType === 'Erro' || m.messageType === 'SDK check' ? 'msg trouble' : 'msg'}>
          <details>
            <summary>
              <span class="msg-type">{m.messageType}</span>
              <span class="msg-step">{m.step}</span>
              {m.summary && <span class="msg-summary">{m.summary}</span>}
            </summary>
            <pre>{typeof m.body === 'string' ? m.body : JSON.stringify(m.body, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
