/**
 * The staff console as integration tests drive it: a client that keeps cookies and sends the
 * Origin a browser would, and helpers that invite, enrol and sign staff in through real HTTP.
 */
import type { Hono } from 'hono';
import { inviteStaff } from '../../src/admin/staff-actions.ts';
import { totpCodeAt } from '../../src/admin/totp.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import type { AppDeps } from '../../src/deps.ts';

export const ORIGIN = 'https://acs.test';
export const PASSWORD = 'correct horse battery staple';

type App = Hono<any>;
interface TestApp {
  app: App;
  deps: AppDeps;
  clock: { now(): number; advance(ms: number): void };
}

/** A cookie jar over app.request, like one browser tab. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: App) {}

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    if (method !== 'GET' && !('origin' in headers)) headers.origin = ORIGIN;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await this.app.request(`${ORIGIN}${path}`, { method, headers, body });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair.split('=');
      const v = value.join('=');
      if (v === '' || /max-age=0/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), v);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers });
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>) {
    return this.request(path, { form, headers });
  }

  /** POST a form of a page this client has open: its session's CSRF token included. */
  async submit(page: string, path: string, form: Record<string, string>) {
    return this.post(path, { _csrf: csrfOf(page), ...form });
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

export interface Enrolled {
  id: number;
  username: string;
  secret: string;
  recoveryCodes: string[];
  /** Signed in by the enrolment. */
  client: Client;
}

/** Follows an enrolment link like a person would: password, then the code from the key shown. */
export async function enrol(t: TestApp, link: string, password = PASSWORD): Promise<Omit<Enrolled, 'id' | 'username'>> {
  const client = new Client(t.app);
  const path = new URL(link).pathname;
  const first = await client.get(path);
  if (first.status !== 200) throw new Error(`enrolment link answered ${first.status}`);
  const afterPassword = await client.post(path, { password, confirm: password });
  if (afterPassword.status !== 303) throw new Error(`password step answered ${afterPassword.status}`);
  const totpPage = await (await client.get(path)).text();
  const secret = /data-secret="([A-Z2-7]+)"/.exec(totpPage)?.[1];
  if (!secret) throw new Error('no TOTP key on the page');
  const done = await client.post(`${path}/totp`, { code: totpCodeAt(secret, t.clock.now()) });
  const html = await done.text();
  if (done.status !== 200) throw new Error(`TOTP step answered ${done.status}`);
  const recoveryCodes = [...html.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]);
  return { secret, recoveryCodes, client };
}

/** A staff member invited (as the CLI does) and enrolled through the pages. */
export async function newStaff(t: TestApp, username: string, role: StaffRole, issuerId: number | null): Promise<Enrolled> {
  const invited = await inviteStaff(t.deps, { actor: { type: 'system', name: 'test' } }, { username, displayName: username, role, issuerId });
  if (!invited.ok) throw new Error(`could not invite ${username}`);
  return { id: invited.staff.id, username, ...(await enrol(t, invited.link)) };
}

/** The next TOTP step's code (moves the clock on, so no code is used twice). */
export function nextCode(t: TestApp, secret: string): string {
  t.clock.advance(30_000);
  return totpCodeAt(secret, t.clock.now());
}

export async function signIn(t: TestApp, username: string, secret: string, password = PASSWORD): Promise<{ client: Client; res: Response }> {
  const client = new Client(t.app);
  const res = await client.post('/admin/sign-in', { username, password, code: nextCode(t, secret) });
  return { client, res };
}
