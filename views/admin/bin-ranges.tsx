/** BIN ranges in the console: the issuer's ranges, adding one, disabling one. */
import type { BinRangeProblem } from '../../src/cards/bin-ranges.ts';
import { BIN_RANGE_BRANDS, BIN_RANGE_DIGITS, BIN_RANGE_MAX_LABEL } from '../../src/cards/bin-ranges.ts';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';

/** The schemes' names as their staff write them. */
const BRAND_NAMES: Record<string, string> = { jcb: 'JCB', visa: 'Visa', mastercard: 'Mastercard' };

export interface BinRangeView {
  id: number;
  brand: string;
  rangeStart: string;
  rangeEnd: string;
  label: string;
  enabled: boolean;
  issuer: Bi;
}

export type BinRangeNotice = { kind: 'added'; warnBrand?: boolean } | { kind: 'disabled' } | { kind: 'already_disabled' };

type Problem = BinRangeProblem | { field: 'issuer'; code: 'required' } | { field: 'start'; code: 'overlap'; clash: string };

/** A refused range in words, beside its field. */
export function problemText(p: Problem): Bi {
  switch (p.code) {
    case 'required':
      return { ja: '入力してください。', en: 'Required.' };
    case 'unknown_brand':
      return { ja: 'ブランドを選んでください。', en: 'Choose a brand.' };
    case 'not_digits':
      return { ja: '数字だけで入力してください。', en: 'Digits only.' };
    case 'digit_count':
      return { ja: `${BIN_RANGE_DIGITS.min}〜${BIN_RANGE_DIGITS.max}桁で入力してください（${p.length}桁）。`, en: `${BIN_RANGE_DIGITS.min} to ${BIN_RANGE_DIGITS.max} digits (this has ${p.length}).` };
    case 'length_mismatch':
      return { ja: `開始と終了は同じ桁数にしてください（${p.startLength}桁と${p.endLength}桁）。`, en: `Start and end must have the same length (${p.startLength} and ${p.endLength} digits).` };
    case 'start_above_end':
      return { ja: '開始が終了より大きくなっています。', en: 'Start is above end.' };
    case 'label_too_long':
      return { ja: `${p.max}文字以内で入力してください。`, en: `At most ${p.max} characters.` };
    case 'overlap':
      return { ja: `有効なBINレンジ（${p.clash}）と重なっています。`, en: `Overlaps an enabled range (${p.clash}).` };
  }
}

