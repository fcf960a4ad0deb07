/**
 * What each demo card will do now, read from the database rather than from its description: its
 * issuer, a member locked by wrong entries (at that issuer's limit), the SMS limit of its phone
 * reached, the issuer's velocity rule turning purchases into challenges. And the reset that puts a demo card's member and phone counter back
 * as they were seeded, so a walk through the sandbox never ends on a card it has used up.
 */
import { and, asc, eq, gte } from 'drizzle-orm';
import { panLookupHash } from '../cards/pan.ts';
import { localTime } from '../clock.ts';
import { cards, transactions } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { issuerSettingsForPan } from '../issuers/settings.ts';
import { clearAttempts, unlockMember } from '../members/attempts.ts';
import { findMemberByLoginId, findMemberOfAccount } from '../members/store.ts';
import { phoneCounterKey } from '../messaging/policy.ts';
import { clearCounter, counterNow } from '../messaging/rate-limit.ts';
import { demoMemberOf, type DemoCard } from './demo-issuer.ts';

const HOUR_MS = 60 * 60 * 1000;

/** The state that matters most for the card's next purchase. */
export type DemoCardState = 'as_described' | 'locked' | 'sms_limit' | 'velocity' | 'not_seeded';

export interface DemoCardNow {
  /** The card's issuer (its BIN range's), whose page, SMS and limits it gets. */
  issuer: { code: string; name: { ja: string; en: string } };
  state: DemoCardState;
  /** Why, most important first, in both languages (times in the issuer's time zone). */
  notes: { ja: string; en: string }[];
  failedAttempts: { count: number; limit: number } | null;
  /** Sends to the member's phone in the current SMS_LIMIT_PER_PHONE window (null: no phone, or no limit). */
  sms: { count: number; limit: number; resetsAt: number } | null;
  /** Authentications of this card in the last hour, against its issuer's velocity limit. */
  velocity: { count: number; limit: number; frictionlessAgainAt: number | null };
  /** Whether a reset would change something (a lock, wrong entries or SMS sends to undo). */
  resettable: boolean;
}

