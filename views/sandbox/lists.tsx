import { demoMemberOf, type DemoCard } from '../../src/sandbox/demo-issuer.ts';
import { Bilingual, Page } from '../layout.tsx';
import { SandboxHeader } from './header.tsx';

export interface SmsRow {
  id: number;
  recipient: string;
  body: string;
  otpCode: string | null;
  acsTransID: string | null;
  createdAt: number;
}

/** The development SMS provider's "phone": what the outbox adapter delivered, newest first. */
export function SmsOutboxPage({ rows }: { rows: SmsRow[] }) {
  return (
    <Page title="SMS outbox / SMS送信箱">
      <SandboxHeader />
      <main class="container">
        <h1>
          <Bilingual ja="SMS送信箱" en="SMS outbox" />
        </h1>
        <p class="muted">
          <Bilingual ja="開発用：SMSは送信されず、ここに届きます（3秒ごとに更新）。" en="Development only: no SMS leaves the machine; they land here (refreshes every 3 s)." />
        </p>
        <div hx-get="/sandbox/sms" hx-trigger="every 3s" hx-select="#sms-list" hx-target="#sms-list" hx-swap="outerHTML">
          <ol id="sms-list" class="sms-list" aria-live="polite">
            {rows.length === 0 && (
              <li class="muted">
                <Bilingual ja="まだありません。" en="Nothing yet." />
              </li>
            )}
            {rows.map((r) => (
              <li class="sms" data-acs-trans-id={r.acsTransID ?? ''}>
                <p class="sms-meta">
                  <strong>{r.recipient}</strong> · {new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19)} UTC
                  {r.otpCode && (
                    <>
                      {' '}
                      · OTP <code class="otp">{r.otpCode}</code>
                    </>
                  )}
                </p>
                <pre>{r.body}</pre>
                {r.acsTransID && <p class="muted small">acsTransID {r.acsTransID}</p>}
              </li>
            ))}
          </ol>
        </div>
      </main>
    </Page>
  );
}

export function DemoCardsPage({ cards }: { cards: DemoCard[] }) {
  return (
    <Page title="Demo cards / テストカード">
      <SandboxHeader />
      <main class="container">
        <h1>
          <Bilingual ja="テストカード" en="Demo cards" />
        </h1>
        <p class="muted">
          <Bilingual
            ja="デモ用のカード会社のカードです。本番のカード番号ではありません（Luhnチェックは通ります）。"
            en="Cards of the demo issuer. Not real card numbers (they pass the Luhn check)."
          />
        </p>
        <div class="table-wrap">
          <table class="demo-cards">
            <thead>
              <tr>
                <th>PAN</th>
                <th>
                  <Bilingual ja="有効期限" en="Expiry" />
                </th>
                <th>
                  <Bilingual ja="ブランド" en="Brand" />
                </th>
                <th>
                  <Bilingual ja="会員ID / パスワード" en="Member ID / password" />
                </th>
                <th>
                  <Bilingual ja="用途・想定される結果" en="What it is for, expected outcome" />
                </th>
              </tr>
            </thead>
            <tbody>
              {cards.map((c) => (
                <tr data-key={c.key}>
                  <td class="pan" data-label="PAN">
                    <code>{c.pan}</code>
                  </td>
                  <td class="nowrap" data-label="有効期限 / expiry">
                    {c.expiry.slice(2)}/{c.expiry.slice(0, 2)}
                  </td>
                  <td class="nowrap" data-label="ブランド / brand">
                    {c.brand}
                  </td>
                  <td data-label="会員ID / member ID">
                    {demoMemberOf(c)?.loginId ?? '—'}
                    {demoMemberOf(c)?.password && (
                      <>
                        {' / '}
                        <code>{demoMemberOf(c)!.password}</code>
                      </>
                    )}
                  </td>
                  <td class="purpose">
                    <Bilingual ja={c.purpose.ja} en={c.purpose.en} />
                    <small class="muted">想定 / expected: {c.outcome}</small>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </main>
    </Page>
  );
}
