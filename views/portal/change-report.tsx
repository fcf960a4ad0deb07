/**
 * The pages of a change notice's "this was not me" link (/portal/report/:token): what changed and
 * one button; then "the helpdesk will call you"; and one neutral page for a link that does not
 * work. No sign-in (the link is the credential), so no member menu.
 */
import type { Bi, Lang } from '../i18n.ts';
import { Tel } from '../phone.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export type ReportedChangeName = 'password' | 'phone' | 'email' | 'personal_message';

const W = {
  title: { ja: '身に覚えのない変更のお知らせ', en: 'Report a change you did not make' },
  what: {
    password: { ja: '本人認証パスワード', en: 'your 3-D Secure password' },
    phone: { ja: '認証用の携帯電話番号', en: 'your 3-D Secure phone number' },
    email: { ja: 'ご登録のメールアドレス', en: 'your registered e-mail address' },
    personal_message: { ja: 'パーソナルメッセージ', en: 'your personal message' },
  } satisfies Record<ReportedChangeName, Bi>,
  changed: (what: Bi, when: string): Bi => ({ ja: `${when} に${what.ja}が変更されました。`, en: `${capital(what.en)} was changed at ${when}.` }),
  ask: {
    ja: 'この変更にお心当たりがない場合は、下のボタンでお知らせください。カード会社の担当者からご連絡します。',
    en: 'If you did not make this change, tell us with the button below. Your card issuer’s helpdesk will contact you.',
  },
  button: { ja: '心当たりがないことを知らせる', en: 'This was not me' },
  doneTitle: { ja: 'お知らせを受け付けました', en: 'Thank you, we have your report' },
  done: {
    ja: 'カード会社の担当者からお電話します。お急ぎの場合は、いますぐ次の番号へお電話ください。',
    en: 'Your card issuer’s helpdesk will call you. If it is urgent, call them now:',
  },
  already: { ja: 'この変更については、すでにお知らせを受け付けています。', en: 'We already have your report about this change.' },
  invalidTitle: { ja: 'このリンクは使えません', en: 'This link cannot be used' },
  invalid: {
    ja: 'リンクの有効期限が切れたか、正しくありません。身に覚えのない変更があった場合は、カード会社へお電話ください。',
    en: 'The link has expired or is not valid. If something changed that you did not change, please call your card issuer.',
  },
} as const;

function capital(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface Base {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
}

function CallNow({ lang, issuer }: { lang: Lang; issuer: PortalIssuer }) {
  return (
    <p class="call-now">
      {issuer.name[lang]} <Tel phone={issuer.phone} />
      {issuer.hours[lang] ? ` (${issuer.hours[lang]})` : ''}
    </p>
  );
}

export function ChangeReportPage(p: Base & { change: ReportedChangeName; when: string; action: string }) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path}>
      <h1>{W.title[p.lang]}</h1>
      <p id="what-changed">{W.changed(W.what[p.change], p.when)[p.lang]}</p>
      <p>{W.ask[p.lang]}</p>
      <form method="post" action={p.action} {...PORTAL_HX} class="settings-form">
        <button type="submit">{W.button[p.lang]}</button>
      </form>
      <CallNow lang={p.lang} issuer={p.issuer} />
    </PortalShell>
  );
}

export function ChangeReportDonePage(p: Base & { already: boolean }) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.doneTitle} path={p.path} announce={W.doneTitle[p.lang]}>
      <h1>{W.doneTitle[p.lang]}</h1>
      {p.already && <p>{W.already[p.lang]}</p>}
      <p class="success">{W.done[p.lang]}</p>
      <CallNow lang={p.lang} issuer={p.issuer} />
    </PortalShell>
  );
}

export function ChangeReportInvalidPage(p: Base) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.invalidTitle} path={p.path}>
      <h1>{W.invalidTitle[p.lang]}</h1>
      <p>{W.invalid[p.lang]}</p>
      <CallNow lang={p.lang} issuer={p.issuer} />
    </PortalShell>
  );
}
