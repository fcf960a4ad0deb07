/**
 * A helpdesk action's page: who and what it acts on, what will change (before → after), the
 * required reason, the action's own fields, and one button (carry out, or file for approval).
 * Errors sit beside their field. Also the before → after table the request pages reuse.
 */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, type SignedIn } from './shell.tsx';

export type ChangeValue = string | number | boolean | null;

const KEY_LABEL: Record<string, Bi> = {
  status: { ja: '登録の状態', en: 'Registration status' },
  registration: { ja: '登録', en: 'Registration' },
  failedAttempts: { ja: '誤入力回数', en: 'Wrong entries' },
  phone: { ja: '認証用電話番号', en: 'OTP phone' },
  phoneStatus: { ja: '電話番号の状態', en: 'Phone status' },
  confirmation: { ja: '確認方法', en: 'Confirmed by' },
  phoneOnFileProvisional: { ja: 'カード会社の記録の電話番号が仮', en: 'Phone on file provisional' },
  authMethod: { ja: '認証方式', en: 'Method' },
  cardStatus: { ja: 'カードの状態', en: 'Card status' },
  memberId: { ja: '会員ID', en: 'Member ID' },
  resetMailTo: { ja: '再設定リンクの送信先', en: 'Reset link sent to' },
  dataSharingOptOut: { ja: '不正検知サービスへのデータ提供', en: 'Data sharing with fraud detection' },
};

const VALUE_LABEL: Record<string, Bi> = {
  active: { ja: '利用中', en: 'Active' },
  locked: { ja: 'ロック中', en: 'Locked' },
  provisional: { ja: '仮登録', en: 'Provisional' },
  verified: { ja: '確認済み', en: 'Verified' },
  none: { ja: 'なし', en: 'None' },
  sms_otp: { ja: 'SMS認証', en: 'SMS OTP' },
  password: { ja: '固定パスワード', en: 'Static password' },
  sms_code: { ja: 'テストSMSのコードを読み上げ', en: 'Test SMS code read back' },
  other: { ja: 'その他の方法（理由に記載）', en: 'Another means (see reason)' },
  blocked_lost: { ja: '停止（紛失）', en: 'Blocked (lost)' },
  blocked_stolen: { ja: '停止（盗難）', en: 'Blocked (stolen)' },
  blocked: { ja: '停止', en: 'Blocked' },
  closed: { ja: '解約', en: 'Closed' },
  replaced: { ja: '再発行済み', en: 'Replaced' },
};

export function valueText(lang: Lang, key: string, value: ChangeValue | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'dataSharingOptOut') return value ? (lang === 'ja' ? '停止' : 'Opted out') : lang === 'ja' ? '提供する' : 'Shared';
  if (typeof value === 'boolean') return value ? (lang === 'ja' ? 'はい' : 'Yes') : lang === 'ja' ? 'いいえ' : 'No';
  return VALUE_LABEL[String(value)]?.[lang] ?? String(value);
}

