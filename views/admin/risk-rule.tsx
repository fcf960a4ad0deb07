/** The rule builder: a new rule for the draft, or one of its rules edited, with errors beside the fields. */
import { OPS } from '../../src/risk/rules/conditions.ts';
import { REJECT_REASONS } from '../../src/risk/rules/rule-set.ts';
import { SIGNALS, SIGNAL_NAMES } from '../../src/risk/rules/signals.ts';
import { BUILDER_CONDITIONS, EFFECT_CHOICES } from '../../src/risk/rule-builder.ts';
import type { Bi, Lang } from '../i18n.ts';
import { DECISION_LABEL, IssuerField, RiskNoticeBox, type RiskNotice } from './risk.tsx';
import { AdminShell, Csrf, Field, say, type SignedIn } from './shell.tsx';

const OP_LABEL: Record<string, Bi> = {
  eq: { ja: '等しい (=)', en: 'equals (=)' },
  ne: { ja: '等しくない (≠)', en: 'not equal (≠)' },
  lt: { ja: 'より小さい (<)', en: 'less than (<)' },
  lte: { ja: '以下 (≤)', en: 'at most (≤)' },
  gt: { ja: 'より大きい (>)', en: 'more than (>)' },
  gte: { ja: '以上 (≥)', en: 'at least (≥)' },
  in: { ja: 'いずれか（カンマ区切り）', en: 'one of (comma-separated)' },
  not_in: { ja: 'いずれでもない（カンマ区切り）', en: 'none of (comma-separated)' },
  between: { ja: '範囲内（下限, 上限）', en: 'between (low, high)' },
  exists: { ja: '値がある（true / false）', en: 'is known (true / false)' },
  contains: { ja: '含む', en: 'contains' },
};