export function BinRangesPage(props: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  ranges: BinRangeView[];
  /** For a platform administrator: whose a new range is. */
  issuers: { id: number; name: Bi }[] | null;
  typed?: Record<string, string>;
  problem?: Problem;
  codeError?: 'add' | number;
  notice?: BinRangeNotice;
}) {
  const t = say(props.lang);
  const typed = props.typed ?? {};
  const errorFor = (field: string) => (props.problem?.field === field ? t(problemText(props.problem)) : undefined);
  const wrongCode = t({ ja: 'コードが正しくありません。', en: 'That code is not right.' });
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'BINレンジ', en: 'BIN ranges' }}>
      <h1>{t({ ja: 'BINレンジ', en: 'BIN ranges' })}</h1>
      <p>{t({ ja: 'この範囲のカード番号の認証にこのアプライアンスが応答します。範囲外のカードは Erro 305 です。', en: 'This appliance answers for card numbers in these ranges; others get Erro 305.' })}</p>
      {props.notice?.kind === 'added' && (
        <Notice kind="success">
          {t({ ja: 'BINレンジを追加しました。', en: 'BIN range added.' })}
          {props.notice.warnBrand && ` ${t({ ja: '注意：このブランドの通常の番号帯ではありません。', en: 'Note: this is not the brand’s usual number block.' })}`}
        </Notice>
      )}
      {props.notice?.kind === 'disabled' && <Notice kind="success">{t({ ja: 'BINレンジを無効にしました。', en: 'BIN range disabled.' })}</Notice>}
      {props.notice?.kind === 'already_disabled' && <Notice kind="alert">{t({ ja: 'このBINレンジはすでに無効です。', en: 'This range is already disabled.' })}</Notice>}
      {props.problem && <Notice kind="alert">{t({ ja: '追加できませんでした。印のある項目を確認してください。', en: 'Not added: check the marked field.' })}</Notice>}
      <div class="table-wrap">
        <table>
          <caption>{t({ ja: '登録済みのBINレンジ', en: 'Ranges on file' })}</caption>
          <thead>
            <tr>
              {props.issuers && <th scope="col">{t({ ja: 'カード会社', en: 'Issuer' })}</th>}
              <th scope="col">{t({ ja: 'ブランド', en: 'Brand' })}</th>
              <th scope="col">{t({ ja: '開始', en: 'Start' })}</th>
              <th scope="col">{t({ ja: '終了', en: 'End' })}</th>
              <th scope="col">{t({ ja: '名前', en: 'Label' })}</th>
              <th scope="col">{t({ ja: '状態', en: 'Status' })}</th>
              <th scope="col">{t({ ja: '操作', en: 'Action' })}</th>
            </tr>
          </thead>
          <tbody>
            {props.ranges.map((r) => (
              <tr>
                {props.issuers && <td>{t(r.issuer)}</td>}
                <td>{BRAND_NAMES[r.brand] ?? r.brand}</td>
                <td>{r.rangeStart}</td>
                <td>{r.rangeEnd}</td>
                <td>{r.label}</td>
                <td>{r.enabled ? t({ ja: '有効', en: 'Enabled' }) : t({ ja: '無効', en: 'Disabled' })}</td>
                <td>
                  {r.enabled && (
                    <details>
                      <summary>{t({ ja: '無効にする', en: 'Disable' })}</summary>
                      <form method="post" action={`/admin/bin-ranges/${r.id}/disable`} class="stack">
                        <Csrf token={props.me.csrf} />
                        <StepUpField lang={props.lang} id={`disable-code-${r.id}`} error={props.codeError === r.id ? wrongCode : undefined} />
                        <button type="submit" class="danger">
                          {t({ ja: `${r.rangeStart}–${r.rangeEnd} を無効にする`, en: `Disable ${r.rangeStart}–${r.rangeEnd}` })}
                        </button>
                      </form>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action="/admin/bin-ranges" class="stack narrow">
        <h2>{t({ ja: 'BINレンジを追加', en: 'Add a BIN range' })}</h2>
        <Csrf token={props.me.csrf} />
        {props.issuers && (
          <Field id="f-issuer" label={t({ ja: 'カード会社', en: 'Issuer' })} error={errorFor('issuer')}>
            {(aria) => (
              <select {...aria} name="issuerId">
                {props.issuers!.map((i) => (
                  <option value={String(i.id)} selected={typed.issuerId === String(i.id)}>
                    {t(i.name)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id="f-brand" label={t({ ja: 'ブランド', en: 'Brand' })} error={errorFor('brand')}>
          {(aria) => (
            <select {...aria} name="brand" required>
              <option value="">{t({ ja: '選んでください', en: 'Choose' })}</option>
              {BIN_RANGE_BRANDS.map((b) => (
                <option value={b} selected={typed.brand === b}>
                  {BRAND_NAMES[b]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="f-start" label={t({ ja: '開始', en: 'Start' })} hint={t({ ja: `${BIN_RANGE_DIGITS.min}〜${BIN_RANGE_DIGITS.max}桁の数字`, en: `${BIN_RANGE_DIGITS.min} to ${BIN_RANGE_DIGITS.max} digits` })} error={errorFor('start')}>
          {(aria) => <input {...aria} name="start" inputmode="numeric" autocomplete="off" value={typed.start ?? ''} required />}
        </Field>
        <Field id="f-end" label={t({ ja: '終了', en: 'End' })} hint={t({ ja: '開始と同じ桁数', en: 'As many digits as the start' })} error={errorFor('end')}>
          {(aria) => <input {...aria} name="end" inputmode="numeric" autocomplete="off" value={typed.end ?? ''} required />}
        </Field>
        <Field id="f-label" label={t({ ja: '名前（任意）', en: 'Label (optional)' })} hint={t({ ja: `${BIN_RANGE_MAX_LABEL}文字以内`, en: `Up to ${BIN_RANGE_MAX_LABEL} characters` })} error={errorFor('label')}>
          {(aria) => <input {...aria} name="label" value={typed.label ?? ''} />}
        </Field>
        <StepUpField lang={props.lang} id="add-code" error={props.codeError === 'add' ? wrongCode : undefined} />
        <button type="submit" class="primary">
          {t({ ja: '追加する', en: 'Add' })}
        </button>
      </form>
    </AdminShell>
  );
}
