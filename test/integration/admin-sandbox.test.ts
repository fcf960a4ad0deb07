/**
 * The sandbox's demo staff and second demo issuer: GET /sandbox/staff as a tester's script reads
 * it, a demo account signing in with what it lists, and each demo card finding its own issuer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { totpCodeAt } from '../../src/admin/totp.ts';
import { issuerSettingsForPan } from '../../src/issuers/settings.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { Client } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
beforeAll(async () => {
  t = await createTestApp({ seed: true });
});
afterAll(() => t.close());

describe('demo staff in the sandbox', () => {
  it('lists one account per role, with what a script needs to sign in, and signs in with it', async () => {
    const res = await t.app.request('/sandbox/staff', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { username: string; password: string; role: string; issuer: string | null; totpSecret: string }[];
    expect(list.map((s) => [s.username, s.role, s.issuer])).toEqual([
      ['demo-platform', 'platform_admin', null],
      ['demo-admin', 'issuer_admin', 'default'],
      ['demo-helpdesk', 'helpdesk', 'default'],
      ['demo-auditor', 'auditor', 'default'],
      ['kita-admin', 'issuer_admin', 'kita'],
      ['kita-helpdesk', 'helpdesk', 'kita'],
      ['kita-auditor', 'auditor', 'kita'],
    ]);
    for (const s of list) {
      expect(Object.keys(s).sort()).toEqual(['issuer', 'password', 'role', 'totpSecret', 'username']);
      expect(s.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    }
    const html = await (await t.app.request('/sandbox/staff')).text();
    expect(html).toContain(totpCodeAt(list[0].totpSecret, t.clock.now()));

    const kita = list.find((s) => s.username === 'kita-admin')!;
    const client = new Client(t.app);
    const signedIn = await client.post('/admin/sign-in', { username: kita.username, password: kita.password, code: totpCodeAt(kita.totpSecret, t.clock.now()) });
    expect(signedIn.status).toBe(303);
    const home = await (await client.get('/admin')).text();
    expect(home).toContain('きたぐにカード');
    // Seeding again adds nothing.
    expect(await seedDemoStaff(t.deps)).toBe(false);
  });

  it('gives the demo Visa cards to the second demo issuer, with its own branding and policies', async () => {
    await seedDemoStaff(t.deps);
    const visa = await issuerSettingsForPan(t.deps, demoCard('visa-otp').pan);
    const jcb = await issuerSettingsForPan(t.deps, demoCard('jcb-otp').pan);
    expect(visa).toMatchObject({ code: 'kita', name: { ja: 'きたぐにカード', en: 'Kitaguni Card' }, logo: '/static/img/issuer-kita.svg', sms: { senderId: 'KITAGUNI' } });
    expect(visa.policies.phoneChange).toBe('self_service');
    expect(jcb).toMatchObject({ code: 'default', name: { ja: 'まもり銀行カード' }, logo: '/static/img/issuer-logo.svg' });
    expect(visa.challengeThresholds['392']).not.toBe(jcb.challengeThresholds['392']);
  });

  it('seeds no demo staff while the sandbox is off', async () => {
    const off = await createTestApp({ env: { SANDBOX: 'false' } });
    try {
      expect(await seedDemoStaff(off.deps)).toBe(false);
      expect((await off.client.execute('SELECT count(*) AS n FROM staff')).rows[0].n).toBe(0);
      expect((await off.app.request('/sandbox/staff')).status).toBe(404);
    } finally {
      off.close();
    }
  });
});
