/**
 * The transaction trail's pages: the search (filters, results a page at a time, CSV export) and
 * one transaction (its messages in order, the decision, the challenge's steps, SMS and RReq
 * attempts). Card numbers appear masked only; a full card number typed in the search is sent by
 * POST and never written back into the page.
 */
import type { Bi, Lang } from '../i18n.ts';
import { RiskDecision, riskDetailOf } from './risk-decision.tsx';
import { formatAmount } from '../../src/challenge/format.ts';
import type { FieldErrors, FilterFormValues } from '../../src/trail/form.ts';
import { CHALLENGE_METHODS, FINAL_STATUSES, TRANS_STATUSES, filterParams } from '../../src/trail/form.ts';
import { BRAND_LABEL, EVENT_LABEL, maskedPan, METHOD_LABEL, TRANS_STATUS_LABEL } from '../../src/trail/present.ts';
import type { TrailRow } from '../../src/trail/search.ts';
import type { TransactionView } from '../../src/trail/transaction-view.ts';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';
import { dateTimeFormat } from '../../src/intl.ts';

export interface TrailPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  form: FilterFormValues;
  errors: FieldErrors;
  rows: TrailRow[];
  next?: string;
  /** Whether this is a page after the first. */
  continued: boolean;
  /** Set when the search is by a full card number: carried by POST to the next page and the export. */
  panHash?: string;
  searched: boolean;
  timeZone: string;
  canExport: boolean;
  exportCap: number;
  exportError?: boolean;
}

const BRANDS = ['jcb', 'visa', 'mastercard'];

/** Seconds with two decimals, or milliseconds below one second. */
function duration(ms: number | undefined, lang: Lang): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `+${ms} ms`;
  return `+${(ms / 1000).toFixed(ms < 60_000 ? 2 : 0)} ${lang === 'ja' ? '秒' : 's'}`;
}

export function formatSeconds(ms: number, lang: Lang, timeZone: string): string {
  return dateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone }).format(new Date(ms));
}

