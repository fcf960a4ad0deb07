/** The signed-in home page, the recovery codes shown once, and the console's refusals. */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, ROLE_LABEL, say, type SignedIn } from './shell.tsx';

export interface HomeProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  /** What this person may do, one line each. */
  abilities: Bi[];
  /** Where to go, as in the menu. */
  lastSignInAt: string | null;
  recoveryCodesLeft: number;
  issuerPhone?: string;
}

export function HomePage(props: HomeProps) {
  const t = say(props.lang);
  const { me } = props;
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={me} title={{ ja: 'ホーム', en: 'Home' }}>
      <h1>{t({ ja: `${me.displayName} さん、ようこそ`, en: `Welcome, ${me.displayName}` })}</h1>
      <dl class="facts">
        <div>
          <dt>{t({ ja: 'カード会社', en: 'Issuer' })}</dt>
          <dd>{me.issuer ? t(me.issuer) : t({ ja: '全カード会社（プラットフォーム）', en: 'Every issuer (platform)' })}</dd>
        </div>
        <div>
          <dt>{t({ ja: 'ユーザー名', en: 'Username' })}</dt>
          <dd>{me.username}</dd>
        </div>
        <div>
          <dt>{t({ ja: '役割', en: 'Role' })}</dt>
          <dd>{t(ROLE_LABEL[me.role])}</dd>
        </div>
        <div>
          <dt>{t({ ja: '前回のサインイン', en: 'Previous sign-in' })}</dt>
          <dd>{props.lastSignInAt ?? '—'}</dd>
        </div>
        <div>
          <dt>{t({ ja: '残りの回復コード', en: 'Recovery codes left' })}</dt>
          <dd>{props.recoveryCodesLeft}</dd>
        </div>
      </dl>
      <h2>{t({ ja: 'この役割でできること', en: 'What your role may do' })}</h2>
      <ul class="abilities">
        {props.abilities.map((a) => (
          <li>{t(a)}</li>
        ))}
      </ul>
      {me.nav.length > 1 && (
        <nav aria-label={t({ ja: 'よく使う画面', en: 'Shortcuts' })} class="cards-nav">
          {me.nav
            .filter((n) => n.href !== '/admin')
            .map((n) => (
              <a class="nav-card" href={n.href}>
                <strong>{t(n.label)}</strong>
              </a>
            ))}
        </nav>
      )}
      {props.recoveryCodesLeft <= 3 && (
        <p class="alert" role="status">
          {t({
            ja: '回復コードが残り少なくなっています。管理者に再登録を依頼すると、新しいコードが発行されます。',
            en: 'You are running out of recovery codes. An administrator can reset your sign-in to issue new ones.',
          })}
        </p>
      )}
    </AdminShell>
  );
}

export function RecoveryCodesPage({ lang, path, site, me, codes }: { lang: Lang; path: string; site: Bi; me: SignedIn; codes: string[] }) {
  const t = say(lang);
  return (
    <AdminShell lang={lang} path={path} site={site} me={me} title={{ ja: '回復コード', en: 'Recovery codes' }}>
      <div class="narrow">
        <h1>{t({ ja: 'アカウントの登録（3/3）回復コード', en: 'Set up your account (3 of 3): recovery codes' })}</h1>
        <p role="status" class="success">
          {t({ ja: '認証アプリを登録しました。サインインしています。', en: 'Your authenticator app is set up and you are signed in.' })}
        </p>
        <p>
          {t({
            ja: '認証アプリが使えなくなったときに、コードの代わりに使えます。それぞれ一度だけ使えます。この画面は二度と表示されません。印刷するか、パスワード管理ソフトに保存してください。',
            en: 'Use one instead of a code when your authenticator is not at hand. Each works once. This page is never shown again: print the codes or keep them in a password manager.',
          })}
        </p>
        <ol class="recovery-codes" id="recovery-codes">
          {codes.map((code) => (
            <li>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <p>
          <a class="button" href="/admin">
            {t({ ja: '保存しました。ホームへ', en: 'I have saved them: go to the home page' })}
          </a>
        </p>
      </div>
    </AdminShell>
  );
}

export type Refusal = 'forbidden' | 'not_found' | 'csrf';

const REFUSALS: Record<Refusal, { title: Bi; body: Bi }> = {
  forbidden: {
    title: { ja: 'この画面は使えません', en: 'Not available to your role' },
    body: { ja: 'あなたの役割では、この画面や操作は使えません。必要な場合は管理者にご相談ください。', en: 'Your role does not allow this page or action. Ask an administrator if you need it.' },
  },
  not_found: {
    title: { ja: '見つかりません', en: 'Not found' },
    body: { ja: 'お探しのものは見つからないか、あなたの担当範囲外です。', en: 'What you are looking for does not exist or is outside what you may see.' },
  },
  csrf: {
    title: { ja: '操作を受け付けられませんでした', en: 'The request was refused' },
    body: {
      ja: 'このページ以外から送信されたか、画面が古くなっています。ページを開き直してから、もう一度操作してください。',
      en: 'It did not come from this console’s own page, or the page was out of date. Open the page again and retry.',
    },
  },
};

export function RefusalPage({ lang, path, site, me, kind }: { lang: Lang; path: string; site: Bi; me?: SignedIn; kind: Refusal }) {
  const t = say(lang);
  const r = REFUSALS[kind];
  return (
    <AdminShell lang={lang} path={path} site={site} me={me} title={r.title}>
      <h1>{t(r.title)}</h1>
      <p>{t(r.body)}</p>
      <p>
        <a href="/admin">{t({ ja: 'ホームへ', en: 'Home' })}</a>
      </p>
    </AdminShell>
  );
}
