/**
 * What each demo card will do now, read from the database rather than from its description: its
 * issuer, its registration (the portal may have made or replaced it) and the proof the portal's
 * registration asks, a member locked by wrong entries (at that issuer's limit), the SMS limit of
 * its phone reached, the issuer's velocity rule turning purchases into challenges. And the reset
 * that puts a demo card's registration, member and phone counter back as they were seeded, so a
 * walk through the sandbox never ends on a card it has used up.
 */
import { eq } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { panLookupHash } from '../cards/pan.ts';
import { portalLink } from '../challenge/render.tsx';
import { localTime } from '../clock.ts';
import { cardholders, cardRiskState, cards, type MemberStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { issuerSettingsForPan, type IssuerSettings } from '../issuers/settings.ts';
import { clearAttempts, unlockMember } from '../members/attempts.ts';
import { findMemberByLoginId, findMemberOfAccount, removeMember } from '../members/store.ts';
import { phoneCounterKey } from '../messaging/policy.ts';
import { clearCounter, counterNow } from '../messaging/rate-limit.ts';
import { hourlyOutlook } from '../risk/history.ts';
import { createDemoMember, demoMemberOf, type DemoCard } from './demo-issuer.ts';

/** The state that matters most for the card's next purchase ('registration_changed': the portal registered or re-registered it). */
export type DemoCardState = 'as_described' | 'locked' | 'sms_limit' | 'velocity' | 'registration_changed' | 'not_seeded';

/** What the portal's registration asks besides card number and expiry: the issuer's choice, or a corporate card's PIN. */
export type ProofKind = 'birth_date' | 'phone_on_file' | 'card_pin';

/** The card's registration as the database has it now. */
export interface DemoRegistration {
  /** Registered for real (a provisional registration, 仮登録, is not yet: the portal's 本登録 completes it). */
  registered: boolean;
  memberId: string | null;
  status: MemberStatus | null;
  /** The portal registered, completed or replaced it since seeding (a reset puts the seeded one back). */
  changed: boolean;
}

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
  registration: DemoRegistration;
  /** What a tester types as proof at the portal's registration, as the issuer's record holds it (null: nothing on file). */
  proof: { kind: ProofKind; value: string | null };
  /** The registration page of the card's issuer's portal. */
  portalUrl: string;
  /** Whether a reset would change something (a lock, wrong entries, SMS sends or a portal registration to undo). */
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
  const portalUrl = portalLink(config.PUBLIC_URL, settings, '/portal/register');

  const card = await findDemoCard(deps, demo);
  if (!card) {
    return {
      issuer,
      state: 'not_seeded',
      notes: [{ ja: 'データベースにありません（デモデータが入っていません）', en: 'Not in the database (the demo data was not seeded)' }],
      failedAttempts: null,
      sms: null,
      velocity: { count: 0, limit: velocityLimit, frictionlessAgainAt: null },
      registration: { registered: false, memberId: null, status: null, changed: false },
      proof: { kind: demo.corporatePin ? 'card_pin' : settings.policies.registrationProof, value: null },
      portalUrl,
      resettable: false,
    };
  }
  const member = await findMemberOfAccount(db, card.accountId);
  const seeded = demoMemberOf(demo);
  const states: DemoCardState[] = [];
  const registration: DemoRegistration = {
    registered: !!member && member.status !== 'provisional',
    memberId: member?.loginId ?? null,
    status: member?.status ?? null,
    changed: registrationChanged(seeded, member),
  };
  if (registration.changed) {
    states.push('registration_changed');
    notes.push(
      registration.registered
        ? { ja: `会員ページで登録済み（会員ID ${member!.loginId}）。「元に戻す」でデモの状態に戻せます`, en: `Registered in the member portal (member ID ${member!.loginId}). Reset puts the demo registration back` }
        : { ja: 'デモの登録が削除されています。「元に戻す」で戻せます', en: 'The demo registration was removed. Reset puts it back' },
    );
  }

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

  // As the AReq counts it (src/risk/history.ts): the card's sliding-window estimate of the last hour.
  const riskState = await db.select().from(cardRiskState).where(eq(cardRiskState.cardId, card.id)).get();
  const outlook = hourlyOutlook(riskState, now, velocityLimit);
  const frictionlessAgainAt = outlook.frictionlessAgainAt;
  const velocity = { count: outlook.count, limit: velocityLimit, frictionlessAgainAt };
  if (frictionlessAgainAt !== null && canBeFrictionless(card, member?.status, now)) {
    states.push('velocity');
    notes.push({
      ja: `直近1時間の認証 ${outlook.count}/${velocityLimit} 回：${at(frictionlessAgainAt)}まで金額に関係なく認証画面になります`,
      en: `${outlook.count} authentications in the last hour (limit ${velocityLimit}): every purchase is challenged, whatever the amount, until ${at(frictionlessAgainAt)}`,
    });
  } else if (outlook.count > 0) {
    notes.push({ ja: `直近1時間の認証 ${outlook.count}/${velocityLimit} 回`, en: `${outlook.count} of ${velocityLimit} authentications in the last hour` });
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
    registration,
    proof: proofOf(demo, settings, card.holder),
    portalUrl,
    resettable: registration.changed || lockedByUse || (member?.status === 'active' && member.failedAttempts > 0) || (sms?.count ?? 0) > 0,
  };
}

