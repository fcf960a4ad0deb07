/**
 * The data model of the appliance. Open this file first.
 *
 * Conventions: times are epoch milliseconds (integers, from the injected clock);
 * a PAN appears only as `panHash` (HMAC-SHA-256, for look-up), `panCipher` (AES-GCM)
 * and its display parts (first 6, last 4). Messages are stored with the PAN masked.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
// The card schemes and their properties live in one place; type-only, so no runtime import here.
import type { Brand } from '../protocol/brands.ts';

export type { Brand };

const createdAt = () => integer('created_at').notNull();

// ─── Issuers ────────────────────────────────────────────────────────────────────

/** What the helpdesk can do to a cardholder's data (src/helpdesk/actions.ts), each audited with a reason. */
export type HelpdeskAction =
  | 'unlock'
  | 'change_phone'
  | 'mark_phone_provisional'
  | 'send_password_reset'
  | 'switch_to_sms'
  | 'block_card'
  | 'deregister'
  | 'data_sharing';

export type ProvisionalPolicy = 'challenge' | 'reject';
export type ReissuePolicy = 'continue' | 'reregister_phone';
/** How a cardholder changes the OTP phone: in the portal with a code, or only by calling the issuer. */
export type PhoneChangeMode = 'self_service' | 'phone_call';
/** What a cardholder proves at registration besides card number and expiry (corporate cards: the card PIN). */
export type RegistrationProof = 'birth_date' | 'phone_on_file';
/** The portal's planned downtime, in the issuer's time zone: days 0 (Sunday) to 6, "HH:MM" to "HH:MM". */
export interface MaintenanceWindow {
  days: number[];
  start: string;
  end: string;
}

/**
 * A card issuer on this install (one, or several for a processor or a group's regional companies).
 * Everything a cardholder sees of "their card company" and every policy that is the issuer's
 * decision lives here (src/issuers/). The first issuer is seeded from the configuration variables.
 */
export const issuers = sqliteTable('issuers', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Short, lowercase, stable: used in the CLIs (`--issuer CODE`) and URLs. */
  code: text('code').notNull().unique(),
  nameJa: text('name_ja').notNull(),
  nameEn: text('name_en').notNull(),
  helpdeskPhone: text('helpdesk_phone').notNull(),
  helpdeskHoursJa: text('helpdesk_hours_ja').notNull().default(''),
  helpdeskHoursEn: text('helpdesk_hours_en').notNull().default(''),
  /** A path on this origin or an https URL. */
  logo: text('logo').notNull(),
  /** JSON { jcb?, visa?, mastercard? }: the scheme marks' images as the schemes supplied them. */
  brandMarks: text('brand_marks', { mode: 'json' }).$type<Partial<Record<Brand, string>>>().notNull().default({}),
  smsSenderId: text('sms_sender_id'),
  /** The issuer's name in the SMS text (short names keep it to fewer segments). */
  smsNameJa: text('sms_name_ja').notNull(),
  smsNameEn: text('sms_name_en').notNull(),
  mailFrom: text('mail_from'),
  /** IANA time zone for dates on pages and in mails, and for the maintenance window. */
  timeZone: text('time_zone').notNull().default('Asia/Tokyo'),
  /** JSON { "392": 30000, ... }: per currency (ISO 4217 numeric), amounts at or above are challenged. */
  challengeThresholds: text('challenge_thresholds', { mode: 'json' }).$type<Record<string, number>>().notNull(),
  velocityLimitPerHour: integer('velocity_limit_per_hour').notNull(),
  provisionalPolicy: text('provisional_policy').$type<ProvisionalPolicy>().notNull(),
  reissuePolicy: text('reissue_policy').$type<ReissuePolicy>().notNull(),
  maxAuthAttempts: integer('max_auth_attempts').notNull(),
  otpTtlSeconds: integer('otp_ttl_seconds').notNull(),
  otpResendCooldownSeconds: integer('otp_resend_cooldown_seconds').notNull(),
  otpMaxSends: integer('otp_max_sends').notNull(),
  phoneChangeMode: text('phone_change_mode').$type<PhoneChangeMode>().notNull().default('phone_call'),
  /** A number the issuer marked provisional: replaced in the portal (with a code) or only by calling. */
  provisionalPhoneMode: text('provisional_phone_mode').$type<PhoneChangeMode>().notNull().default('self_service'),
  /** What the portal's registration asks besides card number and expiry (corporate cards always the PIN). */
  registrationProof: text('registration_proof').$type<RegistrationProof>().notNull().default('birth_date'),
  maintenanceWindow: text('maintenance_window', { mode: 'json' }).$type<MaintenanceWindow | null>(),
  /** JSON array of host names the member portal answers on for this issuer. */
  portalHosts: text('portal_hosts', { mode: 'json' }).$type<string[]>().notNull().default([]),
  /**
   * Four eyes: which helpdesk actions wait for a second person's approval (src/helpdesk/approvals.ts
   * has the defaults: phone changes and deregistration on, unlock off). JSON { action: boolean }.
   */
  approvalPolicy: text('approval_policy', { mode: 'json' }).$type<Partial<Record<HelpdeskAction, boolean>>>().notNull().default({}),
  /** The home currency (ISO 4217 numeric) and rates to it, for amounts in the risk rules: { "840": 150.2 }. */
  homeCurrency: text('home_currency').notNull().default('392'),
  currencyRates: text('currency_rates', { mode: 'json' }).$type<Record<string, number>>().notNull().default({}),
  /**
   * The external fraud-detection provider (src/risk/provider-http.ts): URL, auth header, the fields the
   * issuer shares, where the answer's score and reasons are, timeout. Null: none. JSON.
   */
  riskProvider: text('risk_provider', { mode: 'json' }).$type<Record<string, unknown> | null>(),
  /** How long a filed request waits for approval before it expires. */
  approvalTtlMinutes: integer('approval_ttl_minutes').notNull().default(1440),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

// ─── Cards ──────────────────────────────────────────────────────────────────────

/** The issuer's card ranges; a PAN outside all of them is not ours (Erro 305). */
export const binRanges = sqliteTable('bin_ranges', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  brand: text('brand').$type<Brand>().notNull(),
  /** Inclusive bounds as digit strings of equal length, compared with the PAN's prefix of that length. */
  rangeStart: text('range_start').notNull(),
  rangeEnd: text('range_end').notNull(),
  label: text('label').notNull().default(''),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** The issuer whose cards these are; null means the install's first issuer (see issuers/issuer-store.ts). */
  issuerId: integer('issuer_id').references(() => issuers.id),
  createdAt: createdAt(),
});

