/**
 * The helpdesk's queue of cardholders' "this was not me" reports (/admin/reports): open ones
 * first (or the closed ones), each with the member, the masked card and what was reported, linked
 * to the trail's transaction page and the cardholder page; one report's page with its close form
 * (a required note, kept in the audit log).
 */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, type SignedIn } from './shell.tsx';

/** A report as the console shows it (times and amounts formatted by the route). */
export interface ReportRow {
  id: number;
  state: 'open' | 'closed';
  filedAt: string;
  /** The issuer's name, for a platform administrator's queue only. */
  issuer: Bi | null;
  loginId: string | null;
  cardholderHref: string | null;
  card: string | null;
  /** What was reported: an authentication (with its trail link) or a change of the registration. */
  subject: { kind: 'transaction'; href: string | null; merchant: string; amount: string; at: string; outcome: Bi } | { kind: 'change'; what: Bi };
  note: string;
  closedAt: string;
  closedBy: string | null;
  closeNote: string | null;
}

export const CHANGE_LABEL: Record<string, Bi> = {
  password: { ja: 'パスワードの変更', en: 'Password changed' },
  phone: { ja: '携帯電話番号の変更', en: 'Phone number changed' },
  email: { ja: 'メールアドレスの変更', en: 'E-mail address changed' },
  personal_message: { ja: 'パーソナルメッセージの変更', en: 'Personal message changed' },
};

const W = {
  title: { ja: '本人からの申告', en: 'Cardholder reports' },
  intro: {
    ja: '会員ページで「身に覚えがない」と申告されたご利用と登録内容の変更です。ご本人に連絡し、対応後にメモを残して完了にしてください。',
    en: 'Authentications and registration changes that cardholders reported as "not me" in the portal. Call the cardholder back, then close the report with a note.',
  },
  open: { ja: '未対応', en: 'Open' },
  closed: { ja: '対応済み', en: 'Closed' },
  noneOpen: { ja: '未対応の申告はありません。', en: 'No open report.' },
  noneClosed: { ja: '対応済みの申告はありません。', en: 'No closed report.' },
  report: { ja: '申告', en: 'Report' },
  filed: { ja: '受付日時', en: 'Filed' },
  member: { ja: '会員ID', en: 'Member ID' },
  card: { ja: 'カード', en: 'Card' },
  subject: { ja: '申告の内容', en: 'What was reported' },
  note: { ja: 'ご本人のメモ', en: 'Cardholder’s note' },
  issuer: { ja: 'カード会社', en: 'Issuer' },
  closedBy: { ja: '対応者・日時', en: 'Closed by, when' },
  closeNote: { ja: '対応メモ', en: 'Closing note' },
  state: { ja: '状態', en: 'State' },
  gone: { ja: '（登録削除済み）', en: '(registration removed)' },
  back: { ja: '← 申告の一覧', en: '← All reports' },
  closeLabel: { ja: '対応内容のメモ（必須、監査ログに記録）', en: 'What was done (required, kept in the audit log)' },
  closeButton: { ja: '対応済みにする', en: 'Close the report' },
  noteMissing: { ja: '対応内容を入力してください。', en: 'Enter what was done.' },
  noteTooLong: { ja: '500文字以内で入力してください。', en: 'Use at most 500 characters.' },
  closedNow: { ja: '対応済みにしました。', en: 'Closed.' },
  closedAlready: { ja: 'この申告はすでに対応済みです。', en: 'This report was closed already.' },
  cardholderPage: { ja: '会員の詳細', en: 'Cardholder page' },
  transactionPage: { ja: '取引の詳細', en: 'Transaction page' },
  viewOnly: { ja: 'この申告を完了にする権限がありません（閲覧のみ）。', en: 'You may read reports but not close them.' },
} satisfies Record<string, Bi>;

function Subject({ lang, row }: { lang: Lang; row: ReportRow }) {
  const t = say(lang);
  const s = row.subject;
  if (s.kind === 'change') return <>{t(s.what)}</>;
  return (
    <>
      {s.href ? <a href={s.href}>{s.merchant}</a> : s.merchant} {s.amount}
      <br />
      <span class="small nowrap">{s.at}</span> · {t(s.outcome)}
    </>
  );
}

