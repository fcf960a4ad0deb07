/**
 * The member's OTP phone (issue 15): register a first number, change a verified one, or replace
 * one the issuer (or staff) marked provisional. The issuer decides whether a change or a
 * replacement is done here or only by calling (policies.phoneChange / provisionalPhone); a first
 * number is always registered here.
 *
 * Every number is confirmed by a 6-digit code sent to it through the challenge's own machinery
 * (flow/send.ts: send slot with the issuer's cooldown and maximum, delivery policy, per-phone /
 * IP / BIN windows, breaker), in a `phone_verification` flow bound to the member and holding the
 * new number. A change of a verified number first needs a fresh proof: the member's password
 * (counted on the member's wrong-entry counter, so the challenge's lock applies), or, for a member
 * without one, a code sent to the current number in a flow of its own. The new number's flow is
 * created only after that proof, so holding one means the proof was made. Wrong codes are counted
 * per flow in the database (flow/counted-code.ts) and fail the flow at the issuer's attempt limit.
 *
 * On success: members.phone verified with phone_changed_at (members/store.ts changePhone), an
 * audit row `member.phone_change` (before → after, masked), and a notice by SMS to the old
 * verified number and by mail (messaging/notices.ts).
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { cardholders, cards, flows, type Brand, type PhoneChangeMode } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { openStates, type Flow } from '../flow/flow.ts';
import { sendCode, type SendResult } from '../flow/send.ts';
import { flowStore } from '../flow/store.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { claimAttempt, clearAttempts, lockMember } from '../members/attempts.ts';
import { verifyPassword } from '../members/password.ts';
import { changePhone } from '../members/store.ts';
import { notifyCardholder, type NoticeResult } from '../messaging/notices.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { phoneFromTyped } from '../messaging/phone-number.ts';
import type { PhoneError, PhoneSituation } from '../../views/portal/phone.tsx';
import type { PortalMember } from './http.ts';
import { changeReportUrl } from './change-report.ts';
import { checkCountedCode, type CountedCodeCheck } from '../flow/counted-code.ts';

/** How long a code step stays open (each code lives as long as the issuer's otpTtlSeconds within it). */
export const PHONE_FLOW_TTL_MS = 15 * 60_000;

/** A code to the current number (the proof before a change), or to the new number (its confirmation). */
export type PhoneStage = 'proof' | 'verify';

export interface PhoneContext {
  member: PortalMember;
  issuer: IssuerSettings;
  situation: PhoneSituation;
  /** Whether the member may do it here, or must call the issuer. */
  mode: PhoneChangeMode;
  /** What proves a change of the verified number: the password, a code to it, or nothing (no verified number yet). */
  proof: 'password' | 'sms_code' | 'none';
  cardholderProvisional: boolean;
  mail: string | null;
  /** The card's first six digits (the per-BIN SMS window) and scheme. */
  bin?: string;
  brand?: Brand;
}

/**
 * What the member has now. A number is provisional when the member row says so, or when the
 * issuer's record does and the member never confirmed a number since (phone_changed_at): the
 * same rule as the ACS's usableMethod (acs/decide.ts).
 */
export function phoneSituation(member: Pick<PortalMember, 'phone' | 'phoneStatus' | 'phoneChangedAt'>, cardholderProvisional: boolean): PhoneSituation {
  if (!member.phone || member.phoneStatus === 'none') return 'none';
  if (member.phoneStatus === 'provisional') return 'provisional';
  return cardholderProvisional && member.phoneChangedAt === null ? 'provisional' : 'verified';
}

