/**
 * The dashboard: one issuer's 3-D Secure service over the last 24 hours, 7 or 30 days. Every
 * chart (SVG, hidden from screen readers) has its numbers in a table with a caption below it;
 * figures carry data-figure so tests and scrapers read them without parsing prose.
 */
import type { Child } from 'hono/jsx';
import { Bars, StackedColumns, type Segment } from '../../src/insight/chart.tsx';
import type { Window } from '../../src/insight/calendar.ts';
import { CHALLENGE_RESULTS, SMS_RESULTS, type DashboardFigures } from '../../src/insight/dashboard.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, say, type SignedIn } from './shell.tsx';

const WINDOW_LABEL: Record<Window, Bi> = {
  '24h': { ja: '過去24時間', en: 'Last 24 hours' },
  '7d': { ja: '過去7日間', en: 'Last 7 days' },
  '30d': { ja: '過去30日間', en: 'Last 30 days' },
};

const OUTCOME_LABEL: Record<string, Bi> = {
  Y: { ja: 'Y 認証成功', en: 'Y authenticated' },
  A: { ja: 'A 試行', en: 'A attempted' },
  I: { ja: 'I 情報のみ', en: 'I informational' },
  C: { ja: 'C チャレンジ', en: 'C challenge' },
  N: { ja: 'N 認証不可', en: 'N not authenticated' },
  R: { ja: 'R 拒否', en: 'R rejected' },
  U: { ja: 'U 判定不能', en: 'U unavailable' },
};
const OUTCOME_COLOR: Record<string, string> = { Y: '#1e6b34', A: '#2a7f7f', I: '#3b6fb6', C: '#b7791f', N: '#a4161a', R: '#6b1014', U: '#6b7280' };

const RESULT_LABEL: Record<string, Bi> = {
  succeeded: { ja: '成功', en: 'Succeeded' },
  failed: { ja: '失敗', en: 'Failed' },
  timed_out: { ja: '時間切れ', en: 'Timed out' },
  cancelled: { ja: '中止', en: 'Cancelled' },
};
const SMS_LABEL: Record<string, Bi> = {
  sent: { ja: '送信済み', en: 'Sent' },
  failed: { ja: '送信失敗（事業者）', en: 'Failed (provider)' },
  refused: { ja: '送信せず（制限・遮断）', en: 'Not sent (limits, breaker)' },
};

export interface DashboardProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  /** For a platform administrator: the issuers to choose from. */
  issuers?: { code: string; name: Bi }[];
  issuerCode: string;
  issuerName: Bi;
  window: Window;
  figures: DashboardFigures;
  periodLabels: string[];
  /** The window's start and end, formatted in the issuer's time zone. */
  range: [string, string];
  timeZone: string;
}

