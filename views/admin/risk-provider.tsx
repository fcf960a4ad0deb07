/**
 * The external fraud-detection provider's settings (/admin/risk/provider): where the AReq's facts go,
 * which of them, how the answer is read, the time limits; beside them the breaker's state and
 * whether the named credential is set. The credential itself is never on the page: only the name
 * of its RISK_PROVIDER_SECRETS entry. A plain form (no JavaScript); read-only without risk.edit.
 */
import type { ProviderBreakerView } from '../../src/risk/provider-breaker.ts';
import type { ShareableField } from '../../src/risk/provider-config.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';

/** The form as typed (or as stored), every value a string; `fields` the chosen names. */
export interface ProviderFormValues {
  enabled: boolean;
  url: string;
  authHeader: string;
  secretEnv: string;
  fields: string[];
  scorePath: string;
  reasonsPath: string;
  timeoutMs: string;
  retries: string;
}

export type ProviderFormField = Exclude<keyof ProviderFormValues, 'enabled'>;

export interface RiskProviderPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  issuer: { id: number; name: Bi };
  /** For a platform administrator: the issuers to choose between (else null). */
  issuers: { id: number; name: Bi }[] | null;
  /** The stored settings' state (not the form's, which may be a refused attempt). */
  configured: 'none' | 'enabled' | 'disabled';
  values: ProviderFormValues;
  /** One message per field, in both languages, shown beside it. */
  errors: Partial<Record<ProviderFormField, Bi>>;
  editable: boolean;
  notice?: 'saved' | 'cleared' | 'refused';
  codeError?: boolean;
  /** The shareable fields, grouped as the form shows them. */
  groups: { title: Bi; fields: { name: string; field: ShareableField }[] }[];
  breaker: ProviderBreakerView | null;
  /** The stored credential name and whether RISK_PROVIDER_SECRETS has it (null: none named). */
  secret: { name: string; set: boolean } | null;
}

const CONFIGURED_TEXT: Record<RiskProviderPageProps['configured'], Bi> = {
  none: { ja: '未設定（送信しません）', en: 'not configured (nothing is sent)' },
  enabled: { ja: '有効', en: 'enabled' },
  disabled: { ja: '無効（送信しません）', en: 'disabled (nothing is sent)' },
};

const BREAKER_TEXT: Record<ProviderBreakerView['state'], Bi> = {
  closed: { ja: '正常（呼び出し中）', en: 'closed (calling)' },
  open: { ja: '停止中（失敗が続いたため呼び出していません）', en: 'open (not calling after repeated failures)' },
  half_open: { ja: '試行中（次の1件で確認します）', en: 'half-open (the next request is a probe)' },
};