export async function phoneContext(deps: Pick<AppDeps, 'db'>, member: PortalMember, issuer: IssuerSettings): Promise<PhoneContext> {
  const holder = (await deps.db.select({ provisional: cardholders.phoneProvisional, email: cardholders.email }).from(cardholders).where(eq(cardholders.id, member.cardholderId)).get())!;
  // The account's newest card (a reissue joins the account): its BIN and scheme.
  const card = await deps.db.select({ first6: cards.panFirst6, brand: cards.brand }).from(cards).where(eq(cards.accountId, member.cardAccountId)).orderBy(desc(cards.id)).get();
  const situation = phoneSituation(member, holder.provisional);
  const mode = situation === 'none' ? 'self_service' : situation === 'provisional' ? issuer.policies.provisionalPhone : issuer.policies.phoneChange;
  const proof = situation !== 'verified' ? 'none' : member.passwordHash ? 'password' : 'sms_code';
  return { member, issuer, situation, mode, proof, cardholderProvisional: holder.provisional, mail: member.email || holder.email || null, bin: card?.first6, brand: card?.brand };
}

/** Japanese mobile numbers (060/070/080/090) receive SMS; a landline cannot read a code back. */
const JP_MOBILE = /^\+81[6789]0\d{8}$/;

/** The typed number as E.164, or why not. */
export function readNewPhone(typed: unknown, ctx: Pick<PhoneContext, 'member' | 'situation'>): { phone: string } | { error: PhoneError } {
  const text = typeof typed === 'string' ? typed.trim() : '';
  if (!text) return { error: 'empty' };
  const phone = phoneFromTyped(text);
  if (!phone) return { error: 'format' };
  if (phone.startsWith('+81') && !JP_MOBILE.test(phone)) return { error: 'not_mobile' };
  if (ctx.situation === 'verified' && phone === ctx.member.phone) return { error: 'same' };
  return { phone };
}

const subjectOf = (stage: PhoneStage, memberId: number) => `portal:phone_${stage}:member:${memberId}`;

/** The member's flow of this stage named by a form, if it is one (open or not: the caller asks). */
export async function findPhoneFlow(deps: Pick<AppDeps, 'db' | 'clock'>, ctx: PhoneContext, stage: PhoneStage, id: unknown): Promise<Flow<'phone_verification'> | undefined> {
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const flow = await flowStore(deps).find(id);
  return flow && flow.kind === 'phone_verification' && flow.subject === subjectOf(stage, ctx.member.id) ? (flow as Flow<'phone_verification'>) : undefined;
}

/** Which stage a flow named by a form is (the resend serves both). */
export async function findAnyPhoneFlow(deps: Pick<AppDeps, 'db' | 'clock'>, ctx: PhoneContext, id: unknown) {
  for (const stage of ['verify', 'proof'] as const) {
    const flow = await findPhoneFlow(deps, ctx, stage, id);
    if (flow) return { stage, flow };
  }
  return undefined;
}

/** The number a flow's code goes to: the current one for the proof, the new one to confirm it. */
export function codeDestination(ctx: PhoneContext, stage: PhoneStage, flow: Pick<Flow, 'data'>): string {
  return stage === 'proof' ? (ctx.member.phone ?? '') : String(flow.data?.phone ?? '');
}

/** Sends (or sends again) the flow's code, with the challenge's limits and breaker. */
export function sendPhoneCode(deps: AppDeps, ctx: PhoneContext, stage: PhoneStage, flow: Pick<Flow, 'id' | 'kind' | 'data'>, clientIp: string | undefined): Promise<SendResult> {
  const { member, issuer } = ctx;
  const name = issuer.sms.name.ja;
  return sendCode(
    deps,
    flow,
    // The proof goes to the verified number on file (the policy checks it as for a challenge); the
    // confirmation to a new number, which the provisional marks of the old one do not concern.
    stage === 'proof'
      ? { phone: member.phone, phoneStatus: member.phoneStatus, cardholderId: member.cardholderId }
      : { phone: codeDestination(ctx, stage, flow), phoneStatus: 'verified', cardholderId: member.cardholderId, newNumber: true },
    {
      clientIp,
      bin: ctx.bin,
      issuer,
      purpose: stage === 'proof' ? 'phone_change_proof' : 'phone_verification',
      memberId: member.id,
      compose: (code, minutes) =>
        stage === 'proof'
          ? `【${name}】携帯電話番号の変更の確認コード：${code}（${minutes}分間有効）。お心当たりのない場合は入力せず ${issuer.helpdesk.phone} へご連絡ください。`
          : `【${name}】携帯電話番号の登録の確認コード：${code}（${minutes}分間有効）。他人には教えないでください。`,
    },
  );
}

