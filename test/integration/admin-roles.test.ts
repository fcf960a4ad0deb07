/**
 * The role matrix, route by route, for each role and across two issuers (ids of the other issuer's
 * rows in the URL answer 404 like a missing row), and the issuers' settings as the rest of the
 * appliance reads them.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { auditLog, binRanges } from '../../src/db/schema.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { inMaintenance, issuerSettings, issuerSettingsForHost, issuerSettingsForPan } from '../../src/issuers/settings.ts';
import { csrfOf, newStaff, nextCode, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
const people: Record<string, Enrolled> = {};

beforeAll(async () => {
  t = await createTestApp();
  const a = await ensureFirstIssuer(t.deps);
  const b = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'north', nameJa: '北カード', nameEn: 'North Card', portalHosts: ['north.example'] }, t.clock.now());
  people.platform = await newStaff(t, 'root', 'platform_admin', null);
  people.admin = await newStaff(t, 'a-admin', 'issuer_admin', a.id);
  people.helpdesk = await newStaff(t, 'a-help', 'helpdesk', a.id);
  people.auditor = await newStaff(t, 'a-audit', 'auditor', a.id);
  people.other = await newStaff(t, 'b-admin', 'issuer_admin', b.id);
  people.target = await newStaff(t, 'a-target', 'helpdesk', a.id);
}, 120_000);
afterAll(() => t.close());

type Role = 'platform' | 'admin' | 'helpdesk' | 'auditor' | 'other';
const ROLES: Role[] = ['platform', 'admin', 'helpdesk', 'auditor', 'other'];

/** Expected status per role, in ROLES order. */
const GETS: [string, () => string, number[]][] = [
  ['home', () => '/admin', [200, 200, 200, 200, 200]],
  ['staff list', () => '/admin/staff', [200, 200, 403, 200, 200]],
  ['invite form', () => '/admin/staff/new', [200, 200, 403, 403, 200]],
  ['own-issuer staff member', () => `/admin/staff/${people.target.id}`, [200, 200, 403, 200, 404]],
  ['other-issuer staff member', () => `/admin/staff/${people.other.id}`, [200, 404, 403, 404, 200]],
  ['platform administrator', () => `/admin/staff/${people.platform.id}`, [200, 404, 403, 404, 404]],
  ['missing staff member', () => '/admin/staff/99999', [404, 404, 403, 404, 404]],
  ['audit log', () => '/admin/audit', [200, 200, 403, 200, 200]],
  ['issuer list', () => '/admin/issuers', [200, 403, 403, 403, 403]],
  ['new issuer form', () => '/admin/issuers/new', [200, 403, 403, 403, 403]],
  ['own issuer settings', () => '/admin/issuers/default', [200, 200, 403, 200, 404]],
  ['other issuer settings', () => '/admin/issuers/north', [200, 404, 403, 404, 200]],
  ['cardholder reports', () => '/admin/reports', [200, 200, 200, 200, 200]],
  ['missing cardholder report', () => '/admin/reports/99999', [404, 404, 404, 404, 404]],
  ['risk rules', () => '/admin/risk', [200, 200, 200, 200, 200]],
  ['risk rules of a missing issuer', () => '/admin/risk?issuer=99999', [404, 404, 404, 404, 404]],
  ['risk draft as JSON', () => '/admin/risk/draft/json', [200, 200, 403, 403, 200]],
  ['risk replay', () => '/admin/risk/replay?days=7', [200, 200, 200, 200, 200]],
];

