/**
 * Integration API keys in the console: the issuer's keys with a form to make one, the new key
 * shown once, and one key's page with its revocation. Making and revoking ask a fresh TOTP code.
 */
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';

export type ApiPermissionName = 'cards.read' | 'cards.write';

export const PERMISSION_LABEL: Record<ApiPermissionName, Bi> = {
  'cards.read': { ja: '照会（cards.read）：カードの状態と登録状況', en: 'Read (cards.read): a card’s status and registration' },
  'cards.write': { ja: '更新（cards.write）：登録・停止・再発行・解約・電話番号', en: 'Write (cards.write): create, block, reissue, close, phone numbers' },
};

export interface ApiKeyItem {
  id: number;
  name: string;
  prefix: string;
  issuer: Bi | null;
  permissions: ApiPermissionName[];
  sources: string[];
  createdAt: string;
  lastUsedAt: string;
  revokedAt: string | null;
}

export interface KeyForm {
  name?: string;
  permissions?: ApiPermissionName[];
  sources?: string;
  issuerId?: number;
}
export type KeyFormError = 'name' | 'permissions' | 'sources' | 'issuer' | 'code';

interface Base {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
}

const TITLE: Bi = { ja: 'APIキー', en: 'API keys' };

export function ApiKeysPage(props: Base & { keys: ApiKeyItem[]; showIssuer: boolean; issuers: { id: number; name: Bi }[] | null; form: KeyForm; errors: KeyFormError[]; badSource?: string; done?: 'revoked' }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={TITLE}>
      <h1>{t(TITLE)}</h1>
      <p>
        {t({
          ja: '基幹システムから連携API（/api/v1）を呼び出すためのキーです。キーごとに権限と接続元アドレスを限定できます。API の説明は ',
          en: 'Keys for your core system to call the integration API (/api/v1). Each key can be limited by permission and source address. The API is described in ',
        })}
        <a href="/api/v1/openapi.json">OpenAPI (openapi.json)</a>
        {t({ ja: ' にあります。', en: '.' })}
      </p>
      {props.done === 'revoked' && <Notice kind="success">{t({ ja: 'キーを無効にしました。以後このキーの呼び出しは拒否されます。', en: 'The key is revoked. Calls with it are refused from now on.' })}</Notice>}
      {props.errors.length > 0 && <Notice kind="alert">{t({ ja: '入力内容を確認してください。', en: 'Please check the form.' })}</Notice>}
      <h2>{t({ ja: '発行済みのキー', en: 'Keys' })}</h2>
      {props.keys.length === 0 ? (
        <p>{t({ ja: 'まだキーはありません。', en: 'No keys yet.' })}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t({ ja: 'APIキーの一覧', en: 'API keys' })}</caption>
            <thead>
              <tr>
                <th scope="col">{t({ ja: '名前', en: 'Name' })}</th>
                <th scope="col">{t({ ja: '先頭文字', en: 'Prefix' })}</th>
                {props.showIssuer && <th scope="col">{t({ ja: 'カード会社', en: 'Issuer' })}</th>}
                <th scope="col">{t({ ja: '権限', en: 'Permissions' })}</th>
                <th scope="col">{t({ ja: '接続元', en: 'Sources' })}</th>
                <th scope="col">{t({ ja: '作成', en: 'Created' })}</th>
                <th scope="col">{t({ ja: '最終利用', en: 'Last used' })}</th>
                <th scope="col">{t({ ja: '状態', en: 'Status' })}</th>
              </tr>
            </thead>
            <tbody>
              {props.keys.map((k) => (
                <tr>
                  <td>
                    <a href={`/admin/api-keys/${k.id}`}>{k.name}</a>
                  </td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  {props.showIssuer && <td>{k.issuer ? t(k.issuer) : '—'}</td>}
                  <td>{k.permissions.join(', ')}</td>
                  <td>{k.sources.length ? k.sources.join(', ') : t({ ja: '制限なし', en: 'Any' })}</td>
                  <td>{k.createdAt}</td>
                  <td>{k.lastUsedAt}</td>
                  <td>{k.revokedAt ? t({ ja: `無効（${k.revokedAt}）`, en: `Revoked (${k.revokedAt})` }) : t({ ja: '有効', en: 'Active' })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewKeyForm {...props} />
    </AdminShell>
  );
}

function NewKeyForm(props: Base & { issuers: { id: number; name: Bi }[] | null; form: KeyForm; errors: KeyFormError[]; badSource?: string }) {
  const t = say(props.lang);
  const has = (e: KeyFormError) => props.errors.includes(e);
  const chosen = props.form.permissions ?? ['cards.write'];
  return (
    <section class="narrow" aria-labelledby="new-key">
      <h2 id="new-key">{t({ ja: 'キーを発行', en: 'Make a key' })}</h2>
      <form method="post" action="/admin/api-keys" class="stack" novalidate>
        <Csrf token={props.me.csrf} />
        <Field
          id="key-name"
          label={t({ ja: '名前', en: 'Name' })}
          hint={t({ ja: '用途がわかる名前（例：基幹システム本番）。1〜60文字', en: 'What it is for (e.g. core system, production). 1 to 60 characters' })}
          error={has('name') ? t({ ja: '1〜60文字で入力してください。', en: 'Enter 1 to 60 characters.' }) : undefined}
        >
          {(aria) => <input {...aria} name="name" type="text" maxlength={60} required value={props.form.name ?? ''} />}
        </Field>
        {props.issuers && (
          <Field id="key-issuer" label={t({ ja: 'カード会社', en: 'Issuer' })} error={has('issuer') ? t({ ja: 'カード会社を選んでください。', en: 'Choose an issuer.' }) : undefined}>
            {(aria) => (
              <select {...aria} name="issuerId" required>
                {props.issuers!.map((i) => (
                  <option value={String(i.id)} selected={props.form.issuerId === i.id}>
                    {t(i.name)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <fieldset class="choice" aria-describedby={has('permissions') ? 'key-permissions-error' : undefined}>
          <legend>{t({ ja: '権限', en: 'Permissions' })}</legend>
          {(['cards.read', 'cards.write'] as const).map((p) => (
            <label class="choice-option">
              <input type="checkbox" name="permissions" value={p} checked={chosen.includes(p)} aria-invalid={has('permissions') ? 'true' : undefined} />
              <span>{t(PERMISSION_LABEL[p])}</span>
            </label>
          ))}
          {has('permissions') && (
            <p class="field-error" id="key-permissions-error">
              {t({ ja: '少なくとも1つ選んでください。', en: 'Choose at least one.' })}
            </p>
          )}
        </fieldset>
        <Field
          id="key-sources"
          label={t({ ja: '接続元アドレス（任意）', en: 'Source addresses (optional)' })}
          hint={t({ ja: 'CIDR またはアドレスを改行・カンマ区切りで（例：192.0.2.0/24）。空欄なら制限なし。最大20件', en: 'CIDR blocks or addresses, one per line or comma-separated (e.g. 192.0.2.0/24). Empty: any address. At most 20' })}
          error={has('sources') ? t({ ja: `「${props.badSource ?? ''}」はアドレスまたはCIDRとして読めません。`, en: `“${props.badSource ?? ''}” is not an address or CIDR block.` }) : undefined}
        >
          {(aria) => (
            <textarea {...aria} name="sources" rows={3} maxlength={2000} spellcheck={false}>
              {props.form.sources ?? ''}
            </textarea>
          )}
        </Field>
        <StepUpField lang={props.lang} error={has('code') ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
        <button type="submit" class="primary">
          {t({ ja: '発行する', en: 'Make the key' })}
        </button>
      </form>
    </section>
  );
}

/** The new key, shown this once. */
export function ApiKeyCreatedPage(props: Base & { apiKey: string; item: ApiKeyItem }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: 'APIキーを発行しました', en: 'API key made' }}>
      <div class="narrow">
        <h1>{t({ ja: 'APIキーを発行しました', en: 'API key made' })}</h1>
        <Notice kind="success">
          {t({
            ja: `「${props.item.name}」のキーです。この画面でしか表示されません。いまコピーして、基幹システムの安全な設定に保存してください（選択してコピー）。`,
            en: `The key “${props.item.name}”. It is shown on this page only: copy it now into your core system’s secret settings (select it and copy).`,
          })}
        </Notice>
        <p>
          <label for="api-key">{t({ ja: 'APIキー', en: 'API key' })}</label>
          <input id="api-key" type="text" readonly value={props.apiKey} spellcheck={false} autocomplete="off" aria-describedby="api-key-hint" />
        </p>
        <p class="hint" id="api-key-hint">
          {t({ ja: '呼び出し時のヘッダー：Authorization: Bearer ＜キー＞', en: 'Send it as the header Authorization: Bearer <key>' })}
        </p>
        <dl class="facts">
          <dt>{t({ ja: '権限', en: 'Permissions' })}</dt>
          <dd>{props.item.permissions.join(', ')}</dd>
          <dt>{t({ ja: '接続元', en: 'Sources' })}</dt>
          <dd>{props.item.sources.length ? props.item.sources.join(', ') : t({ ja: '制限なし', en: 'Any' })}</dd>
        </dl>
        <p>
          <a href="/admin/api-keys">{t({ ja: 'APIキーの一覧へ', en: 'Back to the API keys' })}</a>
        </p>
      </div>
    </AdminShell>
  );
}

/** One key, and its revocation. */
export function ApiKeyPage(props: Base & { item: ApiKeyItem; codeError?: boolean }) {
  const t = say(props.lang);
  const k = props.item;
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: `APIキー：${k.name}`, en: `API key: ${k.name}` }}>
      <div class="narrow">
        <h1>{t({ ja: `APIキー：${k.name}`, en: `API key: ${k.name}` })}</h1>
        {props.codeError && <Notice kind="alert">{t({ ja: 'コードが正しくありません。キーは無効になっていません。', en: 'That code is not right. The key was not revoked.' })}</Notice>}
        <dl class="facts">
          <dt>{t({ ja: '先頭文字', en: 'Prefix' })}</dt>
          <dd>
            <code>{k.prefix}…</code>
          </dd>
          {k.issuer && (
            <>
              <dt>{t({ ja: 'カード会社', en: 'Issuer' })}</dt>
              <dd>{t(k.issuer)}</dd>
            </>
          )}
          <dt>{t({ ja: '権限', en: 'Permissions' })}</dt>
          <dd>{k.permissions.map((p) => t(PERMISSION_LABEL[p])).join(' / ')}</dd>
          <dt>{t({ ja: '接続元', en: 'Sources' })}</dt>
          <dd>{k.sources.length ? k.sources.join(', ') : t({ ja: '制限なし', en: 'Any' })}</dd>
          <dt>{t({ ja: '作成', en: 'Created' })}</dt>
          <dd>{k.createdAt}</dd>
          <dt>{t({ ja: '最終利用', en: 'Last used' })}</dt>
          <dd>{k.lastUsedAt}</dd>
          <dt>{t({ ja: '状態', en: 'Status' })}</dt>
          <dd>{k.revokedAt ? t({ ja: `無効（${k.revokedAt}）`, en: `Revoked (${k.revokedAt})` }) : t({ ja: '有効', en: 'Active' })}</dd>
        </dl>
        {!k.revokedAt && (
          <form method="post" action={`/admin/api-keys/${k.id}/revoke`} class="stack" novalidate>
            <h2>{t({ ja: 'キーを無効にする', en: 'Revoke the key' })}</h2>
            <p>{t({ ja: '無効にしたキーは元に戻せません。このキーを使う呼び出しはすぐに拒否されます。', en: 'Revoking cannot be undone. Calls with this key are refused at once.' })}</p>
            <Csrf token={props.me.csrf} />
            <StepUpField lang={props.lang} error={props.codeError ? t({ ja: 'コードが正しくありません。', en: 'That code is not right.' }) : undefined} />
            <button type="submit" class="danger">
              {t({ ja: '無効にする', en: 'Revoke' })}
            </button>
          </form>
        )}
        <p>
          <a href="/admin/api-keys">{t({ ja: 'APIキーの一覧へ', en: 'Back to the API keys' })}</a>
        </p>
      </div>
    </AdminShell>
  );
}