/** A person in the issuer's core system; one cardholder may hold several cards. */
export const cardholders = sqliteTable(
  'cardholders',
  {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** The issuer whose customer this is; null means the install's first issuer (as on bin_ranges). */
  issuerId: integer('issuer_id').references(() => issuers.id),
  /** The issuer's own customer number, as imported from its core system (unique per issuer). */
  customerRef: text('customer_ref').notNull(),
  /** In kanji, as the issuer holds it. */
  name: text('name').notNull(),
  nameKana: text('name_kana'),
  /** The e-mail address the issuer holds (the registration may confirm its own: members.email). */
  email: text('email'),
  /** Phone number the issuer holds (E.164). Used to confirm registrations. */
  phoneOnFile: text('phone_on_file'),
  /** Set when the issuer's record only holds a provisional number: never texted. */
  phoneProvisional: integer('phone_provisional', { mode: 'boolean' }).notNull().default(false),
  /** YYYY-MM-DD. */
  birthDate: text('birth_date'),
  /** The cardholder asked that their data not go to the external fraud-detection provider. */
  dataSharingOptOut: integer('data_sharing_opt_out', { mode: 'boolean' }).notNull().default(false),
  dataSharingChangedAt: integer('data_sharing_changed_at'),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull().default(0),
  },
  (t) => [
    // Unique per issuer; a null issuer is the first issuer's, so it counts as one issuer too.
    uniqueIndex('cardholders_issuer_customer').on(sql`coalesce(${t.issuerId}, 0)`, t.customerRef),
    index('cardholders_phone').on(t.phoneOnFile),
    // No birth-date index: the helpdesk's last 4 + birth date search narrows by cards_last4 first,
    // and every index costs a card import one more random page write per cardholder.
  ],
);

/**
 * A card account: a card and the cards that reissue it. A 3-D Secure registration (member)
 * belongs to one account, so a cardholder with two cards registers each, and a reissued card
 * finds its registration through the account (REISSUE_POLICY says what it keeps).
 */
export const cardAccounts = sqliteTable(
  'card_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    cardholderId: integer('cardholder_id').notNull().references(() => cardholders.id),
    createdAt: createdAt(),
  },
  (t) => [index('card_accounts_cardholder').on(t.cardholderId)],
);

/** lost and stolen cards answer R/10 (blocked_lost, blocked_stolen), blocked R/12, closed R/12, replaced N/06. */
export type CardStatus = 'active' | 'blocked_lost' | 'blocked_stolen' | 'blocked' | 'closed' | 'replaced';

export const cards = sqliteTable(
  'cards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    panHash: text('pan_hash').notNull(),
    panCipher: text('pan_cipher').notNull(),
    panFirst6: text('pan_first6').notNull(),
    panLast4: text('pan_last4').notNull(),
    /** YYMM, as in the AReq's cardExpiryDate. */
    expiry: text('expiry').notNull(),
    brand: text('brand').$type<Brand>().notNull(),
    status: text('status').$type<CardStatus>().notNull().default('active'),
    cardholderId: integer('cardholder_id').notNull().references(() => cardholders.id),
    /** The account this card belongs to; a reissued card joins its predecessor's account. */
    accountId: integer('account_id').notNull().references(() => cardAccounts.id),
    /** On reissue the old card points at its successor. */
    replacedByCardId: integer('replaced_by_card_id'),
    /** A corporate card registers with card number + card PIN (seeds) instead of the birth date. */
    corporate: integer('corporate', { mode: 'boolean' }).notNull().default(false),
    /** The card PIN's hash: PBKDF2 made on import, or the core system's own ("scheme$…"). */
    pinHash: text('pin_hash'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cards_pan_hash').on(t.panHash),
    index('cards_cardholder').on(t.cardholderId),
    index('cards_account').on(t.accountId),
    index('cards_last4').on(t.panLast4),
  ],
);

