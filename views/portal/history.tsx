/**
 * "My authentications" (/portal/history) and its "this was not me" report: a list of cards (one
 * per authentication, phone-first, no wide table), the confirmation page with an optional note,
 * and the page that says what happens next. One language at a time, in the portal's one shell.
 * Nothing here names a risk reason, a score or a protocol code: the cardholder reads outcomes in
 * words.
 */
import type { Bi, Lang } from '../i18n.ts';
import type { Method, Outcome } from '../../src/portal/history.ts';
import { Tel } from '../phone.tsx';
import { CsrfField } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

/** One authentication as the page shows it (times and amounts formatted by the route). */
export interface HistoryItem {
  acsTransID: string;
  when: string;
  merchant: string | null;
  amount: string;
  outcome: Outcome;
  method: Method;
  last4: string;
  /** The day it was reported as "not me", formatted; null when it was not. */
  reportedOn: string | null;
}

const OUTCOME: Record<Outcome, Bi> = {
  frictionless: { ja: '承認（パスワード入力なし）', en: 'Approved without a code' },
  authenticated: { ja: '本人認証に成功', en: 'Verified: it was you' },
  failed: { ja: '本人認証に失敗', en: 'Verification failed' },
  cancelled: { ja: 'キャンセル', en: 'Cancelled' },
  timed_out: { ja: '時間切れ', en: 'Timed out' },
  needs_registration: { ja: '未完了（登録のご案内を表示）', en: 'Not completed (registration needed)' },
  declined: { ja: 'お取り扱いできませんでした', en: 'Declined' },
  unavailable: { ja: '本人認証を行えませんでした', en: 'Could not be verified' },
  in_progress: { ja: '手続き中', en: 'In progress' },
};

const METHOD: Record<Method, Bi> = {
  sms: { ja: 'SMSの確認コード', en: 'SMS code' },
  password: { ja: 'パスワード', en: 'Password' },
  none: { ja: 'なし', en: 'None' },
};

const W = {
  title: { ja: 'ご利用履歴', en: 'My authentications' },
  intro: {
    ja: '過去90日間に、お持ちのカードで行われた本人認証（3-Dセキュア）です。新しい順に表示しています。',
    en: 'The 3-D Secure authentications of your cards in the last 90 days, newest first.',
  },
  empty: { ja: '過去90日間のご利用はありません。', en: 'No authentication in the last 90 days.' },
  when: { ja: '日時', en: 'Date and time' },
  amount: { ja: '金額', en: 'Amount' },
  result: { ja: '結果', en: 'Result' },
  method: { ja: '認証方法', en: 'Method' },
  card: { ja: 'カード', en: 'Card' },
  unknownMerchant: { ja: '（加盟店名なし）', en: '(no merchant name)' },
  notMe: { ja: '身に覚えがない', en: 'This was not me' },
  reported: { ja: 'ご報告済み', en: 'Reported' },
  older: { ja: 'さらに前のご利用を表示', en: 'Show older' },
  newest: { ja: '最新のご利用に戻る', en: 'Back to the newest' },
  listLabel: { ja: '本人認証の一覧', en: 'Authentications' },
  reportTitle: { ja: '身に覚えのないご利用の報告', en: 'Report an authentication that was not you' },
  reportIntro: {
    ja: 'このご利用に身に覚えがない場合は、カード会社のヘルプデスクにお知らせください。',
    en: 'If you did not make this purchase, let the card issuer’s helpdesk know.',
  },
  note: { ja: 'お気づきの点（任意）', en: 'Anything you noticed (optional)' },
  noteHint: { ja: '500文字以内。カード番号やパスワードは書かないでください。', en: 'At most 500 characters. Do not write your card number or password.' },
  noteTooLong: { ja: '500文字以内で入力してください。', en: 'Use at most 500 characters.' },
  submit: { ja: 'ヘルプデスクに報告する', en: 'Report it to the helpdesk' },
  back: { ja: 'ご利用履歴に戻る', en: 'Back to my authentications' },
  doneTitle: { ja: 'ご報告を受け付けました', en: 'Your report was received' },
  alreadyTitle: { ja: 'このご利用はご報告済みです', en: 'This was reported already' },
  next: {
    ja: 'カード会社のヘルプデスクが内容を確認し、ご登録の連絡先にご連絡します。',
    en: 'The card issuer’s helpdesk will look into it and contact you.',
  },
  callNow: {
    ja: 'カードが不正に使われた可能性がある場合は、今すぐお電話ください：',
    en: 'If your card may have been used fraudulently, call now: ',
  },
  password: { ja: '念のため、本人認証パスワードの変更をおすすめします。', en: 'To be safe, we suggest you change your 3-D Secure password.' },
  changePassword: { ja: 'パスワードを変更する', en: 'Change my password' },
  notFoundTitle: { ja: 'ご利用が見つかりません', en: 'Authentication not found' },
  notFound: {
    ja: 'お探しのご利用は見つかりませんでした。ご利用履歴からお選びください。',
    en: 'We could not find that authentication. Please choose one from your list.',
  },
} satisfies Record<string, Bi>;