/** A new flow for this stage, the member's older ones of either stage cancelled (only the newest works). */
async function freshFlow(deps: AppDeps, ctx: PhoneContext, stage: PhoneStage, data: Record<string, unknown>): Promise<Flow<'phone_verification'>> {
  const store = flowStore(deps);
  const open = await deps.db
    .select({ id: flows.id })
    .from(flows)
    .where(and(eq(flows.kind, 'phone_verification'), inArray(flows.subject, [subjectOf('proof', ctx.member.id), subjectOf('verify', ctx.member.id)]), inArray(flows.state, openStates('phone_verification'))));
  for (const { id } of open) await store.move({ id, kind: 'phone_verification' }, 'cancelled');
  return store.create({ kind: 'phone_verification', subject: subjectOf(stage, ctx.member.id), ttlMs: PHONE_FLOW_TTL_MS, data });
}

export type StartResult =
  | { kind: 'call' }
  | { kind: 'locked' }
  | { kind: 'fields'; phone?: PhoneError; password?: 'empty' | 'wrong'; remaining?: number }
  | { kind: 'sent'; stage: PhoneStage; flow: Flow<'phone_verification'>; send: SendResult; to: string };

/** The number typed (and the password, for a change): the first code goes out. */
export async function startPhoneChange(deps: AppDeps, ctx: PhoneContext, input: { phone: unknown; password: unknown; clientIp?: string; requestId?: string | null }): Promise<StartResult> {
  if (ctx.mode === 'phone_call') return { kind: 'call' };
  if (ctx.member.status === 'locked') return { kind: 'locked' };
  const read = readNewPhone(input.phone, ctx);
  const password = typeof input.password === 'string' ? input.password : '';
  const phoneError = 'error' in read ? read.error : undefined;
  const passwordError = ctx.proof === 'password' && !password ? 'empty' : undefined;
  // Malformed entries are answered beside their field; only a well-formed request checks the password.
  if (phoneError || passwordError || 'error' in read) return { kind: 'fields', phone: phoneError, password: passwordError };

  if (ctx.proof === 'password') {
    const proved = await checkPassword(deps, ctx, password, input.requestId);
    if (proved !== true) return proved;
  }
  const stage: PhoneStage = ctx.proof === 'sms_code' ? 'proof' : 'verify';
  const flow = await freshFlow(deps, ctx, stage, { phone: read.phone, proof: ctx.proof });
  const send = await sendPhoneCode(deps, ctx, stage, flow, input.clientIp);
  return { kind: 'sent', stage, flow, send, to: maskPhone(codeDestination(ctx, stage, flow)) };
}

/** The member's password as the fresh proof, on the challenge's counter: the lock applies. */
async function checkPassword(deps: AppDeps, ctx: PhoneContext, password: string, requestId: string | null | undefined): Promise<true | StartResult> {
  const { member, issuer } = ctx;
  const limit = issuer.policies.maxAuthAttempts;
  const now = deps.clock.now();
  const claim = await claimAttempt(deps.db, member.id, limit, now);
  // The full hashing work even past the limit, so timing does not tell.
  const right = await verifyPassword(password, claim.allowed ? member.passwordHash : null);
  if (claim.allowed && right) {
    await clearAttempts(deps.db, member.id, now);
    return true;
  }
  if (!claim.allowed || claim.count >= limit) {
    if (await lockMember(deps.db, member.id, now)) {
      await appendAudit(deps.db, {
        at: now,
        actor: { type: 'member', id: member.id, name: member.loginId },
        issuerId: issuer.id,
        action: 'member.locked',
        target: `member:${member.id}`,
        detail: { cause: 'attempts', during: 'phone_change', count: claim.count },
        requestId: requestId ?? null,
      });
    }
    return { kind: 'locked' };
  }
  return { kind: 'fields', password: 'wrong', remaining: limit - claim.count };
}

