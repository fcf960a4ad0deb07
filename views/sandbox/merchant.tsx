import { demoMemberOf, type DemoCard } from '../../src/sandbox/demo-issuer.ts';
import { Bilingual, Page } from '../layout.tsx';
import { SandboxHeader } from './header.tsx';

/**
 * The sandbox's test merchant: a checkout that runs the whole EMV 3-D Secure exchange against this
 * appliance with the `globalpayments-3ds` library, as a merchant's checkout would, and shows every
 * message in order.
 */
export function SandboxMerchantPage({ cards }: { cards: DemoCard[] }) {
  return (
    <Page title="Sandbox — test merchant / テスト加盟店" scripts={['/static/vendor/globalpayments-3ds.min.js', '/static/js/sandbox.js']}>
      <SandboxHeader />
      <main class="container sandbox">
        <h1>
          <Bilingual ja="テスト加盟店で購入する" en="Buy at the test merchant" />
        </h1>
        <div class="sandbox-grid">
          <form id="checkout" class="checkout" novalidate>
            <label for="card">
              <Bilingual ja="テストカード" en="Demo card" />
            </label>
            <select id="card" name="card" aria-describedby="card-hint">
              {cards.map((c) => (
                <option
                  value={c.pan}
                  data-key={c.key}
                  data-label={`${c.brand.toUpperCase()} …${c.pan.slice(-4)} (${c.key})`}
                  data-purpose={`${c.purpose.ja} / ${c.purpose.en}`}
                  data-outcome={c.outcome}
                  data-member={memberText(c)}
                >
                  {c.brand.toUpperCase()} …{c.pan.slice(-4)} — {c.purpose.ja} / {c.purpose.en}
                </option>
              ))}
              <option value="" data-label="typed PAN">
                — PANを入力 / type a PAN —
              </option>
            </select>
            <p id="card-hint" class="card-hint" aria-live="polite">
              {cards[0] && <CardHint card={cards[0]} />}
            </p>
            <label for="pan">
              <Bilingual ja="カード番号（任意）" en="Card number (optional, overrides the card above)" />
            </label>
            <input id="pan" name="pan" type="text" inputmode="numeric" autocomplete="off" maxlength={19} />
            <div class="row">
              <div>
                <label for="amount">
                  <Bilingual ja="金額" en="Amount" />
                </label>
                <input id="amount" name="amount" type="text" inputmode="decimal" value="12800" required />
              </div>
              <div>
                <label for="currency">
                  <Bilingual ja="通貨" en="Currency" />
                </label>
                <select id="currency" name="currency">
                  <option value="392">JPY (392)</option>
                  <option value="840">USD (840)</option>
                  <option value="978">EUR (978)</option>
                </select>
              </div>
            </div>
            <label for="merchantName">
              <Bilingual ja="加盟店名" en="Merchant name" />
            </label>
            <input id="merchantName" name="merchantName" type="text" value="まもりストア" maxlength={40} required />
            <label for="challengeInd">
              <Bilingual ja="チャレンジ指定（threeDSRequestorChallengeInd）" en="Challenge indicator" />
            </label>
            <select id="challengeInd" name="challengeInd">
              <option value="01">01 — no preference</option>
              <option value="02">02 — no challenge requested</option>
              <option value="03">03 — challenge requested</option>
              <option value="04">04 — challenge mandated</option>
              <option value="06">06 — data share only</option>
            </select>
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
                <label for="windowSize">
                  <Bilingual ja="画面サイズ" en="Window size" />
                </label>
                <select id="windowSize" name="windowSize">
                  <option value="WINDOWED_250X400">01 — 250×400</option>
                  <option value="WINDOWED_390X400" selected>
                    02 — 390×400
                  </option>
                  <option value="WINDOWED_500X600">03 — 500×600</option>
                  <option value="WINDOWED_600X400">04 — 600×400</option>
                  <option value="FULL_SCREEN">05 — full page</option>
                </select>
              </div>
            </div>
            <label for="dsMode">
              <Bilingual ja="DSの応答（RReq）" en="DS behaviour for the RReq" />
            </label>
            <select id="dsMode" name="dsMode">
              <option value="ok">answers RRes</option>
              <option value="fail-twice">fails twice, then answers</option>
              <option value="fail">always fails (HTTP 500)</option>
              <option value="late">answers late (6 s)</option>
              <option value="garbage">answers garbage</option>
            </select>
            <button type="submit" id="buy" class="primary">
              <Bilingual ja="購入する" en="Buy" />
            </button>
          </form>
          <section class="result" aria-labelledby="result-heading">
            <h2 id="result-heading">
              <Bilingual ja="認証" en="Authentication" />
            </h2>
            <dl id="run" class="run" hidden></dl>
            <p id="outcome" role="status" aria-live="polite" class="outcome muted">
              <Bilingual ja="カードを選んで「購入する」を押してください。" en="Pick a card and press Buy." />
            </p>
            <div id="challenge-frame" class="challenge-frame"></div>
            <h2>
              <Bilingual ja="メッセージ" en="Messages" />
            </h2>
            <p class="muted small">
              <Bilingual ja="各行を押すとメッセージ全体（JSON、カード番号は一部伏字）を表示します。" en="Press a line for the whole message (JSON, card number masked)." />
            </p>
            <ol id="exchange" class="exchange"></ol>
          </section>
        </div>
      </main>
    </Page>
  );
}

/** Member ID and password of a demo card, as the hint under the card menu shows them. */
function memberText(card: DemoCard): string {
  const member = demoMemberOf(card);
  if (!member) return '会員登録なし / no member';
  return `会員ID / member ID ${member.loginId}${member.password ? ` · password ${member.password}` : ''}`;
}

/** What the selected card is for and what the ACS should answer (sandbox.js keeps it up to date). */
function CardHint({ card }: { card: DemoCard }) {
  return (
    <>
      <span class="hint-member">{memberText(card)}</span>
      <span class="hint-outcome">想定 / expected: {card.outcome}</span>
    </>
  );
}