export function DashboardPage(p: DashboardProps) {
  const t = say(p.lang);
  const f = p.figures;
  const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  const bound = (b: string | null) => (b === null ? '—' : b === '+Inf' ? '> 2500 ms' : `≤ ${b} ms`);
  const segments: Segment[] = f.outcomes.map((o) => ({ key: o, color: OUTCOME_COLOR[o] }));
  const query = (w: Window) => `/admin/dashboard?window=${w}${p.issuers ? `&issuer=${encodeURIComponent(p.issuerCode)}` : ''}`;
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: 'ダッシュボード', en: 'Dashboard' }}>
      <link rel="stylesheet" href="/static/css/dashboard.css" />
      <h1>
        {t({ ja: 'ダッシュボード', en: 'Dashboard' })}: {t(p.issuerName)}
      </h1>
      {p.issuers && (
        <form method="get" action="/admin/dashboard" class="filters">
          <div class="field">
            <label for="d-issuer">{t({ ja: 'カード会社', en: 'Issuer' })}</label>
            <select id="d-issuer" name="issuer">
              {p.issuers.map((i) => (
                <option value={i.code} selected={i.code === p.issuerCode}>
                  {t(i.name)}
                </option>
              ))}
            </select>
          </div>
          <input type="hidden" name="window" value={p.window} />
          <button type="submit" class="secondary">
            {t({ ja: '表示', en: 'Show' })}
          </button>
        </form>
      )}
      <nav aria-label={t({ ja: '期間', en: 'Period' })}>
        <ul class="window-tabs">
          {(['24h', '7d', '30d'] as Window[]).map((w) => (
            <li>
              <a href={query(w)} aria-current={w === p.window ? 'page' : undefined}>
                {t(WINDOW_LABEL[w])}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="muted">
        {p.range[0]} – {p.range[1]} ({p.timeZone}){' '}
        {t({ ja: '集計は1時間単位です。', en: 'Figures are kept per hour.' })}
      </p>

      <section aria-labelledby="summary-h">
        <h2 id="summary-h">{t({ ja: '概要', en: 'Summary' })}</h2>
        <div class="table-wrap">
          <table id="summary">
            <caption>{t({ ja: `${t(WINDOW_LABEL[p.window])}の主な数値`, en: `Key figures, ${t(WINDOW_LABEL[p.window]).toLowerCase()}` })}</caption>
            <tbody>
              <Figure id="areqs" label={t({ ja: '認証リクエスト（AReq）', en: 'Authentication requests (AReq)' })} value={f.areqs} />
              <Figure id="frictionless-rate" label={t({ ja: 'フリクションレス率（Y・A・I）', en: 'Frictionless rate (Y, A, I)' })} value={pct(f.frictionlessRate)} />
              <Figure id="challenge-rate" label={t({ ja: 'チャレンジ率（C）', en: 'Challenge rate (C)' })} value={pct(f.challengeRate)} />
              <Figure id="challenges-succeeded" label={t({ ja: 'チャレンジ成功', en: 'Challenges succeeded' })} value={f.challenges.succeeded} />
              <Figure id="challenges-failed" label={t({ ja: 'チャレンジ失敗', en: 'Challenges failed' })} value={f.challenges.failed} />
              <Figure id="challenges-abandoned" label={t({ ja: 'チャレンジ放棄（時間切れ・中止）', en: 'Challenges abandoned (timed out, cancelled)' })} value={f.abandoned} />
              <Figure id="lockouts" label={t({ ja: 'ロック（入力誤りの上限）', en: 'Lockouts (too many wrong entries)' })} value={f.lockouts} />
              <Figure id="sms-sent" label={t({ ja: 'SMS送信', en: 'SMS sent' })} value={f.sms.sent} />
              <Figure id="sms-failed" label={t({ ja: 'SMS失敗・送信せず', en: 'SMS failed or not sent' })} value={f.sms.failed + f.sms.refused} />
              <Figure id="ares-p50" label={t({ ja: 'ARes応答時間 p50', en: 'ARes latency p50' })} value={bound(f.latency.p50)} />
              <Figure id="ares-p95" label={t({ ja: 'ARes応答時間 p95', en: 'ARes latency p95' })} value={bound(f.latency.p95)} />
              <Figure id="ares-p99" label={t({ ja: 'ARes応答時間 p99', en: 'ARes latency p99' })} value={bound(f.latency.p99)} />
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="areq-h">
        <h2 id="areq-h">{t({ ja: '結果別の認証リクエスト', en: 'AReqs by outcome' })}</h2>
        <StackedColumns columns={f.periods.map((per, i) => ({ label: p.periodLabels[i], values: per.byOutcome }))} segments={segments} />
        <ul class="legend">
          {f.outcomes.map((o) => (
            <li>
              <span class="swatch" data-outcome={o} aria-hidden="true"></span>
              {t(OUTCOME_LABEL[o])}
            </li>
          ))}
        </ul>
        <div class="table-wrap" tabindex={0} role="region" aria-labelledby="areq-caption">
          <table id="areq-series">
            <caption id="areq-caption">
              {t({ ja: p.window === '24h' ? '1時間ごとの件数' : '1日ごとの件数', en: p.window === '24h' ? 'Per hour' : 'Per day' })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t({ ja: p.window === '24h' ? '時刻' : '日付', en: p.window === '24h' ? 'Hour' : 'Day' })}</th>
                {f.outcomes.map((o) => (
                  <th scope="col">{t(OUTCOME_LABEL[o])}</th>
                ))}
                <th scope="col">{t({ ja: '合計', en: 'Total' })}</th>
              </tr>
            </thead>
            <tbody>
              {f.periods.map((per, i) => (
                <tr data-period={per.start}>
                  <th scope="row">{p.periodLabels[i]}</th>
                  {f.outcomes.map((o) => (
                    <td data-outcome={o}>{per.byOutcome[o] ?? 0}</td>
                  ))}
                  <td data-outcome="total">{Object.values(per.byOutcome).reduce((a, n) => a + n, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <Breakdown
        id="challenges"
        title={t({ ja: 'チャレンジの結果', en: 'Challenge results' })}
        caption={t({ ja: '結果別の件数', en: 'By result' })}
        head={[t({ ja: '結果', en: 'Result' }), t({ ja: '件数', en: 'Count' })]}
        rows={CHALLENGE_RESULTS.map((r) => ({ key: r, label: t(RESULT_LABEL[r]), value: f.challenges[r] }))}
      />
      <Breakdown
        id="sms"
        title={t({ ja: 'SMS送信', en: 'SMS sends' })}
        caption={t({ ja: '送信事業者の状態別の件数（試行ごと）', en: 'By provider status (per attempt)' })}
        head={[t({ ja: '状態', en: 'Status' }), t({ ja: '件数', en: 'Count' })]}
        rows={SMS_RESULTS.map((r) => ({ key: r, label: t(SMS_LABEL[r]), value: f.sms[r] }))}
      />
      <Breakdown
        id="latency"
        title={t({ ja: 'ARes応答時間', en: 'ARes latency' })}
        caption={t({ ja: `受信からARes作成までの時間の分布（${f.latency.count}件）`, en: `Time from AReq received to ARes ready (${f.latency.count} AReqs)` })}
        head={[t({ ja: '区間', en: 'Bucket' }), t({ ja: '件数', en: 'Count' })]}
        rows={f.latency.buckets.map((b) => ({ key: b.bound, label: bound(b.bound), value: b.count }))}
      />
    </AdminShell>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: string | number }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td data-figure={id}>{value}</td>
    </tr>
  );
}

function Breakdown(props: { id: string; title: string; caption: string; head: [string, string]; rows: { key: string; label: string; value: number }[]; children?: Child }) {
  return (
    <section aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      <Bars items={props.rows.map((r) => ({ label: r.label, value: r.value }))} />
      <div class="table-wrap">
        <table id={props.id}>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{props.head[0]}</th>
              <th scope="col">{props.head[1]}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{r.label}</th>
                <td data-key={r.key}>{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
