/** The risk console's tools: the draft as JSON, a test on a hand-made AReq, a replay over past transactions. */
import type { Outcome } from '../../src/risk/rules/rule-set.ts';
import { SIGNALS, type SignalName } from '../../src/risk/rules/signals.ts';
import { rate, REPLAY_DAYS, type ReplayResult } from '../../src/risk/replay.ts';
import type { Bi, Lang } from '../i18n.ts';
import { DECISION_LABEL, IssuerField, RiskNoticeBox, signalLabel, valueText, type RiskNotice } from './risk.tsx';
import { AdminShell, Csrf, Field, formatTime, say, type SignedIn } from './shell.tsx';

interface Base {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  qs: string;
  issuer: number | null;
}

function Back({ lang, qs }: { lang: Lang; qs: string }) {
  return (
    <p>
      <a href={`/admin/risk${qs}`}>{say(lang)({ ja: '← リスクルールへ戻る', en: '← Back to risk rules' })}</a>
    </p>
  );
}

export function RiskJsonPage(p: Base & { json: string; issues: { path: string; message: string }[]; notice?: RiskNotice }) {
  const t = say(p.lang);
  const title = { ja: '下書きを JSON で編集', en: 'Edit the draft as JSON' };
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={title}>
      <link rel="stylesheet" href="/static/css/risk.css" />
      <Back lang={p.lang} qs={p.qs} />
      <h1>{t(title)}</h1>
      <RiskNoticeBox lang={p.lang} notice={p.notice} />
      <form method="post" action="/admin/risk/draft/json" class="stack risk-json">
        <Csrf token={p.me.csrf} />
        <IssuerField issuer={p.issuer} />
        <div class="field">
          <label for="draft-json">{t({ ja: '下書き全体（JSON）', en: 'The whole draft (JSON)' })}</label>
          <p class="hint" id="draft-json-hint">
            {t({ ja: '保存の前に検証します。問題はその場所（パス）と一緒に示します。', en: 'Checked before it is saved; each problem is shown with its path.' })}
          </p>
          <textarea id="draft-json" name="json" rows={24} spellcheck={false} aria-describedby={p.issues.length ? 'draft-json-hint draft-json-error' : 'draft-json-hint'} aria-invalid={p.issues.length ? 'true' : undefined}>
            {p.json}
          </textarea>
          {p.issues.length > 0 && (
            <ul class="field-error" id="draft-json-error">
              {p.issues.map((i) => (
                <li>
                  <code>{i.path || '(root)'}</code>: {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="submit" class="primary">
          {t({ ja: '検証して保存する', en: 'Check and save' })}
        </button>
      </form>
    </AdminShell>
  );
}

/** A field of the test form: a signal, how it is typed. */
export interface TestField {
  signal: SignalName;
  /** tri: unknown / yes / no; number / text: typed; choice: from the signal's code list. */
  input: 'tri' | 'number' | 'text' | 'choice';
}

export interface RuleVerdict {
  name: string;
  enabled: boolean;
  effect: string;
  verdict: 'matched' | 'not' | 'unknown' | 'disabled';
  values: { signal: string; value: unknown }[];
  decided: boolean;
}

export function RiskTestPage(
  p: Base & {
    fields: readonly TestField[];
    typed: Record<string, string>;
    version: number;
    result?: { verdicts: RuleVerdict[]; outcome: Outcome; score: number; band: string; explanation: string; unknown: string[] };
  },
) {
  const t = say(p.lang);
  const title = { ja: '下書きをテスト', en: 'Test the draft' };
  const VERDICT: Record<RuleVerdict['verdict'], Bi> = {
    matched: { ja: '一致', en: 'matched' },
    not: { ja: '不一致', en: 'not matched' },
    unknown: { ja: '不明（値がないシグナルあり）', en: 'unknown (a signal has no value)' },
    disabled: { ja: '無効', en: 'disabled' },
  };
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={title}>
      <link rel="stylesheet" href="/static/css/risk.css" />
      <Back lang={p.lang} qs={p.qs} />
      <h1>{t(title)}</h1>
      <p>{t({ ja: `手で作った認証要求を下書き（バージョン ${p.version}）で評価します。何も保存しません。空欄の項目は「不明」です。`, en: `Assesses a hand-made AReq with the draft (version ${p.version}). Nothing is stored. An empty field is unknown.` })}</p>
      <div role="status" aria-live="polite" id="risk-status">
        {p.result && (
          <p>
            <strong>
              {t({ ja: '結果: ', en: 'Outcome: ' })}
              {t(DECISION_LABEL[p.result.outcome])}
            </strong>{' '}
            — {p.result.explanation}
          </p>
        )}
      </div>
      {p.result && (
        <section aria-labelledby="verdicts-heading">
          <h2 id="verdicts-heading">{t({ ja: 'ルールごとの判定', en: 'Each rule’s verdict' })}</h2>
          <p>
            {t({ ja: 'スコア', en: 'Score' })} {p.result.score} / {t({ ja: 'スコア帯', en: 'band' })} {t(DECISION_LABEL[p.result.band as Outcome])}
            {p.result.unknown.length > 0 && ` / ${t({ ja: '不明なシグナル: ', en: 'unknown signals: ' })}${p.result.unknown.map((s) => signalLabel(s, p.lang)).join(', ')}`}
          </p>
          <ol class="risk-rules">
            {p.result.verdicts.map((v) => (
              <li>
                <span class={v.verdict === 'matched' ? 'verdict-true' : undefined}>
                  {v.name} — {t(VERDICT[v.verdict])}
                  {v.decided && t({ ja: '（これで決定）', en: ' (this decided)' })}
                </span>
                <br />
                {v.effect}
                {v.values.length > 0 && (
                  <ul>
                    {v.values.map((x) => (
                      <li>
                        {signalLabel(x.signal, p.lang)}: {valueText(x.value, p.lang)}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}
      <form method="get" action="/admin/risk/test" class="stack narrow">
        <IssuerField issuer={p.issuer} />
        <input type="hidden" name="run" value="1" />
        {p.fields.map((f) => {
          const def = SIGNALS[f.signal];
          const id = `s-${f.signal.replaceAll('.', '-')}`;
          const unit = 'unit' in def && def.unit ? ` (${def.unit[p.lang]})` : '';
          const value = p.typed[f.signal] ?? '';
          return (
            <Field id={id} label={`${def.label[p.lang]}${unit}`}>
              {(aria) =>
                f.input === 'tri' ? (
                  <select {...aria} name={f.signal}>
                    <option value="">{t({ ja: '不明', en: 'unknown' })}</option>
                    <option value="true" selected={value === 'true'}>
                      {t({ ja: 'はい', en: 'yes' })}
                    </option>
                    <option value="false" selected={value === 'false'}>
                      {t({ ja: 'いいえ', en: 'no' })}
                    </option>
                  </select>
                ) : f.input === 'choice' && 'values' in def ? (
                  <select {...aria} name={f.signal}>
                    <option value="">{t({ ja: '不明', en: 'unknown' })}</option>
                    {def.values.map((v: string) => (
                      <option value={v} selected={value === v}>
                        {v}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input {...aria} type="text" name={f.signal} value={value} inputmode={f.input === 'number' ? 'decimal' : undefined} />
                )
              }
            </Field>
          );
        })}
        <button type="submit" class="primary">
          {t({ ja: '下書きで評価する', en: 'Assess with the draft' })}
        </button>
      </form>
    </AdminShell>
  );
}

const OUTCOMES: Outcome[] = ['frictionless', 'challenge', 'reject', 'informational'];

export function RiskReplayPage(p: Base & { result: ReplayResult; version: number; timeZone: string; daysError?: string; typedDays: string }) {
  const t = say(p.lang);
  const r = p.result;
  const title = { ja: 'リプレイ', en: 'Replay' };
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={title}>
      <link rel="stylesheet" href="/static/css/risk.css" />
      <Back lang={p.lang} qs={p.qs} />
      <h1>{t({ ja: `リプレイ: 過去 ${r.days} 日`, en: `Replay: the last ${r.days} days` })}</h1>
      <form method="get" action="/admin/risk/replay" class="stack narrow">
        <IssuerField issuer={p.issuer} />
        <Field id="f-days" label={t({ ja: `日数（${REPLAY_DAYS.min}〜${REPLAY_DAYS.max}）`, en: `Days (${REPLAY_DAYS.min}–${REPLAY_DAYS.max})` })} error={p.daysError}>
          {(aria) => <input {...aria} type="number" name="days" min={REPLAY_DAYS.min} max={REPLAY_DAYS.max} value={p.typedDays} inputmode="numeric" />}
        </Field>
        <button type="submit" class="primary">
          {t({ ja: 'もう一度リプレイする', en: 'Replay again' })}
        </button>
      </form>
      <div role="status" aria-live="polite" id="risk-status">
        <p>
          {t({
            ja: `${r.total} 件のうち ${r.replayed} 件を下書き（バージョン ${p.version}）で評価しました。リスク詳細のない古い取引 ${r.notReplayable} 件、プロトコルで結果が決まる取引 ${r.fixed} 件は対象外です。変わる取引: ${r.changedCount} 件。`,
            en: `Of ${r.total} transactions, ${r.replayed} were assessed with the draft (version ${p.version}); ${r.notReplayable} older ones without risk detail are not replayable and ${r.fixed} had an outcome fixed by the protocol. Would change: ${r.changedCount}.`,
          })}
        </p>
      </div>
      <div class="table-wrap">
        <table class="risk-mix">
          <caption>{t({ ja: '結果の内訳（実際の判定と下書き）', en: 'Outcome mix (as decided, and with the draft)' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t({ ja: '結果', en: 'Outcome' })}</th>
              <th scope="col">{t({ ja: '実際（件）', en: 'Decided (count)' })}</th>
              <th scope="col">{t({ ja: '実際（率）', en: 'Decided (rate)' })}</th>
              <th scope="col">{t({ ja: '下書き（件）', en: 'Draft (count)' })}</th>
              <th scope="col">{t({ ja: '下書き（率）', en: 'Draft (rate)' })}</th>
            </tr>
          </thead>
          <tbody>
            {OUTCOMES.map((o) => (
              <tr>
                <th scope="row">{t(DECISION_LABEL[o])}</th>
                <td>{r.decided[o]}</td>
                <td>{rate(r.decided[o], r.replayed)}</td>
                <td>{r.draft[o]}</td>
                <td>{rate(r.draft[o], r.replayed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="changed-heading">
        <h2 id="changed-heading">{t({ ja: `結果が変わる取引（${r.changedCount} 件${r.changedCount > r.changed.length ? `、最初の ${r.changed.length} 件を表示` : ''}）`, en: `Transactions that would change (${r.changedCount}${r.changedCount > r.changed.length ? `, the first ${r.changed.length} shown` : ''})` })}</h2>
        {r.changed.length === 0 ? (
          <p>{t({ ja: '変わる取引はありません。', en: 'None would change.' })}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t({ ja: '日時', en: 'Time' })}</th>
                  <th scope="col">{t({ ja: '取引', en: 'Transaction' })}</th>
                  <th scope="col">{t({ ja: '実際', en: 'Decided' })}</th>
                  <th scope="col">{t({ ja: '下書き', en: 'Draft' })}</th>
                </tr>
              </thead>
              <tbody>
                {r.changed.map((c) => (
                  <tr>
                    <td>{formatTime(c.createdAt, p.lang, p.timeZone)}</td>
                    <td>
                      <a href={`/admin/transactions/${c.acsTransID}`}>{c.acsTransID}</a>
                    </td>
                    <td>{t(DECISION_LABEL[c.from])}</td>
                    <td>{t(DECISION_LABEL[c.to])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </AdminShell>
  );
}