// ─── Members (a card account's 3-D Secure registration) ─────────────────────────

export type MemberStatus = 'provisional' | 'active' | 'locked';
export type AuthMethod = 'sms_otp' | 'password';
export type PhoneStatus = 'none' | 'provisional' | 'verified';
/** Why a registration is locked: too many wrong entries, or staff locked it. */
export type LockCause = 'attempts' | 'staff';

export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** One registration per card account (seeds: each card is registered on its own). */
    cardAccountId: integer('card_account_id').notNull().references(() => cardAccounts.id),
    /** The ID the cardholder types on the challenge page and in the portal. */
    loginId: text('login_id').notNull(),
    passwordHash: text('password_hash'),
    authMethod: text('auth_method').$type<AuthMethod>().notNull().default('sms_otp'),
    phone: text('phone'),
    phoneStatus: text('phone_status').$type<PhoneStatus>().notNull().default('none'),
    personalMessage: text('personal_message'),
    /** The issuer set the message (at import, JCB's 仮メッセージ): the portal asks for the cardholder's own. */
    personalMessageProvisional: integer('personal_message_provisional', { mode: 'boolean' }).notNull().default(false),
    status: text('status').$type<MemberStatus>().notNull().default('provisional'),
    /** Wrong entries since the last success; incremented atomically in SQL. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedAt: integer('locked_at'),
    lockCause: text('lock_cause').$type<LockCause>(),
    /** When the OTP phone last changed (a recent change is an account-takeover sign for the risk engine). */
    phoneChangedAt: integer('phone_changed_at'),
    /** The registration's own e-mail address, and when a mailed link or code confirmed it. */
    email: text('email'),
    emailVerifiedAt: integer('email_verified_at'),
    termsAcceptedAt: integer('terms_accepted_at'),
    lastSignInAt: integer('last_sign_in_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('members_login_id').on(t.loginId), uniqueIndex('members_card_account').on(t.cardAccountId), index('members_phone').on(t.phone)],
);

// ─── 3-D Secure transactions ────────────────────────────────────────────────────

/**
 * One row per AReq, created before its ARes leaves.
 * state: ares_sent → challenge_started → completed | failed | cancelled | expired → rreq_delivered
 * (frictionless and rejected transactions stay in ares_sent: they have no RReq).
 */
export type TransactionState =
  | 'ares_sent'
  | 'challenge_started'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'expired'
  | 'rreq_delivered';

/** sms_otp and password challenge; the guidance kinds show what to do instead and end the transaction. */
export type ChallengeMethod = 'sms_otp' | 'password' | 'guidance_register' | 'guidance_phone';

export const transactions = sqliteTable(
  'transactions',
  {
    acsTransID: text('acs_trans_id').primaryKey(),
    threeDSServerTransID: text('three_ds_server_trans_id').notNull(),
    dsTransID: text('ds_trans_id').notNull(),
    messageVersion: text('message_version').notNull(),
    deviceChannel: text('device_channel').notNull(),
    messageCategory: text('message_category').notNull(),
    /** SHA-256 of the AReq body: a repeat with the same IDs and other content is an error. */
    areqDigest: text('areq_digest').notNull(),
    cardId: integer('card_id'),
    memberId: integer('member_id'),
    /**
     * The card's issuer (its BIN range's), fixed at the AReq: the challenge, its SMS and its
     * endings use this issuer's settings. Null on rows from before issuers: the first issuer.
     */
    issuerId: integer('issuer_id'),
    panHash: text('pan_hash').notNull(),
    panCipher: text('pan_cipher').notNull(),
    /** Null on rows from before the trail searched by it. */
    panFirst6: text('pan_first6'),
    panLast4: text('pan_last4').notNull(),
    brand: text('brand').$type<Brand>().notNull(),
    purchaseAmount: text('purchase_amount'),
    purchaseCurrency: text('purchase_currency'),
    purchaseExponent: integer('purchase_exponent'),
    merchantName: text('merchant_name'),
    dsURL: text('ds_url'),
    notificationURL: text('notification_url'),
    transStatus: text('trans_status').notNull(),
    transStatusReason: text('trans_status_reason'),
    /** Outcome of the challenge, for the RReq and final CRes. */
    finalTransStatus: text('final_trans_status'),
    finalTransStatusReason: text('final_trans_status_reason'),
    challengeCancel: text('challenge_cancel'),
    eci: text('eci'),
    authenticationValue: text('authentication_value'),
    interactionCounter: integer('interaction_counter').notNull().default(0),
    state: text('state').$type<TransactionState>().notNull(),
    /** For transStatus C: how the cardholder is challenged, or why they can only be guided (see acs/decide.ts). */
    challengeMethod: text('challenge_method').$type<ChallengeMethod>(),
    riskScore: integer('risk_score'),
    riskReasons: text('risk_reasons'),
    /** The rule-set version the decision was made under (0: the engine's defaults). */
    riskVersion: integer('risk_version'),
    /** The signals, the rules that matched with their effects, the score, the band, the provider's answer (src/risk/). */
    riskDetail: text('risk_detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** The AReq as received with the PAN masked, and the ARes exactly as sent (replayed for a repeated AReq). */
    areq: text('areq').notNull(),
    ares: text('ares').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('transactions_server_ds_ids').on(t.threeDSServerTransID, t.dsTransID),
    index('transactions_card_created').on(t.cardId, t.createdAt),
    index('transactions_created').on(t.createdAt),
    // The trail's keyset order within an issuer, and its look-ups by card number.
    index('transactions_issuer_created').on(t.issuerId, t.createdAt, t.acsTransID),
    index('transactions_pan_hash').on(t.panHash, t.createdAt),
    // The trail's commonest narrow searches: a card's last four digits, an outcome, a DS's id.
    index('transactions_issuer_last4').on(t.issuerId, t.panLast4, t.createdAt, t.acsTransID),
    index('transactions_issuer_status').on(t.issuerId, t.transStatus, t.createdAt, t.acsTransID),
    index('transactions_ds_trans_id').on(t.dsTransID),
  ],
);

/** Every message of a transaction, in and out, PAN masked. */
export const transactionMessages = sqliteTable(
  'transaction_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    acsTransID: text('acs_trans_id').notNull(),
    direction: text('direction').$type<'in' | 'out'>().notNull(),
    messageType: text('message_type').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('transaction_messages_trans').on(t.acsTransID)],
);

