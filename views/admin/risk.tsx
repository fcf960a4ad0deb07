/**
 * The risk rules console: the published version beside the draft, the draft's rules in order with
 * their actions, templates to add a rule, the score bands, publishing and rolling back. Every
 * action is a plain form (no JavaScript needed); only people with risk.edit see the forms.
 */
import type { Condition } from '../../src/risk/rules/conditions.ts';
import type { Decide, Effect, Rule, RuleSet } from '../../src/risk/rules/rule-set.ts';
import { SIGNALS, isSignalName } from '../../src/risk/rules/signals.ts';
import type { ConsoleTemplate } from '../../src/risk/console-templates.ts';
import { REPLAY_DAYS } from '../../src/risk/replay.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, formatTime, say, type SignedIn } from './shell.tsx';

export const DECISION_LABEL: Record<Decide, Bi> = {
  frictionless: { ja: '認証画面なし', en: 'frictionless' },
  challenge: { ja: '認証画面', en: 'challenge' },
  reject: { ja: '拒否', en: 'reject' },
  informational: { ja: '情報のみ (I)', en: 'informational (I)' },
  no_frictionless: { ja: '認証画面なしを禁止', en: 'no frictionless' },
};

const OP_TEXT: Record<string, string> = { eq: '=', ne: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥', in: '∈', not_in: '∉', between: '∈', contains: '∋', exists: '' };

export function ruleNameText(name: Rule['name'], lang: Lang): string {
  return typeof name === 'string' ? name : name[lang];
}

export function effectText(effect: Effect, lang: Lang): string {
  if ('score' in effect) return `${say(lang)({ ja: 'スコア', en: 'score' })} ${effect.score >= 0 ? '+' : '−'}${Math.abs(effect.score)}`;
  const reason = effect.decide === 'reject' ? ` (${effect.reasonCode ?? '11'})` : '';
  return `→ ${DECISION_LABEL[effect.decide][lang]}${reason}`;
}

export function signalLabel(name: string, lang: Lang): string {
  return isSignalName(name) ? SIGNALS[name].label[lang] : name;
}

export function valueText(value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return say(lang)({ ja: '不明', en: 'unknown' });
  if (value === true) return say(lang)({ ja: 'はい', en: 'yes' });
  if (value === false) return say(lang)({ ja: 'いいえ', en: 'no' });
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** A condition in words: "このカードで初めての端末 = はい かつ 金額 (円換算) ≥ 10000". */
export function conditionText(c: Condition, lang: Lang): string {
  const t = say(lang);
  if ('all' in c) return c.all.map((x) => wrap(x, lang)).join(t({ ja: ' かつ ', en: ' and ' }));
  if ('any' in c) return c.any.map((x) => wrap(x, lang)).join(t({ ja: ' または ', en: ' or ' }));
  if ('not' in c) return `${t({ ja: '次ではない: ', en: 'not: ' })}(${conditionText(c.not, lang)})`;
  const label = signalLabel(c.signal, lang);
  if (c.op === 'exists') return c.value === false ? `${label} ${t({ ja: 'が不明', en: 'is unknown' })}` : `${label} ${t({ ja: 'が既知', en: 'is known' })}`;
  if (c.op === 'between' && Array.isArray(c.value)) return `${label} ${c.value[0]}–${c.value[1]}`;
  const value = Array.isArray(c.value) ? `{${c.value.join(', ')}}` : valueText(c.value, lang);
  return `${label} ${OP_TEXT[c.op]} ${value}`;
}

function wrap(c: Condition, lang: Lang): string {
  const text = conditionText(c, lang);
  return 'all' in c || 'any' in c ? `(${text})` : text;
}

export interface VersionView {
  version: number;
  state: 'draft' | 'published';
  basedOn: number | null;
  at: number;
  note: string;
}

export type RiskNotice =
  | { kind: 'saved' | 'published' | 'rolled_back' | 'discarded' | 'stale' | 'no_draft'; version?: number }
  | { kind: 'refused'; issues: { path: string; message: string }[] };

export interface RiskPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  canEdit: boolean;
  issuer: { id: number; name: Bi };
  /** For a platform administrator: whose rules to show. */
  issuers: { id: number; name: Bi }[] | null;
  /** "?issuer=2" for a platform administrator, "" otherwise: kept on every link and form. */
  qs: string;
  published: { version: number; ruleSet: RuleSet };
  draft: { version: number; ruleSet: RuleSet } | null;
  versions: VersionView[];
  templates: readonly ConsoleTemplate[];
  timeZone: string;
  notice?: RiskNotice;
  /** A template form refused: which one, its fields' problems, what was typed. */
  templateErrors?: { key: string; errors: Record<string, string>; typed: Record<string, string> };
  bandsErrors?: { challengeFrom?: string; rejectFrom?: string; typed: Record<string, string> };
}

export function IssuerField({ issuer }: { issuer: number | null }) {
  return issuer === null ? null : <input type="hidden" name="issuer" value={String(issuer)} />;
}

function RuleList(p: { lang: Lang; rules: Rule[]; edit?: { csrf: string; qs: string; issuer: number | null } }) {
  const t = say(p.lang);
  if (p.rules.length === 0) return <p>{t({ ja: 'ルールはありません（スコア帯だけで判定します）。', en: 'No rules (the bands alone decide).' })}</p>;
  return (
    <ol class="risk-rules">
      {p.rules.map((r, i) => (
        <li class={r.enabled ? 'rule-enabled' : 'rule-disabled'}>
          <strong class="rule-name">{ruleNameText(r.name, p.lang)}</strong> {!r.enabled && <span>（{t({ ja: '無効', en: 'disabled' })}）</span>}
          <br />
          <span>
            {t({ ja: '条件: ', en: 'When: ' })}
            {conditionText(r.when, p.lang)}
          </span>
          <br />
          <span>
            {t({ ja: '効果: ', en: 'Effect: ' })}
            {effectText(r.then, p.lang)}
          </span>
          {p.edit && (
            <div class="rule-actions">
              <a href={`/admin/risk/draft/rules/${i}/edit${p.edit.qs}`}>{t({ ja: `「${ruleNameText(r.name, 'ja')}」を編集`, en: `Edit “${ruleNameText(r.name, 'en')}”` })}</a>
              {(
                [
                  ['toggle', r.enabled ? { ja: '無効にする', en: 'Disable' } : { ja: '有効にする', en: 'Enable' }, true],
                  ['up', { ja: '上へ', en: 'Move up' }, i > 0],
                  ['down', { ja: '下へ', en: 'Move down' }, i < p.rules.length - 1],
                  ['delete', { ja: '削除', en: 'Delete' }, true],
                ] as const
              ).map(([action, label, shown]) =>
                shown ? (
                  <form method="post" action={`/admin/risk/draft/rules/${i}/${action}`}>
                    <Csrf token={p.edit!.csrf} />
                    <IssuerField issuer={p.edit!.issuer} />
                    <input type="hidden" name="ruleId" value={r.id} />
                    <button type="submit" class={action === 'delete' ? 'danger' : 'secondary'} aria-label={`${t(label)}: ${ruleNameText(r.name, p.lang)}`}>
                      {t(label)}
                    </button>
                  </form>
                ) : null,
              )}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

function Bands({ lang, set }: { lang: Lang; set: RuleSet }) {
  const t = say(lang);
  return (
    <p>
      {t({ ja: 'スコア帯: ', en: 'Bands: ' })}0–{set.bands.challengeFrom - 1} {t(DECISION_LABEL.frictionless)}, {set.bands.challengeFrom}–{set.bands.rejectFrom - 1} {t(DECISION_LABEL.challenge)}, {set.bands.rejectFrom}+ {t(DECISION_LABEL.reject)}
    </p>
  );
}

export function noticeText(n: RiskNotice, lang: Lang): string {
  const t = say(lang);
  switch (n.kind) {
    case 'saved':
      return t({ ja: '下書きを保存しました。', en: 'Draft saved.' });
    case 'published':
      return t({ ja: `バージョン ${n.version} として公開しました。`, en: `Published as version ${n.version}.` });
    case 'rolled_back':
      return t({ ja: `以前の内容をバージョン ${n.version} として公開しました。`, en: `The earlier rules are now published as version ${n.version}.` });
    case 'discarded':
      return t({ ja: '下書きを破棄しました。', en: 'Draft discarded.' });
    case 'stale':
      return t({ ja: '下書きがほかの操作で変わっていました。もう一度確認してください。', en: 'The draft changed meanwhile: check it and try again.' });
    case 'no_draft':
      return t({ ja: '公開する下書きがありません。', en: 'There is no draft to publish.' });
    case 'refused':
      return t({ ja: '保存できませんでした。', en: 'Not saved.' });
  }
}

export function RiskNoticeBox({ lang, notice }: { lang: Lang; notice?: RiskNotice }) {
  // One live region, always in the page: announced when its text changes.
  const bad = notice && (notice.kind === 'refused' || notice.kind === 'stale' || notice.kind === 'no_draft');
  return (
    <div role="status" aria-live="polite" class={notice ? (bad ? 'alert' : 'success') : undefined} id="risk-status">
      {notice && noticeText(notice, lang)}
      {notice?.kind === 'refused' && (
        <ul>
          {notice.issues.map((i) => (
            <li>
              <code>{i.path || '(root)'}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RiskPage(p: RiskPageProps) {
  const t = say(p.lang);
  const current = p.draft?.ruleSet ?? p.published.ruleSet;
  const issuerField = p.issuers ? p.issuer.id : null;
  const edit = p.canEdit ? { csrf: p.me.csrf, qs: p.qs, issuer: issuerField } : undefined;
  const latest = p.published.version;
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: 'リスクルール', en: 'Risk rules' }}>
      <link rel="stylesheet" href="/static/css/risk.css" />
      <h1>{t({ ja: 'リスクルール', en: 'Risk rules' })}</h1>
      <RiskNoticeBox lang={p.lang} notice={p.notice} />
      {p.issuers && (
        <form method="get" action="/admin/risk" class="stack narrow">
          <Field id="f-issuer" label={t({ ja: 'カード会社', en: 'Issuer' })}>
            {(aria) => (
              <select {...aria} name="issuer">
                {p.issuers!.map((i) => (
                  <option value={String(i.id)} selected={i.id === p.issuer.id}>
                    {t(i.name)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" class="secondary">
            {t({ ja: '表示する', en: 'Show' })}
          </button>
        </form>
      )}
      <p>
        {t({
          ja: 'ルールは上から順に評価します。スコアは加算し、最初に一致した「判定」で決まります。有効期限切れ・盗難・ロック・3RI などプロトコルで決まる結果はルールで変えられません。',
          en: 'Rules run top to bottom: scores add up, and the first matching decision ends the walk. Outcomes the protocol fixes (expired, stolen, locked, 3RI, …) cannot be changed by rules.',
        })}
      </p>
      <div class="risk-compare">
        <section aria-labelledby="published-heading">
          <h2 id="published-heading">
            {latest === 0 ? t({ ja: '公開中: 初期設定（バージョン 0）', en: 'Published: defaults (version 0)' }) : t({ ja: `公開中: バージョン ${latest}`, en: `Published: version ${latest}` })}
          </h2>
          <Bands lang={p.lang} set={p.published.ruleSet} />
          <RuleList lang={p.lang} rules={p.published.ruleSet.rules} />
        </section>
        <section aria-labelledby="draft-heading">
          <h2 id="draft-heading">
            {p.draft ? t({ ja: `下書き（公開するとバージョン ${p.draft.version}）`, en: `Draft (becomes version ${p.draft.version})` }) : t({ ja: '下書き（まだありません）', en: 'Draft (none yet)' })}
          </h2>
          {!p.draft && <p>{t({ ja: '最初の変更で、公開中の内容から下書きを作ります。', en: 'The first change makes a draft from the published rules.' })}</p>}
          <Bands lang={p.lang} set={current} />
          <RuleList lang={p.lang} rules={current.rules} edit={edit} />
          <div class="risk-links">
            <a href={`/admin/risk/test${p.qs}`}>{t({ ja: '下書きをテストする', en: 'Test the draft' })}</a>
            {p.canEdit && <a href={`/admin/risk/draft/rules/new${p.qs}`}>{t({ ja: 'ルールを作成する', en: 'Build a rule' })}</a>}
            {p.canEdit && <a href={`/admin/risk/draft/json${p.qs}`}>{t({ ja: 'JSON で編集する（上級者向け）', en: 'Edit as JSON (advanced)' })}</a>}
            <a href="/admin/risk/provider">{t({ ja: '外部サービスの設定', en: 'Fraud provider settings' })}</a>
          </div>
        </section>
      </div>

      <section aria-labelledby="replay-heading">
        <h2 id="replay-heading">{t({ ja: '過去の取引で試す（リプレイ）', en: 'Replay over past transactions' })}</h2>
        <form method="get" action="/admin/risk/replay" class="stack narrow">
          <IssuerField issuer={issuerField} />
          <Field id="f-days" label={t({ ja: `日数（${REPLAY_DAYS.min}〜${REPLAY_DAYS.max}）`, en: `Days (${REPLAY_DAYS.min}–${REPLAY_DAYS.max})` })}>
            {(aria) => <input {...aria} type="number" name="days" min={REPLAY_DAYS.min} max={REPLAY_DAYS.max} value={String(REPLAY_DAYS.initial)} inputmode="numeric" />}
          </Field>
          <button type="submit" class="primary">
            {t({ ja: '下書きでリプレイする', en: 'Replay the draft' })}
          </button>
        </form>
      </section>

      {p.canEdit && (
        <>
          <section aria-labelledby="templates-heading" class="risk-templates">
            <h2 id="templates-heading">{t({ ja: 'テンプレートからルールを追加', en: 'Add a rule from a template' })}</h2>
            <p>{t({ ja: '追加したルールは下書きの最後に入ります。順番は「上へ」「下へ」で変えられます。', en: 'A new rule goes to the end of the draft; move it with “Move up” / “Move down”.' })}</p>
            {p.templates.map((tpl) => {
              const refused = p.templateErrors?.key === tpl.key ? p.templateErrors : undefined;
              return (
                <details open={refused ? true : undefined}>
                  <summary>{t(tpl.label)}</summary>
                  <form method="post" action="/admin/risk/draft/templates" class="stack narrow">
                    <Csrf token={p.me.csrf} />
                    <IssuerField issuer={issuerField} />
                    <input type="hidden" name="template" value={tpl.key} />
                    {tpl.params.map((param) => (
                      <Field id={`t-${tpl.key}-${param.name}`} label={t(param.label)} hint={param.hint && t(param.hint)} error={refused?.errors[param.name]}>
                        {(aria) => <input {...aria} type="text" name={`${tpl.key}.${param.name}`} value={refused?.typed[param.name] ?? param.initial ?? ''} inputmode={param.kind === 'number' || param.kind === 'currency' ? 'numeric' : undefined} />}
                      </Field>
                    ))}
                    <button type="submit" class="primary">
                      {t({ ja: `追加: ${tpl.label.ja}`, en: `Add: ${tpl.label.en}` })}
                    </button>
                  </form>
                </details>
              );
            })}
          </section>

          <section aria-labelledby="bands-heading">
            <h2 id="bands-heading">{t({ ja: 'スコア帯', en: 'Score bands' })}</h2>
            <form method="post" action="/admin/risk/draft/bands" class="stack narrow">
              <Csrf token={p.me.csrf} />
              <IssuerField issuer={issuerField} />
              <Field id="f-challenge-from" label={t({ ja: 'このスコア以上は認証画面', en: 'Challenge from score' })} error={p.bandsErrors?.challengeFrom}>
                {(aria) => <input {...aria} type="text" inputmode="numeric" name="challengeFrom" value={p.bandsErrors?.typed.challengeFrom ?? String(current.bands.challengeFrom)} />}
              </Field>
              <Field id="f-reject-from" label={t({ ja: 'このスコア以上は拒否', en: 'Reject from score' })} error={p.bandsErrors?.rejectFrom}>
                {(aria) => <input {...aria} type="text" inputmode="numeric" name="rejectFrom" value={p.bandsErrors?.typed.rejectFrom ?? String(current.bands.rejectFrom)} />}
              </Field>
              <button type="submit" class="primary">
                {t({ ja: 'スコア帯を保存', en: 'Save bands' })}
              </button>
            </form>
          </section>

          {p.draft && (
            <section aria-labelledby="publish-heading">
              <h2 id="publish-heading">{t({ ja: '公開', en: 'Publish' })}</h2>
              <p>{t({ ja: '公開すると次の認証から下書きのルールで判定します。操作は監査ログに残ります。', en: 'Once published, the next authentications are decided by the draft’s rules. Recorded in the audit log.' })}</p>
              <form method="post" action="/admin/risk/publish" class="stack narrow">
                <Csrf token={p.me.csrf} />
                <IssuerField issuer={issuerField} />
                <Field id="f-note" label={t({ ja: 'メモ（任意）', en: 'Note (optional)' })}>
                  {(aria) => <input {...aria} type="text" name="note" maxlength={200} />}
                </Field>
                <button type="submit" class="primary">
                  {t({ ja: `バージョン ${p.draft.version} として公開する`, en: `Publish as version ${p.draft.version}` })}
                </button>
              </form>
              <form method="post" action="/admin/risk/draft/discard" class="stack narrow">
                <Csrf token={p.me.csrf} />
                <IssuerField issuer={issuerField} />
                <button type="submit" class="danger">
                  {t({ ja: '下書きを破棄する', en: 'Discard the draft' })}
                </button>
              </form>
            </section>
          )}
        </>
      )}

      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">{t({ ja: 'バージョン履歴', en: 'Versions' })}</h2>
        {p.versions.length === 0 ? (
          <p>{t({ ja: 'まだ公開されたバージョンはありません（初期設定で判定しています）。', en: 'Nothing published yet (the defaults decide).' })}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t({ ja: 'バージョン', en: 'Version' })}</th>
                  <th scope="col">{t({ ja: '状態', en: 'State' })}</th>
                  <th scope="col">{t({ ja: '日時', en: 'When' })}</th>
                  <th scope="col">{t({ ja: 'メモ', en: 'Note' })}</th>
                  {p.canEdit && <th scope="col">{t({ ja: '操作', en: 'Action' })}</th>}
                </tr>
              </thead>
              <tbody>
                {p.versions.map((v) => (
                  <tr>
                    <td>{v.version}</td>
                    <td>
                      {v.state === 'draft' ? t({ ja: '下書き', en: 'draft' }) : v.version === latest ? t({ ja: '公開中', en: 'published (current)' }) : t({ ja: '公開済み', en: 'published' })}
                      {v.basedOn ? t({ ja: `（v${v.basedOn} から）`, en: ` (from v${v.basedOn})` }) : ''}
                    </td>
                    <td>{formatTime(v.at, p.lang, p.timeZone)}</td>
                    <td>{v.note}</td>
                    {p.canEdit && (
                      <td>
                        {v.state === 'published' && v.version !== latest && (
                          <form method="post" action="/admin/risk/rollback">
                            <Csrf token={p.me.csrf} />
                            <IssuerField issuer={issuerField} />
                            <input type="hidden" name="version" value={String(v.version)} />
                            <button type="submit" class="secondary">
                              {t({ ja: `バージョン ${v.version} に戻す`, en: `Roll back to version ${v.version}` })}
                            </button>
                          </form>
                        )}
                      </td>
                    )}
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
