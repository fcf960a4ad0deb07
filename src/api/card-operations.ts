/**
 * What each integration API call does to an issuer's card data, through the domain's one
 * implementation of each change (cards/card-records.ts, cards/reissue.ts, cards/import/apply.ts):
 * the same block whether it came from the API, the CSV import or the helpdesk. Every card number
 * is checked to be in an enabled BIN range of the key's issuer, and every card and cardholder
 * looked up is that issuer's; another issuer's answers exactly like a missing one.
 * Each function returns the answer (status and JSON body) and what the audit row records.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
import type { z } from '@hono/zod-openapi';
import { findBinRange, loadBinRanges } from '../cards/bin-ranges.ts';
import { setCardStatus, setPhoneOnFile } from '../cards/card-records.ts';
import { applyRows, cardsByHash, type PreparedRow } from '../cards/import/apply.ts';
import { encryptPan, maskPan, panLookupHash } from '../cards/pan.ts';
import { reissueCard } from '../cards/reissue.ts';
import { cardholders, cards, members, type Brand, type CardStatus } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { hashPassword, verifyPassword } from '../members/password.ts';
import { errorBody, type ApiError } from './errors.ts';
import type { Answer } from './idempotency.ts';
import { CARD_TO_STATUS, STATUS_TO_CARD, type BlockRequest, type CardRequest, type CardUpsertRequest, type PhoneRequest, type ReissueRequest } from './schemas.ts';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'keys' | 'config'>;
export interface Outcome extends Answer {
  audit: { target?: string | null; detail?: Record<string, unknown> };
}

const refusal = (status: number, error: ApiError, detail: Record<string, unknown> = {}): Outcome => ({ status, body: error, audit: { detail } });

// ─── Look-ups within the key's issuer ───────────────────────────────────────────

/** The brand of a PAN in an enabled range of this issuer, or the refusal for `field`. */
async function issuerBrand(deps: Deps, issuerId: number, pan: string, field: string): Promise<{ ok: true; brand: Brand } | { ok: false; outcome: Outcome }> {
  const range = findBinRange(await loadBinRanges(deps.db, deps.clock.now()), pan);
  const owner = range && (range.issuerId ?? (await issuerSettings(deps, null)).id);
  if (!range || owner !== issuerId) {
    return { ok: false, outcome: refusal(422, errorBody('pan_not_issuer', 'the card number is not in an enabled BIN range of this issuer', field), { pan: maskPan(pan) }) };
  }
  return { ok: true, brand: range.brand };
}

async function firstIssuerId(deps: Deps): Promise<number> {
  return (await issuerSettings(deps, null)).id;
}

/** Cardholders of this issuer (the first issuer's older rows carry no issuer). */
async function ofIssuer(deps: Deps, issuerId: number) {
  return issuerId === (await firstIssuerId(deps)) ? or(eq(cardholders.issuerId, issuerId), isNull(cardholders.issuerId)) : eq(cardholders.issuerId, issuerId);
}

/**
 * The card with this number. A card's issuer is its BIN range's (as the AReq decides), so a number
 * already checked to be in this issuer's range is this issuer's card.
 */
async function issuerCard(deps: Deps, pan: string) {
  const panHash = await panLookupHash(deps.keys.panLookup, pan);
  return deps.db
    .select({ card: cards, customerRef: cardholders.customerRef })
    .from(cards)
    .innerJoin(cardholders, eq(cardholders.id, cards.cardholderId))
    .where(eq(cards.panHash, panHash))
    .get();
}

const cardNotFound = (pan: string, field = 'pan') => refusal(404, errorBody('card_not_found', 'no card of this issuer has this number', field), { pan: maskPan(pan) });

function cardView(card: { panFirst6: string; panLast4: string; brand: Brand; expiry: string; status: CardStatus; corporate: boolean }, pan?: string) {
  return {
    pan: pan ? maskPan(pan) : `${card.panFirst6}******${card.panLast4}`,
    brand: card.brand,
    expiry: card.expiry,
    status: CARD_TO_STATUS[card.status],
    corporate: card.corporate,
  };
}

async function cardById(deps: Deps, id: number) {
  return (await deps.db.select().from(cards).where(eq(cards.id, id)).get())!;
}

// ─── Operations ─────────────────────────────────────────────────────────────────

