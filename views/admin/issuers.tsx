/** Issuers: the platform's list, and one issuer's settings (read-only, or a form for those who may edit). */
import type { AssetProblem } from '../../src/issuers/assets.ts';
import type { SmsPreviewText } from '../../src/issuers/sms-preview.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';

export interface IssuerListItem {
  code: string;
  name: Bi;
  ranges: number;
  staff: number;
}

export function IssuerListPage(props: { lang: Lang; path: string; site: Bi; me: SignedIn; rows: IssuerListItem[] }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'カード会社', en: 'Issuers' }}>
      <h1>{t({ ja: 'カード会社', en: 'Issuers' })}</h1>
      <p>
        <a class="button" href="/admin/issuers/new">
          {t({ ja: 'カード会社を追加', en: 'Add an issuer' })}
        </a>
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{t({ ja: 'カード会社一覧', en: 'Issuers' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t({ ja: 'コード', en: 'Code' })}</th>
              <th scope="col">{t({ ja: '名称', en: 'Name' })}</th>
              <th scope="col">{t({ ja: 'BINレンジ', en: 'BIN ranges' })}</th>
              <th scope="col">{t({ ja: 'スタッフ', en: 'Staff' })}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/admin/issuers/${r.code}`}>{r.code}</a>
                </td>
                <td>{t(r.name)}</td>
                <td>{r.ranges}</td>
                <td>{r.staff}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminShell>
  );
}

type FieldKind = 'text' | 'number' | { options: { value: string; label: Bi }[] };

/** Every setting, its label and hint, in the order the form shows them. */
const FIELDS: { name: string; label: Bi; hint?: Bi; kind: FieldKind; group: number }[] = [
  { group: 0, name: 'issuerCode', label: { ja: 'コード', en: 'Code' }, hint: { ja: '英小文字・数字・ハイフン（CLIの --issuer）', en: 'Lowercase letters, digits, hyphens (the CLIs’ --issuer)' }, kind: 'text' },
  { group: 0, name: 'nameJa', label: { ja: '名称（日本語）', en: 'Name (Japanese)' }, kind: 'text' },
  { group: 0, name: 'nameEn', label: { ja: '名称（英語）', en: 'Name (English)' }, kind: 'text' },
  { group: 0, name: 'helpdeskPhone', label: { ja: 'ヘルプデスク電話番号', en: 'Helpdesk phone' }, kind: 'text' },
  { group: 0, name: 'helpdeskHoursJa', label: { ja: '受付時間（日本語）', en: 'Helpdesk hours (Japanese)' }, kind: 'text' },
  { group: 0, name: 'helpdeskHoursEn', label: { ja: '受付時間（英語）', en: 'Helpdesk hours (English)' }, kind: 'text' },
  { group: 1, name: 'logo', label: { ja: 'ロゴ画像', en: 'Logo' }, hint: { ja: '/static/ 以下のパス、または https のURL', en: 'A path under /static/, or an https URL' }, kind: 'text' },
  { group: 1, name: 'markJcb', label: { ja: 'J/Secure マーク', en: 'J/Secure mark' }, kind: 'text' },
  { group: 1, name: 'markVisa', label: { ja: 'Visa Secure マーク', en: 'Visa Secure mark' }, kind: 'text' },
  { group: 1, name: 'markMastercard', label: { ja: 'Mastercard Identity Check マーク', en: 'Mastercard Identity Check mark' }, kind: 'text' },
  { group: 2, name: 'smsSenderId', label: { ja: 'SMS送信元', en: 'SMS sender' }, hint: { ja: '英数字11文字以内、または電話番号', en: 'Up to 11 letters and digits, or a number' }, kind: 'text' },
  { group: 2, name: 'smsNameJa', label: { ja: 'SMS本文の社名（日本語）', en: 'Name in the SMS (Japanese)' }, kind: 'text' },
  { group: 2, name: 'smsNameEn', label: { ja: 'SMS本文の社名（英語）', en: 'Name in the SMS (English)' }, kind: 'text' },
  { group: 2, name: 'mailFrom', label: { ja: 'メール送信元', en: 'Mail sender' }, kind: 'text' },
  { group: 2, name: 'timeZone', label: { ja: 'タイムゾーン', en: 'Time zone' }, kind: 'text' },
  { group: 3, name: 'challengeThresholds', label: { ja: '認証を求める金額', en: 'Challenge thresholds' }, hint: { ja: '通貨:金額 をカンマ区切り（例 392:30000,840:200）', en: 'CURRENCY:AMOUNT, comma-separated (e.g. 392:30000,840:200)' }, kind: 'text' },
  { group: 3, name: 'velocityLimitPerHour', label: { ja: '1時間あたりの認証回数の上限', en: 'Authentications per card per hour' }, kind: 'number' },
  {
    group: 3,
    name: 'provisionalPolicy',
    label: { ja: '未登録のカード', en: 'Cards not registered' },
    kind: { options: [{ value: 'challenge', label: { ja: '登録の案内を表示', en: 'Show registration guidance' } }, { value: 'reject', label: { ja: '認証しない（N/13）', en: 'Decline (N/13)' } }] },
  },
  {
    group: 3,
    name: 'reissuePolicy',
    label: { ja: '再発行カード', en: 'Reissued cards' },
    kind: { options: [{ value: 'continue', label: { ja: '登録を引き継ぐ', en: 'Keep the registration' } }, { value: 'reregister_phone', label: { ja: '電話番号を再登録', en: 'Register the phone again' } }] },
  },
  { group: 3, name: 'maxAuthAttempts', label: { ja: 'ロックまでの誤入力回数', en: 'Wrong entries before lock' }, kind: 'number' },
  { group: 3, name: 'otpTtlSeconds', label: { ja: 'ワンタイムパスワードの有効秒数', en: 'One-time password lifetime (s)' }, kind: 'number' },
  { group: 3, name: 'otpResendCooldownSeconds', label: { ja: '再送までの待ち秒数', en: 'Wait before a resend (s)' }, kind: 'number' },
  { group: 3, name: 'otpMaxSends', label: { ja: '1回の認証での送信回数上限', en: 'Sends per challenge' }, kind: 'number' },
  {
    group: 4,
    name: 'phoneChangeMode',
    label: { ja: '電話番号の変更', en: 'Phone number changes' },
    kind: { options: [{ value: 'phone_call', label: { ja: '電話での受付のみ', en: 'By calling the issuer only' } }, { value: 'self_service', label: { ja: '会員ページで変更可', en: 'In the member portal' } }] },
  },
  {
    group: 4,
    name: 'provisionalPhoneMode',
    label: { ja: '仮登録の電話番号の差し替え', en: 'Replacing a provisional phone number' },
    kind: { options: [{ value: 'self_service', label: { ja: '会員ページで差し替え可', en: 'In the member portal' } }, { value: 'phone_call', label: { ja: '電話での受付のみ', en: 'By calling the issuer only' } }] },
  },
  {
    group: 4,
    name: 'registrationProof',
    label: { ja: '登録時の本人確認', en: 'Proof asked at registration' },
    hint: { ja: '法人カードはカード暗証番号', en: 'Corporate cards: the card PIN' },
    kind: { options: [{ value: 'birth_date', label: { ja: '生年月日', en: 'Birth date' } }, { value: 'phone_on_file', label: { ja: 'お届けの電話番号', en: 'Phone number on file' } }] },
  },
  { group: 4, name: 'maintenanceWindow', label: { ja: '会員ページのメンテナンス時間', en: 'Portal maintenance window' }, hint: { ja: '曜日(0=日〜6) と時刻（例 0,6 02:00-04:00）。空欄はなし', en: 'Days (0 = Sunday … 6) and hours (e.g. 0,6 02:00-04:00); empty for none' }, kind: 'text' },
  { group: 4, name: 'portalHosts', label: { ja: '会員ページのホスト名', en: 'Portal host names' }, hint: { ja: 'カンマ区切り', en: 'Comma-separated' }, kind: 'text' },
];

const GROUPS: Bi[] = [
  { ja: '基本情報', en: 'Basics' },
  { ja: '表示', en: 'Branding' },
  { ja: 'SMS・メール', en: 'SMS and mail' },
  { ja: '認証のしきい値とポリシー', en: 'Challenge thresholds and policies' },
  { ja: '会員ページ', en: 'Member portal' },
];

export function IssuerPage(props: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  /** Null for a new issuer. */
  code: string | null;
  values: Record<string, string>;
  errors: string[];
  editable: boolean;
  saved?: boolean;
  codeError?: boolean;
  ranges: { brand: string; rangeStart: string; rangeEnd: string; label: string; enabled: boolean }[];
  /** Ranges of other issuers a platform administrator may move here (null: not offered). */
  movable: { id: number; text: string }[] | null;
  moved?: boolean;
  moveCodeError?: boolean;
  /** The OTP SMS with the names as saved (or typed); the page refreshes it while they are typed. */
  smsPreview?: Bi<SmsPreviewText>;
  assetProblem?: AssetProblem | 'code';
}) {
  const t = say(props.lang);
  const title = props.code ? { ja: 'カード会社の設定', en: 'Issuer settings' } : { ja: 'カード会社を追加', en: 'Add an issuer' };
  const input = (f: (typeof FIELDS)[number]) => (
    <Field id={`f-${f.name}`} label={t(f.label)} hint={f.hint && t(f.hint)} error={props.errors.includes(f.name) ? t({ ja: '入力内容を確認してください。', en: 'Check this value.' }) : undefined}>
      {(aria) =>
        typeof f.kind === 'object' ? (
          <select {...aria} name={f.name} disabled={!props.editable}>
            {f.kind.options.map((o) => (
              <option value={o.value} selected={props.values[f.name] === o.value}>
                {t(o.label)}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...aria}
            name={f.name}
            type={f.kind === 'number' ? 'number' : 'text'}
            value={props.values[f.name] ?? ''}
            readonly={!props.editable}
            {...(props.code && (f.name === 'smsNameJa' || f.name === 'smsNameEn')
              ? { 'hx-get': `/admin/issuers/${props.code}/sms-preview`, 'hx-trigger': 'input changed delay:400ms', 'hx-target': '#sms-preview-body', 'hx-include': '[name=smsNameJa],[name=smsNameEn]', 'hx-swap': 'innerHTML' }
              : {})}
          />
        )
      }
    </Field>
  );
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={title}>
      <h1>
        {t(title)}
        {props.code && ` — ${props.values.nameJa && props.lang === 'ja' ? props.values.nameJa : props.values.nameEn}`}
      </h1>
      {props.saved && <Notice kind="success">{t({ ja: '保存しました。', en: 'Saved.' })}</Notice>}
      {props.errors.length > 0 && <Notice kind="alert">{t({ ja: '保存できませんでした。印のある項目を確認してください。', en: 'Not saved: check the marked fields.' })}</Notice>}
      <form method="post" action={props.code ? `/admin/issuers/${props.code}` : '/admin/issuers'} class="settings">
        <Csrf token={props.me.csrf} />
        {GROUPS.map((g, i) => (
          <fieldset>
            <legend>{t(g)}</legend>
            {FIELDS.filter((f) => f.group === i).map(input)}
            {i === 2 && props.smsPreview && (
              <div class="sms-preview">
                <p id="sms-preview-heading" class="preview-title">
                  <strong>{t({ ja: 'ワンタイムパスワードのSMS（見本）', en: 'The one-time password SMS (sample)' })}</strong>
                </p>
                {/* The live region stays; htmx swaps only its content, so the new text is announced. */}
                <div id="sms-preview-body" aria-live="polite" aria-labelledby="sms-preview-heading">
                  <SmsPreview lang={props.lang} preview={props.smsPreview} />
                </div>
              </div>
            )}
          </fieldset>
        ))}
        {props.editable && (
          <div class="narrow">
            <StepUpField lang={props.lang} error={props.codeError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
            <button type="submit" class="primary">
              {t({ ja: '保存する', en: 'Save' })}
            </button>
          </div>
        )}
      </form>
      {props.code && props.editable && <AssetUpload lang={props.lang} code={props.code} csrf={props.me.csrf} problem={props.assetProblem} />}
      {props.code && (
        <section aria-labelledby="ranges-heading">
          <h2 id="ranges-heading">{t({ ja: 'BINレンジ', en: 'BIN ranges' })}</h2>
          {props.ranges.length === 0 ? (
            <p>
              {t({ ja: 'まだありません。', en: 'None yet.' })} <a href="/admin/bin-ranges">{t({ ja: 'BINレンジを追加する', en: 'Add BIN ranges' })}</a>
            </p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t({ ja: 'ブランド', en: 'Brand' })}</th>
                    <th scope="col">{t({ ja: '開始', en: 'Start' })}</th>
                    <th scope="col">{t({ ja: '終了', en: 'End' })}</th>
                    <th scope="col">{t({ ja: '名前', en: 'Label' })}</th>
                    <th scope="col">{t({ ja: '状態', en: 'Status' })}</th>
                  </tr>
                </thead>
                <tbody>
                  {props.ranges.map((r) => (
                    <tr>
                      <td>{r.brand}</td>
                      <td>{r.rangeStart}</td>
                      <td>{r.rangeEnd}</td>
                      <td>{r.label}</td>
                      <td>{r.enabled ? t({ ja: '有効', en: 'Enabled' }) : t({ ja: '無効', en: 'Disabled' })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {props.moved && <Notice kind="success">{t({ ja: 'BINレンジを移しました。', en: 'BIN range moved.' })}</Notice>}
          {props.movable && props.movable.length > 0 && (
            <form method="post" action={`/admin/issuers/${props.code}/ranges`} class="stack narrow">
              <h3>{t({ ja: 'このカード会社にBINレンジを移す', en: 'Move a BIN range to this issuer' })}</h3>
              <Csrf token={props.me.csrf} />
              <Field id="f-range" label={t({ ja: 'BINレンジ', en: 'BIN range' })}>
                {(aria) => (
                  <select {...aria} name="rangeId">
                    {props.movable!.map((r) => (
                      <option value={String(r.id)}>{r.text}</option>
                    ))}
                  </select>
                )}
              </Field>
              <StepUpField lang={props.lang} id="move-code" error={props.moveCodeError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
              <button type="submit" class="primary">
                {t({ ja: '移す', en: 'Move' })}
              </button>
            </form>
          )}
        </section>
      )}
    </AdminShell>
  );
}

/** The OTP SMS in both languages, with its length against one segment. */
export function SmsPreview({ lang, preview }: { lang: Lang; preview: Bi<SmsPreviewText> }) {
  const t = say(lang);
  return (
    <>
      {(['ja', 'en'] as const).map((l) => {
        const p = preview[l];
        return (
          <figure lang={l}>
            <pre class="sms-text">{p.text}</pre>
            <figcaption lang={lang}>
              {t({ ja: l === 'ja' ? '日本語' : '英語', en: l === 'ja' ? 'Japanese' : 'English' })}: {p.length}/{p.limit}{' '}
              {t({ ja: `文字・${p.segments}通`, en: `characters, ${p.segments} segment${p.segments > 1 ? 's' : ''}` })}
              {p.nameShortened && ` — ${t({ ja: '社名は1通に収まるよう短縮されます', en: 'the name is shortened to fit one segment' })}`}
            </figcaption>
          </figure>
        );
      })}
    </>
  );
}

const ASSET_PROBLEM: Record<AssetProblem | 'code', Bi> = {
  empty: { ja: 'ファイルを選んでください。', en: 'Choose a file.' },
  too_large: { ja: '256KB以下の画像にしてください。', en: 'The image must be 256 KB or less.' },
  not_an_image: { ja: 'PNG・JPEG・GIF・WebP・SVG の画像を選んでください。', en: 'Choose a PNG, JPEG, GIF, WebP or SVG image.' },
  code: { ja: 'コードが正しくありません。', en: 'That code is not right.' },
};

/** Upload a logo or scheme mark: it is then served from this appliance. */
function AssetUpload({ lang, code, csrf, problem }: { lang: Lang; code: string; csrf: string; problem?: AssetProblem | 'code' }) {
  const t = say(lang);
  return (
    <form method="post" action={`/admin/issuers/${code}/assets`} enctype="multipart/form-data" class="stack narrow">
      <h2>{t({ ja: 'ロゴ・マーク画像のアップロード', en: 'Upload a logo or mark' })}</h2>
      {problem && problem !== 'code' && <Notice kind="alert">{t(ASSET_PROBLEM[problem])}</Notice>}
      <Csrf token={csrf} />
      <Field id="f-slot" label={t({ ja: '用途', en: 'Used as' })}>
        {(aria) => (
          <select {...aria} name="slot">
            <option value="logo">{t({ ja: 'ロゴ', en: 'Logo' })}</option>
            <option value="markJcb">J/Secure</option>
            <option value="markVisa">Visa Secure</option>
            <option value="markMastercard">Mastercard Identity Check</option>
          </select>
        )}
      </Field>
      <Field
        id="f-file"
        label={t({ ja: '画像ファイル', en: 'Image file' })}
        hint={t({ ja: 'PNG・JPEG・GIF・WebP・SVG、256KBまで', en: 'PNG, JPEG, GIF, WebP or SVG, up to 256 KB' })}
        error={problem && problem !== 'code' ? t(ASSET_PROBLEM[problem]) : undefined}
      >
        {(aria) => <input {...aria} name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp,image/svg+xml" required />}
      </Field>
      <StepUpField lang={lang} id="asset-code" error={problem === 'code' ? t(ASSET_PROBLEM.code) : undefined} />
      <button type="submit" class="primary">
        {t({ ja: 'アップロード', en: 'Upload' })}
      </button>
    </form>
  );
}