/** A parenthesised aside: full-width brackets in Japanese. */
const paren = (lang: Lang, text: string) => (lang === 'ja' ? `（${text}）` : ` (${text})`);

interface Base {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member: { loginId: string };
  csrf?: string;
  announce?: string;
}

/** The facts of one authentication: the same on the list and on the report's pages. */
function Facts({ lang, item }: { lang: Lang; item: HistoryItem }) {
  const t = (b: Bi) => b[lang];
  return (
    <dl class="history-facts">
      <div>
        <dt>{t(W.when)}</dt>
        <dd>{item.when}</dd>
      </div>
      <div>
        <dt>{t(W.result)}</dt>
        <dd class={`history-outcome outcome-${item.outcome}`}>{t(OUTCOME[item.outcome])}</dd>
      </div>
      <div>
        <dt>{t(W.method)}</dt>
        <dd>{t(METHOD[item.method])}</dd>
      </div>
      <div>
        <dt>{t(W.card)}</dt>
        <dd>
          <span aria-hidden="true">•••• </span>
          <span class="visually-hidden">{lang === 'ja' ? '下4桁 ' : 'ending in '}</span>
          {item.last4}
        </dd>
      </div>
    </dl>
  );
}

function Heading({ lang, item, level }: { lang: Lang; item: HistoryItem; level: 2 | 3 }) {
  const merchant = item.merchant || W.unknownMerchant[lang];
  const inner = (
    <>
      <span class="history-merchant">{merchant}</span>
      {item.amount && <span class="history-amount">{item.amount}</span>}
    </>
  );
  return level === 2 ? <h2 class="history-head">{inner}</h2> : <h3 class="history-head">{inner}</h3>;
}

export function HistoryPage(p: Base & { items: HistoryItem[]; olderHref?: string; newestHref?: string }) {
  const t = (b: Bi) => b[p.lang];
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path} member={p.member} csrf={p.csrf} announce={p.announce}>
      <h1>{t(W.title)}</h1>
      <p>{t(W.intro)}</p>
      {p.items.length === 0 ? (
        <p class="notice">{t(W.empty)}</p>
      ) : (
        <ol class="history-list" aria-label={t(W.listLabel)}>
          {p.items.map((item) => (
            <li class="history-item">
              <Heading lang={p.lang} item={item} level={2} />
              <Facts lang={p.lang} item={item} />
              {item.reportedOn ? (
                <p class="history-reported">
                  {t(W.reported)}
                  {paren(p.lang, item.reportedOn)}
                </p>
              ) : (
                <a class="button secondary history-report" href={`/portal/history/${item.acsTransID}/report`}>
                  {t(W.notMe)}
                </a>
              )}
            </li>
          ))}
        </ol>
      )}
      <p class="history-pages">
        {p.newestHref && <a href={p.newestHref}>{t(W.newest)}</a>}
        {p.olderHref && (
          <a class="button secondary" href={p.olderHref}>
            {t(W.older)}
          </a>
        )}
      </p>
    </PortalShell>
  );
}

