/** The audit log for auditors and administrators: filter, read, export as CSV. */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, say, StepUpField, type SignedIn } from './shell.tsx';

export interface AuditFilterForm {
  actor?: string;
  action?: string;
  target?: string;
  /** YYYY-MM-DD, in the issuer's time zone. */
  from?: string;
  to?: string;
}

export interface AuditLine {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export function AuditPage(props: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  filter: AuditFilterForm;
  rows: AuditLine[];
  limit: number;
  canExport: boolean;
  exportError?: boolean;
}) {
  const t = say(props.lang);
  const f = props.filter;
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: '監査ログ', en: 'Audit log' }}>
      <h1>{t({ ja: '監査ログ', en: 'Audit log' })}</h1>
      <form method="get" action="/admin/audit" class="filters" hx-get="/admin/audit" hx-target="#audit-results" hx-select="#audit-results" hx-swap="outerHTML" hx-push-url="true">
        <Field id="f-actor" label={t({ ja: '操作した人', en: 'Actor' })}>
          {(aria) => <input {...aria} name="actor" type="text" value={f.actor ?? ''} />}
        </Field>
        <Field id="f-action" label={t({ ja: '操作（前方一致）', en: 'Action (starts with)' })}>
          {(aria) => <input {...aria} name="action" type="text" value={f.action ?? ''} placeholder="staff." />}
        </Field>
        <Field id="f-target" label={t({ ja: '対象', en: 'Target' })}>
          {(aria) => <input {...aria} name="target" type="text" value={f.target ?? ''} placeholder="staff:3" />}
        </Field>
        <Field id="f-from" label={t({ ja: '開始日', en: 'From' })}>
          {(aria) => <input {...aria} name="from" type="date" value={f.from ?? ''} />}
        </Field>
        <Field id="f-to" label={t({ ja: '終了日', en: 'To' })}>
          {(aria) => <input {...aria} name="to" type="date" value={f.to ?? ''} />}
        </Field>
        <button type="submit" class="primary">
          {t({ ja: '絞り込む', en: 'Filter' })}
        </button>
      </form>
      <section id="audit-results" aria-labelledby="results-heading">
        <h2 id="results-heading">
          {t({ ja: `新しい順に${props.rows.length}件`, en: `${props.rows.length} entries, newest first` })}
          {props.rows.length === props.limit && <span class="muted"> {t({ ja: `（最大${props.limit}件まで表示）`, en: `(showing at most ${props.limit})` })}</span>}
        </h2>
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
                <th scope="col">{t({ ja: '操作した人', en: 'Actor' })}</th>
                <th scope="col">{t({ ja: '操作', en: 'Action' })}</th>
                <th scope="col">{t({ ja: '対象', en: 'Target' })}</th>
                <th scope="col">{t({ ja: '内容', en: 'Detail' })}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{r.id}</td>
                  <td class="nowrap">{r.at}</td>
                  <td>{r.actor}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>{r.target}</td>
                  <td>
                    <code class="detail">{r.detail}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {props.canExport && (
        <section aria-labelledby="export-heading">
          <h2 id="export-heading">{t({ ja: 'CSVで書き出す', en: 'Export as CSV' })}</h2>
          <p>{t({ ja: '上の絞り込み条件に合うすべての行を書き出します。', en: 'Exports every row that matches the filter above.' })}</p>
          <form method="post" action="/admin/audit/export" class="stack narrow">
            <Csrf token={props.me.csrf} />
            {(['actor', 'action', 'target', 'from', 'to'] as const).map((k) => (f[k] ? <input type="hidden" name={k} value={f[k]} /> : null))}
            <StepUpField lang={props.lang} id="export-code" error={props.exportError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
            <button type="submit" class="primary">
              {t({ ja: '書き出す', en: 'Export' })}
            </button>
          </form>
        </section>
      )}
    </AdminShell>
  );
}