/** What happened in a challenge that is not a message: pages shown, wrong entries, resends, locks. */
export type TransactionEventKind = 'page' | 'wrong_entry' | 'resend' | 'sms_refused' | 'locked' | 'cancelled' | 'timed_out' | 'succeeded' | 'failed';

/** The challenge's steps for the transaction page, written by src/challenge/ (PAN never in detail). */
export const transactionEvents = sqliteTable(
  'transaction_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    acsTransID: text('acs_trans_id').notNull(),
    kind: text('kind').$type<TransactionEventKind>().notNull(),
    detail: text('detail').notNull().default('{}'),
    at: integer('at').notNull(),
  },
  (t) => [index('transaction_events_trans').on(t.acsTransID)],
);

/**
 * Running aggregates for the dashboard and /metrics, per issuer and hour: one row per
 * (issuer, hour, metric, label), incremented by UPSERT in the same batch as the event it counts,
 * so no page view scans transactions. issuer_id 0: no issuer known (e.g. an Erro before the PAN).
 * Latency histograms are counts per bucket: metric 'ares_ms', label = the bucket's upper bound.
 */
export const statsHourly = sqliteTable(
  'stats_hourly',
  {
    issuerId: integer('issuer_id').notNull(),
    /** Start of the hour, epoch ms (UTC). */
    hour: integer('hour').notNull(),
    metric: text('metric').notNull(),
    label: text('label').notNull().default(''),
    count: integer('count').notNull().default(0),
    /** For latency metrics: the sum of the observations (ms), for the histogram's _sum. */
    sum: integer('sum').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.issuerId, t.hour, t.metric, t.label] }), index('stats_hourly_hour').on(t.hour)],
);

/** Browser properties collected by the 3DS Method, kept for the AReq that follows. */
export const methodData = sqliteTable('method_data', {
  threeDSServerTransID: text('three_ds_server_trans_id').primaryKey(),
  data: text('data').notNull(),
  createdAt: createdAt(),
  expiresAt: integer('expires_at').notNull(),
});

// ─── Flows, challenges and one-time codes ───────────────────────────────────────

/** What a flow is for (Kratos-style self-service flows; the challenge is the first). */
export type FlowKind = 'challenge' | 'registration' | 'recovery' | 'phone_verification' | 'staff_enrolment' | 'email_verification';

/**
 * A persisted flow (src/flow/): an id, a kind, a subject (for a challenge its acsTransID), a
 * state from its kind's typed set, and an expiry. One-time codes, their send slots and the
 * timers hang off the flow, so a registration or recovery flow sends and checks an SMS code
 * with the same machinery and limits as the challenge.
 */
export const flows = sqliteTable(
  'flows',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<FlowKind>().notNull(),
    subject: text('subject').notNull(),
    state: text('state').notNull(),
    /** What the flow has gathered so far (a registration's card, chosen ID, …), JSON; never a secret in the clear. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Codes sent in this flow, and when the last one went (cooldown, per-flow maximum). */
    sendCount: integer('send_count').notNull().default(0),
    lastSentAt: integer('last_sent_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('flows_kind_subject').on(t.kind, t.subject), index('flows_expires').on(t.expiresAt)],
);

export type ChallengeState = 'started' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** The 3-D Secure challenge of one transaction: its flow (state, expiry, sends) plus what only a challenge has. */
export const challenges = sqliteTable('challenges', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  acsTransID: text('acs_trans_id').notNull().unique(),
  flowId: text('flow_id').notNull().references(() => flows.id),
  method: text('method').$type<ChallengeMethod>().notNull(),
  challengeWindowSize: text('challenge_window_size'),
  language: text('language').notNull().default('ja'),
  /** Digest of the first CReq: an identical repeat continues, a different one is refused. */
  creqDigest: text('creq_digest'),
  createdAt: createdAt(),
  lastActivityAt: integer('last_activity_at').notNull(),
});