/** What a demo card will do now; `timeZone` is the one its notes give times in. */
export async function demoCardNow(deps: Pick<AppDeps, 'db' | 'clock' | 'config' | 'keys'>, demo: DemoCard, timeZone: string): Promise<DemoCardNow> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const at = (ms: number) => localTime(ms, timeZone).slice(11, 16);
  const notes: DemoCardNow['notes'] = [];
  const settings = await issuerSettingsForPan(deps, demo.pan);
  const issuer = { code: settings.code, name: settings.name };
  const velocityLimit = settings.velocityLimitPerHour;
  const attemptLimit = settings.policies.maxAuthAttempts;

  const card = await db
    .select({ id: cards.id, accountId: cards.accountId, status: cards.status, expiry: cards.expiry })
    .from(cards)
    .where(eq(cards.panHash, await panLookupHash(deps.keys.panLookup, demo.pan)))
    .get();
  if (!card) {
    return {
      issuer,
      state: 'not_seeded',
      notes: [{ ja: 'データベースにありません（デモデータが入っていません）', en: 'Not in the database (the demo data was not seeded)' }],
      failedAttempts: null,
      sms: null,
      velocity: { count: 0, limit: velocityLimit, frictionlessAgainAt: null },
      resettable: false,
    };
  }
  const member = await findMemberOfAccount(db, card.accountId);
  const seeded = demoMemberOf(demo);
  const states: DemoCardState[] = [];

  if (member?.status === 'locked') {
    states.push('locked');
    notes.push(
      seeded?.status === 'locked'
        ? { ja: 'ロック中（デモの設定どおり）：認証はN/19', en: 'Locked, as seeded: purchases get N/19' }
        : { ja: '誤入力が上限に達しロック中：認証はN/19。「元に戻す」で解除できます', en: 'Locked after too many wrong entries: purchases get N/19. Reset unlocks it' },
    );
  }
  const failedAttempts = member ? { count: member.failedAttempts, limit: attemptLimit } : null;
  if (member?.status === 'active' && member.failedAttempts > 0) {
    notes.push({ ja: `誤入力 ${member.failedAttempts}/${attemptLimit} 回`, en: `${member.failedAttempts} of ${attemptLimit} wrong entries so far` });
  }

  let sms: DemoCardNow['sms'] = null;
  const limit = config.SMS_LIMIT_PER_PHONE;
  if (member?.phone && limit) {
    const counter = await counterNow(db, phoneCounterKey(member.phone), limit.windowMs, now);
    sms = { count: counter.count, limit: limit.max, resetsAt: counter.resetsAt };
    if (counter.count >= limit.max) {
      states.push('sms_limit');
      notes.push({
        ja: `この携帯番号へのSMSが上限（${counter.count}/${limit.max}通）：${at(counter.resetsAt)}までワンタイムパスワードを送れません`,
        en: `SMS limit of this phone reached (${counter.count} of ${limit.max}): no code can be sent until ${at(counter.resetsAt)}`,
      });
    } else if (counter.count > 0) {
      notes.push({ ja: `SMS ${counter.count}/${limit.max}通（${at(counter.resetsAt)}に0に戻ります）`, en: `${counter.count} of ${limit.max} SMS in this window (back to 0 at ${at(counter.resetsAt)})` });
    }
  }

  // As the AReq counts it (src/acs/authenticate.ts): this card's transactions of the last hour.
  const recent = await db
    .select({ createdAt: transactions.createdAt })
    .from(transactions)
    .where(and(eq(transactions.cardId, card.id), gte(transactions.createdAt, now - HOUR_MS)))
    .orderBy(asc(transactions.createdAt));
  // The next AReq is the (n+1)th: over the limit once n reaches it, until enough of them are an hour old.
  const overLimit = recent.length >= velocityLimit;
  const frictionlessAgainAt = overLimit ? recent[recent.length - velocityLimit].createdAt + HOUR_MS + 1 : null;
  const velocity = { count: recent.length, limit: velocityLimit, frictionlessAgainAt };
  if (overLimit && canBeFrictionless(card, member?.status, now)) {
    states.push('velocity');
    notes.push({
      ja: `直近1時間の認証 ${recent.length}/${velocityLimit} 回：${at(frictionlessAgainAt!)}まで金額に関係なく認証画面になります`,
      en: `${recent.length} authentications in the last hour (limit ${velocityLimit}): every purchase is challenged, whatever the amount, until ${at(frictionlessAgainAt!)}`,
    });
  } else if (recent.length > 0) {
    notes.push({ ja: `直近1時間の認証 ${recent.length}/${velocityLimit} 回`, en: `${recent.length} of ${velocityLimit} authentications in the last hour` });
  }

  if (states.length === 0) notes.unshift({ ja: '説明どおり', en: 'As described' });
  const lockedByUse = member?.status === 'locked' && seeded?.status !== 'locked';
  return {
    issuer,
    state: states[0] ?? 'as_described',
    notes,
    failedAttempts,
    sms,
    velocity,
    resettable: lockedByUse || (member?.status === 'active' && member.failedAttempts > 0) || (sms?.count ?? 0) > 0,
  };
}

/**
 * Puts a demo card's member back as seeded: a lock from wrong entries lifted (a member seeded
 * locked stays locked), wrong entries forgotten, its phone's SMS count cleared. Purchases (the
 * velocity count) stay: they are the transaction trail. Returns false for a card without a member.
 */
export async function resetDemoCard(deps: Pick<AppDeps, 'db' | 'clock' | 'log'>, demo: DemoCard): Promise<boolean> {
  const { db } = deps;
  const seeded = demoMemberOf(demo);
  if (!seeded) return false;
  const member = await findMemberByLoginId(db, seeded.loginId);
  if (!member) return false;
  const now = deps.clock.now();
  if (seeded.status !== 'locked') {
    if (member.status === 'locked') await unlockMember(db, member.id, now);
    else await clearAttempts(db, member.id, now);
  }
  if (member.phone) await clearCounter(db, phoneCounterKey(member.phone));
  deps.log.info('sandbox: demo card reset', { card: demo.key, member: seeded.loginId });
  return true;
}

/** Only an active, unexpired card of an active member is ever answered without a challenge. */
function canBeFrictionless(card: { status: string; expiry: string }, memberStatus: string | undefined, now: number): boolean {
  if (card.status !== 'active' || memberStatus !== 'active') return false;
  // YYMM: valid to the end of that month.
  const endOfMonth = Date.UTC(2000 + Number(card.expiry.slice(0, 2)), Number(card.expiry.slice(2, 4)), 1);
  return now < endOfMonth;
}
