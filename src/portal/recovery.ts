/**
 * Forgot ID and forgot password, for a cardholder who cannot sign in. Neither answer ever says
 * whether a card, an ID or an address exists: the page is the same whatever was found, and every
 * answer takes at least ANSWER_FLOOR_MS with the same work done (one PBKDF2 check).
 *
 * Forgot ID asks what registration asks — card number, expiry and the issuer's proof (birth date
 * or the phone number on file; a corporate card's PIN) — and MAILS the member ID to the
 * registration's address, never shows it: someone holding another person's card and birth date
 * learns nothing, and the owner learns that somebody asked. (An e-mail address alone would do, but
 * it is the one datum most often leaked with a name; the card's details bind the request to the card.)
 *
 * Forgot password asks for the member ID and starts the mailed-link + SMS-code reset
 * (password-reset.ts); it never sets or shows a temporary password.
 */
import { eq } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { cardAccounts, cardholders, cards, members } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { luhnValid, panLookupHash } from '../cards/pan.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { verifyPassword } from '../members/password.ts';
import { phoneFromTyped } from '../messaging/phone-number.ts';
import { hitCounters } from '../messaging/rate-limit.ts';
import { maskMail, sendMail } from '../messaging/send-mail.ts';
import { startPasswordReset } from './password-reset.ts';
import type { MailText } from './reset-mail.ts';
import { findByTypedId } from './sign-in.ts';

const HOUR = 60 * 60_000;
/** Per address: enough for a person's typos, too few to walk through card numbers or IDs. */
export const RECOVERY_IP_LIMIT = 10;
export const RECOVERY_IP_WINDOW_MS = HOUR;
/** Per card (forgot ID) or per typed member ID (forgot password): a mailbox is not flooded. */
export const RECOVERY_SUBJECT_LIMIT = 3;
export const RECOVERY_SUBJECT_WINDOW_MS = HOUR;

const DUMMY_HASH = 'pbkdf2-sha256$6x100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

interface Where {
  issuer: IssuerSettings;
  hostClaimed: boolean;
  ip: string | undefined;
  requestId?: string | null;
}

// ─── Forgot ID ───────────────────────────────────────────────────────────────────

export type ForgotIdField = 'pan' | 'expiry' | 'proof';
export type ForgotIdProblem = 'empty' | 'format';

export interface ForgotIdInput {
  pan?: string;
  /** MM/YY as printed on the card (MMYY, MM/YY, full-width all accepted). */
  expiry?: string;
  /** The birth date (YYYY-MM-DD) or the phone number on file, as the issuer's proof asks. */
  proof?: string;
  /** A corporate card's PIN, instead of the proof. */
  pin?: string;
}

/** Checked forms of what was typed, or the problem beside each field (nothing counted). */
export function readForgotId(input: ForgotIdInput, proofKind: IssuerSettings['policies']['registrationProof']) {
  const pan = normaliseEntry(input.pan ?? '');
  const expiryTyped = normaliseEntry(input.expiry ?? '').replace('/', '');
  const proofTyped = (input.proof ?? '').normalize('NFKC').trim();
  const pin = normaliseEntry(input.pin ?? '');
  const errors: Partial<Record<ForgotIdField, ForgotIdProblem>> = {};
  if (!pan) errors.pan = 'empty';
  else if (!luhnValid(pan)) errors.pan = 'format';
  const mmyy = /^(0[1-9]|1[0-2])(\d{2})$/.exec(expiryTyped);
  if (!expiryTyped) errors.expiry = 'empty';
  else if (!mmyy) errors.expiry = 'format';
  let proof: string | undefined;
  if (!pin) {
    if (!proofTyped) errors.proof = 'empty';
    else {
      proof = proofKind === 'birth_date' ? birthDateFromTyped(proofTyped) : phoneFromTyped(proofTyped);
      if (!proof) errors.proof = 'format';
    }
  }
  if (Object.keys(errors).length) return { ok: false as const, errors };
  return { ok: true as const, pan, expiry: `${mmyy![2]}${mmyy![1]}`, proof, pin: pin || undefined };
}

