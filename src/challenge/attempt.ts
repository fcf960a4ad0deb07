/**
 * The challenge's core, shared by both transports: the browser's pages (routes.tsx) and the app
 * channel's CReq/CRes (src/app-channel/challenge.ts). Starting the flow, its first step, an entry
 * checked against the strategy (attempt counting, lockout, audit line and trail), a resend, a
 * cancel, and the 10-minute inactivity rule. Only how the answer is shown differs per transport,
 * so each function says what happened and the caller renders it.
 */
import { cancelTimerStatement, scheduleTimer, scheduleTimerStatement } from '../acs/timers.ts';
import { countInteraction, findTransaction, transactionIsIn, transitionStatement, type Transaction } from '../acs/transactions.ts';
import type { AppDeps } from '../deps.ts';
import { valid } from '../flow/flow.ts';
import { flowStore } from '../flow/store.ts';
import { countStat } from '../insight/stats.ts';
import { claimAttempt, clearAttempts, lockMember } from '../members/attempts.ts';
import type { ChallengeContext } from './context.ts';
import { recordEvent } from './events.ts';
import { finishChallenge } from './finish.ts';
import type { Lang } from './messages.ts';
import type { SendResult } from './send-otp.ts';
import { CHALLENGE_IDLE_MS, createChallenge, touchChallenge } from './store.ts';
import { strategyFor, type ChallengeStrategy } from './strategies.ts';

/**
 * Starts the flow for a first CReq: the challenge and its flow, then in one database transaction
 * the state move, the CReq timer's end and the flow's inactivity timer (so a failure leaves the
 * CReq timer armed, and it ends the transaction). False if someone else did (a twin CReq) or the
 * CReq timer got there first.
 */
export async function startChallenge(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  txn: Transaction,
  start: { windowSize: string | null; lang: Lang; creqDigest: string },
): Promise<boolean> {
  const { db } = deps;
  const created = await createChallenge(deps, {
    acsTransID: txn.acsTransID,
    method: txn.challengeMethod ?? 'sms_otp',
    challengeWindowSize: start.windowSize as string,
    language: start.lang,
    creqDigest: start.creqDigest,
  });
  if (!created) return false;
  const now = deps.clock.now();
  const started = transactionIsIn(db, txn.acsTransID, 'challenge_started');
  const [moved] = await db.batch([
    transitionStatement(db, txn.acsTransID, 'challenge_started', now),
    cancelTimerStatement(db, 'creq_timeout', txn.acsTransID, now, started),
    scheduleTimerStatement(db, { kind: 'challenge_timeout', subject: created.flow.id, dueAt: created.flow.expiresAt }, now, { reschedule: true, onlyIf: started }),
  ]);
  if (moved.length === 1) return true;
  await flowStore(deps).move(created.flow, 'expired');
  return false;
}

/** What the first step did: the strategy began (its send, if any), or nothing can prove the cardholder (guidance, ended). */
export type Begun = { kind: 'form'; strategy: ChallengeStrategy; sent?: SendResult } | { kind: 'ended'; txn: Transaction };

/** The first step: the strategy begins (sends the code), or the flow ends in guidance (N/13). */
export async function beginChallenge(deps: AppDeps, ctx: ChallengeContext): Promise<Begun> {
  const strategy = strategyFor(ctx.txn.challengeMethod);
  if (!strategy) return { kind: 'ended', txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '13' }) };
  const sent = await strategy.begin(deps, ctx);
  if (sent) await recordSendFailure(deps, ctx, sent);
  return { kind: 'form', strategy, sent };
}

/** What a step after the first may do: go on, or the challenge has ended (now, or earlier), or it cannot be continued. */
export type Continued =
  | { kind: 'open'; ctx: ChallengeContext; strategy: ChallengeStrategy }
  | { kind: 'ended'; ctx: ChallengeContext; justExpired: boolean }
  | { kind: 'closed' };

/**
 * A step after the first, once the transport has found its challenge: ends it if its 10 minutes
 * ran out, and otherwise restarts the inactivity timer (each step served restarts it).
 */
export async function continueChallenge(deps: AppDeps, ctx: ChallengeContext, options = { touch: true }): Promise<Continued> {
  if (!ctx.challenge || !ctx.flow || !ctx.member) return { kind: 'closed' };
  if (ctx.txn.state !== 'challenge_started') return { kind: 'ended', ctx, justExpired: false };
  if (!valid(ctx.flow, deps.clock)) return { kind: 'ended', ctx: { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'expired' }) }, justExpired: true };
  const strategy = strategyFor(ctx.challenge.method);
  if (!strategy) return { kind: 'closed' };
  if (options.touch) {
    const now = deps.clock.now();
    await flowStore(deps).extend(ctx.flow, CHALLENGE_IDLE_MS);
    await touchChallenge(deps.db, ctx.challenge.id, now);
    await scheduleTimer(deps, 'challenge_timeout', ctx.flow.id, now + CHALLENGE_IDLE_MS, true);
  }
  return { kind: 'open', ctx, strategy };
}