/** One-time codes of a flow: stored only as a keyed hash, single use, expiring. */
export const otps = sqliteTable(
  'otps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    flowId: text('flow_id').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('otps_flow').on(t.flowId)],
);

// ─── Timers and outbound delivery ───────────────────────────────────────────────

export type TimerKind = 'creq_timeout' | 'challenge_timeout' | 'rreq_delivery';

/** Work due at a time, swept by the scheduler (cron on Workers, interval on Node/Deno). */
export const timers = sqliteTable(
  'timers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').$type<TimerKind>().notNull(),
    /** What the timer is for: an acsTransID for the ACS's timers, a flow id for a flow's. */
    subject: text('subject').notNull(),
    dueAt: integer('due_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** A sweeper claims a timer by pushing this forward; another sweeper skips it meanwhile. */
    claimedUntil: integer('claimed_until'),
    doneAt: integer('done_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('timers_kind_subject').on(t.kind, t.subject), index('timers_due').on(t.doneAt, t.dueAt)],
);

/** Every SMS, mail and RReq the appliance sent or tried to send, with provider status (no secrets in it). */
export const outboundLog = sqliteTable(
  'outbound_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channel: text('channel').$type<'sms' | 'mail' | 'rreq'>().notNull(),
    acsTransID: text('acs_trans_id'),
    /** What it was for when not a transaction's: 'notice', 'helpdesk_test', 'password_reset', … */
    purpose: text('purpose'),
    /** The registration it concerned, for the cardholder page. */
    memberId: integer('member_id'),
    recipient: text('recipient').notNull(),
    provider: text('provider').notNull(),
    status: text('status').$type<'sent' | 'failed'>().notNull(),
    detail: text('detail'),
    createdAt: createdAt(),
  },
  (t) => [index('outbound_log_trans').on(t.acsTransID)],
);

/**
 * The development SMS provider's "phone": what the outbox adapter delivered.
 * It exists only for the sandbox and tests; production adapters never write here.
 */
export const smsOutbox = sqliteTable('sms_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  recipient: text('recipient').notNull(),
  body: text('body').notNull(),
  otpCode: text('otp_code'),
  acsTransID: text('acs_trans_id'),
  /** The sender ID it went out under (the card's issuer's), when one is set. */
  sender: text('sender'),
  createdAt: createdAt(),
});

export const mailOutbox = sqliteTable('mail_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  recipient: text('recipient').notNull(),
  /** The From it went out under (the issuer's mail sender), when one is set. */
  sender: text('sender'),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
});

/**
 * The sandbox's view of an exchange (it plays merchant, 3DS Server and DS): every message it sent
 * or received, PAN masked, keyed by threeDSServerTransID. Written only while the sandbox is on.
 */
export const sandboxMessages = sqliteTable(
  'sandbox_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    threeDSServerTransID: text('three_ds_server_trans_id').notNull(),
    /** Who sent it to whom, e.g. "3DS Server → DS → ACS". */
    step: text('step').notNull(),
    messageType: text('message_type').notNull(),
    body: text('body').notNull(),
    ms: integer('ms'),
    createdAt: createdAt(),
  },
  (t) => [index('sandbox_messages_trans').on(t.threeDSServerTransID)],
);

/** Fixed-window counters for rate limits and velocity, incremented atomically with UPSERT. */
export const rateCounters = sqliteTable('rate_counters', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull().default(0),
});

export type SmsBreakerState = 'closed' | 'open' | 'half_open';

/**
 * The SMS provider's circuit breaker: one row (id 1), so every process and isolate agrees.
 * closed → (SMS_BREAKER_THRESHOLD consecutive provider failures) → open → (after
 * SMS_BREAKER_OPEN_SECONDS the next send is a probe) → half_open → closed on success, open on failure.
 * No row means closed. Moved only by guarded UPDATE/UPSERT (see messaging/breaker.ts).
 */
