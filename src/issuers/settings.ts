/**
 * An issuer's settings as the rest of the appliance reads them: the challenge page (name, logo,
 * marks, helpdesk phone, thresholds, attempt and OTP policies), the SMS text (sender and name),
 * mails (sender), and the portal (host names, phone-change mode, maintenance window).
 *
 * @example
 *   const s = await issuerSettingsForPan(deps, pan)   // the card's issuer, by its BIN range
 *   s.name.ja; s.sms.name.en; s.policies.maxAuthAttempts
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { findBinRange, loadBinRanges } from '../cards/bin-ranges.ts';
import type { Brand, MaintenanceWindow, PhoneChangeMode, ProvisionalPolicy, RegistrationProof, ReissuePolicy } from '../db/schema.ts';
import { ensureFirstIssuer, issuerFieldsFromConfig, listIssuers, type Issuer, type IssuerFields } from './issuer-store.ts';
import { dateTimeFormat } from '../intl.ts';

export interface IssuerSettings {
  id: number;
  code: string;
  name: { ja: string; en: string };
  helpdesk: { phone: string; hours: { ja: string; en: string } };
  logo: string;
  brandMarks: Partial<Record<Brand, string>>;
  sms: { senderId: string | null; name: { ja: string; en: string } };
  mailFrom: string | null;
  timeZone: string;
  challengeThresholds: Record<string, number>;
  velocityLimitPerHour: number;
  policies: {
    provisional: ProvisionalPolicy;
    reissue: ReissuePolicy;
    maxAuthAttempts: number;
    otpTtlSeconds: number;
    otpResendCooldownSeconds: number;
    otpMaxSends: number;
    phoneChange: PhoneChangeMode;
    /** A provisional number: replaced in the portal (self_service) or only by calling (phone_call). */
    provisionalPhone: PhoneChangeMode;
    /** What registration asks besides card number and expiry (corporate cards: the card PIN). */
    registrationProof: RegistrationProof;
  };
  maintenanceWindow: MaintenanceWindow | null;
  portalHosts: string[];
  /** For the risk rules (src/risk/): amounts in the home currency, and the external provider's configuration. */
  risk: { homeCurrency: string; currencyRates: Record<string, number>; provider: Record<string, unknown> | null };
}

export function settingsOf(row: Issuer): IssuerSettings {
  return {
    id: row.id,
    code: row.code,
    name: { ja: row.nameJa, en: row.nameEn },
    helpdesk: { phone: row.helpdeskPhone, hours: { ja: row.helpdeskHoursJa, en: row.helpdeskHoursEn } },
    logo: row.logo,
    brandMarks: row.brandMarks,
    sms: { senderId: row.smsSenderId, name: { ja: row.smsNameJa, en: row.smsNameEn } },
    mailFrom: row.mailFrom,
    timeZone: row.timeZone,
    challengeThresholds: row.challengeThresholds,
    velocityLimitPerHour: row.velocityLimitPerHour,
    policies: {
      provisional: row.provisionalPolicy,
      reissue: row.reissuePolicy,
      maxAuthAttempts: row.maxAuthAttempts,
      otpTtlSeconds: row.otpTtlSeconds,
      otpResendCooldownSeconds: row.otpResendCooldownSeconds,
      otpMaxSends: row.otpMaxSends,
      phoneChange: row.phoneChangeMode,
      provisionalPhone: row.provisionalPhoneMode,
      registrationProof: row.registrationProof,
    },
    maintenanceWindow: row.maintenanceWindow,
    portalHosts: row.portalHosts,
    risk: { homeCurrency: row.homeCurrency, currencyRates: row.currencyRates, provider: row.riskProvider },
  };
}

type Deps = { db: Database; config: Config; clock: Clock };

// Settings change rarely and every AReq and challenge page reads them: each process keeps all of
// them for a few seconds, like the BIN ranges (no query on the hot path). A change in the admin
// console (issuers/routes.tsx) forgets them at once in that process; others see it within CACHE_MS.
const CACHE_MS = 5_000;
const cache = new WeakMap<Database, { at: number; byId: Promise<Map<number, IssuerSettings>> }>();
/** What the last successful read found, for pages shown while the database does not answer. */
const lastRead = new WeakMap<Database, Map<number, IssuerSettings>>();

