/**
 * The issuers on this install and the one place their rows are written. A single-issuer install
 * needs nothing new: on an empty table the first issuer is made from today's configuration
 * variables (ISSUER_NAME, ISSUER_PHONE, PROVISIONAL_POLICY, ...). A BIN range without an issuer
 * belongs to that first issuer, so ranges added before issuers existed keep working.
 */
import { asc, eq } from 'drizzle-orm';
import { forgetBinRanges } from '../cards/bin-ranges.ts';
import { moveCardholdersOfRange } from '../cards/card-store.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { binRanges, issuers } from '../db/schema.ts';
import { BRAND_IDS, BRANDS } from '../protocol/brands.ts';

export type Issuer = typeof issuers.$inferSelect;
/**
 * What the issuer settings form sets (everything but its id, timestamps, the four-eyes policy,
 * which has its own page and setter: setApprovalPolicy, and the risk settings, which the risk
 * console sets: src/risk/).
 */
export type IssuerFields = Omit<Issuer, 'id' | 'createdAt' | 'updatedAt' | 'approvalPolicy' | 'approvalTtlMinutes' | 'homeCurrency' | 'currencyRates' | 'riskProvider'>;

/** The code of the issuer seeded from the configuration, unless ISSUER_CODE says otherwise. */
export const DEFAULT_ISSUER_CODE = 'default';

/** The first issuer's settings, as the configuration variables had them before issuers were rows. */
export function issuerFieldsFromConfig(config: Config): IssuerFields {
  return {
    code: config.ISSUER_CODE ?? DEFAULT_ISSUER_CODE,
    nameJa: config.ISSUER_NAME,
    nameEn: config.ISSUER_NAME_EN,
    helpdeskPhone: config.ISSUER_PHONE,
    helpdeskHoursJa: config.ISSUER_HELPDESK_HOURS ?? '',
    helpdeskHoursEn: config.ISSUER_HELPDESK_HOURS_EN ?? '',
    logo: config.ISSUER_LOGO,
    // BRAND_MARK_JCB, BRAND_MARK_VISA, … as { jcb, visa, … }, for the marks that are set.
    brandMarks: Object.fromEntries(BRAND_IDS.map((b) => [b, config[BRANDS[b].settings.mark]]).filter(([, mark]) => mark)),
    smsSenderId: config.SMS_SENDER_ID ?? null,
    smsNameJa: config.SMS_ISSUER_NAME ?? config.ISSUER_NAME,
    smsNameEn: config.SMS_ISSUER_NAME_EN ?? config.ISSUER_NAME_EN,
    mailFrom: config.MAIL_FROM ?? null,
    timeZone: config.ISSUER_TIME_ZONE,
    challengeThresholds: config.CHALLENGE_THRESHOLDS,
    velocityLimitPerHour: config.VELOCITY_LIMIT_PER_HOUR,
    provisionalPolicy: config.PROVISIONAL_POLICY,
    reissuePolicy: config.REISSUE_POLICY,
    maxAuthAttempts: config.MAX_AUTH_ATTEMPTS,
    otpTtlSeconds: config.OTP_TTL_SECONDS,
    otpResendCooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
    otpMaxSends: config.OTP_MAX_SENDS,
    phoneChangeMode: 'phone_call',
    provisionalPhoneMode: 'self_service',
    registrationProof: 'birth_date',
    maintenanceWindow: null,
    portalHosts: [],
  };
}

const seeded = new WeakMap<Database, Promise<void>>();

/**
 * The install's first issuer, created from the configuration when there is none yet. Safe when
 * several processes start at once: the insert is skipped on a code that already exists. Each call
 * reads the row afresh (it may have been edited since).
 */
export async function ensureFirstIssuer(deps: { db: Database; config: Config; clock: Clock }): Promise<Issuer> {
  let ensured = seeded.get(deps.db);
  if (!ensured) {
    ensured = (async () => {
      if (await firstIssuer(deps.db)) return;
      const now = deps.clock.now();
      await deps.db
        .insert(issuers)
        .values({ ...issuerFieldsFromConfig(deps.config), createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: issuers.code });
    })();
    seeded.set(deps.db, ensured);
    ensured.catch(() => seeded.delete(deps.db));
  }
  await ensured;
  return (await firstIssuer(deps.db))!;
}

export async function firstIssuer(db: Database): Promise<Issuer | undefined> {
  return db.select().from(issuers).orderBy(asc(issuers.id)).limit(1).get();
}

export async function listIssuers(db: Database): Promise<Issuer[]> {
  return db.select().from(issuers).orderBy(asc(issuers.id));
}

export async function issuerById(db: Database, id: number): Promise<Issuer | undefined> {
  return db.select().from(issuers).where(eq(issuers.id, id)).get();
}

export async function issuerByCode(db: Database, code: string): Promise<Issuer | undefined> {
  return db.select().from(issuers).where(eq(issuers.code, code)).get();
}

export async function insertIssuer(db: Database, fields: IssuerFields, now: number): Promise<Issuer> {
  const [row] = await db.insert(issuers).values({ ...fields, createdAt: now, updatedAt: now }).returning();
  return row;
}

export async function updateIssuer(db: Database, id: number, fields: Partial<IssuerFields>, now: number): Promise<Issuer | undefined> {
  const [row] = await db.update(issuers).set({ ...fields, updatedAt: now }).where(eq(issuers.id, id)).returning();
  return row;
}

/** Gives a BIN range, and so its cards, to an issuer (the AReq look-up reads ranges afresh). */
export async function assignBinRange(db: Database, rangeId: number, issuerId: number): Promise<void> {
  const [range] = await db.update(binRanges).set({ issuerId }).where(eq(binRanges.id, rangeId)).returning();
  if (range) await moveCardholdersOfRange(db, range, issuerId);
  forgetBinRanges(db);
}

/** BIN ranges of an issuer (the first issuer also owns the ranges with no issuer). */
export async function binRangesOf(db: Database, issuer: Issuer): Promise<(typeof binRanges.$inferSelect)[]> {
  const first = await firstIssuer(db);
  const rows = await db.select().from(binRanges).orderBy(asc(binRanges.rangeStart));
  return rows.filter((r) => r.issuerId === issuer.id || (r.issuerId === null && first?.id === issuer.id));
}

/** The four-eyes policy (which helpdesk actions wait for approval) and how long a request waits. */
export async function setApprovalPolicy(db: Database, id: number, policy: Issuer['approvalPolicy'], ttlMinutes: number, now: number): Promise<Issuer | undefined> {
  const [row] = await db.update(issuers).set({ approvalPolicy: policy, approvalTtlMinutes: ttlMinutes, updatedAt: now }).where(eq(issuers.id, id)).returning();
  return row;
}