export const smsBreaker = sqliteTable('sms_breaker', {
  id: integer('id').primaryKey(),
  state: text('state').$type<SmsBreakerState>().notNull().default('closed'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  openedAt: integer('opened_at'),
  /** When the probe of a half-open breaker started; a probe older than its lease may be retaken. */
  probeStartedAt: integer('probe_started_at'),
  lastError: text('last_error'),
  updatedAt: integer('updated_at').notNull(),
});

// ─── Risk ───────────────────────────────────────────────────────────────────────

export type RuleSetState = 'draft' | 'published';

/**
 * An issuer's risk rules (src/risk/): one draft the administrators edit, and the published versions,
 * numbered from 1. The newest published version decides AReqs; a rollback publishes an earlier
 * version's rules again as a new version (based_on), so every version a transaction names stays.
 * `rule_set` is the JSON src/risk/rules/rule-set.ts validates (ordered rules and score bands).
 */
export const riskRuleSets = sqliteTable(
  'risk_rule_sets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issuerId: integer('issuer_id').notNull().references(() => issuers.id),
    /** A draft carries the number it will get when published. */
    version: integer('version').notNull(),
    state: text('state').$type<RuleSetState>().notNull(),
    ruleSet: text('rule_set', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    note: text('note').notNull().default(''),
    basedOn: integer('based_on'),
    createdBy: integer('created_by').references(() => staff.id),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    publishedBy: integer('published_by').references(() => staff.id),
    publishedAt: integer('published_at'),
  },
  (t) => [uniqueIndex('risk_rule_sets_issuer_version').on(t.issuerId, t.version), index('risk_rule_sets_issuer_state').on(t.issuerId, t.state, t.version)],
);

/**
 * A card's risk history, kept incrementally with each AReq (src/risk/): sliding-window counts
 * (this window and the previous, weighted), and the PSD2 low-value counters since the last challenge.
 */
export const cardRiskState = sqliteTable('card_risk_state', {
  cardId: integer('card_id').primaryKey(),
  hourWindowStart: integer('hour_window_start').notNull().default(0),
  hourCount: integer('hour_count').notNull().default(0),
  prevHourCount: integer('prev_hour_count').notNull().default(0),
  dayWindowStart: integer('day_window_start').notNull().default(0),
  dayCount: integer('day_count').notNull().default(0),
  prevDayCount: integer('prev_day_count').notNull().default(0),
  /** Frictionless authentications and their amount (home currency, major units) since the last challenge. */
  consecutiveFrictionless: integer('consecutive_frictionless').notNull().default(0),
  frictionlessAmountHome: integer('frictionless_amount_home').notNull().default(0),
  lastChallengeAt: integer('last_challenge_at'),
  /** Failed or abandoned challenges in the current day window. */
  failedChallengesDayStart: integer('failed_challenges_day_start').notNull().default(0),
  failedChallengesDayCount: integer('failed_challenges_day_count').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});

export type SeenKind = 'device' | 'ip' | 'merchant';

/** What a card was seen with: device keys and IP prefixes (keyed hashes), merchants (for distinct counts). */
export const cardSeen = sqliteTable(
  'card_seen',
  {
    cardId: integer('card_id').notNull(),
    kind: text('kind').$type<SeenKind>().notNull(),
    /** HMAC of the device key or IP prefix; the acquirer merchant ID (or name) for merchants. */
    value: text('value').notNull(),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
    count: integer('count').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.cardId, t.kind, t.value] }), index('card_seen_last').on(t.cardId, t.kind, t.lastSeen)],
);

