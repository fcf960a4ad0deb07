/**
 * The integration API's request and response bodies: one zod schema each, used both to validate
 * the request (through @hono/zod-openapi) and to write the OpenAPI document, so the two cannot
 * drift. A card number only ever travels in a body (never a URL, since URLs get logged) and is
 * only ever answered masked.
 */
import { z } from '@hono/zod-openapi';
import { luhnValid } from '../cards/pan.ts';
import { BRAND_IDS } from '../protocol/brands.ts';
import type { Brand, CardStatus } from '../db/schema.ts';

/** A full card number: 12 to 19 digits passing the Luhn check. */
export const Pan = z
  .string()
  .regex(/^\d{12,19}$/, 'a card number is 12 to 19 digits')
  .superRefine((pan, ctx) => {
    if (/^\d{12,19}$/.test(pan) && !luhnValid(pan)) ctx.addIssue({ code: 'custom', message: 'the card number fails the Luhn check', params: { code: 'pan_luhn' } });
  })
  .openapi({ description: 'The full card number (12 to 19 digits, Luhn-valid, in an enabled BIN range of the key’s issuer). Only in request bodies; answers show it masked.', example: '3569990000000015' });

export const Expiry = z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/, 'the expiry is YYMM').openapi({ description: 'YYMM, as on the card.', example: '3012' });

const BrandEnum = z.enum(BRAND_IDS as unknown as [Brand, ...Brand[]]).openapi({ description: 'Derived from the BIN range when omitted; must match it when given.' });

/** The statuses a core system sets; `replaced` is only ever the result of a reissue. */
export const API_CARD_STATUSES = ['active', 'lost', 'stolen', 'blocked', 'closed'] as const;
export type ApiCardStatus = (typeof API_CARD_STATUSES)[number];
export const STATUS_TO_CARD: Record<ApiCardStatus, Exclude<CardStatus, 'replaced'>> = {
  active: 'active',
  lost: 'blocked_lost',
  stolen: 'blocked_stolen',
  blocked: 'blocked',
  closed: 'closed',
};
export const CARD_TO_STATUS: Record<CardStatus, ApiCardStatus | 'replaced'> = {
  active: 'active',
  blocked_lost: 'lost',
  blocked_stolen: 'stolen',
  blocked: 'blocked',
  closed: 'closed',
  replaced: 'replaced',
};

const Phone = z.string().regex(/^\+[1-9]\d{7,14}$/, 'a phone number is E.164, e.g. +819012345678').openapi({ example: '+819012345678' });
const CustomerNumber = z.string().trim().min(1).max(64).openapi({ description: 'The issuer’s own customer number (unique per issuer).', example: 'C-000123' });

const BirthDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a calendar date')
  .openapi({ example: '1980-04-01' });

// ─── Requests ───────────────────────────────────────────────────────────────────

/** The whole record, as a CSV row states it: an optional field left out is cleared on file. */
export const CardUpsertRequest = z
  .object({
    customerNumber: CustomerNumber,
    name: z.string().trim().min(1).max(100).openapi({ description: 'In kanji, as the issuer holds it.', example: '山田 太郎' }),
    nameKana: z.string().trim().max(100).optional().openapi({ example: 'ヤマダ タロウ' }),
    birthDate: BirthDate.optional(),
    phone: Phone.nullable().optional().openapi({ description: 'The phone number on file (E.164); omitted or null: none.' }),
    phoneProvisional: z.boolean().default(false).openapi({ description: 'The number on file is a placeholder: no SMS goes to it.' }),
    email: z.email().max(254).nullable().optional(),
    pan: Pan,
    expiry: Expiry,
    brand: BrandEnum.optional(),
    status: z.enum(API_CARD_STATUSES).default('active'),
    corporate: z.boolean().default(false).openapi({ description: 'A corporate card registers with card number + card PIN instead of the birth date.' }),
    pin: z.string().regex(/^\d{4,12}$/, 'a card PIN is 4 to 12 digits').optional().openapi({ description: 'A corporate card’s PIN; the appliance keeps only its hash. Not with pinHash.' }),
    pinHash: z.string().regex(/^[a-z0-9-]+\$\S{8,500}$/, 'a PIN hash is "scheme$…"').optional().openapi({ description: 'The core system’s own hash of the card PIN ("scheme$…"). Not with pin.' }),
  })
  .superRefine((body, ctx) => {
    if (body.pin !== undefined && body.pinHash !== undefined) ctx.addIssue({ code: 'custom', path: ['pinHash'], message: 'send pin or pinHash, not both' });
  })
  .openapi('CardUpsertRequest');