export function ReportPage(p: Base & { item: HistoryItem; note: string; noteError?: boolean }) {
  const t = (b: Bi) => b[p.lang];
  const described = ['note-hint', p.noteError ? 'note-error' : ''].filter(Boolean).join(' ');
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.reportTitle} path={p.path} member={p.member} csrf={p.csrf} announce={p.announce}>
      <h1>{t(W.reportTitle)}</h1>
      <p>{t(W.reportIntro)}</p>
      <section class="history-item">
        <Heading lang={p.lang} item={p.item} level={2} />
        <Facts lang={p.lang} item={p.item} />
      </section>
      {p.noteError && (
        <div class="alert" id="error-summary">
          <p>{p.lang === 'ja' ? '入力内容をご確認ください。' : 'Please check what you entered.'}</p>
        </div>
      )}
      <form method="post" action={`/portal/history/${p.item.acsTransID}/report`} {...PORTAL_HX}>
        <CsrfField token={p.csrf} />
        <div class="field">
          <label for="note">{t(W.note)}</label>
          <p id="note-hint" class="muted small">
            {t(W.noteHint)}
          </p>
          <textarea id="note" name="note" rows={4} maxlength={500} aria-describedby={described} aria-invalid={p.noteError ? 'true' : undefined} autofocus={p.noteError}>
            {p.note}
          </textarea>
          {p.noteError && (
            <p id="note-error" class="field-error">
              {t(W.noteTooLong)}
            </p>
          )}
        </div>
        <div class="history-actions">
          <button type="submit">{t(W.submit)}</button>
          <a class="button secondary" href="/portal/history">
            {t(W.back)}
          </a>
        </div>
      </form>
    </PortalShell>
  );
}

/** After the report (or a second one): what happens next, the phone to call, the password change. */
export function ReportedPage(p: Base & { item: HistoryItem; already: boolean; reportedOn: string }) {
  const t = (b: Bi) => b[p.lang];
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={p.already ? W.alreadyTitle : W.doneTitle} path={p.path} member={p.member} csrf={p.csrf} announce={p.announce}>
      <h1>{t(p.already ? W.alreadyTitle : W.doneTitle)}</h1>
      <div class={p.already ? 'notice' : 'success'}>
        <p>{p.lang === 'ja' ? `${p.reportedOn}にご報告いただきました。` : `Reported on ${p.reportedOn}.`}</p>
      </div>
      <section class="history-item">
        <Heading lang={p.lang} item={p.item} level={2} />
        <Facts lang={p.lang} item={p.item} />
      </section>
      <p>{t(W.next)}</p>
      <p>
        {t(W.callNow)}
        <Tel phone={p.issuer.phone} />
        {t(p.issuer.hours) ? paren(p.lang, t(p.issuer.hours)) : ''}
      </p>
      <p>{t(W.password)}</p>
      <div class="history-actions">
        <a class="button" href="/portal/password">
          {t(W.changePassword)}
        </a>
        <a class="button secondary" href="/portal/history">
          {t(W.back)}
        </a>
      </div>
    </PortalShell>
  );
}

export function HistoryNotFoundPage(p: Base) {
  const t = (b: Bi) => b[p.lang];
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.notFoundTitle} path={p.path} member={p.member} csrf={p.csrf}>
      <h1>{t(W.notFoundTitle)}</h1>
      <p>{t(W.notFound)}</p>
      <p>
        <a class="button secondary" href="/portal/history">
          {t(W.back)}
        </a>
      </p>
    </PortalShell>
  );
}

/** The live region's text after a report, and for a note that is too long. */
export const REPORT_ANNOUNCE = { done: W.doneTitle, already: W.alreadyTitle, noteTooLong: W.noteTooLong } satisfies Record<string, Bi>;
