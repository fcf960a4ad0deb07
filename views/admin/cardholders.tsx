/**
 * The helpdesk's cardholder look-up: the search form with its results, and one cardholder's
 * page. Everything arrives masked (src/helpdesk/lookup.ts, cardholder-page.ts); on a phone the
 * tables become stacked cards (each cell labelled), on wider screens they scroll inside a region.
 */
import type { Child } from 'hono/jsx';
import type { ActionLink, ActionLinks, CardholderPageData, RegistrationView } from '../../src/helpdesk/cardholder-page.ts';
import type { LookupKind, LookupProblem, LookupRow, RegistrationStatus } from '../../src/helpdesk/lookup.ts';
import { formatAmount } from '../../src/challenge/format.ts';
import type { AuthMethod, Brand, CardStatus, ChallengeMethod, LockCause, PhoneStatus } from '../../src/db/schema.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, formatTime, say, type SignedIn } from './shell.tsx';

// ─── Words ──────────────────────────────────────────────────────────────────────

const KIND_LABEL: Record<LookupKind, Bi> = {
  member: { ja: '会員ID', en: 'Member ID' },
  pan: { ja: 'カード番号（全桁）', en: 'Full card number' },
  last4: { ja: 'カード番号下4桁＋氏名または生年月日', en: 'Last 4 digits + name or birth date' },
  customer: { ja: 'お客様番号', en: 'Customer number' },
  phone: { ja: '電話番号', en: 'Phone number' },
};

const PROBLEM: Record<LookupProblem | 'pan_by_get', Bi> = {
  kind: { ja: '検索の種類を選んでください。', en: 'Choose what to search by.' },
  empty: { ja: '検索語を入力してください。', en: 'Enter something to search for.' },
  pan_format: { ja: 'カード番号は12〜19桁の数字で入力してください。', en: 'A card number is 12 to 19 digits.' },
  pan_luhn: { ja: 'カード番号が正しくありません。もう一度ご確認ください。', en: 'That card number is not valid (check digit). Please check it.' },
  last4_format: { ja: '下4桁は4桁の数字で入力してください。', en: 'Enter the last 4 digits of the card.' },
  who_empty: { ja: '下4桁で検索するときは、氏名・フリガナまたは生年月日も入力してください。', en: 'With the last 4 digits, also enter the name (or kana) or the birth date.' },
  birth_date: { ja: '生年月日は YYYY-MM-DD または YYYYMMDD で入力してください。', en: 'Enter the birth date as YYYY-MM-DD or YYYYMMDD.' },
  phone_format: { ja: '電話番号として読み取れません（例：090-1234-5678、+819012345678）。', en: 'That is not a phone number we can read (e.g. 090-1234-5678, +819012345678).' },
  pan_by_get: { ja: 'カード番号での検索は、下のフォームから送信してください。', en: 'Search by card number with the form below.' },
};

const BRAND_LABEL: Record<Brand, string> = { jcb: 'JCB', visa: 'Visa', mastercard: 'Mastercard' };

const CARD_STATUS: Record<CardStatus, Bi> = {
  active: { ja: '有効', en: 'Active' },
  blocked_lost: { ja: '利用停止（紛失）', en: 'Blocked (lost)' },
  blocked_stolen: { ja: '利用停止（盗難）', en: 'Blocked (stolen)' },
  blocked: { ja: '利用停止', en: 'Blocked' },
  closed: { ja: '解約', en: 'Closed' },
  replaced: { ja: '再発行済み（旧カード）', en: 'Replaced (old card)' },
};

const REGISTRATION: Record<RegistrationStatus, Bi> = {
  none: { ja: '未登録', en: 'Not registered' },
  provisional: { ja: '仮登録', en: 'Provisional' },
  active: { ja: '登録済み', en: 'Active' },
  locked: { ja: 'ロック中', en: 'Locked' },
};