export function ReportQueuePage(p: { lang: Lang; path: string; site: Bi; me: SignedIn; state: 'open' | 'closed'; rows: ReportRow[]; showIssuer: boolean }) {
  const t = say(p.lang);
  const closed = p.state === 'closed';
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={W.title}>
      <div class="reports">
        <h1>{t(W.title)}</h1>
        <p>{t(W.intro)}</p>
        <nav class="report-tabs" aria-label={t(W.state)}>
          <a href="/admin/reports" aria-current={closed ? undefined : 'page'}>
            {t(W.open)}
          </a>
          <a href="/admin/reports?state=closed" aria-current={closed ? 'page' : undefined}>
            {t(W.closed)}
          </a>
        </nav>
        {p.rows.length === 0 ? (
          <p>{t(closed ? W.noneClosed : W.noneOpen)}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t(closed ? W.closed : W.open)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(W.report)}</th>
                  <th scope="col">{t(W.filed)}</th>
                  {p.showIssuer && <th scope="col">{t(W.issuer)}</th>}
                  <th scope="col">{t(W.member)}</th>
                  <th scope="col">{t(W.card)}</th>
                  <th scope="col">{t(W.subject)}</th>
                  <th scope="col">{t(W.note)}</th>
                  {closed && <th scope="col">{t(W.closedBy)}</th>}
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr>
                    <td>
                      <a href={`/admin/reports/${r.id}`}>#{r.id}</a>
                    </td>
                    <td class="nowrap">{r.filedAt}</td>
                    {p.showIssuer && <td>{r.issuer ? t(r.issuer) : '—'}</td>}
                    <td>{r.loginId ? r.cardholderHref ? <a href={r.cardholderHref}>{r.loginId}</a> : r.loginId : t(W.gone)}</td>
                    <td class="nowrap">
                      <code>{r.card ?? '—'}</code>
                    </td>
                    <td>
                      <Subject lang={p.lang} row={r} />
                    </td>
                    <td>{r.note || '—'}</td>
                    {closed && (
                      <td>
                        {r.closedBy ?? '—'}
                        <br />
                        <span class="small nowrap">{r.closedAt}</span>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </AdminShell>
  );
}

export interface ReportPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  row: ReportRow;
  canClose: boolean;
  flash?: { kind: 'success' | 'alert'; text: Bi };
  note?: string;
  noteError?: 'missing' | 'too_long';
}

export function ReportPage(p: ReportPageProps) {
  const t = say(p.lang);
  const r = p.row;
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: `申告 #${r.id}`, en: `Report #${r.id}` }}>
      <div class="reports narrow">
        <p>
          <a href={r.state === 'closed' ? '/admin/reports?state=closed' : '/admin/reports'} class="back-link">
            {t(W.back)}
          </a>
        </p>
        <h1>
          {t(W.report)} #{r.id}
        </h1>
        {p.flash && (
          <Notice kind={p.flash.kind}>
            <p>{t(p.flash.text)}</p>
          </Notice>
        )}
        <dl class="facts">
          <div>
            <dt>{t(W.state)}</dt>
            <dd>{t(r.state === 'open' ? W.open : W.closed)}</dd>
          </div>
          <div>
            <dt>{t(W.filed)}</dt>
            <dd>{r.filedAt}</dd>
          </div>
          {r.issuer && (
            <div>
              <dt>{t(W.issuer)}</dt>
              <dd>{t(r.issuer)}</dd>
            </div>
          )}
          <div>
            <dt>{t(W.member)}</dt>
            <dd>
              {r.loginId ?? t(W.gone)}
              {r.cardholderHref && (
                <>
                  {' '}
                  · <a href={r.cardholderHref}>{t(W.cardholderPage)}</a>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>{t(W.card)}</dt>
            <dd>
              <code>{r.card ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>{t(W.subject)}</dt>
            <dd>
              <Subject lang={p.lang} row={r} />
              {r.subject.kind === 'transaction' && r.subject.href && (
                <>
                  <br />
                  <a href={r.subject.href}>{t(W.transactionPage)}</a>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>{t(W.note)}</dt>
            <dd>{r.note || '—'}</dd>
          </div>
          {r.state === 'closed' && (
            <>
              <div>
                <dt>{t(W.closedBy)}</dt>
                <dd>
                  {r.closedBy ?? '—'} · {r.closedAt}
                </dd>
              </div>
              <div>
                <dt>{t(W.closeNote)}</dt>
                <dd>{r.closeNote || '—'}</dd>
              </div>
            </>
          )}
        </dl>
        {r.state === 'open' && p.canClose && (
          <form method="post" action={`/admin/reports/${r.id}/close`} class="stack">
            <Csrf token={p.me.csrf} />
            <Field id="note" label={t(W.closeLabel)} error={p.noteError ? t(p.noteError === 'missing' ? W.noteMissing : W.noteTooLong) : undefined}>
              {(aria) => (
                <textarea {...aria} name="note" rows={3} maxlength={500} required>
                  {p.note ?? ''}
                </textarea>
              )}
            </Field>
            <button type="submit" class="primary">
              {t(W.closeButton)}
            </button>
          </form>
        )}
        {r.state === 'open' && !p.canClose && <p class="muted">{t(W.viewOnly)}</p>}
      </div>
    </AdminShell>
  );
}

export const REPORT_FLASH = { closedNow: W.closedNow, closedAlready: W.closedAlready } satisfies Record<string, Bi>;