export function RiskProviderPage(props: RiskProviderPageProps) {
  const t = say(props.lang);
  const title = { ja: '外部不正検知サービス', en: 'External fraud-detection provider' };
  const v = props.values;
  const error = (name: ProviderFormField) => {
    const e = props.errors[name];
    // Both languages, Japanese first, whichever the page is in.
    return e ? `${e.ja} / ${e.en}` : undefined;
  };
  const text = (name: ProviderFormField, label: Bi, hint?: Bi, type: 'text' | 'url' | 'number' = 'text', extra: Record<string, string | number> = {}) => (
    <Field id={`rp-${name}`} label={t(label)} hint={hint && t(hint)} error={error(name)}>
      {(aria) => <input {...aria} name={name} type={type} value={v[name] as string} readonly={!props.editable} autocomplete="off" {...extra} />}
    </Field>
  );
  const fieldsError = error('fields');
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={title}>
      <p>
        <a class="button secondary" href={props.issuers ? `/admin/risk?issuer=${props.issuer.id}` : '/admin/risk'}>
          {t({ ja: '← リスクルール', en: '← Risk rules' })}
        </a>
      </p>
      <h1>
        {t(title)} — {t(props.issuer.name)}
      </h1>
      {props.issuers && (
        <form method="get" action="/admin/risk/provider" class="narrow">
          <Field id="rp-issuer" label={t({ ja: 'カード会社', en: 'Issuer' })}>
            {(aria) => (
              <select {...aria} name="issuer">
                {props.issuers!.map((i) => (
                  <option value={String(i.id)} selected={i.id === props.issuer.id}>
                    {t(i.name)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" class="secondary">
            {t({ ja: '表示', en: 'Show' })}
          </button>
        </form>
      )}
      {props.notice === 'saved' && <Notice kind="success">{t({ ja: '保存しました。', en: 'Saved.' })}</Notice>}
      {props.notice === 'cleared' && <Notice kind="success">{t({ ja: '設定を削除しました。外部サービスには何も送りません。', en: 'Settings removed: nothing is sent to a provider.' })}</Notice>}
      {props.notice === 'refused' && <Notice kind="alert">{t({ ja: '保存できませんでした。印のある項目を確認してください。', en: 'Not saved: check the marked fields.' })}</Notice>}

      <section aria-labelledby="rp-status">
        <h2 id="rp-status">{t({ ja: '状態', en: 'Status' })}</h2>
        <dl class="facts">
          <dt>{t({ ja: '設定', en: 'Settings' })}</dt>
          <dd>{t(CONFIGURED_TEXT[props.configured])}</dd>
          <dt>{t({ ja: '認証情報', en: 'Credential' })}</dt>
          <dd>
            {props.secret === null
              ? t({ ja: 'なし（ヘッダーを付けません）', en: 'none (no header is sent)' })
              : props.secret.set
                ? t({ ja: `環境変数 RISK_PROVIDER_SECRETS に ${props.secret.name} があります`, en: `${props.secret.name} is set in RISK_PROVIDER_SECRETS` })
                : t({ ja: `環境変数 RISK_PROVIDER_SECRETS に ${props.secret.name} がありません（呼び出しません）`, en: `${props.secret.name} is missing from RISK_PROVIDER_SECRETS (no call is made)` })}
          </dd>
          {props.breaker && (
            <>
              <dt>{t({ ja: 'サーキットブレーカー', en: 'Circuit breaker' })}</dt>
              <dd>
                {t(BREAKER_TEXT[props.breaker.state])}
                {props.breaker.consecutiveFailures > 0 && t({ ja: `（連続失敗 ${props.breaker.consecutiveFailures} 回）`, en: ` (${props.breaker.consecutiveFailures} consecutive failures)` })}
              </dd>
            </>
          )}
        </dl>
        <p class="hint">
          {t({
            ja: '情報共有を停止した会員の取引は、設定にかかわらず一切送信しません。カード番号・氏名・メールアドレス・電話番号・住所は送信できる項目にありません。',
            en: 'Nothing about a cardholder who opted out of data sharing is ever sent. The card number, name, e-mail, phones and addresses cannot be chosen.',
          })}
        </p>
      </section>

      <form method="post" action={props.issuers ? `/admin/risk/provider?issuer=${props.issuer.id}` : '/admin/risk/provider'} class="settings">
        <Csrf token={props.me.csrf} />
        <fieldset>
          <legend>{t({ ja: '接続先', en: 'Endpoint' })}</legend>
          <label class="choice-option">
            <input name="enabled" type="checkbox" value="on" checked={v.enabled} disabled={!props.editable} />
            <span>{t({ ja: '外部サービスに問い合わせる', en: 'Consult the provider' })}</span>
          </label>
          {text('url', { ja: 'URL', en: 'URL' }, { ja: 'JSON を POST する https の URL。空欄にすると設定を削除します。', en: 'The https URL the JSON is POSTed to. Empty it to remove the settings.' }, 'url')}
          {text('authHeader', { ja: '認証ヘッダー名', en: 'Auth header name' }, { ja: '例 Authorization、X-Api-Key', en: 'e.g. Authorization, X-Api-Key' })}
          {text(
            'secretEnv',
            { ja: '認証情報の名前', en: 'Credential name' },
            { ja: '環境変数 RISK_PROVIDER_SECRETS の項目名（値はここに入力しません）。空欄: ヘッダーなし', en: 'An entry name in RISK_PROVIDER_SECRETS (never the value itself). Empty: no header' },
          )}
        </fieldset>
        <fieldset class="choice" aria-describedby={fieldsError ? 'rp-fields-hint rp-fields-error' : 'rp-fields-hint'}>
          <legend>{t({ ja: '送信する項目', en: 'Fields sent' })}</legend>
          <p class="hint" id="rp-fields-hint">
            {t({ ja: '選んだ項目のうち、その取引にあるものだけを送ります。「既定」は未選択時の初期値です。', en: 'Only the chosen fields the transaction has are sent. "default" marks the initial choice.' })}
          </p>
          {fieldsError && (
            <p class="field-error" id="rp-fields-error">
              {fieldsError}
            </p>
          )}
          {props.groups.map((g) => (
            <fieldset class="choice">
              <legend>{t(g.title)}</legend>
              {g.fields.map(({ name, field }) => (
                <label class="choice-option">
                  <input name="fields" type="checkbox" value={name} checked={v.fields.includes(name)} disabled={!props.editable} aria-invalid={fieldsError ? 'true' : undefined} />
                  <span>
                    {t(field.label)} <code>{name}</code>
                    {field.byDefault && ` (${t({ ja: '既定', en: 'default' })})`}
                  </span>
                </label>
              ))}
            </fieldset>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t({ ja: '応答と時間', en: 'Answer and timing' })}</legend>
          {text('scorePath', { ja: 'スコアの位置', en: 'Score path' }, { ja: '応答 JSON 内の 0〜100 の数値（例 result.score）', en: 'Where the 0–100 score is in the answer (e.g. result.score)' })}
          {text('reasonsPath', { ja: '理由コードの位置', en: 'Reasons path' }, { ja: '文字列の配列（空欄: 読まない）', en: 'A list of strings (empty: none)' })}
          {text('timeoutMs', { ja: 'タイムアウト（ミリ秒）', en: 'Timeout (ms)' }, { ja: '1回あたり 50〜5000。既定 300', en: 'Per attempt, 50–5000; default 300' }, 'number', { min: 50, max: 5000 })}
          {text('retries', { ja: '再試行回数', en: 'Retries' }, { ja: '0〜2。既定 0（再試行のたびに認証が遅くなります）', en: '0–2; default 0 (each retry makes the authentication wait)' }, 'number', { min: 0, max: 2 })}
        </fieldset>
        {props.editable && (
          <div class="narrow">
            <StepUpField lang={props.lang} error={props.codeError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
            <button type="submit" class="primary">
              {t({ ja: '保存', en: 'Save' })}
            </button>
          </div>
        )}
      </form>
    </AdminShell>
  );
}