describe('the role matrix', () => {
  for (const [i, role] of ROLES.entries()) {
    it(`${role}: every page and action answers as the role table says`, async () => {
      const me = people[role];
      const { client } = await signIn(t, me.username, me.secret);
      for (const [name, path, expected] of GETS) {
        const res = await client.get(path());
        expect.soft(res.status, `${role} GET ${name}`).toBe(expected[i]);
        // A refusal shows nothing of the row it refused (the header names only the person signed in).
        const main = /<main[\s\S]*<\/main>/.exec(await res.text())![0];
        if (res.status !== 200) expect(main).not.toMatch(/a-target|b-admin|root/);
      }
      const home = await (await client.get('/admin')).text();
      const post = (path: string, form: Record<string, string>) => client.post(path, { _csrf: csrfOf(home), code: nextCode(t, me.secret), ...form });

      const unlock = await post(`/admin/staff/${people.target.id}/unlock`, {});
      expect.soft(unlock.status, `${role} unlock own-issuer staff`).toBe([303, 303, 403, 403, 404][i]);
      const crossUnlock = await post(`/admin/staff/${people.other.id}/unlock`, {});
      // (b-admin is "other" itself: nobody acts on their own account.)
      expect.soft(crossUnlock.status, `${role} unlock other-issuer staff`).toBe([303, 404, 403, 403, 400][i]);
      const invite = await post('/admin/staff', { username: `new-${role}`, displayName: 'New', role: 'auditor', issuerId: '1' });
      expect.soft(invite.status, `${role} invite`).toBe([201, 201, 403, 403, 201][i]);
      const promote = await post('/admin/staff', { username: `boss-${role}`, displayName: 'Boss', role: 'platform_admin' });
      expect.soft(promote.status, `${role} invite a platform administrator`).toBe([201, 400, 403, 403, 400][i]);
      const settings = await post('/admin/issuers/default', formOfDefault({ helpdeskPhone: `0120-${i}00-000` }));
      expect.soft(settings.status, `${role} edit own-issuer settings`).toBe([303, 303, 403, 403, 404][i]);
      const exported = await post('/admin/audit/export', {});
      expect.soft(exported.status, `${role} export the audit log`).toBe([200, 200, 403, 200, 200][i]);
      if (exported.status === 200) {
        expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        const csv = await exported.text();
        // An issuer's people export their issuer's rows only.
        if (role === 'other') expect(csv).not.toContain('a-target');
        if (role === 'admin' || role === 'auditor') expect(csv).not.toContain('b-admin');
      }
    }, 90_000);
  }

  it('an issuer administrator invites into their own issuer whatever issuer the form names', async () => {
    const rows = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'staff.invite'));
    const byOther = rows.find((r) => JSON.parse(r.detail).username === 'new-other')!;
    expect(JSON.parse(byOther.detail).after.issuerId).toBe(2);
    expect(byOther.issuerId).toBe(2);
  });

  it('lists and audit pages show one issuer’s rows to its people', { timeout: 60_000 }, async () => {
    const { client } = await signIn(t, people.auditor.username, people.auditor.secret);
    const staffPage = await (await client.get('/admin/staff')).text();
    expect(staffPage).toContain('a-target');
    expect(staffPage).not.toContain('b-admin');
    expect(staffPage).not.toContain('>root<');
    const audit = await (await client.get('/admin/audit?actor=b-admin')).text();
    expect(audit).toContain('新しい順に0件');
    const own = await (await client.get('/admin/audit?action=staff.unlock')).text();
    expect(own).toMatch(/新しい順に[1-9]\d*件/);
  });
});

function formOfDefault(change: Record<string, string>): Record<string, string> {
  return {
    issuerCode: 'default',
    nameJa: 'まもり銀行カード',
    nameEn: 'Mamori Card',
    helpdeskPhone: '0120-000-000',
    helpdeskHoursJa: '平日 9:00〜17:00',
    helpdeskHoursEn: 'Weekdays 9:00–17:00',
    logo: '/static/img/issuer-logo.svg',
    markJcb: '',
    markVisa: '',
    markMastercard: '',
    smsSenderId: 'MAMORI',
    smsNameJa: 'まもり',
    smsNameEn: 'Mamori',
    mailFrom: '',
    timeZone: 'Asia/Tokyo',
    challengeThresholds: '392:30000,840:200',
    velocityLimitPerHour: '10',
    provisionalPolicy: 'challenge',
    reissuePolicy: 'continue',
    maxAuthAttempts: '5',
    otpTtlSeconds: '300',
    otpResendCooldownSeconds: '30',
    otpMaxSends: '3',
    phoneChangeMode: 'phone_call',
    provisionalPhoneMode: 'self_service',
    registrationProof: 'birth_date',
    maintenanceWindow: '0 02:00-04:00',
    portalHosts: 'cards.mamori.example',
    ...change,
  };
}