/** What checking an entry found: proved (ended Y), locked (ended N/19), wrong (with what is left), or the transaction ended meanwhile. */
export type Checked =
  | { kind: 'proved'; txn: Transaction }
  | { kind: 'locked'; txn: Transaction }
  | { kind: 'wrong'; remaining: number }
  | { kind: 'ended'; txn: Transaction };

/**
 * One counted entry: the attempt is claimed atomically against the issuer's limit, checked by the
 * strategy (the same work whether or not it may count, so the answer takes the same time), the
 * interaction counted, one audit line written; a proof ends the challenge Y, the limit locks the
 * member and ends it N/19. `idMatches` is whether the typed member ID is the member's (the app
 * channel asks none: true).
 */
export async function checkEntry(deps: AppDeps, ctx: ChallengeContext, strategy: ChallengeStrategy, secret: string, idMatches: boolean): Promise<Checked> {
  const member = ctx.member!;
  const now = deps.clock.now();
  // The card's issuer sets how many wrong entries lock the member.
  const limit = ctx.issuer.policies.maxAuthAttempts;
  const claim = await claimAttempt(deps.db, member.id, limit, now);
  const verdict = await strategy.verify(deps, ctx, secret, claim.allowed && idMatches);
  const proved = claim.allowed && verdict !== 'wrong';
  await countInteraction(deps.db, ctx.txn.acsTransID);
  // One line per entry, for the audit trail: counted always, checked only within the limit.
  deps.log.info('challenge attempt', { acsTransID: ctx.txn.acsTransID, memberId: member.id, count: claim.count, checked: claim.allowed, proved });

  if (proved) {
    // Also for a twin of the entry that already succeeded (proved_before): ending again is a no-op
    // that returns the transaction as it ended, so both answers show the same outcome.
    await clearAttempts(deps.db, member.id, now);
    return { kind: 'proved', txn: await finishChallenge(deps, ctx.txn, { kind: 'success', strategy }) };
  }
  await recordEvent(deps.db, ctx.txn.acsTransID, 'wrong_entry', now, { count: claim.count, limit, checked: claim.allowed });
  if (!claim.allowed || claim.count >= limit) {
    if (await lockMember(deps.db, member.id, now)) {
      await recordEvent(deps.db, ctx.txn.acsTransID, 'locked', now, { memberId: member.id, count: claim.count });
      await countStat(deps.db, { issuerId: ctx.issuer.id, at: now, metric: 'lockout' });
    }
    deps.log.warn('member locked after wrong entries', { acsTransID: ctx.txn.acsTransID, memberId: member.id });
    return { kind: 'locked', txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '19' }) };
  }
  // The transaction may have ended meanwhile (a concurrent right entry, the timer): say that, never "wrong".
  const current = (await findTransaction(deps.db, ctx.txn.acsTransID))!;
  if (current.state !== 'challenge_started') return { kind: 'ended', txn: current };
  return { kind: 'wrong', remaining: limit - claim.count };
}

/** What "send again" did: the strategy's send result, or the flow ran out between the check and the send (ended N/14). */
export type Resent = { kind: 'sent' | 'refused'; result: SendResult } | { kind: 'ended'; txn: Transaction } | { kind: 'none' };

/** "Send again", recorded in the trail; `none` for a strategy that sends nothing. */
export async function resendCode(deps: AppDeps, ctx: ChallengeContext, strategy: ChallengeStrategy): Promise<Resent> {
  if (!strategy.resend) return { kind: 'none' };
  const result = await strategy.resend(deps, ctx);
  await recordEvent(deps.db, ctx.txn.acsTransID, 'resend', deps.clock.now(), { outcome: result.outcome, refusal: result.refusal });
  await recordSendFailure(deps, ctx, result);
  if (result.outcome === 'closed') return { kind: 'ended', txn: await finishChallenge(deps, ctx.txn, { kind: 'expired' }) };
  return { kind: result.outcome === 'sent' ? 'sent' : 'refused', result };
}

/** The cardholder cancelled: N/01 with challengeCancel 01. */
export function cancelChallenge(deps: AppDeps, ctx: ChallengeContext): Promise<Transaction> {
  return finishChallenge(deps, ctx.txn, { kind: 'cancelled' });
}

/** A send that went nowhere is a step of the trail (the outbound log has its recipient, masked). */
async function recordSendFailure(deps: AppDeps, ctx: ChallengeContext, result: SendResult): Promise<void> {
  if (result.outcome !== 'failed') return;
  await recordEvent(deps.db, ctx.txn.acsTransID, 'sms_refused', deps.clock.now(), { refusal: result.refusal ?? 'provider' });
}
