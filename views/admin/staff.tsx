/** Staff management: the list, inviting someone, one person's page with its actions. */
import type { Child } from 'hono/jsx';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, ROLE_LABEL, say, StepUpField, type RoleName, type SignedIn } from './shell.tsx';

export type StaffState = 'invited' | 'active' | 'disabled' | 'locked';

const STATE_LABEL: Record<StaffState, Bi> = {
  invited: { ja: '登録待ち', en: 'Invited' },
  active: { ja: '利用中', en: 'Active' },
  disabled: { ja: '停止中', en: 'Disabled' },
  locked: { ja: 'ロック中', en: 'Locked' },
};

export interface StaffListItem {
  id: number;
  username: string;
  displayName: string;
  role: RoleName;
  issuer: Bi | null;
  state: StaffState;
  lastSignIn: string;
}

export function StaffListPage(props: { lang: Lang; path: string; site: Bi; me: SignedIn; rows: StaffListItem[]; canManage: boolean }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'スタッフ', en: 'Staff' }}>
      <h1>{t({ ja: 'スタッフ', en: 'Staff' })}</h1>
      {props.canManage && (
        <p>
          <a class="button" href="/admin/staff/new">
            {t({ ja: 'スタッフを招待', en: 'Invite a staff member' })}
          </a>
        </p>
      )}
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{t({ ja: 'スタッフ一覧', en: 'Staff list' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t({ ja: 'ユーザー名', en: 'Username' })}</th>
              <th scope="col">{t({ ja: '氏名', en: 'Name' })}</th>
              <th scope="col">{t({ ja: 'カード会社', en: 'Issuer' })}</th>
              <th scope="col">{t({ ja: '役割', en: 'Role' })}</th>
              <th scope="col">{t({ ja: '状態', en: 'Status' })}</th>
              <th scope="col">{t({ ja: '最終サインイン', en: 'Last sign-in' })}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/admin/staff/${r.id}`}>{r.username}</a>
                </td>
                <td>{r.displayName}</td>
                <td>{r.issuer ? t(r.issuer) : '—'}</td>
                <td>{t(ROLE_LABEL[r.role])}</td>
                <td>{t(STATE_LABEL[r.state])}</td>
                <td>{r.lastSignIn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminShell>
  );
}

export interface InviteForm {
  username?: string;
  displayName?: string;
  role?: RoleName;
  issuerId?: number;
}
export type InviteError = 'username' | 'username_taken' | 'display_name' | 'role' | 'issuer' | 'code';

export function StaffNewPage(props: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  roles: readonly RoleName[];
  issuers: { id: number; name: Bi }[] | null;
  form: InviteForm;
  errors: InviteError[];
}) {
  const t = say(props.lang);
  const has = (e: InviteError) => props.errors.includes(e);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'スタッフを招待', en: 'Invite a staff member' }}>
      <div class="narrow">
        <h1>{t({ ja: 'スタッフを招待', en: 'Invite a staff member' })}</h1>
        <p>
          {t({
            ja: '招待すると一度だけ使える登録リンク（24時間有効）が表示されます。ご本人に安全な方法で渡してください。',
            en: 'Inviting shows a one-time enrolment link (valid 24 hours). Hand it to the person by a safe channel.',
          })}
        </p>
        <form method="post" action="/admin/staff" class="stack">
          <Csrf token={props.me.csrf} />
          <Field
            id="username"
            label={t({ ja: 'ユーザー名', en: 'Username' })}
            hint={t({ ja: '英小文字・数字・. _ - で3〜32文字', en: '3 to 32 lowercase letters, digits, . _ -' })}
            error={
              has('username_taken')
                ? t({ ja: 'このユーザー名は使われています。', en: 'This username is taken.' })
                : has('username')
                  ? t({ ja: 'ユーザー名の形式が正しくありません。', en: 'This is not a valid username.' })
                  : undefined
            }
          >
            {(aria) => <input {...aria} name="username" type="text" autocapitalize="none" spellcheck={false} required value={props.form.username ?? ''} />}
          </Field>
          <Field id="display-name" label={t({ ja: '氏名', en: 'Name' })} error={has('display_name') ? t({ ja: '1〜60文字で入力してください。', en: 'Enter 1 to 60 characters.' }) : undefined}>
            {(aria) => <input {...aria} name="displayName" type="text" required maxlength={60} value={props.form.displayName ?? ''} />}
          </Field>
          <Field id="role" label={t({ ja: '役割', en: 'Role' })} error={has('role') ? t({ ja: '役割を選んでください。', en: 'Choose a role.' }) : undefined}>
            {(aria) => (
              <select {...aria} name="role" required>
                {props.roles.map((r) => (
                  <option value={r} selected={props.form.role === r}>
                    {t(ROLE_LABEL[r])}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {props.issuers && (
            <Field
              id="issuer"
              label={t({ ja: 'カード会社', en: 'Issuer' })}
              hint={t({ ja: 'プラットフォーム管理者には不要です。', en: 'Not used for a platform administrator.' })}
              error={has('issuer') ? t({ ja: 'カード会社を選んでください。', en: 'Choose an issuer.' }) : undefined}
            >
              {(aria) => (
                <select {...aria} name="issuerId">
                  {props.issuers!.map((i) => (
                    <option value={String(i.id)} selected={props.form.issuerId === i.id}>
                      {t(i.name)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <StepUpField lang={props.lang} error={has('code') ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
          <button type="submit" class="primary">
            {t({ ja: '招待する', en: 'Invite' })}
          </button>
        </form>
      </div>
    </AdminShell>
  );
}

/** The enrolment link, shown once to the administrator who made it. */
export function EnrolmentLinkPage(props: { lang: Lang; path: string; site: Bi; me: SignedIn; username: string; link: string; reset: boolean }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: '登録リンク', en: 'Enrolment link' }}>
      <div class="narrow">
        <h1>{props.reset ? t({ ja: 'サインインをリセットしました', en: 'Sign-in reset' }) : t({ ja: '招待しました', en: 'Invited' })}</h1>
        <Notice kind="success">
          {t({
            ja: `${props.username} さんの登録リンクです。24時間以内に一度だけ使えます。この画面を閉じると再表示できません。`,
            en: `The enrolment link for ${props.username}. It works once, within 24 hours. It is not shown again once you leave this page.`,
          })}
        </Notice>
        <p>
          <code id="enrolment-link" class="link-box">
            {props.link}
          </code>
        </p>
        <p>
          <a href="/admin/staff">{t({ ja: 'スタッフ一覧へ', en: 'Back to the staff list' })}</a>
        </p>
      </div>
    </AdminShell>
  );
}

export type StaffAction = 'disable' | 'enable' | 'unlock' | 'reset' | 'role';

const DONE: Record<StaffAction, Bi> = {
  disable: { ja: '停止しました。サインイン中のセッションも終了しました。', en: 'Disabled. Their sessions have ended.' },
  enable: { ja: '再開しました。', en: 'Re-enabled.' },
  unlock: { ja: 'ロックを解除しました。', en: 'Unlocked.' },
  reset: { ja: 'リセットしました。', en: 'Reset.' },
  role: { ja: '役割を変更しました。サインイン中のセッションは終了しました。', en: 'Role changed. Their sessions have ended.' },
};

export function StaffDetailPage(props: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  person: StaffListItem & { createdAt: string; recoveryCodesLeft: number };
  canManage: boolean;
  isSelf: boolean;
  roles: readonly RoleName[];
  done?: StaffAction;
  error?: { action: StaffAction; kind: 'code' | 'self' };
}) {
  const t = say(props.lang);
  const p = props.person;
  const codeError = (a: StaffAction) =>
    props.error?.action === a && props.error.kind === 'code' ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined;
  const action = (a: StaffAction, label: Bi, extra?: Child) => (
    <form method="post" action={`/admin/staff/${p.id}/${a}`} class="stack action-form">
      <h3>{t(label)}</h3>
      <Csrf token={props.me.csrf} />
      {extra}
      <StepUpField lang={props.lang} id={`code-${a}`} error={codeError(a)} />
      <button type="submit" class={a === 'disable' || a === 'reset' ? 'danger' : 'primary'}>
        {t(label)}
      </button>
    </form>
  );
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'スタッフ', en: 'Staff member' }}>
      <h1>
        {p.displayName} ({p.username})
      </h1>
      {props.done && <Notice kind="success">{t(DONE[props.done])}</Notice>}
      {props.error?.kind === 'self' && (
        <Notice kind="alert">{t({ ja: '自分自身にはこの操作はできません。', en: 'You cannot do this to your own account.' })}</Notice>
      )}
      <dl class="facts">
        <div>
          <dt>{t({ ja: 'カード会社', en: 'Issuer' })}</dt>
          <dd>{p.issuer ? t(p.issuer) : '—'}</dd>
        </div>
        <div>
          <dt>{t({ ja: '役割', en: 'Role' })}</dt>
          <dd>{t(ROLE_LABEL[p.role])}</dd>
        </div>
        <div>
          <dt>{t({ ja: '状態', en: 'Status' })}</dt>
          <dd>{t(STATE_LABEL[p.state])}</dd>
        </div>
        <div>
          <dt>{t({ ja: '最終サインイン', en: 'Last sign-in' })}</dt>
          <dd>{p.lastSignIn}</dd>
        </div>
        <div>
          <dt>{t({ ja: '残りの回復コード', en: 'Recovery codes left' })}</dt>
          <dd>{p.recoveryCodesLeft}</dd>
        </div>
        <div>
          <dt>{t({ ja: '作成', en: 'Created' })}</dt>
          <dd>{p.createdAt}</dd>
        </div>
      </dl>
      {props.canManage && !props.isSelf && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">{t({ ja: '操作', en: 'Actions' })}</h2>
          <div class="actions-grid">
            {p.state === 'locked' && action('unlock', { ja: 'ロックを解除', en: 'Unlock' })}
            {p.state === 'disabled' ? action('enable', { ja: '利用を再開', en: 'Re-enable' }) : action('disable', { ja: '利用を停止', en: 'Disable' })}
            {action(
              'role',
              { ja: '役割を変更', en: 'Change role' },
              <Field id="new-role" label={t({ ja: '新しい役割', en: 'New role' })}>
                {(aria) => (
                  <select {...aria} name="role">
                    {props.roles.map((r) => (
                      <option value={r} selected={r === p.role}>
                        {t(ROLE_LABEL[r])}
                      </option>
                    ))}
                  </select>
                )}
              </Field>,
            )}
            {action('reset', { ja: 'サインインをリセット（再登録）', en: 'Reset sign-in (re-enrol)' })}
          </div>
        </section>
      )}
      <p>
        <a href={`/admin/audit?target=staff:${p.id}`}>{t({ ja: 'この人に関する監査ログ', en: 'Audit log about this person' })}</a>
      </p>
    </AdminShell>
  );
}