async function all(deps: Deps): Promise<Map<number, IssuerSettings>> {
  const now = deps.clock.now();
  const hit = cache.get(deps.db);
  if (hit && now - hit.at < CACHE_MS) return hit.byId;
  const byId = (async () => {
    let rows = await listIssuers(deps.db);
    if (rows.length === 0) {
      await ensureFirstIssuer(deps);
      rows = await listIssuers(deps.db);
    }
    const read = new Map(rows.map((row) => [row.id, settingsOf(row)]));
    lastRead.set(deps.db, read);
    return read;
  })();
  cache.set(deps.db, { at: now, byId });
  byId.catch(() => cache.delete(deps.db));
  return byId;
}

/** After a change to an issuer (or to which issuer a BIN range belongs): read them afresh. */
export function forgetIssuerSettings(db: Database): void {
  cache.delete(db);
}

/** The issuer `issuerId`; the first issuer when it is null or unknown (ranges and rows from before issuers). */
function pick(byId: Map<number, IssuerSettings>, issuerId: number | null | undefined): IssuerSettings | undefined {
  return (issuerId != null ? byId.get(issuerId) : undefined) ?? byId.values().next().value;
}

/** One issuer's settings; the first issuer's when the id is null or unknown (a single-issuer install). */
export async function issuerSettings(deps: Deps, issuerId: number | null | undefined): Promise<IssuerSettings> {
  return pick(await all(deps), issuerId)!;
}

/** Every issuer's settings, the first issuer first. */
export async function listIssuerSettings(deps: Deps): Promise<IssuerSettings[]> {
  return [...(await all(deps)).values()];
}

/** The settings of a card's issuer: its BIN range's (the same kept ranges the AReq matches). */
export async function issuerSettingsForPan(deps: Deps, pan: string): Promise<IssuerSettings> {
  const range = findBinRange(await loadBinRanges(deps.db, deps.clock.now()), pan);
  return issuerSettings(deps, range?.issuerId);
}

/**
 * An issuer's settings as last read, without asking the database: for the page that says the
 * appliance cannot answer right now (the database missed its deadline). Before any read, the first
 * issuer as the configuration seeds it.
 */
export function lastKnownIssuerSettings(deps: Pick<Deps, 'db' | 'config'>, issuerId: number | null | undefined): IssuerSettings {
  const read = lastRead.get(deps.db);
  return (read && pick(read, issuerId)) ?? settingsOf({ ...issuerFieldsFromConfig(deps.config), approvalPolicy: {}, approvalTtlMinutes: 1440, homeCurrency: '392', currencyRates: {}, riskProvider: null, id: 0, createdAt: 0, updatedAt: 0 });
}

/** The issuer whose member portal answers on a host name; the first issuer when none claims it. */
export async function issuerSettingsForHost(deps: Deps, host: string): Promise<IssuerSettings> {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const byId = await all(deps);
  return [...byId.values()].find((s) => s.portalHosts.includes(name)) ?? [...byId.values()][0];
}