const AUTH_METHOD: Record<AuthMethod, Bi> = {
  sms_otp: { ja: 'SMSワンタイムパスワード', en: 'SMS OTP' },
  password: { ja: '固定パスワード', en: 'Static password' },
};

const PHONE_STATUS: Record<PhoneStatus, Bi> = {
  verified: { ja: '確認済み', en: 'Verified' },
  provisional: { ja: '仮登録', en: 'Provisional' },
  none: { ja: 'なし', en: 'None' },
};

const LOCK_CAUSE: Record<LockCause, Bi> = {
  attempts: { ja: '入力誤りの回数超過', en: 'Too many wrong entries' },
  staff: { ja: 'スタッフによるロック', en: 'Locked by staff' },
};

const CHALLENGE_METHOD: Record<ChallengeMethod, Bi> = {
  sms_otp: { ja: 'SMS', en: 'SMS OTP' },
  password: { ja: '固定パスワード', en: 'Static password' },
  guidance_register: { ja: '登録の案内', en: 'Registration guidance' },
  guidance_phone: { ja: '電話番号登録の案内', en: 'Phone guidance' },
};

const TRANS_STATUS: Record<string, Bi> = {
  Y: { ja: '認証成功', en: 'Authenticated' },
  N: { ja: '認証失敗', en: 'Not authenticated' },
  U: { ja: '認証できず', en: 'Could not authenticate' },
  A: { ja: '認証試行', en: 'Attempted' },
  C: { ja: '本人確認へ', en: 'Challenge' },
  R: { ja: '拒否', en: 'Rejected' },
  I: { ja: '情報のみ', en: 'Informational' },
};

const DASH = '—';

// ─── Shared pieces ──────────────────────────────────────────────────────────────

interface Common {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  /** The time zone staff read times in. */
  timeZone: string;
  /** Issuer names by id, for a platform administrator (who sees every issuer); null otherwise. */
  issuers: Record<number, Bi> | null;
}

/** "C → Y (05)": the ARes' status, and the challenge's outcome when there was one. */
function outcome(lang: Lang, s: { transStatus: string; reason: string | null; finalTransStatus: string | null; finalReason?: string | null }): string {
  const one = (status: string, reason: string | null | undefined) => `${status}${reason ? `/${reason}` : ''} ${TRANS_STATUS[status]?.[lang] ?? ''}`.trim();
  return s.finalTransStatus ? `${one(s.transStatus, s.reason)} → ${one(s.finalTransStatus, s.finalReason)}` : one(s.transStatus, s.reason);
}

function phoneText(t: (b: Bi) => string, status: PhoneStatus | null, phone: string): string {
  if (!status) return DASH;
  return phone ? `${phone}（${t(PHONE_STATUS[status])}）` : t(PHONE_STATUS[status]);
}

function lockText(t: (b: Bi) => string, lang: Lang, tz: string, lockedAt: number | null, cause: LockCause | null): string {
  if (lockedAt === null) return DASH;
  return `${formatTime(lockedAt, lang, tz)}${cause ? ` · ${t(LOCK_CAUSE[cause])}` : ''}`;
}

