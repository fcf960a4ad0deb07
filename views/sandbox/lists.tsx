import type { Config, RateLimit } from '../../src/config.ts';
import { localTime } from '../../src/clock.ts';
import type { IssuerSettings } from '../../src/issuers/settings.ts';
import type { DemoCardNow, ProofKind } from '../../src/sandbox/card-state.ts';
import { demoMemberOf, type DemoCard } from '../../src/sandbox/demo-issuer.ts';
import { Bilingual, Page } from '../layout.tsx';
import { SandboxHeader } from './header.tsx';

export interface SmsRow {
  id: number;
  recipient: string;
  body: string;
  otpCode: string | null;
  acsTransID: string | null;
  sender: string | null;
  createdAt: number;
}

export interface MailRow {
  id: number;
  recipient: string;
  sender: string | null;
  subject: string;
  body: string;
  createdAt: number;
}

/** A moment in the issuer's time zone, named: what every sandbox page shows for a time. */
function When({ ms, timeZone }: { ms: number; timeZone: string }) {
  return (
    <time datetime={new Date(ms).toISOString()}>
      {localTime(ms, timeZone)} ({timeZone})
    </time>
  );
}

/** Who a message went out from: the card's issuer's sender. */
function Sender({ sender }: { sender: string }) {
  return (
    <>
      {' · '}
      <Bilingual ja={`送信者 ${sender}`} en={`from ${sender}`} />
    </>
  );
}

