/**
 * The helpdesk's actions on a cardholder's data, carried out: what each acts on (a registration,
 * a card, the cardholder), whether it can be done now, what it will change (before → after, phones
 * masked), and the change itself with its one audit row `helpdesk.<action>` (reason, before,
 * after, and the four-eyes request it came from). Pages and approvals.ts call `applyAction`; the
 * writes go through the owners of the rows (members/, cards/card-records.ts).
 *
 * @example
 *   const target = await loadTarget(db, 'member', 12)
 *   const r = await applyAction(deps, { action: 'unlock', target, payload: {}, reason: '本人確認済み', actor })
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Bi } from '../../views/i18n.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { setCardStatus, setDataSharingOptOut, setPhoneOnFile } from '../cards/card-records.ts';
import { cardAccounts, cardholders, cards, members, staffRequests, type CardStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { firstIssuer } from '../issuers/issuer-store.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { unlockMember } from '../members/attempts.ts';
import { changePhone, markPhoneProvisional, removeMember, switchToSms } from '../members/store.ts';
import { notifyCardholder, type NoticeResult } from '../messaging/notices.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { maskMail, startPasswordReset } from '../portal/password-reset.ts';
import { actionSpec, type HelpdeskAction, type TargetKind } from './catalogue.ts';

type Db = AppDeps['db'];
type MemberRow = typeof members.$inferSelect;

/** What an action acts on, with everything its form shows and its checks need. */
export interface ActionTarget {
  kind: TargetKind;
  id: number;
  /** As the audit log and requests name it: "member:12". */
  ref: string;
  /** The cardholder's issuer (a cardholder without one is the first issuer's). */
  issuerId: number;
  cardholder: typeof cardholders.$inferSelect;
  /** The registration acted on (member targets), or the card's account's (card targets). */
  member?: MemberRow;
  /** The card acted on (card targets). */
  card?: CardView;
  /** The cards of the registration's account, or of the cardholder. */
  cards: CardView[];
}

export interface CardView {
  id: number;
  first6: string;
  last4: string;
  brand: string;
  status: CardStatus;
}

/** "member-12" (as in an action's URL) or "member:12" (as in the audit log) as a kind and an id. */
export function parseTargetRef(ref: string): { kind: TargetKind; id: number } | undefined {
  const m = /^(member|card|cardholder)[-:]([1-9]\d{0,15})$/.exec(ref);
  return m ? { kind: m[1] as TargetKind, id: Number(m[2]) } : undefined;
}

const cardColumns = { id: cards.id, first6: cards.panFirst6, last4: cards.panLast4, brand: cards.brand, status: cards.status };

/** The target as it is now; undefined when there is no such row. */
export async function loadTarget(db: Db, kind: TargetKind, id: number): Promise<ActionTarget | undefined> {
  let cardholderId: number;
  let member: MemberRow | undefined;
  let card: CardView | undefined;
  let accountId: number | undefined;
  if (kind === 'member') {
    const row = await db.select({ member: members, cardholderId: cardAccounts.cardholderId }).from(members).innerJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId)).where(eq(members.id, id)).get();
    if (!row) return undefined;
    member = row.member;
    cardholderId = row.cardholderId;
    accountId = row.member.cardAccountId;
  } else if (kind === 'card') {
    const row = await db.select({ ...cardColumns, cardholderId: cards.cardholderId, accountId: cards.accountId }).from(cards).where(eq(cards.id, id)).get();
    if (!row) return undefined;
    card = { id: row.id, first6: row.first6, last4: row.last4, brand: row.brand, status: row.status };
    cardholderId = row.cardholderId;
    member = await db.select().from(members).where(eq(members.cardAccountId, row.accountId)).get();
  } else {
    cardholderId = id;
  }
  const cardholder = await db.select().from(cardholders).where(eq(cardholders.id, cardholderId)).get();
  if (!cardholder) return undefined;
  const issuerId = cardholder.issuerId ?? (await firstIssuer(db))?.id ?? 0;
  const cardRows = card
    ? [card]
    : await db.select(cardColumns).from(cards).where(accountId !== undefined ? eq(cards.accountId, accountId) : eq(cards.cardholderId, cardholderId)).orderBy(cards.id);
  return { kind, id, ref: `${kind}:${id}`, issuerId, cardholder, member, card, cards: cardRows };
}

