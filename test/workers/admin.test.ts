/**
 * The staff console inside workerd, through the real Worker entry, on a real sqld: a demo
 * administrator signs in with password + TOTP (WebCrypto PBKDF2, AES-GCM and the otpauth code all
 * run in the Workers runtime), the session lives in the database, and sign-out ends it there.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/admin/totp.ts';

const ORIGIN = 'https://acs.test';

describe('the staff console on Workers', () => {
  it('signs a demo administrator in, serves the home page from the database session, and signs out', async () => {
    const list = (await (await SELF.fetch(`${ORIGIN}/sandbox/staff`, { headers: { accept: 'application/json' } })).json()) as { username: string; password: string; totpSecret: string; role: string }[];
    const admin = list.find((s) => s.username === 'demo-admin')!;
    expect(admin.role).toBe('issuer_admin');

    const form = new URLSearchParams({ username: admin.username, password: admin.password, code: totpCodeAt(admin.totpSecret, Date.now()) });
    const signedIn = await SELF.fetch(`${ORIGIN}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.getSetCookie().find((c: string) => c.startsWith('__Host-mamori-staff='))!;
    expect(cookie).toMatch(/HttpOnly; Secure; SameSite=Strict/);
    const session = cookie.split(';')[0];

    const home = await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie: session } });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('デモ 管理者');
    expect(html).toContain('カード会社管理者');
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    // The same code again is refused: it was spent in the database.
    const replay = await SELF.fetch(`${ORIGIN}/admin/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: form.toString(), redirect: 'manual' });
    expect(replay.status).toBe(401);

    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1];
    const out = await SELF.fetch(`${ORIGIN}/admin/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: session },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
      redirect: 'manual',
    });
    expect(out.status).toBe(303);
    const after = await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie: session }, redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/admin\/sign-in/);
  });
});
