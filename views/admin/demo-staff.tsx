/** Sandbox only: the demo staff with their password, TOTP secret and the code it shows now. */
import { Bilingual, Page } from '../layout.tsx';
import { SandboxHeader } from '../sandbox/header.tsx';
import { ROLE_LABEL, type RoleName } from './shell.tsx';

export interface DemoStaffRow {
  username: string;
  password: string;
  role: RoleName;
  issuer: string | null;
  totpSecret: string;
  codeNow: string;
}

export function DemoStaffPage({ rows }: { rows: DemoStaffRow[] }) {
  return (
    <Page title="Demo staff / デモ用スタッフ" htmx={false}>
      <SandboxHeader />
      <main class="container">
        <h1>
          <Bilingual ja="デモ用スタッフ" en="Demo staff" />
        </h1>
        <p class="muted">
          <Bilingual
            ja="管理画面（/admin）にサインインできるデモ用アカウントです。秘密鍵を認証アプリに登録するか、表示中のコードを使ってください（コードは一度だけ使えます）。"
            en="Demo accounts for the console (/admin). Add the secret to an authenticator app, or use the code shown now (each code works once)."
          />
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">
                  <Bilingual ja="ユーザー名" en="Username" />
                </th>
                <th scope="col">
                  <Bilingual ja="パスワード" en="Password" />
                </th>
                <th scope="col">
                  <Bilingual ja="役割" en="Role" />
                </th>
                <th scope="col">
                  <Bilingual ja="カード会社" en="Issuer" />
                </th>
                <th scope="col">
                  <Bilingual ja="TOTP秘密鍵" en="TOTP secret" />
                </th>
                <th scope="col">
                  <Bilingual ja="現在のコード" en="Code now" />
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>
                    <code>{r.username}</code>
                  </td>
                  <td>
                    <code>{r.password}</code>
                  </td>
                  <td>
                    <Bilingual {...ROLE_LABEL[r.role]} />
                  </td>
                  <td>{r.issuer ?? '—'}</td>
                  <td>
                    <code>{r.totpSecret}</code>
                  </td>
                  <td>
                    <code>{r.codeNow}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <a href="/admin/sign-in">
            <Bilingual ja="管理画面のサインインへ" en="Go to the console's sign-in" />
          </a>
        </p>
      </main>
    </Page>
  );
}