export function TrailPage(p: TrailPageProps) {
  const t = say(p.lang);
  const f = p.form;
  const err = (k: keyof FieldErrors) => (p.errors[k] ? t(p.errors[k]!) : undefined);
  const select = (name: keyof FilterFormValues, options: [string, string][]) => (aria: Record<string, string>) => (
    <select {...aria} name={name}>
      <option value="">{t({ ja: 'すべて', en: 'Any' })}</option>
      {options.map(([value, label]) => (
        <option value={value} selected={f[name] === value}>
          {label}
        </option>
      ))}
    </select>
  );
  const statusOptions = (list: readonly string[]): [string, string][] => list.map((s) => [s, t(TRANS_STATUS_LABEL[s])]);
  const hidden = filterParams(f).map(([k, v]) => <input type="hidden" name={k} value={v} />);
  const errorCount = Object.keys(p.errors).length;
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: '取引履歴', en: 'Transactions' }}>
      <link rel="stylesheet" href="/static/css/trail.css" />
      <h1>{t({ ja: '取引履歴', en: 'Transactions' })}</h1>
      {errorCount > 0 && <Notice kind="alert">{t({ ja: '検索条件に誤りがあります。各項目の説明をご確認ください。', en: 'Some search fields need correcting; see the message beside each.' })}</Notice>}
      <form method="get" action="/admin/transactions" class="filters trail-filters" aria-labelledby="search-heading">
        <h2 id="search-heading" class="span-all">
          {t({ ja: '検索条件', en: 'Search' })}
        </h2>
        <Field id="f-from" label={t({ ja: '開始日時', en: 'From' })} hint={t({ ja: `時刻は${p.timeZone}`, en: `Times in ${p.timeZone}` })} error={err('from')}>
          {(aria) => <input {...aria} name="from" type="datetime-local" value={f.from ?? ''} />}
        </Field>
        <Field id="f-to" label={t({ ja: '終了日時', en: 'To' })} error={err('to')}>
          {(aria) => <input {...aria} name="to" type="datetime-local" value={f.to ?? ''} />}
        </Field>
        <Field id="f-status" label={t({ ja: '判定（transStatus）', en: 'Outcome (transStatus)' })} error={err('transStatus')}>
          {select('transStatus', statusOptions(TRANS_STATUSES))}
        </Field>
        <Field id="f-reason" label={t({ ja: '理由コード', en: 'Reason code' })} error={err('transStatusReason')}>
          {(aria) => <input {...aria} name="transStatusReason" type="text" inputmode="numeric" maxlength={2} value={f.transStatusReason ?? ''} />}
        </Field>
        <Field id="f-final" label={t({ ja: '最終結果', en: 'Final status' })} error={err('finalStatus')}>
          {select('finalStatus', statusOptions(FINAL_STATUSES))}
        </Field>
        <Field id="f-brand" label={t({ ja: 'ブランド', en: 'Brand' })} error={err('brand')}>
          {select('brand', BRANDS.map((b) => [b, t(BRAND_LABEL[b])]))}
        </Field>
        <Field id="f-method" label={t({ ja: '認証方法', en: 'Challenge method' })} error={err('method')}>
          {select('method', CHALLENGE_METHODS.map((m) => [m, t(METHOD_LABEL[m])]))}
        </Field>
        <Field
          id="f-merchant"
          label={t({ ja: '加盟店名', en: 'Merchant name' })}
          hint={t({ ja: '前方一致は大文字・小文字を区別します。', en: '“Starts with” is case-sensitive.' })}
          error={err('merchant')}
        >
          {(aria) => <input {...aria} name="merchant" type="text" value={f.merchant ?? ''} />}
        </Field>
        <Field id="f-match" label={t({ ja: '加盟店名の一致', en: 'Merchant match' })}>
          {(aria) => (
            <select {...aria} name="merchantMatch">
              <option value="prefix" selected={f.merchantMatch !== 'contains'}>
                {t({ ja: '前方一致', en: 'Starts with' })}
              </option>
              <option value="contains" selected={f.merchantMatch === 'contains'}>
                {t({ ja: '部分一致（遅くなります）', en: 'Contains (slower)' })}
              </option>
            </select>
          )}
        </Field>
        <Field id="f-first6" label={t({ ja: 'カード番号の先頭6桁', en: 'Card: first 6 digits' })} error={err('first6')}>
          {(aria) => <input {...aria} name="first6" type="text" inputmode="numeric" maxlength={6} autocomplete="off" value={f.first6 ?? ''} />}
        </Field>
        <Field id="f-last4" label={t({ ja: 'カード番号の末尾4桁', en: 'Card: last 4 digits' })} error={err('last4')}>
          {(aria) => <input {...aria} name="last4" type="text" inputmode="numeric" maxlength={4} autocomplete="off" value={f.last4 ?? ''} />}
        </Field>
        <Field id="f-acs" label="acsTransID" error={err('acsTransID')}>
          {(aria) => <input {...aria} name="acsTransID" type="text" autocomplete="off" value={f.acsTransID ?? ''} />}
        </Field>
        <Field id="f-server" label="threeDSServerTransID" error={err('threeDSServerTransID')}>
          {(aria) => <input {...aria} name="threeDSServerTransID" type="text" autocomplete="off" value={f.threeDSServerTransID ?? ''} />}
        </Field>
        <Field id="f-ds" label="dsTransID" error={err('dsTransID')}>
          {(aria) => <input {...aria} name="dsTransID" type="text" autocomplete="off" value={f.dsTransID ?? ''} />}
        </Field>
        <button type="submit" class="primary">
          {t({ ja: '検索する', en: 'Search' })}
        </button>
      </form>

      <details class="pan-search" open={!!p.errors.pan || !!p.panHash}>
        <summary>{t({ ja: 'カード番号（全桁）で検索する', en: 'Search by the full card number' })}</summary>
        <form method="post" action="/admin/transactions" class="stack narrow">
          <Csrf token={p.me.csrf} />
          {hidden}
          <Field
            id="f-pan"
            label={t({ ja: 'カード番号（全桁）', en: 'Card number (all digits)' })}
            hint={t({ ja: '番号は保存も記録もされず、画面にも表示されません。上の条件と組み合わせて検索します。', en: 'The number is neither stored nor logged, and not shown again. The filters above apply too.' })}
            error={err('pan')}
          >
            {(aria) => <input {...aria} name="pan" type="text" inputmode="numeric" autocomplete="off" maxlength={23} required />}
          </Field>
          <button type="submit" class="primary">
            {t({ ja: 'カード番号で検索する', en: 'Search by card number' })}
          </button>
        </form>
      </details>

      <section id="trail-results" aria-labelledby="results-heading">
        <h2 id="results-heading">
          {p.searched
            ? t({ ja: `新しい順に${p.rows.length}件${p.continued ? '（続き）' : ''}`, en: `${p.rows.length} transactions, newest first${p.continued ? ' (continued)' : ''}` })
            : t({ ja: '検索結果はありません', en: 'No results' })}
          {p.panHash && <span class="muted"> {t({ ja: '（カード番号で検索中）', en: '(by card number)' })}</span>}
        </h2>
        {p.rows.length > 0 && (
          <div class="table-wrap">
            <table class="trail">
              <caption class="visually-hidden">{t({ ja: '取引の一覧', en: 'Transactions' })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
                  <th scope="col">{t({ ja: 'カード', en: 'Card' })}</th>
                  <th scope="col">{t({ ja: '加盟店', en: 'Merchant' })}</th>
                  <th scope="col">{t({ ja: '金額', en: 'Amount' })}</th>
                  <th scope="col">{t({ ja: '判定', en: 'Outcome' })}</th>
                  <th scope="col">{t({ ja: '最終結果', en: 'Final' })}</th>
                  <th scope="col">{t({ ja: '認証方法', en: 'Method' })}</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr>
                    <td data-label={t({ ja: '日時', en: 'Time' })}>
                      <a href={`/admin/transactions/${r.acsTransID}`} class="row-link">
                        {formatSeconds(r.createdAt, p.lang, p.timeZone)}
                      </a>
                    </td>
                    <td data-label={t({ ja: 'カード', en: 'Card' })}>
                      <span class="nowrap">{maskedPan(r)}</span> {t(BRAND_LABEL[r.brand] ?? { ja: r.brand, en: r.brand })}
                    </td>
                    <td data-label={t({ ja: '加盟店', en: 'Merchant' })}>{r.merchantName ?? '—'}</td>
                    <td data-label={t({ ja: '金額', en: 'Amount' })} class="nowrap">
                      {formatAmount(r.purchaseAmount, r.purchaseCurrency, r.purchaseExponent, p.lang) || '—'}
                    </td>
                    <td data-label={t({ ja: '判定', en: 'Outcome' })}>
                      <code>{r.transStatus}</code>
                      {r.transStatusReason && <span> / {r.transStatusReason}</span>}
                    </td>
                    <td data-label={t({ ja: '最終結果', en: 'Final' })}>
                      {r.finalTransStatus ? <code>{r.finalTransStatus}</code> : '—'}
                      {r.finalTransStatusReason && <span> / {r.finalTransStatusReason}</span>}
                    </td>
                    <td data-label={t({ ja: '認証方法', en: 'Method' })}>{r.challengeMethod ? t(METHOD_LABEL[r.challengeMethod]) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {p.next &&
          (p.panHash ? (
            <form method="post" action="/admin/transactions">
              <Csrf token={p.me.csrf} />
              {hidden}
              <input type="hidden" name="panHash" value={p.panHash} />
              <input type="hidden" name="after" value={p.next} />
              <button type="submit" class="secondary">
                {t({ ja: '次の50件', en: 'Next 50' })}
              </button>
            </form>
          ) : (
            <p>
              <a class="button-link" rel="next" href={`/admin/transactions?${new URLSearchParams([...filterParams(f), ['after', p.next]]).toString()}`}>
                {t({ ja: '次の50件', en: 'Next 50' })}
              </a>
            </p>
          ))}
        {p.continued && (
          <p>
            <a href={`/admin/transactions?${new URLSearchParams(filterParams(f)).toString()}`}>{t({ ja: '最初のページへ', en: 'Back to the first page' })}</a>
          </p>
        )}
      </section>

      {p.canExport && (
        <section aria-labelledby="export-heading">
          <h2 id="export-heading">{t({ ja: 'CSVで書き出す', en: 'Export as CSV' })}</h2>
          <p>
            {t({
              ja: `この検索に合う取引を新しい順に最大${p.exportCap.toLocaleString('ja-JP')}件書き出します（カード番号は先頭6桁と末尾4桁のみ）。それより多い場合は期間を絞ってください。`,
              en: `Exports the transactions this search finds, newest first, at most ${p.exportCap.toLocaleString('en-GB')} (card numbers as first 6 and last 4 digits only). Narrow the time range for more.`,
            })}
          </p>
          <form method="post" action="/admin/transactions/export" class="stack narrow">
            <Csrf token={p.me.csrf} />
            {hidden}
            {p.panHash && <input type="hidden" name="panHash" value={p.panHash} />}
            <StepUpField lang={p.lang} id="export-code" error={p.exportError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
            <button type="submit" class="primary">
              {t({ ja: '書き出す', en: 'Export' })}
            </button>
          </form>
        </section>
      )}
    </AdminShell>
  );
}

export function TransactionPage(p: { lang: Lang; path: string; site: Bi; me: SignedIn; view: TransactionView; timeZone: string }) {
  const t = say(p.lang);
  const { txn } = p.view;
  const at = (ms: number) => formatSeconds(ms, p.lang, p.timeZone);
  const dirLabel = (d: 'in' | 'out') => (d === 'in' ? t({ ja: '受信', en: 'Received' }) : t({ ja: '送信', en: 'Sent' }));
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: '取引の詳細', en: 'Transaction' }}>
      <link rel="stylesheet" href="/static/css/trail.css" />
      <p>
        <a href="/admin/transactions">{t({ ja: '← 取引履歴へ戻る', en: '← Back to transactions' })}</a>
      </p>
      <h1>{t({ ja: '取引の詳細', en: 'Transaction' })}</h1>
      <dl class="facts">
        <dt>acsTransID</dt>
        <dd>
          <code>{txn.acsTransID}</code>
        </dd>
        <dt>threeDSServerTransID</dt>
        <dd>
          <code>{txn.threeDSServerTransID}</code>
        </dd>
        <dt>dsTransID</dt>
        <dd>
          <code>{txn.dsTransID}</code>
        </dd>
        <dt>{t({ ja: '日時', en: 'Time' })}</dt>
        <dd>{at(txn.createdAt)}</dd>
        <dt>{t({ ja: 'カード', en: 'Card' })}</dt>
        <dd>
          {maskedPan(txn)} {t(BRAND_LABEL[txn.brand] ?? { ja: txn.brand, en: txn.brand })}
        </dd>
        <dt>{t({ ja: '加盟店', en: 'Merchant' })}</dt>
        <dd>{txn.merchantName ?? '—'}</dd>
        <dt>{t({ ja: '金額', en: 'Amount' })}</dt>
        <dd>{formatAmount(txn.purchaseAmount, txn.purchaseCurrency, txn.purchaseExponent, p.lang) || '—'}</dd>
        <dt>{t({ ja: 'バージョン・チャネル', en: 'Version, channel' })}</dt>
        <dd>
          {txn.messageVersion} / {txn.deviceChannel === '02' ? t({ ja: 'ブラウザ', en: 'browser' }) : t({ ja: 'アプリ', en: 'app' })}
        </dd>
        <dt>{t({ ja: '状態', en: 'State' })}</dt>
        <dd>
          <code>{txn.state}</code>
        </dd>
      </dl>

      <section aria-labelledby="decision-heading">
        <h2 id="decision-heading">{t({ ja: '判定と理由', en: 'Decision and reasons' })}</h2>
        <dl class="facts">
          <dt>{t({ ja: '判定（ARes）', en: 'Outcome (ARes)' })}</dt>
          <dd>
            {t(TRANS_STATUS_LABEL[txn.transStatus] ?? { ja: txn.transStatus, en: txn.transStatus })}
            {txn.transStatusReason && ` / ${t({ ja: '理由', en: 'reason' })} ${txn.transStatusReason}`}
          </dd>
          <dt>{t({ ja: '最終結果', en: 'Final status' })}</dt>
          <dd>
            {txn.finalTransStatus ? t(TRANS_STATUS_LABEL[txn.finalTransStatus] ?? { ja: txn.finalTransStatus, en: txn.finalTransStatus }) : '—'}
            {txn.finalTransStatusReason && ` / ${t({ ja: '理由', en: 'reason' })} ${txn.finalTransStatusReason}`}
            {txn.challengeCancel && ` / challengeCancel ${txn.challengeCancel}`}
          </dd>
          <dt>{t({ ja: '認証方法', en: 'Challenge method' })}</dt>
          <dd>{txn.challengeMethod ? t(METHOD_LABEL[txn.challengeMethod]) : '—'}</dd>
          <dt>{t({ ja: 'リスクスコア', en: 'Risk score' })}</dt>
          <dd>{txn.riskScore ?? '—'}</dd>
          <dt>{t({ ja: '該当したルール', en: 'Rules that fired' })}</dt>
          <dd>
            {p.view.riskReasons.length === 0 ? (
              '—'
            ) : (
              <ul class="plain">
                {p.view.riskReasons.map((r) => (
                  <li>
                    <code>{typeof r === 'string' ? r : JSON.stringify(r)}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>ECI</dt>
          <dd>{txn.eci ?? '—'}</dd>
        </dl>
      </section>

      {riskDetailOf(txn.riskDetail) && <RiskDecision lang={p.lang} detail={riskDetailOf(txn.riskDetail)!} />}

      <section aria-labelledby="messages-heading">
        <h2 id="messages-heading">{t({ ja: `メッセージ（${p.view.messages.length}件、順番どおり）`, en: `Messages (${p.view.messages.length}, in order)` })}</h2>
        <ol class="messages">
          {p.view.messages.map((m, i) => (
            <li class={`message ${m.direction}`}>
              <details>
                <summary>
                  <span class="msg-type">{m.messageType}</span>
                  <span class="msg-dir">{dirLabel(m.direction)}</span>
                  <span class="msg-time">{at(m.at)}</span>
                  <span class="msg-since">{i === 0 ? '' : duration(m.sinceMs, p.lang)}</span>
                </summary>
                <pre tabindex={0} aria-label={`${m.messageType} ${dirLabel(m.direction)}`}>
                  <code>{m.body}</code>
                </pre>
              </details>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading">{t({ ja: 'チャレンジの経過', en: 'Challenge steps' })}</h2>
        {p.view.events.length === 0 ? (
          <p>{t({ ja: 'チャレンジはありません。', en: 'No challenge.' })}</p>
        ) : (
          <div class="table-wrap">
            <table class="trail-steps">
              <thead>
                <tr>
                  <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
                  <th scope="col">{t({ ja: '出来事', en: 'Step' })}</th>
                  <th scope="col">{t({ ja: '内容', en: 'Detail' })}</th>
                </tr>
              </thead>
              <tbody>
                {p.view.events.map((e) => (
                  <tr class={`event-${e.kind}`}>
                    <td class="nowrap" data-label={t({ ja: '日時', en: 'Time' })}>
                      {at(e.at)}
                    </td>
                    <td data-label={t({ ja: '出来事', en: 'Step' })}>{t(EVENT_LABEL[e.kind] ?? { ja: e.kind, en: e.kind })}</td>
                    <td data-label={t({ ja: '内容', en: 'Detail' })}>
                      <code class="detail">{describeDetail(e.detail)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="sms-heading">
        <h2 id="sms-heading">{t({ ja: 'SMSの送信', en: 'SMS attempts' })}</h2>
        <Attempts lang={p.lang} rows={p.view.sms} at={at} who={{ ja: '宛先', en: 'To' }} empty={{ ja: 'SMSは送信していません。', en: 'No SMS.' }} />
      </section>

      <section aria-labelledby="rreq-heading">
        <h2 id="rreq-heading">{t({ ja: 'RReqの配信', en: 'RReq delivery' })}</h2>
        {p.view.rreqJob && (
          <p>
            {p.view.rreqJob.doneAt
              ? t({ ja: `配信ジョブ完了（試行${p.view.rreqJob.attempts}回）`, en: `Delivery job done (${p.view.rreqJob.attempts} runs)` })
              : t({ ja: `配信ジョブ継続中（試行${p.view.rreqJob.attempts}回、次回 ${at(p.view.rreqJob.dueAt)}）`, en: `Delivery job pending (${p.view.rreqJob.attempts} runs, next at ${at(p.view.rreqJob.dueAt)})` })}
            {p.view.rreqJob.lastError && ` — ${p.view.rreqJob.lastError}`}
          </p>
        )}
        <Attempts lang={p.lang} rows={p.view.rreq} at={at} who={{ ja: '送信先', en: 'To' }} empty={{ ja: '配信の記録はありません。', en: 'No delivery attempts.' }} />
      </section>
    </AdminShell>
  );
}

function Attempts(p: { lang: Lang; rows: TransactionView['sms']; at: (ms: number) => string; who: Bi; empty: Bi }) {
  const t = say(p.lang);
  if (p.rows.length === 0) return <p>{t(p.empty)}</p>;
  return (
    <div class="table-wrap">
      <table class="trail-attempts">
        <thead>
          <tr>
            <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
            <th scope="col">{t(p.who)}</th>
            <th scope="col">{t({ ja: '事業者', en: 'Provider' })}</th>
            <th scope="col">{t({ ja: '結果', en: 'Status' })}</th>
            <th scope="col">{t({ ja: '詳細', en: 'Detail' })}</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td class="nowrap" data-label={t({ ja: '日時', en: 'Time' })}>
                {p.at(r.at)}
              </td>
              <td data-label={t(p.who)}>{r.recipient}</td>
              <td data-label={t({ ja: '事業者', en: 'Provider' })}>{r.provider}</td>
              <td data-label={t({ ja: '結果', en: 'Status' })}>{r.status === 'sent' ? t({ ja: '送信済み', en: 'Sent' }) : t({ ja: '失敗', en: 'Failed' })}</td>
              <td data-label={t({ ja: '詳細', en: 'Detail' })}>{r.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function describeDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