/** A table that stacks on a phone (each cell labelled from its column) and scrolls inside a labelled region otherwise. */
function DataTable(props: { id: string; caption: string; columns: string[]; children?: Child }) {
  return (
    <div class="table-wrap hd-table-wrap" role="region" aria-labelledby={`${props.id}-caption`} tabindex={0}>
      <table class="hd-table" id={props.id}>
        <caption id={`${props.id}-caption`}>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A cell that names its column when the table is stacked. */
const Cell = (props: { label: string; children?: Child; class?: string }) => (
  <td data-label={props.label} class={props.class}>
    <div class="hd-value">{props.children}</div>
  </td>
);

function Links({ links, lang, label }: { links: ActionLink[]; lang: Lang; label: string }) {
  if (links.length === 0) return null;
  return (
    <ul class="hd-actions" aria-label={label}>
      {links.map((l) => (
        <li>
          <a class="button secondary" href={l.href}>
            {l.label[lang]}
          </a>
        </li>
      ))}
    </ul>
  );
}

// ─── Search ─────────────────────────────────────────────────────────────────────

export interface SearchForm {
  kind: LookupKind;
  q: string;
  who: string;
}

export interface SearchError {
  field: 'kind' | 'q' | 'who';
  problem: LookupProblem | 'pan_by_get';
}

export function CardholderSearchPage(props: Common & { form: SearchForm; error?: SearchError; result?: { rows: LookupRow[]; more: boolean; limit: number } }) {
  const t = say(props.lang);
  const { form, error, result } = props;
  const errorOf = (field: SearchError['field']) => (error && error.field === field ? t(PROBLEM[error.problem]) : undefined);
  const cols = [
    t({ ja: '氏名', en: 'Name' }),
    t({ ja: 'お客様番号', en: 'Customer number' }),
    t({ ja: 'カード番号', en: 'Card number' }),
    t({ ja: 'ブランド', en: 'Brand' }),
    t({ ja: 'カードの状態', en: 'Card status' }),
    t({ ja: '登録状態', en: 'Registration' }),
    t({ ja: '認証方式', en: 'Authentication' }),
    t({ ja: '認証用電話番号', en: 'OTP phone' }),
    t({ ja: 'ロック', en: 'Lock' }),
    t({ ja: '最後の認証', en: 'Last authentication' }),
    ...(props.issuers ? [t({ ja: 'カード会社', en: 'Issuer' })] : []),
  ];
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: '会員照会', en: 'Cardholder look-up' }}>
      <link rel="stylesheet" href="/static/css/helpdesk.css" />
      <h1>{t({ ja: '会員照会', en: 'Cardholder look-up' })}</h1>
      <form method="post" action="/admin/cardholders" class="hd-search" autocomplete="off">
        <Csrf token={props.me.csrf} />
        <Field id="lookup-kind" label={t({ ja: '検索の種類', en: 'Search by' })} error={errorOf('kind')}>
          {(aria) => (
            <select {...aria} name="kind">
              {(Object.keys(KIND_LABEL) as LookupKind[]).map((k) => (
                <option value={k} selected={form.kind === k}>
                  {t(KIND_LABEL[k])}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="lookup-q"
          label={t({ ja: '検索語', en: 'Search' })}
          hint={t({ ja: '会員ID、カード番号、下4桁、お客様番号、または電話番号', en: 'Member ID, card number, last 4 digits, customer number or phone number' })}
          error={errorOf('q')}
        >
          {/* A full card number is never written back into the page. */}
          {(aria) => <input {...aria} name="q" type="text" value={form.kind === 'pan' ? '' : form.q} maxlength={100} spellcheck={false} autocomplete="off" />}
        </Field>
        <Field
          id="lookup-who"
          label={t({ ja: '氏名・フリガナ または 生年月日', en: 'Name, kana or birth date' })}
          hint={t({ ja: '下4桁で検索するときに入力（一部でも可、生年月日は YYYY-MM-DD）', en: 'With the last 4 digits (part of a name is enough; birth date as YYYY-MM-DD)' })}
          error={errorOf('who')}
        >
          {(aria) => <input {...aria} name="who" type="text" value={form.kind === 'last4' ? form.who : ''} maxlength={100} autocomplete="off" />}
        </Field>
        <button type="submit" class="primary">
          {t({ ja: '検索', en: 'Search' })}
        </button>
      </form>
      {result && (
        <section aria-labelledby="results-heading" id="lookup-results">
          <h2 id="results-heading">{t({ ja: '検索結果', en: 'Results' })}</h2>
          <p role="status">
            {result.rows.length === 0
              ? t({ ja: '該当するカードはありません。', en: 'No card matched.' })
              : result.more
                ? t({ ja: `${result.limit}件を超えて見つかりました。最初の${result.limit}件を表示しています。条件を絞ってください。`, en: `More than ${result.limit} cards matched; the first ${result.limit} are shown. Narrow the search.` })
                : t({ ja: `${result.rows.length}件のカードが見つかりました。`, en: `${result.rows.length} card(s) found.` })}
          </p>
          {result.rows.length > 0 && (
            <DataTable id="lookup-table" caption={t({ ja: '見つかったカード（カードごとに1行）', en: 'Cards found (one row per card)' })} columns={cols}>
              {result.rows.map((r) => (
                <tr>
                  <Cell label={cols[0]}>
                    <a href={`/admin/cardholders/${r.cardholderId}`}>{r.name}</a>
                  </Cell>
                  <Cell label={cols[1]}>{r.customerRef}</Cell>
                  <Cell label={cols[2]} class="nowrap">
                    <code>{r.pan}</code>
                  </Cell>
                  <Cell label={cols[3]}>{BRAND_LABEL[r.brand]}</Cell>
                  <Cell label={cols[4]}>{t(CARD_STATUS[r.cardStatus])}</Cell>
                  <Cell label={cols[5]}>
                    {t(REGISTRATION[r.registration])}
                    {r.loginId && <span class="muted small"> ({r.loginId})</span>}
                  </Cell>
                  <Cell label={cols[6]}>{r.authMethod ? t(AUTH_METHOD[r.authMethod]) : DASH}</Cell>
                  <Cell label={cols[7]}>{phoneText(t, r.phoneStatus, r.phone)}</Cell>
                  <Cell label={cols[8]}>{lockText(t, props.lang, props.timeZone, r.lockedAt, r.lockCause)}</Cell>
                  <Cell label={cols[9]}>{r.lastAuth ? `${formatTime(r.lastAuth.at, props.lang, props.timeZone)} · ${outcome(props.lang, r.lastAuth)}` : DASH}</Cell>
                  {props.issuers && <Cell label={cols[10]}>{props.issuers[r.issuerId] ? t(props.issuers[r.issuerId]) : DASH}</Cell>}
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
    </AdminShell>
  );
}

// ─── One cardholder ─────────────────────────────────────────────────────────────

function Fact({ term, children }: { term: string; children?: Child }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function CardholderPage(props: Common & { data: CardholderPageData; actions: ActionLinks | null }) {
  const t = say(props.lang);
  const { holder, cards, registrations, transactions, requests, reports, audit } = props.data;
  const time = (ms: number | null) => formatTime(ms, props.lang, props.timeZone);
  const cardCols = [
    t({ ja: 'カード番号', en: 'Card number' }),
    t({ ja: 'ブランド', en: 'Brand' }),
    t({ ja: '有効期限', en: 'Expiry' }),
    t({ ja: '状態', en: 'Status' }),
    t({ ja: '法人カード', en: 'Corporate' }),
    t({ ja: '再発行', en: 'Reissue' }),
    ...(props.actions ? [t({ ja: '操作', en: 'Actions' })] : []),
  ];
  const txCols = [
    t({ ja: '日時', en: 'Time' }),
    t({ ja: 'カード', en: 'Card' }),
    t({ ja: '加盟店', en: 'Merchant' }),
    t({ ja: '金額', en: 'Amount' }),
    t({ ja: '結果', en: 'Outcome' }),
    t({ ja: '本人確認の方法', en: 'Challenge method' }),
    t({ ja: '取引ID', en: 'Transaction' }),
  ];
  const reqCols = [t({ ja: '操作', en: 'Action' }), t({ ja: '対象', en: 'Target' }), t({ ja: '依頼した人', en: 'Requested by' }), t({ ja: '依頼日時', en: 'Requested' }), t({ ja: '期限', en: 'Expires' }), t({ ja: '状態', en: 'State' })];
  const auditCols = [t({ ja: '日時', en: 'Time' }), t({ ja: '操作した人', en: 'Actor' }), t({ ja: '操作', en: 'Action' }), t({ ja: '対象', en: 'Target' }), t({ ja: '内容', en: 'Detail' })];
  const expiry = (yymm: string) => `${yymm.slice(2, 4)}/${yymm.slice(0, 2)}`;
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: `会員：${holder.name}`, en: `Cardholder: ${holder.name}` }}>
      <link rel="stylesheet" href="/static/css/helpdesk.css" />
      <p class="hd-back">
        <a href="/admin/cardholders">{t({ ja: '← 会員照会へ戻る', en: '← Back to the look-up' })}</a>
      </p>
      <h1>{holder.name}</h1>
      <section aria-labelledby="person-heading">
        <h2 id="person-heading">{t({ ja: 'ご本人', en: 'The person' })}</h2>
        <dl class="facts">
          <Fact term={t({ ja: 'フリガナ', en: 'Kana' })}>{holder.nameKana ?? DASH}</Fact>
          <Fact term={t({ ja: 'お客様番号', en: 'Customer number' })}>{holder.customerRef}</Fact>
          <Fact term={t({ ja: '生年月日', en: 'Birth date' })}>{holder.birthDate ?? DASH}</Fact>
          <Fact term={t({ ja: '届出電話番号', en: 'Phone on file' })}>
            {holder.phone || DASH}
            {holder.phoneProvisional && <span class="hd-flag"> {t({ ja: '（仮の番号）', en: '(provisional)' })}</span>}
          </Fact>
          <Fact term={t({ ja: 'メールアドレス', en: 'E-mail' })}>{holder.email || DASH}</Fact>
          <Fact term={t({ ja: '不正検知サービスへのデータ提供', en: 'Data sharing with fraud detection' })}>
            {holder.dataSharingOptOut ? t({ ja: '停止中', en: 'Opted out' }) : t({ ja: '提供する', en: 'Shared' })}
            {holder.dataSharingChangedAt !== null && <span class="muted small"> ({time(holder.dataSharingChangedAt)})</span>}
          </Fact>
          {props.issuers && <Fact term={t({ ja: 'カード会社', en: 'Issuer' })}>{props.issuers[holder.issuerId] ? t(props.issuers[holder.issuerId]) : DASH}</Fact>}
        </dl>
        {props.actions && <Links links={props.actions.holder} lang={props.lang} label={t({ ja: 'ご本人への操作', en: 'Actions on the person' })} />}
      </section>

      <section aria-labelledby="cards-heading">
        <h2 id="cards-heading">{t({ ja: 'カード', en: 'Cards' })}</h2>
        <DataTable id="cards-table" caption={t({ ja: 'お持ちのカード', en: 'Cards held' })} columns={cardCols}>
          {cards.map((c) => (
            <tr id={`card-${c.id}`}>
              <Cell label={cardCols[0]} class="nowrap">
                <code>{c.pan}</code>
              </Cell>
              <Cell label={cardCols[1]}>{BRAND_LABEL[c.brand]}</Cell>
              <Cell label={cardCols[2]}>{expiry(c.expiry)}</Cell>
              <Cell label={cardCols[3]}>{t(CARD_STATUS[c.status])}</Cell>
              <Cell label={cardCols[4]}>{c.corporate ? t({ ja: 'はい', en: 'Yes' }) : t({ ja: 'いいえ', en: 'No' })}</Cell>
              <Cell label={cardCols[5]}>
                {c.replacedBy && (
                  <span class="hd-line">
                    {t({ ja: '再発行後：', en: 'Replaced by ' })}
                    <a href={`#card-${c.replacedBy.id}`}>{c.replacedBy.pan}</a>
                  </span>
                )}
                {c.replaces.map((o) => (
                  <span class="hd-line">
                    {t({ ja: '再発行前：', en: 'Replaces ' })}
                    <a href={`#card-${o.id}`}>{o.pan}</a>
                  </span>
                ))}
                {!c.replacedBy && c.replaces.length === 0 && DASH}
              </Cell>
              {props.actions && (
                <Cell label={cardCols[6]}>
                  <Links links={props.actions.cards.get(c.id) ?? []} lang={props.lang} label={t({ ja: `カード ${c.pan} への操作`, en: `Actions on card ${c.pan}` })} />
                </Cell>
              )}
            </tr>
          ))}
        </DataTable>
      </section>

      <section aria-labelledby="registrations-heading">
        <h2 id="registrations-heading">{t({ ja: '本人認証サービスの登録（カードごと）', en: '3-D Secure registrations (one per card)' })}</h2>
        {registrations.length === 0 && <p>{t({ ja: 'どのカードも登録されていません。', en: 'No card is registered.' })}</p>}
        {registrations.map((r) => (
          <Registration r={r} lang={props.lang} timeZone={props.timeZone} links={props.actions?.registrations.get(r.id) ?? null} />
        ))}
      </section>

      <section aria-labelledby="transactions-heading">
        <h2 id="transactions-heading">{t({ ja: '最近の取引', en: 'Recent transactions' })}</h2>
        {transactions.length === 0 ? (
          <p>{t({ ja: '取引はまだありません。', en: 'No transactions yet.' })}</p>
        ) : (
          <DataTable id="transactions-table" caption={t({ ja: `新しい順に最大${transactions.length}件`, en: `Newest first, up to ${transactions.length}` })} columns={txCols}>
            {transactions.map((x) => (
              <tr>
                <Cell label={txCols[0]} class="nowrap">{time(x.at)}</Cell>
                <Cell label={txCols[1]} class="nowrap">
                  <code>{x.pan}</code>
                </Cell>
                <Cell label={txCols[2]}>{x.merchant ?? DASH}</Cell>
                <Cell label={txCols[3]}>{formatAmount(x.amount.value, x.amount.currency, x.amount.exponent, props.lang) || DASH}</Cell>
                <Cell label={txCols[4]}>{outcome(props.lang, x)}</Cell>
                <Cell label={txCols[5]}>{x.challengeMethod ? t(CHALLENGE_METHOD[x.challengeMethod]) : DASH}</Cell>
                <Cell label={txCols[6]}>
                  <a href={`/admin/transactions/${x.acsTransID}`}>
                    <code>{x.acsTransID.slice(0, 8)}</code>
                    <span class="visually-hidden">{t({ ja: ' の詳細', en: ' details' })}</span>
                  </a>
                </Cell>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading">{t({ ja: '承認待ちの依頼', en: 'Requests awaiting approval' })}</h2>
        {requests.length === 0 ? (
          <p>{t({ ja: '承認待ちの依頼はありません。', en: 'Nothing is waiting for approval.' })}</p>
        ) : (
          <DataTable id="requests-table" caption={t({ ja: 'このお客様についての承認待ちの依頼', en: 'Pending requests on this cardholder' })} columns={reqCols}>
            {requests.map((q) => (
              <tr>
                <Cell label={reqCols[0]}>{t(q.label)}</Cell>
                <Cell label={reqCols[1]}>{q.target}</Cell>
                <Cell label={reqCols[2]}>{q.requestedBy}</Cell>
                <Cell label={reqCols[3]}>{time(q.requestedAt)}</Cell>
                <Cell label={reqCols[4]}>{time(q.expiresAt)}</Cell>
                <Cell label={reqCols[5]}>{t({ ja: '承認待ち', en: 'Pending' })}</Cell>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section aria-labelledby="reports-heading">
        <h2 id="reports-heading">{t({ ja: '本人からの申告', en: "Cardholder's reports" })}</h2>
        {reports.length === 0 ? (
          <p>{t({ ja: '会員ページからの申告はありません。', en: 'No reports from the member portal.' })}</p>
        ) : (
          <ul class="plain-list">
            {reports.map((r) => (
              <li>
                <a href={`/admin/reports/${r.id}`}>
                  {r.kind === 'transaction'
                    ? t({ ja: '身に覚えのない認証', en: 'Authentication not made by the cardholder' })
                    : t({ ja: `身に覚えのない登録内容の変更（${r.change ?? ''}）`, en: `Change not made by the cardholder (${r.change ?? ''})` })}
                </a>{' '}
                — {time(r.createdAt)} — {r.state === 'open' ? t({ ja: '未対応', en: 'Open' }) : t({ ja: '対応済み', en: 'Closed' })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">{t({ ja: 'スタッフによる操作の記録', en: 'Staff actions on this cardholder' })}</h2>
        {audit.length === 0 ? (
          <p>{t({ ja: '記録はありません。', en: 'None recorded.' })}</p>
        ) : (
          <DataTable id="audit-table" caption={t({ ja: '監査ログから、新しい順に最大50件', en: 'From the audit log, newest first, up to 50' })} columns={auditCols}>
            {audit.map((a) => (
              <tr>
                <Cell label={auditCols[0]} class="nowrap">{time(a.at)}</Cell>
                <Cell label={auditCols[1]}>{a.actor}</Cell>
                <Cell label={auditCols[2]}>
                  <code>{a.action}</code>
                </Cell>
                <Cell label={auditCols[3]}>{a.target}</Cell>
                <Cell label={auditCols[4]}>
                  <code class="detail">{a.detail}</code>
                </Cell>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </AdminShell>
  );
}

function Registration({ r, lang, timeZone, links }: { r: RegistrationView; lang: Lang; timeZone: string; links: ActionLink[] | null }) {
  const time = (ms: number | null) => formatTime(ms, lang, timeZone);
  const t = say(lang);
  return (
    <article class="hd-registration" aria-labelledby={`member-${r.id}-heading`} id={`member-${r.id}`}>
      <h3 id={`member-${r.id}-heading`}>
        {t({ ja: '会員ID ', en: 'Member ID ' })}
        <code>{r.loginId}</code>
      </h3>
      <dl class="facts">
        <Fact term={t({ ja: 'カード', en: 'Cards' })}>{r.cards.join('、 ')}</Fact>
        <Fact term={t({ ja: '状態', en: 'Status' })}>{t(REGISTRATION[r.status])}</Fact>
        <Fact term={t({ ja: '認証方式', en: 'Authentication' })}>{t(AUTH_METHOD[r.authMethod])}</Fact>
        <Fact term={t({ ja: '認証用電話番号', en: 'OTP phone' })}>{phoneText(t, r.phoneStatus, r.phone)}</Fact>
        <Fact term={t({ ja: 'メールアドレス', en: 'E-mail' })}>{r.email || DASH}</Fact>
        <Fact term={t({ ja: 'パーソナルメッセージ', en: 'Personal message' })}>{r.personalMessage ?? t({ ja: '未設定', en: 'Not set' })}</Fact>
        <Fact term={t({ ja: '入力誤りの回数', en: 'Wrong entries' })}>{String(r.failedAttempts)}</Fact>
        <Fact term={t({ ja: 'ロック', en: 'Lock' })}>{lockText(t, lang, timeZone, r.lockedAt, r.lockCause)}</Fact>
        <Fact term={t({ ja: '規約への同意', en: 'Terms accepted' })}>{time(r.termsAcceptedAt)}</Fact>
        <Fact term={t({ ja: '登録日時', en: 'Registered' })}>{time(r.createdAt)}</Fact>
      </dl>
      {links && <Links links={links} lang={lang} label={t({ ja: `会員ID ${r.loginId} への操作`, en: `Actions on member ID ${r.loginId}` })} />}
    </article>
  );
}