/** Before → after, one row per field that the action touches. */
export function ChangeTable(props: { lang: Lang; before: Record<string, ChangeValue>; after: Record<string, ChangeValue>; caption: string }) {
  const t = say(props.lang);
  const keys = [...new Set([...Object.keys(props.before), ...Object.keys(props.after)])];
  return (
    <div class="table-wrap">
      <table class="change">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t({ ja: '項目', en: 'Field' })}</th>
            <th scope="col">{t({ ja: '変更前', en: 'Before' })}</th>
            <th scope="col">{t({ ja: '変更後', en: 'After' })}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <th scope="row">{KEY_LABEL[k] ? t(KEY_LABEL[k]) : k}</th>
              <td>{k in props.before ? valueText(props.lang, k, props.before[k]) : '—'}</td>
              <td>{k in props.after ? valueText(props.lang, k, props.after[k]) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The cardholder and the card(s) or registration an action acts on, as a short fact list. */
export interface TargetSummary {
  holderName: string;
  customerRef: string;
  cards: string[];
  memberId: string | null;
  issuer: Bi;
}

export function TargetFacts({ lang, target }: { lang: Lang; target: TargetSummary }) {
  const t = say(lang);
  return (
    <dl class="facts">
      <div>
        <dt>{t({ ja: '会員', en: 'Cardholder' })}</dt>
        <dd>
          {target.holderName} ({target.customerRef})
        </dd>
      </div>
      <div>
        <dt>{t({ ja: 'カード', en: 'Card' })}</dt>
        <dd>{target.cards.join(', ') || '—'}</dd>
      </div>
      <div>
        <dt>{t({ ja: '会員ID', en: 'Member ID' })}</dt>
        <dd>{target.memberId ?? t({ ja: '未登録', en: 'Not registered' })}</dd>
      </div>
      <div>
        <dt>{t({ ja: 'カード会社', en: 'Issuer' })}</dt>
        <dd>{t(target.issuer)}</dd>
      </div>
    </dl>
  );
}

export interface ActionFormValues {
  reason?: string;
  phone?: string;
  confirmation?: string;
  code?: string;
  flow?: string;
  kind?: string;
  optOut?: string;
}

export interface ActionFormErrors {
  reason?: Bi;
  phone?: Bi;
  confirmation?: Bi;
  code?: Bi;
  kind?: Bi;
  optOut?: Bi;
  /** About the whole form (the target changed meanwhile, a request already waits). */
  form?: Bi;
}

export interface ActionPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  action: string;
  label: Bi;
  target: TargetSummary;
  backHref: string;
  /** Why the action cannot be done now (no form then). */
  blocked?: Bi;
  /** What will change with the values as they are. */
  before: Record<string, ChangeValue>;
  after: Record<string, ChangeValue>;
  needsApproval: boolean;
  values: ActionFormValues;
  errors: ActionFormErrors;
  /** A test code went to this (masked) number. */
  codeSentTo?: string;
  /** The action was just carried out: its audit row's change. */
  done?: { before: Record<string, ChangeValue>; after: Record<string, ChangeValue>; notice?: { sms: string; mail: string } };
  /** A request on it already waits. */
  pendingHref?: string;
}

export function ActionPage(p: ActionPageProps) {
  const t = say(p.lang);
  const v = p.values;
  const e = p.errors;
  const err = (b?: Bi) => (b ? t(b) : undefined);
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={p.label}>
      <link rel="stylesheet" href="/static/css/helpdesk-actions.css" />
      <div class="narrow helpdesk-action">
        <p>
          <a href={p.backHref} class="back-link">
            {t({ ja: '← 会員の画面に戻る', en: '← Back to the cardholder' })}
          </a>
        </p>
        <h1>{t(p.label)}</h1>
        <TargetFacts lang={p.lang} target={p.target} />
        {p.done && (
          <Notice kind="success">
            <p>{t({ ja: '実行しました。監査ログに記録されています。', en: 'Done. It is recorded in the audit log.' })}</p>
            {p.done.notice && <p>{noticeText(p.lang, p.done.notice)}</p>}
          </Notice>
        )}
        {p.done && <ChangeTable lang={p.lang} before={p.done.before} after={p.done.after} caption={t({ ja: '変更した内容', en: 'What changed' })} />}
        {e.form && (
          <Notice kind="alert">
            <p>{t(e.form)}</p>
            {p.pendingHref && (
              <p>
                <a href={p.pendingHref}>{t({ ja: '承認待ちの申請を見る', en: 'See the waiting request' })}</a>
              </p>
            )}
          </Notice>
        )}
        {!p.done && p.blocked && (
          <Notice kind="alert">
            <p>{t(p.blocked)}</p>
          </Notice>
        )}
        {!p.done && !p.blocked && (
          <form method="post" action={p.path.split('?')[0]} class="stack" novalidate>
            <Csrf token={p.me.csrf} />
            <ChangeTable lang={p.lang} before={p.before} after={p.after} caption={t({ ja: '変更される内容', en: 'What will change' })} />
            {p.action === 'change_phone' && <PhoneFields {...p} />}
            {p.action === 'block_card' && (
              <Choice
                lang={p.lang}
                name="kind"
                legend={t({ ja: '停止の理由', en: 'Why it is blocked' })}
                value={v.kind}
                error={err(e.kind)}
                options={[
                  { value: 'lost', label: t({ ja: '紛失', en: 'Lost' }) },
                  { value: 'stolen', label: t({ ja: '盗難', en: 'Stolen' }) },
                ]}
              />
            )}
            {p.action === 'data_sharing' && (
              <Choice
                lang={p.lang}
                name="optOut"
                legend={t({ ja: '不正検知サービスへのデータ提供', en: 'Data sharing with the fraud-detection provider' })}
                value={v.optOut}
                error={err(e.optOut)}
                options={[
                  { value: '1', label: t({ ja: '提供を停止する（オプトアウト）', en: 'Stop sharing (opt out)' }) },
                  { value: '0', label: t({ ja: '提供を再開する', en: 'Share again (opt back in)' }) },
                ]}
              />
            )}
            <Field
              id="reason"
              label={t({ ja: '理由（監査ログに記録されます）', en: 'Reason (kept in the audit log)' })}
              hint={t({ ja: '例：ご本人から電話、生年月日と住所で本人確認済み', en: 'e.g. the cardholder called; identity checked by birth date and address' })}
              error={err(e.reason)}
            >
              {(aria) => (
                <textarea {...aria} name="reason" rows={3} maxlength={500} required>
                  {v.reason ?? ''}
                </textarea>
              )}
            </Field>
            {p.needsApproval && (
              <p class="hint">
                {t({ ja: 'この操作は別の担当者の承認が必要です。送信すると承認待ちの申請になります。', en: 'This action needs a second person’s approval. Submitting files a request that waits for it.' })}
              </p>
            )}
            <button type="submit" name="step" value="apply" class="primary">
              {p.needsApproval ? t({ ja: '承認を申請する', en: 'File for approval' }) : t({ ja: '実行する', en: 'Carry out' })}
            </button>
          </form>
        )}
      </div>
    </AdminShell>
  );
}