/** Whether the portal is in the issuer's maintenance window at this moment (in the issuer's time zone). */
export function inMaintenance(settings: Pick<IssuerSettings, 'maintenanceWindow' | 'timeZone'>, now: number): boolean {
  const w = settings.maintenanceWindow;
  if (!w) return false;
  const parts = Object.fromEntries(
    dateTimeFormat('en-US', { timeZone: settings.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(now))
      .map((p) => [p.type, p.value]),
  );
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const start = toMinute(w.start);
  const end = toMinute(w.end);
  // A window past midnight (22:00–02:00) belongs to the day it starts on.
  if (start <= end) return w.days.includes(day) && minute >= start && minute < end;
  return (w.days.includes(day) && minute >= start) || (w.days.includes((day + 6) % 7) && minute < end);
}

// ─── The settings form ──────────────────────────────────────────────────────────

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).transform((v) => v || null);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const imagePath = z
  .string()
  .trim()
  .refine((v) => v === '' || /^\/static\/[\w\-./]+$/.test(v) || /^\/assets\/[0-9a-f]{64}\.[a-z]{3,4}$/.test(v) || /^https:\/\/[^\s"'<>]+$/.test(v), 'a path under /static/ or /assets/, or an https URL');

/** "392:30000,840:200" → { "392": 30000, "840": 200 }. */
const thresholds = z.string().transform((v, ctx) => {
  const out: Record<string, number> = {};
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{3}):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not CURRENCY:AMOUNT` });
      return z.NEVER;
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
});

/** "0,6 02:00-04:00" (days 0 = Sunday … 6, then the hours), or empty for none. */
const maintenance = z.string().transform((v, ctx): MaintenanceWindow | null => {
  const text = v.trim();
  if (!text) return null;
  const m = /^([0-6](?:,[0-6])*)\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'not DAYS HH:MM-HH:MM' });
    return z.NEVER;
  }
  return { days: [...new Set(m[1].split(',').map(Number))], start: `${m[2]}:${m[3]}`, end: `${m[4]}:${m[5]}` };
});

const hosts = z.string().transform((v, ctx) => {
  const out = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const h of out) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(h)) {
      ctx.addIssue({ code: 'custom', message: `"${h}" is not a host name` });
      return z.NEVER;
    }
  }
  return out;
});

const timeZone = z.string().trim().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Asia/Tokyo');

/** The issuer settings form (every field a string, as a form sends it) to the row's fields. */
export const issuerForm = z.object({
  issuerCode: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
  nameJa: text(60),
  nameEn: text(60),
  helpdeskPhone: text(30),
  helpdeskHoursJa: z.string().trim().max(60),
  helpdeskHoursEn: z.string().trim().max(60),
  logo: imagePath.refine((v) => v !== '', 'required'),
  markJcb: imagePath,
  markVisa: imagePath,
  markMastercard: imagePath,
  smsSenderId: z.string().trim().regex(/^(|\+?\d{3,15}|[A-Za-z0-9][A-Za-z0-9 .&_-]{0,10})$/).transform((v) => v || null),
  smsNameJa: text(30),
  smsNameEn: text(30),
  mailFrom: optionalText(120),
  timeZone,
  challengeThresholds: thresholds,
  velocityLimitPerHour: int(1, 10_000),
  provisionalPolicy: z.enum(['challenge', 'reject']),
  reissuePolicy: z.enum(['continue', 'reregister_phone']),
  maxAuthAttempts: int(1, 20),
  otpTtlSeconds: int(60, 600),
  otpResendCooldownSeconds: int(0, 300),
  otpMaxSends: int(1, 10),
  phoneChangeMode: z.enum(['self_service', 'phone_call']),
  provisionalPhoneMode: z.enum(['self_service', 'phone_call']),
  registrationProof: z.enum(['birth_date', 'phone_on_file']),
  maintenanceWindow: maintenance,
  portalHosts: hosts,
});

export type IssuerFormInput = z.input<typeof issuerForm>;

export function fieldsFromForm(form: z.output<typeof issuerForm>): IssuerFields {
  const { issuerCode, markJcb, markVisa, markMastercard, ...rest } = form;
  return {
    ...rest,
    code: issuerCode,
    brandMarks: { ...(markJcb ? { jcb: markJcb } : {}), ...(markVisa ? { visa: markVisa } : {}), ...(markMastercard ? { mastercard: markMastercard } : {}) },
  };
}

/** A row as the form shows it (the inverse of fieldsFromForm). */
export function formFromRow(row: IssuerFields): Record<keyof IssuerFormInput, string> {
  const w = row.maintenanceWindow;
  return {
    issuerCode: row.code,
    nameJa: row.nameJa,
    nameEn: row.nameEn,
    helpdeskPhone: row.helpdeskPhone,
    helpdeskHoursJa: row.helpdeskHoursJa,
    helpdeskHoursEn: row.helpdeskHoursEn,
    logo: row.logo,
    markJcb: row.brandMarks.jcb ?? '',
    markVisa: row.brandMarks.visa ?? '',
    markMastercard: row.brandMarks.mastercard ?? '',
    smsSenderId: row.smsSenderId ?? '',
    smsNameJa: row.smsNameJa,
    smsNameEn: row.smsNameEn,
    mailFrom: row.mailFrom ?? '',
    timeZone: row.timeZone,
    challengeThresholds: Object.entries(row.challengeThresholds).map(([k, v]) => `${k}:${v}`).join(','),
    velocityLimitPerHour: String(row.velocityLimitPerHour),
    provisionalPolicy: row.provisionalPolicy,
    reissuePolicy: row.reissuePolicy,
    maxAuthAttempts: String(row.maxAuthAttempts),
    otpTtlSeconds: String(row.otpTtlSeconds),
    otpResendCooldownSeconds: String(row.otpResendCooldownSeconds),
    otpMaxSends: String(row.otpMaxSends),
    phoneChangeMode: row.phoneChangeMode,
    provisionalPhoneMode: row.provisionalPhoneMode,
    registrationProof: row.registrationProof,
    maintenanceWindow: w ? `${w.days.join(',')} ${w.start}-${w.end}` : '',
    portalHosts: row.portalHosts.join(','),
  };
}
