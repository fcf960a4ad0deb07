import { z } from 'zod';
import { base64urlToBytes, bytesToBase64 } from './encoding.ts';

/**
 * Every setting of the appliance, typed and validated once at start-up.
 * Entry points pass their runtime's environment in; no other module reads it.
 *
 * @example
 *   const config = parseConfig(process.env) // throws ConfigError naming the bad variable
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A 32-byte secret, given as base64 or hex (`openssl rand -base64 32`). */
const secret = z
  .string()
  .refine((v) => decodeSecret(v)?.length === 32, 'must be 32 bytes, base64 or hex (openssl rand -base64 32)');

const commaList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** "392:30000,840:100.00" → { '392': 30000, '840': 100 } (major units, as a person writes an amount). */
const amountPerCurrency = z.string().transform((v, ctx) => {
  const out: Record<string, number> = {};
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{3}):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not CURRENCY:AMOUNT (e.g. 392:30000)` });
      return z.NEVER;
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
});

/** "+81,+1" → ['+81', '+1']: E.164 prefixes (a country calling code, or longer, e.g. +8190). */
const prefixList = z.string().transform((v, ctx) => {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of out) {
    if (!/^\+\d{1,6}$/.test(p)) {
      ctx.addIssue({ code: 'custom', message: `"${p}" is not an E.164 prefix (e.g. +81)` });
      return z.NEVER;
    }
  }
  return out;
});

export interface RateLimit {
  max: number;
  windowMs: number;
}
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "10/1h" → at most 10 in each fixed hour; "5/600" → 5 per 600 seconds; "off" → no limit. */
const rateLimit = z.string().transform((v, ctx): RateLimit | null => {
  const text = v.trim().toLowerCase();
  if (text === 'off') return null;
  const m = /^(\d+)\s*\/\s*(\d+)\s*([smhd]?)$/.exec(text);
  const windowMs = m ? Number(m[2]) * UNIT_MS[m[3] || 's'] : 0;
  if (!m || Number(m[1]) < 1 || windowMs < 1000 || windowMs > 31 * UNIT_MS.d) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not COUNT/WINDOW (e.g. 10/1h, 3/10m, 5/600) or off` });
    return z.NEVER;
  }
  return { max: Number(m[1]), windowMs };
});

/** A JSON body template whose strings may hold {{placeholders}}; the named ones must appear. */
const jsonTemplate = (required: string[]) =>
  z.string().superRefine((v, ctx) => {
    try {
      JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON (placeholders such as {{to}} go inside strings)' });
      return;
    }
    for (const name of required) {
      if (!v.includes(`{{${name}}}`)) ctx.addIssue({ code: 'custom', message: `must contain {{${name}}}` });
    }
  });

/** '{"NAME":"value"}' → { NAME: 'value' }: header values for the fraud-detection provider, by name. */
const providerSecrets = z.string().transform((v, ctx): Record<string, string> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    parsed = undefined;
  }
  const ok =
    !!parsed && typeof parsed === 'object' && !Array.isArray(parsed) &&
    Object.entries(parsed).every(([k, value]) => /^[A-Z][A-Z0-9_]{0,63}$/.test(k) && typeof value === 'string' && /^[\x20-\x7e]{1,4096}$/.test(value));
  if (!ok) {
    // Never echo the value: it holds secrets.
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of NAME (A–Z, 0–9, _) to a printable header value, e.g. {"PROVIDER_TOKEN":"Bearer …"}' });
    return z.NEVER;
  }
  return parsed as Record<string, string>;
});

/**
 * PEM text holding a `label` block, or `file:/path` (read at start-up, src/app-channel/signing.ts).
 * Only the shape is checked here; whether key and chain match is checked with WebCrypto at start-up.
 */