// ─── Each action's input ────────────────────────────────────────────────────────

/** How a new phone number was confirmed: a code sent to it and read back, or another way the reason names. */
export type PhoneConfirmation = 'sms_code' | 'other';

export const PAYLOADS = {
  unlock: z.object({}),
  change_phone: z.object({ phone: z.string().regex(/^\+[1-9]\d{6,14}$/), confirmation: z.enum(['sms_code', 'other']) }),
  mark_phone_provisional: z.object({}),
  send_password_reset: z.object({}),
  switch_to_sms: z.object({}),
  block_card: z.object({ kind: z.enum(['lost', 'stolen']) }),
  deregister: z.object({}),
  data_sharing: z.object({ optOut: z.boolean() }),
} satisfies Record<HelpdeskAction, z.ZodType>;

export type Payload<A extends HelpdeskAction = HelpdeskAction> = z.output<(typeof PAYLOADS)[A]>;

/** A stored payload (a request's) read back; undefined when it does not fit the action. */
export function readPayload(action: HelpdeskAction, raw: unknown): Payload | undefined {
  const parsed = PAYLOADS[action].safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** One reading of typed numbers for the whole appliance (messaging/phone-number.ts). */
export { phoneFromTyped as parsePhone } from '../messaging/phone-number.ts';

// ─── Whether it can be done, and what it changes ───────────────────────────────

/** Why the action cannot be done to this target now, in words for the page; undefined when it can. */
export function unavailable(action: HelpdeskAction, target: ActionTarget, payload?: Payload): Bi | undefined {
  const spec = actionSpec(action)!;
  if (spec.target !== target.kind) return { ja: 'この対象にはこの操作はできません。', en: 'This action does not apply to this target.' };
  const m = target.member;
  if (spec.target === 'member' && !m) return { ja: 'このカードは本人認証サービスに登録されていません。', en: 'This card is not registered.' };
  switch (action) {
    case 'unlock':
      return m!.status === 'locked' ? undefined : { ja: 'この登録はロックされていません。', en: 'This registration is not locked.' };
    case 'mark_phone_provisional':
      return m!.phoneStatus === 'verified' ? undefined : { ja: '確認済みの電話番号がありません。', en: 'There is no verified phone number.' };
    case 'switch_to_sms':
      if (m!.authMethod !== 'password') return { ja: 'すでにSMS認証です。', en: 'This registration already uses SMS OTP.' };
      return m!.phoneStatus === 'verified' && m!.phone ? undefined : { ja: '先に認証用電話番号を設定してください（電話番号の変更）。', en: 'Set the OTP phone first (change phone).' };
    case 'send_password_reset':
      return m!.status === 'provisional' ? { ja: 'この登録はまだ仮登録です。', en: 'This registration is still provisional.' } : undefined;
    case 'block_card': {
      const status = target.card!.status;
      if (status === 'replaced' || status === 'closed') return { ja: 'このカードは再発行済みか解約済みです。', en: 'This card was replaced or closed.' };
      const wanted = payload && 'kind' in payload ? blockStatus(payload.kind) : undefined;
      return wanted && wanted === status ? { ja: 'すでにその理由で停止されています。', en: 'The card is already blocked for this reason.' } : undefined;
    }
    case 'data_sharing':
      return payload && 'optOut' in payload && payload.optOut === target.cardholder.dataSharingOptOut
        ? { ja: 'すでにその設定です。', en: 'This is already the setting.' }
        : undefined;
    default:
      return undefined;
  }
}

const blockStatus = (kind: 'lost' | 'stolen'): CardStatus => (kind === 'lost' ? 'blocked_lost' : 'blocked_stolen');

/** One value of a change: what the page shows (phones masked) and the audit log keeps. */
export type ChangeValue = string | number | boolean | null;
export interface ChangeSet {
  before: Record<string, ChangeValue>;
  after: Record<string, ChangeValue>;
}

/** What the action will change on this target with this input (phones masked). */
export function describeChange(action: HelpdeskAction, target: ActionTarget, payload: Payload | undefined): ChangeSet {
  const m = target.member;
  switch (action) {
    case 'unlock':
      return { before: { status: m?.status ?? null, failedAttempts: m?.failedAttempts ?? 0 }, after: { status: 'active', failedAttempts: 0 } };
    case 'change_phone': {
      const phone = payload && 'phone' in payload ? payload.phone : null;
      return {
        before: { phone: maskPhone(m?.phone) || null, phoneStatus: m?.phoneStatus ?? null },
        after: { phone: phone ? maskPhone(phone) : null, phoneStatus: 'verified', ...(payload && 'confirmation' in payload ? { confirmation: payload.confirmation } : {}) },
      };
    }
    case 'mark_phone_provisional':
      return { before: { phone: maskPhone(m?.phone) || null, phoneStatus: m?.phoneStatus ?? null }, after: { phone: maskPhone(m?.phone) || null, phoneStatus: 'provisional' } };
    case 'send_password_reset': {
      const mail = m?.email || target.cardholder.email;
      return { before: {}, after: { resetMailTo: mail ? maskMail(mail) : null } };
    }
    case 'switch_to_sms':
      return { before: { authMethod: m?.authMethod ?? null }, after: { authMethod: 'sms_otp' } };
    case 'block_card':
      return { before: { cardStatus: target.card?.status ?? null }, after: { cardStatus: payload && 'kind' in payload ? blockStatus(payload.kind) : null } };
    case 'deregister':
      return {
        before: { memberId: m?.loginId ?? null, authMethod: m?.authMethod ?? null, phone: maskPhone(m?.phone) || null, registration: m?.status ?? null },
        after: { registration: 'none' },
      };
    case 'data_sharing':
      return { before: { dataSharingOptOut: target.cardholder.dataSharingOptOut }, after: { dataSharingOptOut: payload && 'optOut' in payload ? payload.optOut : null } };
  }
}

// ─── Carrying it out ────────────────────────────────────────────────────────────

export interface Actor {
  id: number;
  name: string;
}

export interface ApplyInput {
  action: HelpdeskAction;
  target: ActionTarget;
  payload: Payload;
  reason: string;
  /** Who applies it (for a four-eyes request, the approver). */
  actor: Actor;
  /** The four-eyes request it carries out, and who filed it. */
  request?: { id: number; requestedBy: Actor };
  /** The HTTP request's id, for the audit row. */
  httpRequestId?: string | null;
}

export type ApplyResult =
  | { ok: true; change: ChangeSet; notice?: NoticeResult; auditId: number }
  | { ok: false; why: Bi };

/**
 * Carries the action out on the target as it is now and writes its audit row. A change that
 * no longer applies (unlocked meanwhile, deregistered, …) changes nothing and says why.
 */
export async function applyAction(deps: AppDeps, input: ApplyInput): Promise<ApplyResult> {
  const { action, target, payload } = input;
  const blocked = unavailable(action, target, payload);
  if (blocked) return { ok: false, why: blocked };
  const change = describeChange(action, target, payload);
  const { db, clock } = deps;
  const m = target.member;
  let notice: NoticeResult | undefined;
  const lost: Bi = { ja: '対象が変更されたため、実行できませんでした。画面を開き直してください。', en: 'The target changed meanwhile; nothing was done. Open the page again.' };

  switch (action) {
    case 'unlock':
      if (!(await unlockMember(db, m!.id, clock.now()))) return { ok: false, why: lost };
      break;
    case 'change_phone': {
      const { phone } = payload as Payload<'change_phone'>;
      if (!(await changePhone(db, clock, m!.id, phone))) return { ok: false, why: lost };
      // The issuer's record held only a provisional number: the confirmed one replaces it, or no challenge could use it.
      if (target.cardholder.phoneProvisional) {
        await setPhoneOnFile(db, clock, target.cardholder.id, phone, false);
        change.before.phoneOnFileProvisional = true;
        change.after.phoneOnFileProvisional = false;
      }
      // Told on the number that was in use, so a change they did not ask for is noticed.
      notice = await notifyCardholder(deps, {
        kind: 'phone_changed',
        issuer: await issuerSettings(deps, target.issuerId),
        memberId: m!.id,
        cardholderId: target.cardholder.id,
        phone: m!.phone && m!.phone !== phone ? { number: m!.phone, status: m!.phoneStatus } : undefined,
        mail: m!.email || target.cardholder.email,
      });
      break;
    }
    case 'mark_phone_provisional':
      if (!(await markPhoneProvisional(db, clock, m!.id))) return { ok: false, why: lost };
      break;
    case 'switch_to_sms':
      if (!(await switchToSms(db, clock, m!.id))) return { ok: false, why: lost };
      break;
    case 'send_password_reset': {
      let started: Awaited<ReturnType<typeof startPasswordReset>>;
      try {
        started = await startPasswordReset(deps, { memberId: m!.id, requestedBy: { type: 'staff', id: input.actor.id, name: input.actor.name }, requestId: input.httpRequestId });
      } catch {
        return { ok: false, why: { ja: 'メールを送信できませんでした。しばらくしてからもう一度お試しください。', en: 'The mail could not be sent. Try again in a while.' } };
      }
      if (!started.ok) {
        return {
          ok: false,
          why:
            started.reason === 'no_mail_address'
              ? { ja: 'メールアドレスが登録されていないため送信できません。', en: 'No mail address is on file, so nothing was sent.' }
              : { ja: 'この登録はパスワードを再設定できる状態ではありません。', en: 'This registration cannot reset its password.' },
        };
      }
      break;
    }
    case 'block_card': {
      const { kind } = payload as Payload<'block_card'>;
      if (!(await setCardStatus(db, clock, target.card!.id, kind === 'lost' ? 'blocked_lost' : 'blocked_stolen'))) return { ok: false, why: lost };
      break;
    }
    case 'deregister': {
      const now = clock.now();
      // Nothing left waiting on a registration that is gone: its pending requests are withdrawn with it
      // (a request being carried out was moved to approved before, so it is not among them).
      const withdraw = db
        .update(staffRequests)
        .set({ state: 'withdrawn', decidedAt: now, decisionNote: 'deregistered' })
        .where(and(eq(staffRequests.target, target.ref), eq(staffRequests.state, 'pending')));
      if (!(await removeMember(db, m!.id, [withdraw]))) return { ok: false, why: lost };
      notice = await notifyCardholder(deps, {
        kind: 'deregistered',
        issuer: await issuerSettings(deps, target.issuerId),
        memberId: m!.id,
        cardholderId: target.cardholder.id,
        phone: m!.phone ? { number: m!.phone, status: m!.phoneStatus } : undefined,
        mail: m!.email || target.cardholder.email,
      });
      break;
    }
    case 'data_sharing': {
      const { optOut } = payload as Payload<'data_sharing'>;
      if (!(await setDataSharingOptOut(db, clock, target.cardholder.id, optOut))) return { ok: false, why: lost };
      break;
    }
  }

  const auditId = await appendAudit(db, {
    at: clock.now(),
    actor: { type: 'staff', id: input.actor.id, name: input.actor.name },
    issuerId: target.issuerId,
    action: `helpdesk.${action}`,
    target: target.ref,
    detail: {
      reason: input.reason,
      before: change.before,
      after: change.after,
      ...(input.request ? { requestId: input.request.id, requestedBy: input.request.requestedBy } : {}),
      ...(notice ? { notice } : {}),
    },
    requestId: input.httpRequestId ?? null,
  });
  return { ok: true, change, notice, auditId };
}