export function RuleBuilderPage(p: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  qs: string;
  issuer: number | null;
  /** The rule's index in the draft, or null for a new rule. */
  index: number | null;
  form: Record<string, string>;
  errors: Record<string, string>;
  notice?: RiskNotice;
  /** The rule is beyond the builder (nested, not, more rows): edit it in the JSON editor. */
  tooComplex?: boolean;
}) {
  const t = say(p.lang);
  const action = p.index === null ? '/admin/risk/draft/rules/new' : `/admin/risk/draft/rules/${p.index}`;
  const title = p.index === null ? { ja: 'ルールを作成', en: 'Build a rule' } : { ja: 'ルールを編集', en: 'Edit a rule' };
  const f = p.form;
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={title}>
      <link rel="stylesheet" href="/static/css/risk.css" />
      <p>
        <a href={`/admin/risk${p.qs}`}>{t({ ja: '← リスクルールへ戻る', en: '← Back to risk rules' })}</a>
      </p>
      <h1>{t(title)}</h1>
      <RiskNoticeBox lang={p.lang} notice={p.notice} />
      {p.tooComplex ? (
        <p>
          {t({ ja: 'このルールの条件は入れ子になっているため、ここでは編集できません。', en: 'This rule’s condition is nested, beyond this form.' })}{' '}
          <a href={`/admin/risk/draft/json${p.qs}`}>{t({ ja: 'JSON で編集する', en: 'Edit it as JSON' })}</a>
        </p>
      ) : (
        <form method="post" action={action} class="stack narrow">
          <Csrf token={p.me.csrf} />
          <IssuerField issuer={p.issuer} />
          {p.index !== null && <input type="hidden" name="ruleId" value={f.id ?? ''} />}
          <Field id="r-name-ja" label={t({ ja: 'ルール名（日本語）', en: 'Name (Japanese)' })} error={p.errors.nameJa}>
            {(aria) => <input {...aria} type="text" name="nameJa" value={f.nameJa ?? ''} maxlength={120} />}
          </Field>
          <Field id="r-name-en" label={t({ ja: 'ルール名（英語）', en: 'Name (English)' })} error={p.errors.nameEn}>
            {(aria) => <input {...aria} type="text" name="nameEn" value={f.nameEn ?? ''} maxlength={120} />}
          </Field>
          <Field id="r-combine" label={t({ ja: '条件の組み合わせ', en: 'Combine the conditions' })}>
            {(aria) => (
              <select {...aria} name="combine">
                <option value="all" selected={f.combine !== 'any'}>
                  {t({ ja: 'すべて満たす（かつ）', en: 'all of them (and)' })}
                </option>
                <option value="any" selected={f.combine === 'any'}>
                  {t({ ja: 'いずれかを満たす（または）', en: 'any of them (or)' })}
                </option>
              </select>
            )}
          </Field>
          {Array.from({ length: BUILDER_CONDITIONS }, (_, k) => (
            <fieldset class="condition-row">
              <legend>{t({ ja: `条件 ${k + 1}${k === 0 ? '' : '（任意）'}`, en: `Condition ${k + 1}${k === 0 ? '' : ' (optional)'}` })}</legend>
              <Field id={`r-c${k}-signal`} label={t({ ja: 'シグナル', en: 'Signal' })} error={p.errors[`c${k}.signal`]}>
                {(aria) => (
                  <select {...aria} name={`c${k}.signal`}>
                    <option value="">{t({ ja: '（使わない）', en: '(none)' })}</option>
                    {SIGNAL_NAMES.map((s) => (
                      <option value={s} selected={f[`c${k}.signal`] === s}>
                        {SIGNALS[s].label[p.lang]} ({s})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id={`r-c${k}-op`} label={t({ ja: '比較', en: 'Comparison' })} error={p.errors[`c${k}.op`]}>
                {(aria) => (
                  <select {...aria} name={`c${k}.op`}>
                    {OPS.map((op) => (
                      <option value={op} selected={(f[`c${k}.op`] ?? 'eq') === op}>
                        {t(OP_LABEL[op])}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id={`r-c${k}-value`} label={t({ ja: '値', en: 'Value' })} hint={t({ ja: 'はい/いいえ は true / false', en: 'yes/no as true / false' })} error={p.errors[`c${k}.value`]}>
                {(aria) => <input {...aria} type="text" name={`c${k}.value`} value={f[`c${k}.value`] ?? ''} />}
              </Field>
            </fieldset>
          ))}
          <Field id="r-effect" label={t({ ja: '効果', en: 'Effect' })} error={p.errors.effect}>
            {(aria) => (
              <select {...aria} name="effect">
                {EFFECT_CHOICES.map((e) => (
                  <option value={e} selected={(f.effect ?? 'challenge') === e}>
                    {e === 'score' ? t({ ja: 'スコアを加減する', en: 'add to the score' }) : `${t({ ja: '判定: ', en: 'decide: ' })}${t(DECISION_LABEL[e])}`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="r-score" label={t({ ja: 'スコア（−100〜100、「スコアを加減する」のとき）', en: 'Score (−100 to 100, with “add to the score”)' })} error={p.errors.score}>
            {(aria) => <input {...aria} type="text" inputmode="numeric" name="score" value={f.score ?? ''} />}
          </Field>
          <Field id="r-reason" label={t({ ja: '拒否理由コード（「拒否」のとき）', en: 'Reject reason code (with “reject”)' })} error={p.errors.reasonCode}>
            {(aria) => (
              <select {...aria} name="reasonCode">
                <option value="">{t({ ja: '既定（11 不正の疑い）', en: 'default (11 suspected fraud)' })}</option>
                {REJECT_REASONS.map((r) => (
                  <option value={r} selected={f.reasonCode === r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div class="field">
            <label class="choice-option">
              <input type="checkbox" name="enabled" checked={f.enabled !== ''} /> {t({ ja: '有効', en: 'Enabled' })}
            </label>
          </div>
          <button type="submit" class="primary">
            {p.index === null ? t({ ja: '下書きに追加する', en: 'Add to the draft' }) : t({ ja: '下書きに保存する', en: 'Save to the draft' })}
          </button>
        </form>
      )}
    </AdminShell>
  );
}