export type CodeResult =
  | Exclude<CountedCodeCheck, { kind: 'ok' }>
  | { kind: 'call' }
  | { kind: 'sent'; stage: 'verify'; flow: Flow<'phone_verification'>; send: SendResult; to: string }
  | { kind: 'done'; to: string; notice: NoticeResult };

const counterOf = (flow: Pick<Flow, 'id'>) => `portal_phone:${flow.id}`;

/** The code sent to the current number: proven, so the new number's code goes out. */
export async function checkProofCode(deps: AppDeps, ctx: PhoneContext, flow: Flow<'phone_verification'>, code: unknown, clientIp?: string): Promise<CodeResult> {
  if (ctx.mode === 'phone_call') return { kind: 'call' };
  const check = await checkCountedCode(deps, flow, code, { counter: counterOf(flow), limit: ctx.issuer.policies.maxAuthAttempts });
  if (check.kind !== 'ok') return check;
  const next = await freshFlow(deps, ctx, 'verify', { phone: flow.data?.phone, proof: 'sms_code' });
  const send = await sendPhoneCode(deps, ctx, 'verify', next, clientIp);
  return { kind: 'sent', stage: 'verify', flow: next, send, to: maskPhone(codeDestination(ctx, 'verify', next)) };
}

/** The code sent to the new number: it becomes the member's verified OTP phone, and the cardholder is told. */
export async function completePhoneChange(deps: AppDeps, ctx: PhoneContext, flow: Flow<'phone_verification'>, code: unknown, requestId?: string | null): Promise<CodeResult> {
  if (ctx.mode === 'phone_call') return { kind: 'call' };
  // A flow begun without proof (no verified number then) cannot change a number verified since.
  if (ctx.proof !== 'none' && flow.data?.proof === 'none') return { kind: 'closed' };
  const phone = String(flow.data?.phone ?? '');
  const check = await checkCountedCode(deps, flow, code, { counter: counterOf(flow), limit: ctx.issuer.policies.maxAuthAttempts });
  if (check.kind !== 'ok') return check;

  const { member, issuer } = ctx;
  if (!(await changePhone(deps.db, deps.clock, member.id, phone))) return { kind: 'closed' };
  // Told on the number that was in use (only a verified one is texted), so a change they did not ask for is noticed.
  const notice = await notifyCardholder(deps, {
    kind: 'phone_changed',
    issuer,
    memberId: member.id,
    cardholderId: member.cardholderId,
    phone: ctx.situation === 'verified' && member.phone !== phone ? { number: member.phone, status: member.phoneStatus } : undefined,
    mail: ctx.mail,
    // The mail's "this was not me" link (settings' change-report.ts).
    reportUrl: await changeReportUrl(deps, member.id, 'phone'),
  });
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'member', id: member.id, name: member.loginId },
    issuerId: issuer.id,
    action: 'member.phone_change',
    target: `member:${member.id}`,
    detail: {
      before: { phone: maskPhone(member.phone) || null, phoneStatus: member.phoneStatus, ...(ctx.cardholderProvisional ? { issuerRecordProvisional: true } : {}) },
      after: { phone: maskPhone(phone), phoneStatus: 'verified' },
      situation: ctx.situation,
      proof: flow.data?.proof ?? 'none',
      notice,
    },
    requestId: requestId ?? null,
  });
  return { kind: 'done', to: maskPhone(phone), notice };
}