describe('issuers', { timeout: 120_000 }, () => {
  it('seeds the first issuer from the configuration and serves each issuer’s settings by card, host and id', async () => {
    const first = await issuerSettings(t.deps, null);
    expect(first.code).toBe('default');
    const [range] = await t.deps.db
      .insert(binRanges)
      .values({ brand: 'visa', rangeStart: '41111100', rangeEnd: '41111199', label: 'north', issuerId: 2, createdAt: t.clock.now() })
      .returning();
    await t.deps.db.insert(binRanges).values({ brand: 'jcb', rangeStart: '35400000', rangeEnd: '35409999', label: 'no issuer', createdAt: t.clock.now() });
    expect((await issuerSettingsForPan(t.deps, '4111110000000000')).code).toBe('north');
    expect((await issuerSettingsForPan(t.deps, '3540001234567890')).code).toBe('default');
    expect(range.issuerId).toBe(2);
    expect((await issuerSettingsForHost(t.deps, 'NORTH.example:443')).name.en).toBe('North Card');
    expect((await issuerSettingsForHost(t.deps, 'elsewhere.example')).code).toBe('default');
  });

  it('saves a settings change with a fresh code, audits only what changed, and refuses bad values beside their fields', async () => {
    const { client } = await signIn(t, people.admin.username, people.admin.secret);
    const page = await (await client.get('/admin/issuers/default')).text();
    const bad = await client.post('/admin/issuers/default', { _csrf: csrfOf(page), code: nextCode(t, people.admin.secret), ...formOfDefault({ challengeThresholds: 'yen:lots', timeZone: 'Mars/Olympus', helpdeskPhone: '0120-100-000' }) });
    expect(bad.status).toBe(400);
    expect((await bad.text()).match(/aria-invalid="true"/g)).toHaveLength(2);
    const wrongCode = await client.post('/admin/issuers/default', { _csrf: csrfOf(page), code: '000000', ...formOfDefault({ nameEn: 'Mamori Cards', helpdeskPhone: '0120-100-000' }) });
    expect(wrongCode.status).toBe(400);
    expect((await issuerSettings(t.deps, 1)).name.en).toBe('Mamori Card');
    const saved = await client.post('/admin/issuers/default', { _csrf: csrfOf(page), code: nextCode(t, people.admin.secret), ...formOfDefault({ nameEn: 'Mamori Cards', otpMaxSends: '4', helpdeskPhone: '0120-100-000' }) });
    expect(saved.status).toBe(303);
    const s = await issuerSettings(t.deps, 1);
    expect(s.name.en).toBe('Mamori Cards');
    expect(s.policies.otpMaxSends).toBe(4);
    expect(s.maintenanceWindow).toEqual({ days: [0], start: '02:00', end: '04:00' });
    const [last] = (await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'issuer.update'))).slice(-1);
    expect(JSON.parse(last.detail)).toEqual({ before: { nameEn: 'Mamori Card', otpMaxSends: 3 }, after: { nameEn: 'Mamori Cards', otpMaxSends: 4 } });
  });

  it('lets a platform administrator add an issuer and move a BIN range to it, which moves its cards', async () => {
    const { client } = await signIn(t, people.platform.username, people.platform.secret);
    const page = await (await client.get('/admin/issuers/new')).text();
    const form = formOfDefault({ issuerCode: 'south', nameJa: '南カード', nameEn: 'South Card', portalHosts: '' });
    const taken = await client.post('/admin/issuers', { _csrf: csrfOf(page), code: nextCode(t, people.platform.secret), ...form, issuerCode: 'north' });
    expect(taken.status).toBe(409);
    const created = await client.post('/admin/issuers', { _csrf: csrfOf(page), code: nextCode(t, people.platform.secret), ...form });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/admin/issuers/south?saved=1');
    const south = await (await client.get('/admin/issuers/south')).text();
    const [, rangeId] = /<option value="(\d+)">jcb 35400000–35409999/.exec(south)!;
    expect((await issuerSettingsForPan(t.deps, '3540001234567890')).code).toBe('default');
    const moved = await client.post('/admin/issuers/south/ranges', { _csrf: csrfOf(south), code: nextCode(t, people.platform.secret), rangeId });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain('BINレンジを移しました');
    expect((await issuerSettingsForPan(t.deps, '3540001234567890')).name.en).toBe('South Card');
    const [audit] = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'bin_range.assign'));
    expect(JSON.parse(audit.detail)).toMatchObject({ before: { issuerId: 1 }, after: { issuerId: 3 } });
    // An issuer administrator cannot move ranges.
    const other = await signIn(t, people.admin.username, people.admin.secret);
    const own = await (await other.client.get('/admin/issuers/default')).text();
    expect(own).not.toContain('/ranges"');
    expect((await other.client.post('/admin/issuers/default/ranges', { _csrf: csrfOf(own), code: nextCode(t, people.admin.secret), rangeId })).status).toBe(403);
  });

  it('knows when the portal is in its maintenance window, in the issuer’s time zone, across midnight too', () => {
    const at = (iso: string) => Date.parse(iso);
    const sunday2to4 = { timeZone: 'Asia/Tokyo', maintenanceWindow: { days: [0], start: '02:00', end: '04:00' } };
    expect(inMaintenance(sunday2to4, at('2026-01-17T17:30:00Z'))).toBe(true); // Sun 02:30 JST
    expect(inMaintenance(sunday2to4, at('2026-01-17T19:00:00Z'))).toBe(false); // Sun 04:00 JST
    expect(inMaintenance(sunday2to4, at('2026-01-18T17:30:00Z'))).toBe(false); // Mon 02:30 JST
    const overnight = { timeZone: 'Asia/Tokyo', maintenanceWindow: { days: [6], start: '23:00', end: '01:00' } };
    expect(inMaintenance(overnight, at('2026-01-17T14:30:00Z'))).toBe(true); // Sat 23:30 JST
    expect(inMaintenance(overnight, at('2026-01-17T15:30:00Z'))).toBe(true); // Sun 00:30 JST
    expect(inMaintenance(overnight, at('2026-01-17T16:30:00Z'))).toBe(false); // Sun 01:30 JST
  });
});