/** The external fraud-detection provider's circuit breaker, per issuer (like the SMS breaker). */
export const riskProviderBreaker = sqliteTable('risk_provider_breaker', {
  issuerId: integer('issuer_id').primaryKey(),
  state: text('state').$type<SmsBreakerState>().notNull().default('closed'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  openedAt: integer('opened_at'),
  probeStartedAt: integer('probe_started_at'),
  lastError: text('last_error'),
  updatedAt: integer('updated_at').notNull(),
});

// ─── Staff, sessions, audit ─────────────────────────────────────────────────────

/**
 * platform_admin: every issuer, and the issuers themselves; issuer_admin: everything of its issuer;
 * helpdesk: its issuer's cardholders; auditor: reads everything of its issuer (src/admin/roles.ts).
 */
export type StaffRole = 'platform_admin' | 'issuer_admin' | 'helpdesk' | 'auditor';
/** invited: has an enrolment link and no credentials yet; disabled: cannot sign in until re-enabled. */
export type StaffStatus = 'invited' | 'active' | 'disabled';

export const staff = sqliteTable('staff', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** Null for a platform administrator only. */
  issuerId: integer('issuer_id').references(() => issuers.id),
  role: text('role').$type<StaffRole>().notNull(),
  status: text('status').$type<StaffStatus>().notNull().default('invited'),
  /** PBKDF2 (members/password.ts); null until enrolment sets it. */
  passwordHash: text('password_hash'),
  /** TOTP secret, AES-GCM encrypted (admin/totp.ts); null until enrolled. */
  totpSecretCipher: text('totp_secret_cipher'),
  /** The TOTP time step last accepted: a code is good once (no replay within its window). */
  lastTotpStep: integer('last_totp_step'),
  /** Failed sign-ins since the last success; incremented atomically in SQL. */
  failedAttempts: integer('failed_attempts').notNull().default(0),
  /** Set at the fifth failure; sign-in is refused until then (or until an administrator unlocks). */
  lockedUntil: integer('locked_until'),
  lastSignInAt: integer('last_sign_in_at'),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

/** A one-time enrolment link (invitation or re-enrolment after a reset): only its SHA-256 is kept. */
export const staffEnrolments = sqliteTable(
  'staff_enrolments',
  {
    id: text('id').primaryKey(),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    /** The TOTP secret offered on the QR code, AES-GCM encrypted, until a code confirms it. */
    pendingTotpCipher: text('pending_totp_cipher'),
    passwordSetAt: integer('password_set_at'),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('staff_enrolments_staff').on(t.staffId)],
);

/** Ten single-use recovery codes per enrolment, stored hashed. */
export const staffRecoveryCodes = sqliteTable(
  'staff_recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    codeHash: text('code_hash').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('staff_recovery_codes_staff').on(t.staffId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the session token; the token itself lives only in the cookie. */
    id: text('id').primaryKey(),
    subjectType: text('subject_type').$type<'member' | 'staff'>().notNull(),
    subjectId: integer('subject_id').notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_subject').on(t.subjectType, t.subjectId)],
);

/**
 * Append-only: a trigger in the migrations refuses UPDATE and DELETE. Tamper evidence on top:
 * each row's `hash` is SHA-256 over its content and the previous row's hash (admin/audit-log.ts);
 * `npm run audit -- verify` walks the chain. Rows from before the chain began have no hash.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorType: text('actor_type').$type<'staff' | 'member' | 'system'>().notNull(),
    actorId: integer('actor_id'),
    /** Who, as a person reads it (a staff username, "cli:osuser"), kept as it was at the time. */
    actorName: text('actor_name'),
    /** Whose data the action touched: an auditor of an issuer sees its rows only. Null: the platform. */
    issuerId: integer('issuer_id'),
    action: text('action').notNull(),
    target: text('target'),
    detail: text('detail').notNull().default('{}'),
    requestId: text('request_id'),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_issuer_at').on(t.issuerId, t.at)],
);

// ─── Helpdesk: four-eyes requests ───────────────────────────────────────────────

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

/**
 * A helpdesk action that waits for a second person (maker-checker). The requester can never
 * decide their own; a pending request past expires_at is expired. Written by src/helpdesk/.
 */
export const staffRequests = sqliteTable(
  'staff_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issuerId: integer('issuer_id').notNull().references(() => issuers.id),
    action: text('action').$type<HelpdeskAction>().notNull(),
    /** What it acts on: "member:12", "card:7", "cardholder:3". */
    target: text('target').notNull(),
    /** The action's input (a new phone number, the block reason, …), JSON. */
    payload: text('payload').notNull().default('{}'),
    reason: text('reason').notNull(),
    state: text('state').$type<ApprovalState>().notNull().default('pending'),
    requestedBy: integer('requested_by').notNull().references(() => staff.id),
    requestedAt: integer('requested_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    decidedBy: integer('decided_by').references(() => staff.id),
    decidedAt: integer('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('staff_requests_issuer_state').on(t.issuerId, t.state, t.requestedAt), index('staff_requests_target').on(t.target)],
);

// ─── Member reports: "this was not me" ──────────────────────────────────────────

export type MemberReportKind = 'transaction' | 'account_change';
export type MemberReportState = 'open' | 'closed';

/**
 * A cardholder's report from the portal that an authentication (or a change to their registration,
 * from a notification mail's link) was not them. Lands in the issuer's helpdesk queue
 * (/admin/reports); staff close it with a note. Written by src/portal/reports.ts.
 */
export const memberReports = sqliteTable(
  'member_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issuerId: integer('issuer_id').notNull().references(() => issuers.id),
    memberId: integer('member_id').notNull(),
    kind: text('kind').$type<MemberReportKind>().notNull(),
    /** The authentication reported (kind transaction). */
    acsTransID: text('acs_trans_id'),
    /** What changed (kind account_change): password, phone, email, personal_message. */
    change: text('change'),
    /** The cardholder's own words, if any. */
    note: text('note').notNull().default(''),
    state: text('state').$type<MemberReportState>().notNull().default('open'),
    createdAt: createdAt(),
    closedAt: integer('closed_at'),
    closedBy: integer('closed_by').references(() => staff.id),
    closeNote: text('close_note'),
  },
  (t) => [
    index('member_reports_issuer_state').on(t.issuerId, t.state, t.createdAt),
    index('member_reports_member').on(t.memberId),
    // One report per authentication (a second click says "reported already").
    uniqueIndex('member_reports_transaction').on(t.memberId, t.acsTransID),
  ],
);

// ─── Card data from the issuer's core system ────────────────────────────────────

export type ImportState = 'queued' | 'running' | 'done' | 'failed';

/** One CSV import (or dry run): who, when, the file's digest, progress and counts. Written by src/cards/import/. */
export const cardImports = sqliteTable(
  'card_imports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issuerId: integer('issuer_id').notNull().references(() => issuers.id),
    /** "staff:3", "cli:osuser", … as the audit log names actors. */
    actorName: text('actor_name').notNull(),
    staffId: integer('staff_id'),
    fileName: text('file_name').notNull(),
    /** SHA-256 of the file's bytes. */
    fileDigest: text('file_digest').notNull(),
    encoding: text('encoding').$type<'utf-8' | 'shift_jis'>().notNull(),
    dryRun: integer('dry_run', { mode: 'boolean' }).notNull().default(false),
    state: text('state').$type<ImportState>().notNull().default('queued'),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    inserted: integer('inserted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** Where a batched run (Workers) resumes: the next data line to read. */
    cursor: integer('cursor').notNull().default(0),
    /**
     * Where the file is: `database` (card_import_chunks: any process may continue the job) or
     * `process` (only in the memory of the shell tool that runs it, job.ts holdFile: no one else can).
     */
    filePlace: text('file_place').$type<'database' | 'process'>().notNull().default('database'),
    /** When the last batch committed: a job held by a process that stopped moving is failed (job.ts). */
    movedAt: integer('moved_at'),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('card_imports_issuer').on(t.issuerId, t.createdAt)],
);

/** A rejected row of an import: its line number and why, in both languages (the error report). */
export const cardImportErrors = sqliteTable(
  'card_import_errors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    importId: integer('import_id').notNull().references(() => cardImports.id),
    line: integer('line').notNull(),
    field: text('field'),
    code: text('code').notNull(),
    messageJa: text('message_ja').notNull(),
    messageEn: text('message_en').notNull(),
  },
  (t) => [index('card_import_errors_import').on(t.importId, t.line)],
);

/**
 * The file of an import that runs in batches (Workers, or the console on any runtime), in chunks of
 * decoded text, so a request can resume where the last stopped. Deleted when the import ends.
 */
export const cardImportChunks = sqliteTable(
  'card_import_chunks',
  {
    importId: integer('import_id').notNull().references(() => cardImports.id),
    seq: integer('seq').notNull(),
    body: text('body').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

export type ApiPermission = 'cards.read' | 'cards.write';

/** An integration API key of one issuer: shown once, stored as SHA-256, scoped, optionally limited by source address. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issuerId: integer('issuer_id').notNull().references(() => issuers.id),
    name: text('name').notNull(),
    /** The key's first characters, shown in the console to tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    permissions: text('permissions', { mode: 'json' }).$type<ApiPermission[]>().notNull(),
    /** CIDR blocks the key may be used from; empty: anywhere. */
    allowedSources: text('allowed_sources', { mode: 'json' }).$type<string[]>().notNull().default([]),
    createdBy: integer('created_by'),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_keys_issuer').on(t.issuerId)],
);

/** An API call's answer kept under its Idempotency-Key, so a retried call is answered, not repeated. */
export const apiIdempotency = sqliteTable(
  'api_idempotency',
  {
    apiKeyId: integer('api_key_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    requestDigest: text('request_digest').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('api_idempotency_created').on(t.createdAt)],
);

/** Logos and scheme marks uploaded in the console, served from /assets/<digest>.<ext>. */
export const issuerAssets = sqliteTable('issuer_assets', {
  digest: text('digest').primaryKey(),
  issuerId: integer('issuer_id').notNull().references(() => issuers.id),
  contentType: text('content_type').notNull(),
  /** The bytes, base64. Small images only (the upload refuses more than 256 KiB). */
  body: text('body').notNull(),
  createdAt: createdAt(),
});

// ─── App channel (deviceChannel 01) ─────────────────────────────────────────────

/**
 * The secure channel of one app challenge (src/app-channel/): the session key the ARes's key
 * agreement derived, sealed with the appliance's data key (never in the clear), the two JWE
 * counters, the `enc` the SDK chose and what the ARes announced. Deleted when the transaction ends.
 */
export const appSessions = sqliteTable('app_sessions', {
  acsTransID: text('acs_trans_id').primaryKey(),
  sdkTransID: text('sdk_trans_id').notNull(),
  /** The 256-bit CEK, AES-GCM-sealed (app-channel/crypto.ts sealSessionKey). */
  keyCipher: text('key_cipher').notNull(),
  /** The JWE enc of the first CReq (A128CBC-HS256 or A128GCM); every CRes answers with it. */
  enc: text('enc'),
  /** The sdkCounterStoA the next CReq must carry, and the acsCounterAtoS of the next CRes (0–255). */
  sdkCounter: integer('sdk_counter').notNull().default(0),
  acsCounter: integer('acs_counter').notNull().default(0),
  /** acsRenderingType as the ARes announced it. */
  rendering: text('rendering', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  /** The SDK's sdkMaxTimeout, in minutes. */
  sdkMaxTimeout: integer('sdk_max_timeout').notNull(),
  /** What the last CRes offered (its UI type, the select options and what each stands for), JSON. */
  ui: text('ui', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The sandbox's throw-away ACS signing chain (its own DS root → ACS leaf), made once and shared
 * by every process and isolate so that one root verifies every acsSignedContent. Sandbox only.
 */
export const sandboxSigning = sqliteTable('sandbox_signing', {
  id: text('id').primaryKey(),
  /** The leaf's private key (PKCS#8), AES-GCM-sealed like the session keys. */
  keyCipher: text('key_cipher').notNull(),
  /** PEM certificates, leaf first, then the sandbox DS root. */
  chainPem: text('chain_pem').notNull(),
  rootPem: text('root_pem').notNull(),
  createdAt: createdAt(),
});
