/**
 * Card data in the console: the issuer's imports, the upload form, the export form (overview),
 * and one import's page, whose status part htmx polls until the import ends. The live region
 * (#import-announce) sits outside the polled part, so it is one element for the page's life and
 * only its text changes (an out-of-band swap in the last poll's answer).
 */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, formatTime, say, StepUpField, type SignedIn } from './shell.tsx';
import { numberFormat } from '../../src/intl.ts';

type State = 'queued' | 'running' | 'done' | 'failed';

export interface ImportLine {
  id: number;
  at: number;
  actor: string;
  fileName: string;
  /** SHA-256 of the file, hex. */
  digest: string;
  dryRun: boolean;
  state: State;
  totalRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Shown to a platform administrator, who sees every issuer's imports. */
  issuer?: Bi;
}

export interface IssuerChoice {
  id: number;
  name: Bi;
}

export interface UploadFormState {
  encoding?: string;
  dryRun?: boolean;
  issuerId?: number;
  errors?: Partial<Record<'file' | 'encoding' | 'issuerId', Bi>>;
}

export interface ExportFormState {
  issuerId?: number;
  errors?: Partial<Record<'code' | 'issuerId', Bi>>;
}

interface PageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  timeZone: string;
}

const TITLE: Bi = { ja: 'カードデータ', en: 'Card data' };

const STATE_LABEL: Record<State, Bi> = {
  queued: { ja: '待機中', en: 'Queued' },
  running: { ja: '取り込み中', en: 'Running' },
  done: { ja: '完了', en: 'Done' },
  failed: { ja: '失敗', en: 'Failed' },
};

const number = (lang: Lang) => numberFormat(lang === 'ja' ? 'ja-JP' : 'en-GB');