export type CardUpsertRequest = z.infer<typeof CardUpsertRequest>;

export const BlockRequest = z
  .object({
    pan: Pan,
    reason: z.enum(['lost', 'stolen', 'blocked']).openapi({ description: 'lost and stolen are answered R/10 by the next AReq, blocked R/12.' }),
  })
  .openapi('BlockRequest');

export const ReissueRequest = z
  .object({
    pan: Pan.openapi({ description: 'The number being replaced.' }),
    newPan: Pan.openapi({ description: 'The new number; it joins the old card’s account.' }),
    expiry: Expiry,
    brand: BrandEnum.optional(),
  })
  .openapi('ReissueRequest');

export const PhoneRequest = z
  .object({
    customerNumber: CustomerNumber,
    phone: Phone.nullable().openapi({ description: 'The new number on file (E.164); null clears it.' }),
    provisional: z.boolean().default(false),
  })
  .openapi('PhoneRequest');

export const CardRequest = z.object({ pan: Pan }).openapi('CardRequest');

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .openapi({ param: { in: 'header', required: true }, description: 'The Idempotency-Key header (header names are case-insensitive). Unique per intended change (a UUID): a retry with the same key and body is answered, not repeated.', example: '5f1c7c5e-7f1e-4b59-9b8a-2a3d2c6f1e01' }),
});

// ─── Responses ──────────────────────────────────────────────────────────────────

const MaskedPan = z.string().openapi({ description: 'First 6 and last 4 digits.', example: '356999******0015' });

export const CardView = z
  .object({
    pan: MaskedPan,
    brand: z.enum(BRAND_IDS as unknown as [Brand, ...Brand[]]),
    expiry: Expiry,
    status: z.enum([...API_CARD_STATUSES, 'replaced']),
    corporate: z.boolean(),
  })
  .openapi('Card');

export const CardUpsertResponse = z
  .object({
    result: z.enum(['created', 'updated', 'unchanged']),
    customerNumber: z.string(),
    card: CardView,
  })
  .openapi('CardUpsertResponse');

export const CardChangeResponse = z
  .object({
    result: z.enum(['updated', 'unchanged']),
    card: CardView,
  })
  .openapi('CardChangeResponse');

export const ReissueResponse = z
  .object({
    card: CardView,
    replaced: CardView,
    registration: z.enum(['kept', 'phone_cleared', 'none']).openapi({ description: 'What the account’s 3-D Secure registration kept, by the issuer’s REISSUE_POLICY.' }),
  })
  .openapi('ReissueResponse');

export const PhoneResponse = z
  .object({
    result: z.enum(['updated', 'unchanged']),
    customerNumber: z.string(),
    phone: z.string().nullable().openapi({ description: 'Masked: the last 4 digits.', example: '*********5678' }),
    provisional: z.boolean(),
  })
  .openapi('PhoneResponse');

export const RegistrationStatusResponse = z
  .object({
    card: CardView,
    customerNumber: z.string(),
    registration: z
      .object({
        registered: z.boolean(),
        status: z.enum(['none', 'provisional', 'active', 'locked']),
        method: z.enum(['sms_otp', 'password']).nullable(),
        phone: z.enum(['none', 'provisional', 'verified']),
      })
      .openapi({ description: 'The card account’s 3-D Secure registration.' }),
  })
  .openapi('RegistrationStatus');
