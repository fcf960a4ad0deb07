/**
 * Sandbox only: demo staff for every role, each with a known password and TOTP secret so that a
 * tester can sign in with any authenticator app or a script (GET /sandbox/staff lists them), and
 * a second demo issuer with its own branding that takes the demo Visa range, so that cards of the
 * two issuers can be told apart. Never seeded while the sandbox is off (so never in production).
 */
import { eq } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { binRanges, staff, type StaffRole } from '../db/schema.ts';
import { hashPassword } from '../members/password.ts';
import { assignBinRange, ensureFirstIssuer, insertIssuer, issuerByCode, issuerFieldsFromConfig } from '../issuers/issuer-store.ts';
import { forgetIssuerSettings } from '../issuers/settings.ts';
import { appendAudit } from './audit-log.ts';
import { encryptTotpSecret } from './totp.ts';

export const DEMO_STAFF_PASSWORD = 'Mamori-staff-2026';
export const SECOND_DEMO_ISSUER = 'kita';

export interface DemoStaff {
  username: string;
  displayName: string;
  role: StaffRole;
  /** null: the first issuer's code is filled in at seeding (or none for the platform). */
  issuer: 'first' | typeof SECOND_DEMO_ISSUER | null;
  totpSecret: string;
}

export const DEMO_STAFF: DemoStaff[] = [
  { username: 'demo-platform', displayName: 'デモ プラットフォーム管理者', role: 'platform_admin', issuer: null, totpSecret: 'QFVUFNM7Z65JVB6QYZ2ZVCAGYMPERHPW' },
  { username: 'demo-admin', displayName: 'デモ 管理者', role: 'issuer_admin', issuer: 'first', totpSecret: 'LZ2OUVEEXJ5CHBXUFXQ6WK7KQGYAPSZ5' },
  { username: 'demo-helpdesk', displayName: 'デモ ヘルプデスク', role: 'helpdesk', issuer: 'first', totpSecret: '5WIPVYMJ5D5LWK47STAPU5NHXFCVN5ZU' },
  { username: 'demo-auditor', displayName: 'デモ 監査担当', role: 'auditor', issuer: 'first', totpSecret: 'HP4KTPUFV4LVDNQYRHMGIGSJ4PCWOTRV' },
  { username: 'kita-admin', displayName: 'きたぐに 管理者', role: 'issuer_admin', issuer: SECOND_DEMO_ISSUER, totpSecret: '2JYPXAVMQ2A657NKQ4NGGCTKBPKTHBMK' },
  { username: 'kita-helpdesk', displayName: 'きたぐに ヘルプデスク', role: 'helpdesk', issuer: SECOND_DEMO_ISSUER, totpSecret: '7FU2DT6HKZEWVWM37VOWZYO46NARGVKS' },
  { username: 'kita-auditor', displayName: 'きたぐに 監査担当', role: 'auditor', issuer: SECOND_DEMO_ISSUER, totpSecret: 'BFA3SCTMYGF6UP6S7RARUJDYI43PN3MP' },
];

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** Seeds what is missing of the second demo issuer and the demo staff. Returns whether it added anything. */
export async function seedDemoStaff(deps: Deps): Promise<boolean> {
  if (!deps.config.SANDBOX) return false;
  const { db, clock, config } = deps;
  const now = clock.now();
  const first = await ensureFirstIssuer(deps);
  let added = false;
  let second = await issuerByCode(db, SECOND_DEMO_ISSUER);
  if (!second) {
    second = await insertIssuer(
      db,
      {
        ...issuerFieldsFromConfig(config),
        code: SECOND_DEMO_ISSUER,
        nameJa: 'きたぐにカード',
        nameEn: 'Kitaguni Card',
        helpdeskPhone: '0120-111-222',
        helpdeskHoursJa: '毎日 9:00〜20:00',
        helpdeskHoursEn: 'Daily 9:00–20:00',
        logo: '/static/img/issuer-kita.svg',
        smsSenderId: 'KITAGUNI',
        smsNameJa: 'きたぐにカード',
        smsNameEn: 'Kitaguni Card',
        challengeThresholds: { '392': 20000, '840': 150, '978': 150 },
        reissuePolicy: 'reregister_phone',
        phoneChangeMode: 'self_service',
        // Its registrations prove the cardholder by the phone number on file (the first issuer's by birth date).
        registrationProof: 'phone_on_file',
        maintenanceWindow: { days: [0], start: '02:00', end: '04:00' },
      },
      now,
    );
    // The demo Visa cards become the second issuer's: their challenge page and SMS are its own.
    for (const range of await db.select({ id: binRanges.id }).from(binRanges).where(eq(binRanges.label, 'Demo Visa'))) {
      await assignBinRange(db, range.id, second.id);
    }
    forgetIssuerSettings(db);
    added = true;
  }
  const existing = new Set((await db.select({ username: staff.username }).from(staff)).map((r) => r.username));
  const missing = DEMO_STAFF.filter((d) => !existing.has(d.username));
  if (missing.length > 0) {
    // One hash for the one demo password: seeding stays quick.
    const passwordHash = await hashPassword(DEMO_STAFF_PASSWORD);
    for (const d of missing) {
      const issuerId = d.issuer === null ? null : d.issuer === 'first' ? first.id : second.id;
      const totpSecretCipher = await encryptTotpSecret(config.secrets.PAN_ENCRYPTION_KEY, d.totpSecret);
      const [row] = await db
        .insert(staff)
        .values({ username: d.username, displayName: d.displayName, role: d.role, issuerId, status: 'active', passwordHash, totpSecretCipher, createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: staff.username })
        .returning({ id: staff.id });
      if (row) {
        await appendAudit(db, { at: now, actor: { type: 'system', name: 'sandbox' }, issuerId, action: 'staff.seed_demo', target: `staff:${row.id}`, detail: { username: d.username, role: d.role } });
      }
    }
    added = true;
  }
  return added;
}

/** The demo staff as GET /sandbox/staff lists them. */
export async function demoStaffList(deps: Deps): Promise<{ username: string; password: string; role: StaffRole; issuer: string | null; totpSecret: string }[]> {
  const first = await ensureFirstIssuer(deps);
  return DEMO_STAFF.map((d) => ({
    username: d.username,
    password: DEMO_STAFF_PASSWORD,
    role: d.role,
    issuer: d.issuer === null ? null : d.issuer === 'first' ? first.code : d.issuer,
    totpSecret: d.totpSecret,
  }));
}