/** The demo card's row with what its cardholder's record holds for the registration proof. */
async function findDemoCard(deps: Pick<AppDeps, 'db' | 'keys'>, demo: DemoCard) {
  const panHash = await panLookupHash(deps.keys.panLookup, demo.pan);
  return deps.db
    .select({
      id: cards.id,
      accountId: cards.accountId,
      status: cards.status,
      expiry: cards.expiry,
      holder: { birthDate: cardholders.birthDate, phoneOnFile: cardholders.phoneOnFile, corporate: cards.corporate },
    })
    .from(cards)
    .innerJoin(cardholders, eq(cardholders.id, cards.cardholderId))
    .where(eq(cards.panHash, panHash))
    .get();
}

/** A corporate card proves itself with its PIN; any other card with what its issuer asks, as on file. */
function proofOf(demo: DemoCard, settings: IssuerSettings, holder: { birthDate: string | null; phoneOnFile: string | null; corporate: boolean }): DemoCardNow['proof'] {
  if (holder.corporate) return { kind: 'card_pin', value: demo.corporatePin ?? null };
  if (settings.policies.registrationProof === 'phone_on_file') return { kind: 'phone_on_file', value: holder.phoneOnFile && nationalPhone(holder.phoneOnFile) };
  return { kind: 'birth_date', value: holder.birthDate };
}

/** +819011110010 → 090-1111-0010, as a Japanese cardholder writes their number. */
function nationalPhone(e164: string): string {
  const jp = /^\+81(\d{2})(\d{4})(\d{4})$/.exec(e164);
  return jp ? `0${jp[1]}-${jp[2]}-${jp[3]}` : e164;
}

/** Whether the card's registration is no longer the seeded one: another member ID, none, or a provisional one completed. */
function registrationChanged(seeded: DemoCard['member'], member: { loginId: string; status: MemberStatus } | undefined): boolean {
  if (!seeded || !member) return !seeded !== !member;
  return seeded.loginId !== member.loginId || (seeded.status === 'provisional') !== (member.status === 'provisional');
}

/**
 * Puts a demo card's member back as seeded: a registration the portal made, completed or replaced
 * is removed and the seeded one (if any) put back, so the card can be registered again; a lock
 * from wrong entries lifted (a member seeded locked stays locked), wrong entries forgotten, its
 * phone's SMS count cleared. Purchases (the velocity count) stay: they are the transaction trail.
 * Returns false when there was nothing to put back (a card seeded and still without a member).
 */
export async function resetDemoCard(deps: Pick<AppDeps, 'db' | 'clock' | 'log' | 'keys' | 'config'>, demo: DemoCard): Promise<boolean> {
  const { db } = deps;
  const seeded = demoMemberOf(demo);
  const restored = await restoreRegistration(deps, demo);
  if (!seeded) return restored;
  const member = await findMemberByLoginId(db, seeded.loginId);
  if (!member) return restored;
  const now = deps.clock.now();
  if (seeded.status !== 'locked') {
    if (member.status === 'locked') await unlockMember(db, member.id, now);
    else await clearAttempts(db, member.id, now);
  }
  if (member.phone) await clearCounter(db, phoneCounterKey(member.phone));
  deps.log.info('sandbox: demo card reset', { card: demo.key, member: seeded.loginId });
  return true;
}

/** The seeded registration back in place of one the portal made or replaced (audited: it removes a member). */
async function restoreRegistration(deps: Pick<AppDeps, 'db' | 'clock' | 'log' | 'keys' | 'config'>, demo: DemoCard): Promise<boolean> {
  const card = await findDemoCard(deps, demo);
  if (!card) return false;
  const member = await findMemberOfAccount(deps.db, card.accountId);
  const seeded = demoMemberOf(demo);
  if (!registrationChanged(seeded, member)) return false;
  if (member) {
    await removeMember(deps.db, member.id);
    if (member.phone) await clearCounter(deps.db, phoneCounterKey(member.phone));
  }
  const restoredId = seeded ? await createDemoMember(deps, card.accountId, seeded) : null;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'system', name: 'sandbox' },
    issuerId: (await issuerSettingsForPan(deps, demo.pan)).id,
    action: 'sandbox.reset_registration',
    target: member ? `member:${member.id}` : `member:${restoredId}`,
    detail: { card: demo.key, removed: member?.loginId ?? null, restored: seeded?.loginId ?? null },
  });
  deps.log.info('sandbox: demo registration put back', { card: demo.key });
  return true;
}

/** Only an active, unexpired card of an active member is ever answered without a challenge. */
function canBeFrictionless(card: { status: string; expiry: string }, memberStatus: string | undefined, now: number): boolean {
  if (card.status !== 'active' || memberStatus !== 'active') return false;
  // YYMM: valid to the end of that month.
  const endOfMonth = Date.UTC(2000 + Number(card.expiry.slice(0, 2)), Number(card.expiry.slice(2, 4)), 1);
  return now < endOfMonth;
}