/** YYYY-MM-DD from a date field, or 1980/4/1, 19800401 typed by hand. */
function birthDateFromTyped(s: string): string | undefined {
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(s);
  if (!m) return undefined;
  const [, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export type RecoveryResult = { kind: 'done' } | { kind: 'throttled' };

/**
 * Mails the member ID when card, expiry and proof match a registration with an address.
 * 'done' whatever was found; 'throttled' over the address's or the card's limit.
 */
export function forgotId(deps: AppDeps, where: Where, form: { pan: string; expiry: string; proof?: string; pin?: string }): Promise<RecoveryResult> {
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const now = deps.clock.now();
    const panHash = await panLookupHash(deps.keys.panLookup, form.pan);
    const [byIp, byCard] = await hitCounters(
      deps.db,
      [
        { key: `portal_forgot_id:ip:${where.ip ?? 'unknown'}`, windowMs: RECOVERY_IP_WINDOW_MS },
        { key: `portal_forgot_id:card:${panHash}`, windowMs: RECOVERY_SUBJECT_WINDOW_MS },
      ],
      now,
    );
    if (byIp > RECOVERY_IP_LIMIT || byCard > RECOVERY_SUBJECT_LIMIT) return { kind: 'throttled' };

    const [row] = await deps.db
      .select({
        expiry: cards.expiry,
        corporate: cards.corporate,
        pinHash: cards.pinHash,
        birthDate: cardholders.birthDate,
        phoneOnFile: cardholders.phoneOnFile,
        cardholderEmail: cardholders.email,
        issuerId: cardholders.issuerId,
        memberId: members.id,
        loginId: members.loginId,
        status: members.status,
        memberEmail: members.email,
      })
      .from(cards)
      .innerJoin(cardAccounts, eq(cardAccounts.id, cards.accountId))
      .innerJoin(cardholders, eq(cardholders.id, cardAccounts.cardholderId))
      .leftJoin(members, eq(members.cardAccountId, cards.accountId))
      .where(eq(cards.panHash, panHash))
      .limit(1);
    // One PIN check on every path (a corporate card's real one, else a dummy), so all cost the same.
    const pinOk = await verifyPassword(form.pin ?? '', row?.corporate ? row.pinHash : DUMMY_HASH);
    if (!row || row.memberId === null || row.status === 'provisional') return { kind: 'done' };
    const issuer = await issuerSettings(deps, row.issuerId);
    if (where.hostClaimed && issuer.id !== where.issuer.id) return { kind: 'done' };
    const proofOk = row.corporate
      ? !!form.pin && pinOk
      : !form.pin && (issuer.policies.registrationProof === 'birth_date' ? !!row.birthDate && row.birthDate === form.proof : !!row.phoneOnFile && row.phoneOnFile === form.proof);
    const to = row.memberEmail || row.cardholderEmail;
    if (row.expiry !== form.expiry || !proofOk || !to) return { kind: 'done' };

    const sent = await sendMail(deps, { to, from: issuer.mailFrom ?? undefined, ...forgotIdMail(issuer, row.loginId!) }, 'forgot_id', row.memberId);
    if (sent) {
      await appendAudit(deps.db, {
        at: now,
        actor: { type: 'member', id: row.memberId, name: row.loginId! },
        issuerId: issuer.id,
        action: 'member.forgot_id.mail',
        target: `member:${row.memberId}`,
        detail: { to: maskMail(to) },
        requestId: where.requestId ?? null,
      });
    }
    return { kind: 'done' };
  });
}

// ─── Forgot password ─────────────────────────────────────────────────────────────

/**
 * Starts the reset (mailed link + SMS code) when the ID names a registered member of this
 * portal's issuer with an address. 'done' whatever happened; 'throttled' over a limit.
 */
export function forgotPassword(deps: AppDeps, where: Where, typedId: string): Promise<RecoveryResult> {
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const [byIp, byId] = await hitCounters(
      deps.db,
      [
        { key: `portal_forgot_password:ip:${where.ip ?? 'unknown'}`, windowMs: RECOVERY_IP_WINDOW_MS },
        { key: `portal_forgot_password:id:${normaliseEntry(typedId).slice(0, 128)}`, windowMs: RECOVERY_SUBJECT_WINDOW_MS },
      ],
      deps.clock.now(),
    );
    if (byIp > RECOVERY_IP_LIMIT || byId > RECOVERY_SUBJECT_LIMIT) return { kind: 'throttled' };
    const member = await findByTypedId(deps, typedId);
    if (!member || (where.hostClaimed && member.issuerId !== where.issuer.id)) return { kind: 'done' };
    try {
      // Not registered (provisional) or no address: nothing is sent, and the page says the same.
      await startPasswordReset(deps, { memberId: member.id, requestedBy: { type: 'member', id: member.id, name: member.loginId }, requestId: where.requestId });
    } catch (error) {
      deps.log.warn('forgot password: the reset mail could not be sent', { memberId: member.id, error: String(error) });
    }
    return { kind: 'done' };
  });
}

// ─── The mail ────────────────────────────────────────────────────────────────────

/** The member ID mail, Japanese first, then English (a mail cannot switch language). */
export function forgotIdMail(issuer: Pick<IssuerSettings, 'name' | 'helpdesk'>, loginId: string): MailText {
  const phone = (lang: 'ja' | 'en') => (issuer.helpdesk.hours[lang] ? `${issuer.helpdesk.phone}（${issuer.helpdesk.hours[lang]}）` : issuer.helpdesk.phone);
  const ja = [
    `${issuer.name.ja} 本人認証サービス（3-Dセキュア）`,
    '',
    '会員IDのお問い合わせを受け付けました。ご登録の会員IDは次のとおりです。',
    '',
    `会員ID：${loginId}`,
    '',
    'パスワードをお忘れの場合は、会員ページの「パスワードをお忘れの方」から再設定してください。',
    `お心当たりのない場合は、${issuer.name.ja}（${phone('ja')}）へお電話ください。`,
    'カード会社がパスワードや確認コードをおたずねすることはありません。',
  ];
  const en = [
    `${issuer.name.en} — 3-D Secure`,
    '',
    'Someone asked for the member ID of your 3-D Secure registration. It is:',
    '',
    `Member ID: ${loginId}`,
    '',
    'If you forgot your password too, reset it from "Forgot your password?" in the member portal.',
    `If this was not you, call ${issuer.name.en} on ${phone('en')}.`,
    'Your card issuer never asks for your password or a code.',
  ];
  return {
    subject: `【${issuer.name.ja}】会員IDのご案内 / Your member ID`,
    body: [...ja, '', '――――――――――――――――――――', '', ...en, ''].join('\n'),
  };
}