export function CardDataPage(
  props: PageProps & {
    canImport: boolean;
    canExport: boolean;
    /** For a platform administrator: whose data an upload or export is. */
    issuers?: IssuerChoice[];
    imports: ImportLine[];
    upload?: UploadFormState;
    exportForm?: ExportFormState;
  },
) {
  const t = say(props.lang);
  const n = number(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={TITLE}>
      <link rel="stylesheet" href="/static/css/card-data.css" />
      <h1>{t(TITLE)}</h1>
      <p>
        {t({
          ja: '基幹システムから書き出したカードのCSVファイルを取り込み、登録状況をCSVで書き出します。取り込み中もACSは応答を続けます。',
          en: 'Load the card file (CSV) exported by your core system, and export registrations as CSV. The ACS keeps answering while a file loads.',
        })}
      </p>
      {props.canImport && <UploadForm {...props} form={props.upload ?? {}} />}
      <section aria-labelledby="imports-heading">
        <h2 id="imports-heading">{t({ ja: '取り込みの履歴', en: 'Imports' })}</h2>
        {props.imports.length === 0 ? (
          <p class="muted">{t({ ja: 'まだ取り込みはありません。', en: 'No imports yet.' })}</p>
        ) : (
          <div class="table-wrap">
            <table class="imports">
              <thead>
                <tr>
                  <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
                  {props.issuers && <th scope="col">{t({ ja: 'カード会社', en: 'Issuer' })}</th>}
                  <th scope="col">{t({ ja: '実行した人', en: 'By' })}</th>
                  <th scope="col">{t({ ja: 'ファイル', en: 'File' })}</th>
                  <th scope="col">{t({ ja: 'ダイジェスト', en: 'Digest' })}</th>
                  <th scope="col">{t({ ja: '種類', en: 'Kind' })}</th>
                  <th scope="col">{t({ ja: '状態', en: 'State' })}</th>
                  <th scope="col" class="num">{t({ ja: '行数', en: 'Rows' })}</th>
                  <th scope="col" class="num">{t({ ja: '追加', en: 'Added' })}</th>
                  <th scope="col" class="num">{t({ ja: '更新', en: 'Updated' })}</th>
                  <th scope="col" class="num">{t({ ja: '変更なし', en: 'Unchanged' })}</th>
                  <th scope="col" class="num">{t({ ja: '却下', en: 'Rejected' })}</th>
                </tr>
              </thead>
              <tbody>
                {props.imports.map((i) => (
                  <tr>
                    <td class="nowrap">
                      <a href={`/admin/card-data/imports/${i.id}`}>{formatTime(i.at, props.lang, props.timeZone)}</a>
                    </td>
                    {props.issuers && <td>{i.issuer ? t(i.issuer) : ''}</td>}
                    <td>{i.actor}</td>
                    <td class="file-name">{i.fileName}</td>
                    <td>
                      <code title={i.digest}>{i.digest.slice(0, 12)}</code>
                    </td>
                    <td>{i.dryRun ? t({ ja: '試行', en: 'Dry run' }) : t({ ja: '取り込み', en: 'Import' })}</td>
                    <td>{t(STATE_LABEL[i.state])}</td>
                    <td class="num">{n.format(i.totalRows)}</td>
                    <td class="num">{n.format(i.inserted)}</td>
                    <td class="num">{n.format(i.updated)}</td>
                    <td class="num">{n.format(i.unchanged)}</td>
                    <td class="num">{n.format(i.rejected)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {props.canExport && <ExportForm {...props} form={props.exportForm ?? {}} />}
    </AdminShell>
  );
}

function IssuerSelect(props: { lang: Lang; id: string; issuers: IssuerChoice[]; selected?: number; error?: Bi }) {
  const t = say(props.lang);
  return (
    <Field id={props.id} label={t({ ja: 'カード会社', en: 'Issuer' })} error={props.error && t(props.error)}>
      {(aria) => (
        <select {...aria} name="issuerId" required>
          {props.issuers.map((i) => (
            <option value={String(i.id)} selected={props.selected === i.id}>
              {t(i.name)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function UploadForm(props: PageProps & { issuers?: IssuerChoice[]; form: UploadFormState }) {
  const t = say(props.lang);
  const { form } = props;
  const errors = form.errors ?? {};
  const encoding = form.encoding ?? 'auto';
  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">{t({ ja: 'CSVファイルを取り込む', en: 'Load a CSV file' })}</h2>
      <form method="post" action="/admin/card-data/imports" enctype="multipart/form-data" class="stack narrow upload">
        <Csrf token={props.me.csrf} />
        {props.issuers && <IssuerSelect lang={props.lang} id="upload-issuer" issuers={props.issuers} selected={form.issuerId} error={errors.issuerId} />}
        <Field
          id="upload-file"
          label={t({ ja: 'CSVファイル', en: 'CSV file' })}
          hint={t({ ja: '1行目は見出し行です。列と値はREADMEの「Card data files」に説明があります。', en: 'The first line is the header. The README’s “Card data files” describes the columns and values.' })}
          error={errors.file && t(errors.file)}
        >
          {(aria) => <input {...aria} name="file" type="file" accept=".csv,.txt,text/csv,text/plain" required />}
        </Field>
        <Field id="upload-encoding" label={t({ ja: '文字コード', en: 'Encoding' })} error={errors.encoding && t(errors.encoding)}>
          {(aria) => (
            <select {...aria} name="encoding">
              <option value="auto" selected={encoding === 'auto'}>
                {t({ ja: '自動判別', en: 'Detect' })}
              </option>
              <option value="utf-8" selected={encoding === 'utf-8'}>
                UTF-8
              </option>
              <option value="shift_jis" selected={encoding === 'shift_jis'}>
                Shift_JIS (CP932)
              </option>
            </select>
          )}
        </Field>
        <div class="check">
          <input id="upload-dry-run" name="dryRun" type="checkbox" value="on" checked={form.dryRun} aria-describedby="upload-dry-run-hint" />
          <label for="upload-dry-run">{t({ ja: '試行のみ（データは変更しません）', en: 'Dry run (changes nothing)' })}</label>
        </div>
        <p class="hint" id="upload-dry-run-hint">
          {t({ ja: 'すべての行を検査し、取り込んだ場合の件数と却下される行を表示します。', en: 'Checks every row and shows what an import would do and which rows it would reject.' })}
        </p>
        <button type="submit" class="primary">
          {t({ ja: '取り込む', en: 'Load' })}
        </button>
      </form>
    </section>
  );
}

function ExportForm(props: PageProps & { issuers?: IssuerChoice[]; form: ExportFormState }) {
  const t = say(props.lang);
  const errors = props.form.errors ?? {};
  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">{t({ ja: 'カードと登録状況を書き出す', en: 'Export cards and registrations' })}</h2>
      <p>
        {t({
          ja: 'カード番号は先頭6桁と末尾4桁のみ。状態・登録日・ロック状態を含むCSVです。書き出しは監査ログに記録されます。',
          en: 'Card numbers show their first 6 and last 4 digits only; with statuses, registration dates and lock states. The export is recorded in the audit log.',
        })}
      </p>
      <form method="post" action="/admin/card-data/export" class="stack narrow">
        <Csrf token={props.me.csrf} />
        {props.issuers && <IssuerSelect lang={props.lang} id="export-issuer" issuers={props.issuers} selected={props.form.issuerId} error={errors.issuerId} />}
        <StepUpField lang={props.lang} id="export-code" error={errors.code && t(errors.code)} />
        <button type="submit" class="primary">
          {t({ ja: '書き出す', en: 'Export' })}
        </button>
      </form>
    </section>
  );
}

// ─── One import ─────────────────────────────────────────────────────────────

export interface ImportStatusView {
  id: number;
  dryRun: boolean;
  state: State;
  totalRows: number;
  processedRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** 0–100. */
  percent: number;
  /** Null while it cannot be said yet. */
  rowsPerSecond: number | null;
  secondsLeft: number | null;
  /** Why the import failed, when it did. */
  error: Bi | null;
  /** The first rejected rows, by line. */
  rejections: { line: number; field: string | null; message: Bi }[];
}

export function ImportPage(props: PageProps & { line: ImportLine; status: ImportStatusView }) {
  const t = say(props.lang);
  const { line } = props;
  const title: Bi = line.dryRun ? { ja: '取り込みの試行', en: 'Dry run' } : { ja: '取り込み', en: 'Import' };
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={title}>
      <link rel="stylesheet" href="/static/css/card-data.css" />
      <p>
        <a href="/admin/card-data">{t({ ja: '← カードデータへ戻る', en: '← Back to card data' })}</a>
      </p>
      <h1>
        {t(title)}
        {t({ ja: '：', en: ': ' })}
        <span class="file-name">{line.fileName}</span>
      </h1>
      <dl class="facts">
        {line.issuer && (
          <div>
            <dt>{t({ ja: 'カード会社', en: 'Issuer' })}</dt>
            <dd>{t(line.issuer)}</dd>
          </div>
        )}
        <div>
          <dt>{t({ ja: '実行した人', en: 'By' })}</dt>
          <dd>{line.actor}</dd>
        </div>
        <div>
          <dt>{t({ ja: '受付', en: 'Received' })}</dt>
          <dd>{formatTime(line.at, props.lang, props.timeZone)}</dd>
        </div>
        <div>
          <dt>{t({ ja: 'ファイルのSHA-256', en: 'File SHA-256' })}</dt>
          <dd>
            <code title={line.digest}>{line.digest.slice(0, 16)}…</code>
          </dd>
        </div>
      </dl>
      <p id="import-announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></p>
      <ImportStatus lang={props.lang} status={props.status} />
    </AdminShell>
  );
}

/**
 * The polled part: progress while the import runs (re-fetched every second), the counts, the first
 * rejected rows and the error report once it ends (then without hx-trigger, so polling stops).
 * With `announce`, the answer also carries the live region's new text.
 */
export function ImportStatus({ lang, status, announce = false }: { lang: Lang; status: ImportStatusView; announce?: boolean }) {
  const t = say(lang);
  const n = number(lang);
  const s = status;
  const open = s.state === 'queued' || s.state === 'running';
  const poll = open ? { 'hx-get': `/admin/card-data/imports/${s.id}/progress`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {};
  const percent = Math.max(0, Math.min(100, Math.floor(s.percent)));
  return (
    <>
      <section id="import-status" class="import-status" aria-labelledby="status-heading" data-state={s.state} {...poll}>
        <h2 id="status-heading">
          {t({ ja: '状態', en: 'State' })}: {t(STATE_LABEL[s.state])}
        </h2>
        <div class="progress-line">
          <label for="import-bar">{t({ ja: '進み具合', en: 'Progress' })}</label>
          <progress id="import-bar" max={100} value={percent}>
            {percent} %
          </progress>
          <p class="progress-facts">
            <span class="percent">{percent} %</span>
            <span>
              {n.format(s.processedRows)} / {n.format(s.totalRows)} {t({ ja: '行', en: 'rows' })}
            </span>
            {s.rowsPerSecond !== null && s.rowsPerSecond > 0 && (
              <span>
                {open ? '' : t({ ja: '平均 ', en: 'average ' })}
                {n.format(Math.round(s.rowsPerSecond))} {t({ ja: '行/秒', en: 'rows/s' })}
              </span>
            )}
            {open && s.secondsLeft !== null && <span>{timeLeft(lang, s.secondsLeft)}</span>}
          </p>
        </div>
        {open && (
          <p class="hint">
            {t({ ja: 'このページは自動で更新されます。閉じても取り込みは続きます。', en: 'This page updates itself. The import goes on if you close it.' })}{' '}
            <a href={`/admin/card-data/imports/${s.id}`}>{t({ ja: '最新の状態を表示', en: 'Show the latest state' })}</a>
          </p>
        )}
        {s.state === 'failed' && (
          <div class="alert">
            <p>{t({ ja: '取り込みは途中で止まりました。取り込み済みの行はそのまま残ります。', en: 'The import stopped. Rows applied before stay applied.' })}</p>
            {s.error && <p class="small">{t(s.error)}</p>}
          </div>
        )}
        {s.state === 'done' && <Outcome lang={lang} status={s} />}
        {(s.state === 'done' || s.state === 'failed') && s.rejected > 0 && <Rejections lang={lang} status={s} />}
      </section>
      {announce && (
        <p id="import-announce" hx-swap-oob="innerHTML">
          {announcement(lang, s)}
        </p>
      )}
    </>
  );
}

function Outcome({ lang, status: s }: { lang: Lang; status: ImportStatusView }) {
  const t = say(lang);
  const n = number(lang);
  return (
    <>
      {s.dryRun ? (
        <p class="success">{t({ ja: '試行が終わりました。データは変更されていません。取り込んだ場合の件数:', en: 'The dry run is done. Nothing was changed. An import would give:' })}</p>
      ) : (
        <p class="success">{t({ ja: '取り込みが終わりました。', en: 'The import is done.' })}</p>
      )}
      <dl class="facts counts">
        <div>
          <dt>{t(s.dryRun ? { ja: '追加される', en: 'Would add' } : { ja: '追加', en: 'Added' })}</dt>
          <dd data-count="inserted">{n.format(s.inserted)}</dd>
        </div>
        <div>
          <dt>{t(s.dryRun ? { ja: '更新される', en: 'Would update' } : { ja: '更新', en: 'Updated' })}</dt>
          <dd data-count="updated">{n.format(s.updated)}</dd>
        </div>
        <div>
          <dt>{t({ ja: '変更なし', en: 'Unchanged' })}</dt>
          <dd data-count="unchanged">{n.format(s.unchanged)}</dd>
        </div>
        <div>
          <dt>{t(s.dryRun ? { ja: '却下される', en: 'Would reject' } : { ja: '却下', en: 'Rejected' })}</dt>
          <dd data-count="rejected">{n.format(s.rejected)}</dd>
        </div>
      </dl>
    </>
  );
}

function Rejections({ lang, status: s }: { lang: Lang; status: ImportStatusView }) {
  const t = say(lang);
  const n = number(lang);
  return (
    <section aria-labelledby="rejections-heading">
      <h3 id="rejections-heading">{t({ ja: '却下された行', en: 'Rejected rows' })}</h3>
      {s.rejections.length < s.rejected && (
        <p>{t({ ja: `最初の${s.rejections.length}件を表示しています（全${n.format(s.rejected)}件）。`, en: `The first ${s.rejections.length} of ${n.format(s.rejected)} are shown.` })}</p>
      )}
      <div class="table-wrap">
        <table class="rejections">
          <thead>
            <tr>
              <th scope="col" class="num">{t({ ja: '行番号', en: 'Line' })}</th>
              <th scope="col">{t({ ja: '項目', en: 'Field' })}</th>
              <th scope="col">{t({ ja: '理由', en: 'Reason' })}</th>
            </tr>
          </thead>
          <tbody>
            {s.rejections.map((r) => (
              <tr>
                <td class="num">{r.line}</td>
                <td>{r.field ? <code>{r.field}</code> : '—'}</td>
                <td>{t(r.message)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <a class="button secondary" href={`/admin/card-data/imports/${s.id}/errors.csv`} download>
          {t({ ja: 'エラーレポート（CSV）をダウンロード', en: 'Download the error report (CSV)' })}
        </a>
      </p>
    </section>
  );
}

function timeLeft(lang: Lang, seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (lang === 'ja') return m > 0 ? `残り約${m}分${rest}秒` : `残り約${rest}秒`;
  return m > 0 ? `about ${m} min ${rest} s left` : `about ${rest} s left`;
}

/** What the live region says when the import ends (nothing while it runs: a bar ticking each second would drown a screen reader). */
function announcement(lang: Lang, s: ImportStatusView): string {
  const t = say(lang);
  const n = number(lang);
  if (s.state === 'failed') return t({ ja: '取り込みは途中で止まりました。', en: 'The import stopped.' });
  if (s.state !== 'done') return '';
  const counts = t({
    ja: `追加${n.format(s.inserted)}件、更新${n.format(s.updated)}件、変更なし${n.format(s.unchanged)}件、却下${n.format(s.rejected)}件。`,
    en: `${n.format(s.inserted)} added, ${n.format(s.updated)} updated, ${n.format(s.unchanged)} unchanged, ${n.format(s.rejected)} rejected.`,
  });
  return `${t(s.dryRun ? { ja: '試行が終わりました。', en: 'The dry run is done.' } : { ja: '取り込みが終わりました。', en: 'The import is done.' })} ${counts}`;
}