/** The development SMS provider's "phone": what the outbox adapter delivered, newest first. */
export function SmsOutboxPage({ rows, timeZone }: { rows: SmsRow[]; timeZone: string }) {
  return (
    <Page title="SMS outbox / SMS送信箱">
      <SandboxHeader />
      <main class="container">
        <h1>
          <Bilingual ja="SMS送信箱" en="SMS outbox" />
        </h1>
        <p class="muted">
          <Bilingual
            ja={`開発用：SMSは送信されず、ここに届きます（3秒ごとに更新。時刻はカード会社のタイムゾーン ${timeZone}）。`}
            en={`Development only: no SMS leaves the machine; they land here (refreshes every 3 s; times in the issuer's time zone, ${timeZone}).`}
          />
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
                  <strong>{r.recipient}</strong> · <When ms={r.createdAt} timeZone={timeZone} />
                  {r.sender && <Sender sender={r.sender} />}
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

/** The development mailer's inbox: what the outbox adapter delivered, newest first. */
export function MailOutboxPage({ rows, timeZone }: { rows: MailRow[]; timeZone: string }) {
  return (
    <Page title="Mail outbox / メール送信箱">
      <SandboxHeader />
      <main class="container">
        <h1>
          <Bilingual ja="メール送信箱" en="Mail outbox" />
        </h1>
        <p class="muted">
          <Bilingual
            ja={`開発用：メールは送信されず、ここに届きます（3秒ごとに更新。時刻は ${timeZone}）。`}
            en={`Development only: no mail leaves the machine; it lands here (refreshes every 3 s; times in ${timeZone}).`}
          />
        </p>
        <div hx-get="/sandbox/mail" hx-trigger="every 3s" hx-select="#mail-list" hx-target="#mail-list" hx-swap="outerHTML">
          <ol id="mail-list" class="sms-list" aria-live="polite">
            {rows.length === 0 && (
              <li class="muted">
                <Bilingual ja="まだありません。" en="Nothing yet." />
              </li>
            )}
            {rows.map((r) => (
              <li class="sms">
                <p class="sms-meta">
                  <strong>{r.recipient}</strong> · <When ms={r.createdAt} timeZone={timeZone} />
                  {r.sender && <Sender sender={r.sender} />}
                </p>
                <p>
                  <strong>{r.subject}</strong>
                </p>
                <pre>{r.body}</pre>
              </li>
            ))}
          </ol>
        </div>
      </main>
    </Page>
  );
}

/** "1時間" / "1 h" for a rate limit's window. */
function windowText(ms: number): { ja: string; en: string } {
  if (ms % 3_600_000 === 0) return { ja: `${ms / 3_600_000}時間`, en: `${ms / 3_600_000} h` };
  if (ms % 60_000 === 0) return { ja: `${ms / 60_000}分`, en: `${ms / 60_000} min` };
  return { ja: `${ms / 1000}秒`, en: `${ms / 1000} s` };
}

function limitText(limit: RateLimit | null, unit: { ja: string; en: string }): { ja: string; en: string } {
  if (!limit) return { ja: 'なし', en: 'none' };
  const w = windowText(limit.windowMs);
  return { ja: `${w.ja}に${limit.max}${unit.ja}`, en: `${limit.max} ${unit.en} per ${w.en}` };
}

const PROOF: Record<ProofKind, { ja: string; en: string }> = {
  birth_date: { ja: '本人確認：生年月日', en: 'Proof: birth date' },
  phone_on_file: { ja: '本人確認：カード会社に届出の電話番号', en: 'Proof: the phone number on file' },
  card_pin: { ja: '本人確認：カードの暗証番号（法人カード）', en: 'Proof: the card PIN (corporate card)' },
};

/** Whether the card is registered, the proof the portal's registration asks for it, and the way there. */
function Registration({ card, now }: { card: DemoCard; now: DemoCardNow }) {
  const { registration, proof } = now;
  const status = registration.registered
    ? registration.changed
      ? { ja: '登録済み（会員ページで登録）', en: 'Registered (in the member portal)' }
      : { ja: '登録済み', en: 'Registered' }
    : registration.status === 'provisional'
      ? { ja: '仮登録：会員ページで本登録できます', en: 'Provisional (仮登録): complete it (本登録) in the member portal' }
      : { ja: '未登録：会員ページで登録できます', en: 'Not registered: register it in the member portal' };
  const link = registration.registered
    ? { ja: '会員ページで再登録', en: 'Re-register in the member portal' }
    : { ja: '会員ページで登録する', en: 'Register in the member portal' };
  return (
    <>
      <p class="reg-status">
        <Bilingual ja={status.ja} en={status.en} />
      </p>
      <div class="proof" data-proof={proof.kind}>
        <p>
          <Bilingual ja={PROOF[proof.kind].ja} en={PROOF[proof.kind].en} />
        </p>
        <p>{proof.value ? <code>{proof.value}</code> : <Bilingual ja="（届出なし）" en="(none on file)" />}</p>
      </div>
      <a class="button secondary bilingual portal-link" href={now.portalUrl} aria-label={`${card.key}：${link.ja} / ${link.en}`}>
        <Bilingual ja={link.ja} en={link.en} />
      </a>
    </>
  );
}

export interface DemoCardsPageProps {
  cards: DemoCard[];
  /** What each card will do now, in the order of `cards`. */
  now: DemoCardNow[];
  /** The issuers on this install, for their velocity and wrong-entry limits. */
  issuers: Pick<IssuerSettings, 'name' | 'velocityLimitPerHour' | 'policies'>[];
  config: Pick<Config, 'SMS_LIMIT_PER_PHONE' | 'SMS_LIMIT_PER_IP'>;
  timeZone: string;
  /** The page's moment, in the issuer's time zone. */
  at: string;
  /** The card just reset, to say so. */
  reset?: DemoCard;
}

/** The member ID (and the seeded password) as a tester types them: the registration the portal made once it replaced the seeded one. */
function memberCell(card: DemoCard, now: DemoCardNow) {
  if (now.registration.changed) return now.registration.memberId ?? '—';
  const member = demoMemberOf(card);
  return (
    <>
      {member?.loginId ?? '—'}
      {member?.password && (
        <>
          {' / '}
          <code>{member.password}</code>
        </>
      )}
    </>
  );
}

export function DemoCardsPage({ cards, now, issuers, config, timeZone, at, reset }: DemoCardsPageProps) {
  const perPhone = limitText(config.SMS_LIMIT_PER_PHONE, { ja: '通', en: 'SMS' });
  const perIp = limitText(config.SMS_LIMIT_PER_IP, { ja: '通', en: 'SMS' });
  // The velocity and wrong-entry limits are each issuer's own.
  const perIssuer = {
    ja: issuers.map((i) => `${i.name.ja}は認証がカードごとに1時間${i.velocityLimitPerHour}回まで、誤入力${i.policies.maxAuthAttempts}回でロック`).join('。'),
    en: issuers.map((i) => `${i.name.en}: ${i.velocityLimitPerHour} authentications per card per hour, ${i.policies.maxAuthAttempts} wrong entries lock the member`).join('; '),
  };
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
        <p id="register-hint">
          <Bilingual
            ja="未登録・仮登録のカードは、表の本人確認の情報（生年月日、届出の電話番号、法人カードは暗証番号）で会員ページから登録できます。確認コードはメール送信箱（/sandbox/mail）に、携帯電話の確認コードはSMS送信箱（/sandbox/sms）に届きます。「元に戻す」で登録前の状態に戻せます。"
            en="Cards not registered yet (or only provisionally) can be registered in the member portal with the proof in the table (birth date, phone number on file, or a corporate card's PIN). The e-mail code arrives in the mail outbox (/sandbox/mail), the phone's code in the SMS outbox (/sandbox/sms). Reset puts a card back as it was before."
          />
        </p>
        <p id="limits" class="notice">
          <Bilingual
            ja={`いまの上限：SMSは携帯番号ごとに${perPhone.ja}、送信元IPごとに${perIp.ja}。${perIssuer.ja}（認証回数を超えると金額に関係なく認証画面）。開発用サンドボックスではREADMEの手順で上限に達しないよう大きめです（本番の既定値はSMS 1時間10通、認証1時間10回）。`}
            en={`Limits now: ${perPhone.en} per phone, ${perIp.en} per source address. Each issuer's own: ${perIssuer.en} (beyond those authentications every purchase is challenged, whatever the amount). The development sandbox sizes them so that the README's walkthrough stays below them (production defaults: 10 SMS and 10 authentications per hour).`}
          />
        </p>
        {reset && (
          <p class="success" role="status">
            <Bilingual ja={`${reset.key} を元に戻しました（ロック・誤入力・SMS回数）。`} en={`${reset.key} was reset (lock, wrong entries, SMS count).`} />
          </p>
        )}
        <p class="muted small">
          <Bilingual ja={`「今の状態」は ${at}（${timeZone}）時点のデータベースの内容です。`} en={`"Now" is what the database says at ${at} (${timeZone}).`} />
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
                  <Bilingual ja="会員ページでの登録" en="Registering in the member portal" />
                </th>
                <th>
                  <Bilingual ja="用途・想定される結果" en="What it is for, expected outcome" />
                </th>
                <th>
                  <Bilingual ja="今の状態" en="Now" />
                </th>
              </tr>
            </thead>
            <tbody>
              {cards.map((c, i) => (
                <tr data-key={c.key} id={`card-${c.key}`}>
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
                    {memberCell(c, now[i])}
                  </td>
                  <td class="registration" data-label="会員ページ / portal" data-registered={String(now[i].registration.registered)}>
                    <Registration card={c} now={now[i]} />
                  </td>
                  <td class="purpose">
                    <Bilingual ja={c.purpose.ja} en={c.purpose.en} />
                    <small class="issuer">
                      <Bilingual ja={`カード会社：${now[i].issuer.name.ja}`} en={`Issuer: ${now[i].issuer.name.en}`} />
                    </small>
                    <small class="muted">想定 / expected: {c.outcome}</small>
                  </td>
                  <td class="now" data-label="今の状態 / now" data-state={now[i].state}>
                    <ul>
                      {now[i].notes.map((note) => (
                        <li>
                          <Bilingual ja={note.ja} en={note.en} />
                        </li>
                      ))}
                    </ul>
                    {now[i].resettable && (
                      <form method="post" action={`/sandbox/cards/${c.key}/reset`}>
                        <button type="submit" class="secondary" aria-label={`${c.key} を元に戻す / reset ${c.key}`}>
                          元に戻す / Reset
                        </button>
                      </form>
                    )}
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