/**
 * The CSV import's own row application (cards/import/apply.ts), with this one record as its batch:
 * one implementation of "put a cardholder and card on file", whichever way the record came.
 * A PUT states the whole record, as a CSV row does: an optional field left out is cleared.
 */
export async function upsertCard(deps: Deps, issuerId: number, body: z.infer<typeof CardUpsertRequest>): Promise<Outcome> {
  const ranged = await issuerBrand(deps, issuerId, body.pan, 'pan');
  if (!ranged.ok) return ranged.outcome;
  if (body.brand && body.brand !== ranged.brand) return refusal(422, errorBody('brand_mismatch', `the card number's BIN range is ${ranged.brand}`, 'brand'));
  const { db, keys, clock } = deps;
  const panHash = await panLookupHash(keys.panLookup, body.pan);
  const before = (await cardsByHash(db, [panHash])).get(panHash);
  // A PIN sent again as typed is the same PIN: keep its hash (PBKDF2 is salted, a new hash would be a change).
  const storePinHash =
    body.pinHash ?? (body.pin === undefined ? undefined : before?.pinHash && (await verifyPassword(body.pin, before.pinHash)) ? before.pinHash : await hashPassword(body.pin));
  const row: PreparedRow = {
    line: 1,
    customerRef: body.customerNumber,
    name: body.name,
    nameKana: body.nameKana ?? null,
    birthDate: body.birthDate ?? null,
    phone: body.phone ?? null,
    phoneProvisional: body.phoneProvisional,
    email: body.email ?? null,
    pan: body.pan,
    expiry: body.expiry,
    brand: ranged.brand,
    status: STATUS_TO_CARD[body.status],
    replacesPan: null,
    corporate: body.corporate,
    pin: body.pin ?? null,
    pinHash: body.pinHash ?? null,
    panHash,
    replacesHash: null,
    storePinHash,
  };
  const first = await firstIssuerId(deps);
  const reissuePolicy = (await issuerSettings(deps, issuerId)).policies.reissue;
  const applied = await db.transaction((tx) =>
    applyRows(
      {
        tx,
        keys,
        clock,
        issuerId,
        firstIssuer: first === issuerId,
        reissuePolicy,
        dryRun: false,
        encrypt: (pans) => Promise.all(pans.map((p) => encryptPan(keys.panEncryption, p))),
        ciphers: new Map(),
        earlierValid: () => false,
      },
      [row],
    ),
  );
  const refused = applied.rejections[0];
  if (refused) {
    if (refused.code === 'pin_required') return refusal(422, errorBody('pin_required', 'a corporate card needs its card PIN (pin or pinHash)', 'pin'));
    if (refused.code === 'pan_other_customer') return refusal(409, errorBody('pan_on_file', 'this card number is on file for another customer number', 'pan'), { pan: maskPan(body.pan) });
    return refusal(422, errorBody('invalid_field', refused.messageEn, refused.field ?? null), { pan: maskPan(body.pan), code: refused.code });
  }
  const result = applied.inserted ? 'created' : applied.updated ? 'updated' : 'unchanged';
  const card = (await db.select().from(cards).where(eq(cards.panHash, panHash)).get())!;
  return {
    status: result === 'created' ? 201 : 200,
    body: { result, customerNumber: body.customerNumber, card: cardView(card, body.pan) },
    audit: { target: `card:${card.id}`, detail: { result, customer: body.customerNumber, pan: maskPan(body.pan), status: card.status, ...(before && before.status !== card.status ? { before: before.status } : {}) } },
  };
}

/** Block (lost, stolen, blocked) or close: the next AReq for the card reads the new status. */
export async function setStatus(deps: Deps, issuerId: number, body: z.infer<typeof BlockRequest> | (z.infer<typeof CardRequest> & { reason: 'closed' })): Promise<Outcome> {
  const ranged = await issuerBrand(deps, issuerId, body.pan, 'pan');
  if (!ranged.ok) return ranged.outcome;
  const found = await issuerCard(deps, body.pan);
  if (!found) return cardNotFound(body.pan);
  const to = body.reason === 'closed' ? 'closed' : STATUS_TO_CARD[body.reason];
  const change = await setCardStatus(deps.db, deps.clock, found.card.id, to);
  if (!change) return refusal(409, errorBody('card_replaced', 'this card number was replaced by a reissue; block the new number', 'pan'), { pan: maskPan(body.pan) });
  const card = await cardById(deps, found.card.id);
  const result = change.before === change.after ? 'unchanged' : 'updated';
  return { status: 200, body: { result, card: cardView(card, body.pan) }, audit: { target: `card:${card.id}`, detail: { pan: maskPan(body.pan), before: change.before, after: change.after } } };
}