const signingPem = (label: 'PRIVATE KEY' | 'CERTIFICATE') =>
  z
    .string()
    // .env files and secret stores often carry PEM on one line with literal \n.
    .transform((v) => v.replace(/\\n/g, '\n'))
    .refine((v) => v.startsWith('file:') || v.includes(`-----BEGIN ${label}-----`), {
      message:
        label === 'PRIVATE KEY'
          ? 'must be an unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----; openssl pkcs8 -topk8 -nocrypt) or file:/path'
          : 'must be PEM certificates, leaf first (-----BEGIN CERTIFICATE-----) or file:/path',
    });

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(1, 65535).default(8787),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|libsql:|https?:|wss?:|:memory:)/, 'must be a file: path or a libsql://, http(s):// or ws(s):// URL')
      .default('file:data/mamori.db'),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    /** The longest one database call may take (src/db/deadline.ts); then it fails and the ACS answers without it. */
    DB_TIMEOUT_MS: int(100, 60_000).default(2000),
    /** The longest an AReq may take: past it the DS gets Erro 403 (transient system failure). */
    AREQ_BUDGET_MS: int(100, 60_000).default(2000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** The bearer token a Prometheus scraper sends to GET /metrics; unset: /metrics is off (404). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (openssl rand -base64 32)').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),

    PAN_LOOKUP_KEY: secret.optional(),
    PAN_ENCRYPTION_KEY: secret.optional(),
    AUTH_VALUE_KEY: secret.optional(),
    SESSION_SECRET: secret.optional(),

    SANDBOX: bool.optional(),
    DEMO_DATA: bool.optional(),

    /**
     * The issuer's settings (ISSUER_*, BRAND_MARK_*, the policies and thresholds below, SMS_SENDER_ID,
     * SMS_ISSUER_NAME(_EN), MAIL_FROM) seed the first issuer on an empty database (src/issuers/);
     * from then on each issuer's own settings apply (/admin/issuers), and these are the adapters'
     * defaults only (SMS_SENDER_ID, MAIL_FROM).
     */
    ISSUER_NAME: z.string().min(1).max(60).default('まもり銀行カード'),
    ISSUER_NAME_EN: z.string().min(1).max(60).default('Mamori Card'),
    ISSUER_PHONE: z.string().min(1).max(30).default('0120-000-000'),
    /** The first issuer's code (CLIs' --issuer) and helpdesk hours; they seed the issuers table once (src/issuers/). */
    ISSUER_CODE: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and hyphens (up to 32)').optional(),
    ISSUER_HELPDESK_HOURS: z.string().max(60).optional(),
    ISSUER_HELPDESK_HOURS_EN: z.string().max(60).optional(),
    /** The first issuer's IANA time zone: every time a person reads (pages, outboxes, mails) is shown in it. */
    ISSUER_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Tokyo').default('Asia/Tokyo'),
    /** Our own origin only (a path under /static, or an https URL the issuer hosts). */
    ISSUER_LOGO: z.string().min(1).default('/static/img/issuer-logo.svg'),
    /** The schemes' marks are their artwork: configure the image the scheme gave you, else a text mark is shown. */
    BRAND_MARK_JCB: z.string().min(1).optional(),
    BRAND_MARK_VISA: z.string().min(1).optional(),
    BRAND_MARK_MASTERCARD: z.string().min(1).optional(),
    ACS_REFERENCE_NUMBER: z.string().min(1).max(32).default('MAMORI-ACS-0001'),
    ACS_OPERATOR_ID: z.string().max(32).optional(),

    DS_URL_JCB: z.url().optional(),
    DS_URL_VISA: z.url().optional(),
    DS_URL_MASTERCARD: z.url().optional(),
    DS_ALLOWLIST_JCB: commaList.default([]),
    DS_ALLOWLIST_VISA: commaList.default([]),
    DS_ALLOWLIST_MASTERCARD: commaList.default([]),

    MAX_AUTH_ATTEMPTS: int(1, 20).default(5),
    OTP_TTL_SECONDS: int(60, 600).default(300),
    OTP_RESEND_COOLDOWN_SECONDS: int(0, 300).default(30),
    OTP_MAX_SENDS: int(1, 10).default(3),
    PROVISIONAL_POLICY: z.enum(['challenge', 'reject']).default('challenge'),
    /** What a reissued card keeps of its predecessor's registration (src/cards/reissue.ts). */
    REISSUE_POLICY: z.enum(['continue', 'reregister_phone']).default('continue'),
    CHALLENGE_THRESHOLDS: amountPerCurrency.default({ '392': 30000, '840': 200, '978': 200 }),
    VELOCITY_LIMIT_PER_HOUR: int(1, 10_000).default(10),

    /** Messaging (src/messaging/): which adapter sends SMS and mail, and each adapter's settings. */
    SMS_GATEWAY: z.enum(['outbox', 'http', 'twilio', 'vonage']).default('outbox'),
    MAILER: z.enum(['outbox', 'http']).default('outbox'),
    /** The sender the cardholder sees: an alphanumeric ID (up to 11) or a number. */
    SMS_SENDER_ID: z.string().regex(/^(\+?\d{3,15}|[A-Za-z0-9][A-Za-z0-9 .&_-]{0,10})$/, 'must be an alphanumeric sender ID (up to 11 characters) or a phone number').optional(),
    /** The issuer's name in the SMS text (shorter names keep the message in fewer segments); defaults to ISSUER_NAME(_EN). */
    SMS_ISSUER_NAME: z.string().min(1).max(30).optional(),
    SMS_ISSUER_NAME_EN: z.string().min(1).max(30).optional(),
    SMS_TIMEOUT_MS: int(50, 30_000).default(4000),
    SMS_RETRIES: int(0, 3).default(2),
    SMS_RETRY_BACKOFF_MS: int(0, 5000).default(300),
    SMS_SEND_BUDGET_MS: int(100, 30_000).default(8000),
    SMS_COUNTRY_ALLOWLIST: prefixList.default(['+81']),
    SMS_LIMIT_PER_PHONE: rateLimit.default({ max: 10, windowMs: 3_600_000 }),
    SMS_LIMIT_PER_IP: rateLimit.default({ max: 30, windowMs: 3_600_000 }),
    SMS_LIMIT_PER_BIN: rateLimit.default({ max: 1000, windowMs: 3_600_000 }),
    SMS_BREAKER_THRESHOLD: int(1, 1000).default(5),
    SMS_BREAKER_OPEN_SECONDS: int(1, 86_400).default(60),
    SMS_BREAKER_TRANS_STATUS_REASON: z.string().regex(/^(0[1-9]|1\d|2[0-6])$/, 'must be a transStatusReason from 01 to 26').default('22'),
    /** The header the issuer's proxy puts the cardholder's address in (e.g. cf-connecting-ip, x-forwarded-for). */
    CLIENT_IP_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name').optional(),
    SMS_HTTP_URL: z.url().optional(),
    SMS_HTTP_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name').default('Authorization'),
    SMS_HTTP_AUTH_VALUE: z.string().optional(),
    SMS_HTTP_BODY_TEMPLATE: jsonTemplate(['to', 'text']).default('{"to":"{{to}}","from":"{{from}}","text":"{{text}}"}'),
    SMS_HTTP_MESSAGE_ID_PATH: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted path such as id or messages.0.id').default('id'),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
    TWILIO_AUTH_TOKEN: z.string().optional(),
    TWILIO_API_URL: z.url().default('https://api.twilio.com'),
    VONAGE_API_KEY: z.string().optional(),
    VONAGE_API_SECRET: z.string().optional(),
    VONAGE_API_URL: z.url().default('https://rest.nexmo.com'),
    MAIL_FROM: z.string().min(3).optional(),
    MAIL_TIMEOUT_MS: int(50, 30_000).default(10_000),
    MAIL_HTTP_URL: z.url().optional(),
    MAIL_HTTP_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name').default('Authorization'),
    MAIL_HTTP_AUTH_VALUE: z.string().optional(),
    MAIL_HTTP_BODY_TEMPLATE: jsonTemplate(['to', 'text']).default('{"from":"{{from}}","to":"{{to}}","subject":"{{subject}}","text":"{{text}}"}'),
    MAIL_HTTP_MESSAGE_ID_PATH: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted path such as id or data.id').default('id'),

    /**
     * The external fraud-detection provider's header values (src/risk/fraud-provider.ts), as a JSON
     * object of NAME → value, e.g. {"THREATMETRIX_TOKEN":"Bearer …"}. An issuer's provider settings name
     * one of these (secretEnv); the value itself is never stored in the database or shown.
     */
    RISK_PROVIDER_SECRETS: providerSecrets.default({}),
    /** Consecutive provider failures (per issuer) that open its breaker; then no call for the cool-down. */
    RISK_PROVIDER_BREAKER_THRESHOLD: int(1, 1000).default(5),
    RISK_PROVIDER_BREAKER_OPEN_SECONDS: int(1, 86_400).default(30),

    /**
     * The app channel's acsSignedContent key and its certificate chain (src/app-channel/signing.ts):
     * per scheme, else the default pair for all; PEM text or file:/path (Node, Deno). Unset outside
     * production: the sandbox's own chain; unset in production: no app challenge (U/03).
     */
    ACS_SIGNING_KEY: signingPem('PRIVATE KEY').optional(),
    ACS_SIGNING_CHAIN: signingPem('CERTIFICATE').optional(),
    ACS_SIGNING_KEY_JCB: signingPem('PRIVATE KEY').optional(),
    ACS_SIGNING_CHAIN_JCB: signingPem('CERTIFICATE').optional(),
    ACS_SIGNING_KEY_VISA: signingPem('PRIVATE KEY').optional(),
    ACS_SIGNING_CHAIN_VISA: signingPem('CERTIFICATE').optional(),
    ACS_SIGNING_KEY_MASTERCARD: signingPem('PRIVATE KEY').optional(),
    ACS_SIGNING_CHAIN_MASTERCARD: signingPem('CERTIFICATE').optional(),

    TLS_PORT: int(1, 65535).optional(),
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),
    TLS_CLIENT_CA_FILE: z.string().optional(),
    MTLS_REQUIRED: bool.default(false),
  })
  .superRefine((c, ctx) => {
    // Each adapter's settings, named when missing.
    const need = (names: (keyof typeof c)[], when: string) => {
      for (const name of names) if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${when}` });
    };
    if (c.SMS_GATEWAY === 'http') need(['SMS_HTTP_URL'], 'SMS_GATEWAY=http');
    if (c.SMS_GATEWAY === 'twilio') need(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMS_SENDER_ID'], 'SMS_GATEWAY=twilio');
    if (c.SMS_GATEWAY === 'vonage') need(['VONAGE_API_KEY', 'VONAGE_API_SECRET', 'SMS_SENDER_ID'], 'SMS_GATEWAY=vonage');
    if (c.MAILER === 'http') need(['MAIL_HTTP_URL', 'MAIL_FROM'], 'MAILER=http');
    // A signing key without its chain (or the reverse) cannot be checked: each pair complete.
    for (const suffix of ['', '_JCB', '_VISA', '_MASTERCARD'] as const) {
      const [key, chain] = [`ACS_SIGNING_KEY${suffix}`, `ACS_SIGNING_CHAIN${suffix}`] as const;
      if (c[key] && !c[chain]) ctx.addIssue({ code: 'custom', path: [chain], message: `is required with ${key} (the certificate chain, leaf first)` });
      if (c[chain] && !c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `is required with ${chain} (the leaf certificate's private key)` });
    }
    if (c.NODE_ENV !== 'production') return;
    for (const name of ['SMS_HTTP_URL', 'TWILIO_API_URL', 'VONAGE_API_URL', 'MAIL_HTTP_URL'] as const) {
      const url = c[name];
      if (url && !url.startsWith('https://')) ctx.addIssue({ code: 'custom', path: [name], message: 'must be https in production' });
    }
    for (const name of ['PAN_LOOKUP_KEY', 'PAN_ENCRYPTION_KEY', 'AUTH_VALUE_KEY', 'SESSION_SECRET'] as const) {
      if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
    if (c.SANDBOX) ctx.addIssue({ code: 'custom', path: ['SANDBOX'], message: 'cannot be enabled in production' });
    if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production (the https origin DSs and browsers reach)' });
    else if (!c.PUBLIC_URL.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be https in production' });
  });

type RawConfig = z.output<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'SANDBOX' | 'DEMO_DATA' | 'PUBLIC_URL'> {
  SANDBOX: boolean;
  DEMO_DATA: boolean;
  PUBLIC_URL: string;
  /** The four secrets, always present after start-up (generated in development). */
  secrets: Secrets;
}

export interface Secrets {
  PAN_LOOKUP_KEY: string;
  PAN_ENCRYPTION_KEY: string;
  AUTH_VALUE_KEY: string;
  SESSION_SECRET: string;
}
export const SECRET_NAMES = ['PAN_LOOKUP_KEY', 'PAN_ENCRYPTION_KEY', 'AUTH_VALUE_KEY', 'SESSION_SECRET'] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment. `devSecrets` fills secrets that are missing outside production
 * (the Node and Deno entries generate them into data/).
 */
export function parseConfig(env: Record<string, string | undefined>, devSecrets?: Partial<Secrets>): Config {
  // Empty strings mean "not set", as in most .env files.
  const cleaned = withSandboxLimits(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>);
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue.path.join('.') || 'configuration';
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const c = result.data;
  const secrets = {} as Secrets;
  for (const name of SECRET_NAMES) {
    const value = c[name] ?? devSecrets?.[name];
    if (!value) throw new ConfigError(`Invalid configuration: ${name} is required (set it, or run outside production to generate one)`);
    secrets[name] = value;
  }
  const production = c.NODE_ENV === 'production';
  return {
    ...c,
    SANDBOX: c.SANDBOX ?? !production,
    DEMO_DATA: c.DEMO_DATA ?? !production,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    secrets,
  };
}

/**
 * Limits sized for the sandbox's walkthrough (README): trying every window size and a phone on one
 * demo card, the lockout and the DS modes within the hour must not hit the production-sized
 * defaults (10 SMS per phone, 10 authentications per card). Used in development while the
 * sandbox is on, for each variable that is not set; the sandbox's cards page states them.
 */
export const SANDBOX_LIMITS = { SMS_LIMIT_PER_PHONE: '50/1h', SMS_LIMIT_PER_IP: '200/1h', VELOCITY_LIMIT_PER_HOUR: '50' } as const;

function withSandboxLimits(env: Record<string, string>): Record<string, string> {
  const development = (env.NODE_ENV ?? 'development') === 'development';
  const sandbox = env.SANDBOX === undefined || ['true', '1', 'on', 'yes'].includes(env.SANDBOX);
  return development && sandbox ? { ...SANDBOX_LIMITS, ...env } : env;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Decodes a secret given as 64 hex characters or base64/base64url; undefined when neither. */
export function decodeSecret(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) {
    return Uint8Array.from(value.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  try {
    return base64urlToBytes(value);
  } catch {
    return undefined;
  }
}

/** A fresh random secret in base64, for development start-ups. */
export function generateSecret(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}
