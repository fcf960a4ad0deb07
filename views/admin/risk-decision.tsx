/**
 * The risk decision in words on the admin transaction page, from transactions.risk_detail: the
 * rule-set version, each matched rule with its effect, the score and band, the provider's status
 * and the signals the matched rules named. Staff only: the cardholder's pages never show it.
 */
import type { RiskDetail } from '../../src/risk/detail.ts';
import type { Lang } from '../i18n.ts';
import { DECISION_LABEL, effectText, ruleNameText, signalLabel, valueText } from './risk.tsx';
import { say } from './shell.tsx';

const PROVIDER_STATUS: Record<string, { ja: string; en: string }> = {
  answered: { ja: '応答あり', en: 'answered' },
  unavailable: { ja: '応答なし（エラー）', en: 'unavailable' },
  timeout: { ja: 'タイムアウト', en: 'timed out' },
  breaker_open: { ja: '遮断中（ブレーカー）', en: 'breaker open' },
  opted_out: { ja: '会員が情報共有を停止（送信なし）', en: 'cardholder opted out (nothing sent)' },
  not_configured: { ja: '未設定', en: 'not configured' },
};

/** The stored detail when it has the shape the page reads, else undefined (older rows, other writers). */
export function riskDetailOf(raw: unknown): RiskDetail | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object') return undefined;
  const d = value as RiskDetail;
  return d.assessment && Array.isArray(d.assessment.matched) ? d : undefined;
}

export function RiskDecision({ lang, detail }: { lang: Lang; detail: RiskDetail }) {
  const t = say(lang);
  const a = detail.assessment;
  const mattered = new Map<string, unknown>();
  for (const m of a.matched) for (const [name, value] of Object.entries(m.signals ?? {})) mattered.set(name, value);
  return (
    <section aria-labelledby="risk-decision-heading">
      <h2 id="risk-decision-heading">{t({ ja: 'リスク判定の理由', en: 'Why the risk decided so' })}</h2>
      <p class="risk-explanation">{detail.explanation?.[lang]}</p>
      <dl class="facts">
        <dt>{t({ ja: 'ルールのバージョン', en: 'Rule-set version' })}</dt>
        <dd>{detail.version === 0 ? t({ ja: '0（初期設定）', en: '0 (defaults)' }) : detail.version}</dd>
        <dt>{t({ ja: 'リスクの結果', en: 'Risk outcome' })}</dt>
        <dd>
          {t(DECISION_LABEL[a.outcome] ?? { ja: a.outcome, en: a.outcome })}
          {a.reasonCode && ` / ${t({ ja: '理由', en: 'reason' })} ${a.reasonCode}`}
        </dd>
        <dt>{t({ ja: 'スコアとスコア帯', en: 'Score and band' })}</dt>
        <dd>
          {a.score} / {t(DECISION_LABEL[a.band] ?? { ja: a.band, en: a.band })}
        </dd>
        <dt>{t({ ja: '一致したルール', en: 'Rules that matched' })}</dt>
        <dd>
          {a.matched.length === 0 ? (
            t({ ja: 'なし', en: 'none' })
          ) : (
            <ul class="plain">
              {a.matched.map((m) => (
                <li>
                  {ruleNameText(m.name, lang)} {effectText(m.effect, lang)}
                  {m.ruleId === a.decidedBy && t({ ja: '（これで決定）', en: ' (decided)' })}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t({ ja: '外部サービス', en: 'Fraud provider' })}</dt>
        <dd>
          {t(PROVIDER_STATUS[detail.provider?.status] ?? { ja: String(detail.provider?.status ?? '—'), en: String(detail.provider?.status ?? '—') })}
          {detail.provider?.score !== undefined && ` / ${t({ ja: 'スコア', en: 'score' })} ${detail.provider.score}`}
          {detail.provider?.reasons?.length ? ` / ${detail.provider.reasons.join(', ')}` : ''}
        </dd>
        <dt>{t({ ja: '判定に使ったシグナル', en: 'Signals that mattered' })}</dt>
        <dd>
          {mattered.size === 0 ? (
            '—'
          ) : (
            <ul class="plain">
              {[...mattered].map(([name, value]) => (
                <li>
                  {signalLabel(name, lang)}: {valueText(value, lang)}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}