/** What the cardholder's notice reached (SMS, mail), in words. */
export function noticeText(lang: Lang, notice: { sms: string; mail: string }): string {
  const word = (s: string) =>
    ({ sent: lang === 'ja' ? '送信済み' : 'sent', failed: lang === 'ja' ? '送信失敗' : 'failed', refused: lang === 'ja' ? '送信不可（仮番号など）' : 'not sent (provisional number or not allowed)', none: lang === 'ja' ? 'なし' : 'none' })[s] ?? s;
  return lang === 'ja' ? `会員へのお知らせ：SMS ${word(notice.sms)}、メール ${word(notice.mail)}` : `Notice to the cardholder: SMS ${word(notice.sms)}, mail ${word(notice.mail)}`;
}

function PhoneFields(p: ActionPageProps) {
  const t = say(p.lang);
  const v = p.values;
  const e = p.errors;
  const viaCode = v.confirmation !== 'other';
  return (
    <>
      <Field
        id="phone"
        label={t({ ja: '新しい認証用電話番号', en: 'New OTP phone number' })}
        hint={t({ ja: '090-1234-5678 または +81 90 1234 5678 の形式', en: 'As 090-1234-5678 or +81 90 1234 5678' })}
        error={e.phone ? t(e.phone) : undefined}
      >
        {(aria) => <input {...aria} name="phone" type="tel" autocomplete="off" inputmode="tel" maxlength={40} required value={v.phone ?? ''} />}
      </Field>
      <Choice
        lang={p.lang}
        name="confirmation"
        legend={t({ ja: '新しい番号の確認方法', en: 'How the new number is confirmed' })}
        value={viaCode ? 'sms_code' : 'other'}
        error={e.confirmation ? t(e.confirmation) : undefined}
        options={[
          { value: 'sms_code', label: t({ ja: 'テストSMSを送り、お客様にコードを読み上げてもらう', en: 'Send a test SMS; the caller reads the code back' }) },
          { value: 'other', label: t({ ja: 'その他の方法で確認済み（方法を理由に記載）', en: 'Confirmed by another means (say which in the reason)' }) },
        ]}
      />
      <input type="hidden" name="flow" value={v.flow ?? ''} />
      <div class="code-step">
        <button type="submit" name="step" value="send" class="secondary" formnovalidate>
          {p.codeSentTo ? t({ ja: 'テストSMSを再送する', en: 'Send the test SMS again' }) : t({ ja: 'テストSMSを送る', en: 'Send a test SMS' })}
        </button>
        {p.codeSentTo && (
          <Notice kind="success">
            {p.lang === 'ja' ? `${p.codeSentTo} に確認コードを送りました。お客様に読み上げてもらってください。` : `A code went to ${p.codeSentTo}. Ask the caller to read it back.`}
          </Notice>
        )}
        <Field id="code" label={t({ ja: 'お客様が読み上げたコード（6桁）', en: 'Code the caller read back (6 digits)' })} error={e.code ? t(e.code) : undefined}>
          {(aria) => <input {...aria} name="code" type="text" inputmode="numeric" autocomplete="off" maxlength={20} value={v.code ?? ''} />}
        </Field>
      </div>
    </>
  );
}

/** Radio buttons in a fieldset, the error tied to the group. */
export function Choice(props: { lang: Lang; name: string; legend: string; value?: string; error?: string; options: { value: string; label: string }[] }) {
  const errorId = `${props.name}-error`;
  return (
    <fieldset class="choice" aria-describedby={props.error ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label class="choice-option">
          <input type="radio" name={props.name} value={o.value} checked={props.value === o.value} aria-invalid={props.error ? 'true' : undefined} />
          <span>{o.label}</span>
        </label>
      ))}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