export async function reissue(deps: Deps, issuerId: number, body: z.infer<typeof ReissueRequest>): Promise<Outcome> {
  const old = await issuerBrand(deps, issuerId, body.pan, 'pan');
  if (!old.ok) return old.outcome;
  const next = await issuerBrand(deps, issuerId, body.newPan, 'newPan');
  if (!next.ok) return next.outcome;
  if (body.brand && body.brand !== next.brand) return refusal(422, errorBody('brand_mismatch', `the new number's BIN range is ${next.brand}`, 'brand'));
  const found = await issuerCard(deps, body.pan);
  if (!found) return cardNotFound(body.pan);
  const policy = (await issuerSettings(deps, issuerId)).policies.reissue;
  const r = await reissueCard(deps, { replaces: { cardId: found.card.id }, card: { pan: body.newPan, expiry: body.expiry, brand: next.brand }, policy });
  const detail = { pan: maskPan(body.pan), newPan: maskPan(body.newPan), policy };
  if (!r.ok) {
    if (r.reason === 'pan_on_file') return refusal(409, errorBody('pan_on_file', 'the new card number is already on file', 'newPan'), detail);
    if (r.reason === 'already_replaced') return refusal(409, errorBody('card_replaced', 'this card number was already replaced by a reissue', 'pan'), detail);
    return cardNotFound(body.pan);
  }
  const [card, replaced] = [await cardById(deps, r.cardId), await cardById(deps, r.replacedCardId)];
  return {
    status: 200,
    body: { card: cardView(card, body.newPan), replaced: cardView(replaced, body.pan), registration: r.registration },
    audit: { target: `card:${r.cardId}`, detail: { ...detail, replacedCard: r.replacedCardId, registration: r.registration } },
  };
}

export async function changePhone(deps: Deps, issuerId: number, body: z.infer<typeof PhoneRequest>): Promise<Outcome> {
  const holder = await deps.db
    .select({ id: cardholders.id })
    .from(cardholders)
    .where(and(await ofIssuer(deps, issuerId), eq(cardholders.customerRef, body.customerNumber)))
    .get();
  if (!holder) return refusal(404, errorBody('cardholder_not_found', 'no cardholder of this issuer has this customer number', 'customerNumber'), { customer: body.customerNumber });
  const change = (await setPhoneOnFile(deps.db, deps.clock, holder.id, body.phone, body.provisional))!;
  const result = change.before.phone === change.after.phone && change.before.provisional === change.after.provisional ? 'unchanged' : 'updated';
  return {
    status: 200,
    body: { result, customerNumber: body.customerNumber, phone: maskPhone(body.phone), provisional: body.provisional },
    audit: { target: `cardholder:${holder.id}`, detail: { customer: body.customerNumber, before: { phone: maskPhone(change.before.phone), provisional: change.before.provisional }, after: { phone: maskPhone(body.phone), provisional: body.provisional } } },
  };
}

export async function registrationStatus(deps: Deps, issuerId: number, body: z.infer<typeof CardRequest>): Promise<Outcome> {
  const ranged = await issuerBrand(deps, issuerId, body.pan, 'pan');
  if (!ranged.ok) return ranged.outcome;
  const found = await issuerCard(deps, body.pan);
  if (!found) return cardNotFound(body.pan);
  const member = await deps.db
    .select({ status: members.status, authMethod: members.authMethod, phoneStatus: members.phoneStatus })
    .from(members)
    .where(eq(members.cardAccountId, found.card.accountId))
    .get();
  return {
    status: 200,
    body: {
      card: cardView(found.card, body.pan),
      customerNumber: found.customerRef,
      registration: member
        ? { registered: member.status !== 'provisional', status: member.status, method: member.authMethod, phone: member.phoneStatus }
        : { registered: false, status: 'none', method: null, phone: 'none' },
    },
    audit: { target: `card:${found.card.id}`, detail: { pan: maskPan(body.pan) } },
  };
}

/** +819012345678 → *********5678: enough for the issuer to recognise, no more. */
function maskPhone(phone: string | null): string | null {
  return phone === null ? null : '*'.repeat(Math.max(phone.length - 4, 0)) + phone.slice(-4);
}
