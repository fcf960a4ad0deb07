/**
 * The benchmark's cards: card number i is a pure function of i, so the importer and the AReq
 * generator agree without reading the database. They live in BINs of their own inside the demo
 * issuer's ranges (…50 under each demo BIN), apart from the demo cards, and rotate over the brands.
 */
import { withLuhnDigit } from '../src/cards/pan.ts';
import type { Brand } from '../src/db/schema.ts';

export const BENCH_BRANDS: Brand[] = ['jcb', 'visa', 'mastercard'];
const BENCH_BIN: Record<Brand, string> = { jcb: '35699950', visa: '49999950', mastercard: '55999950' };

/** Up to 10 million cards per brand (7-digit serial). */
export const MAX_BENCH_CARDS = 3 * 10_000_000;

export function benchBrand(i: number): Brand {
  return BENCH_BRANDS[i % 3];
}

/** 16 digits: the brand's bench BIN, a 7-digit serial, the Luhn digit. */
export function benchPan(i: number): string {
  return withLuhnDigit(BENCH_BIN[benchBrand(i)] + String(Math.floor(i / 3)).padStart(7, '0'));
}

/** The member ID registered on bench card i (one cardholder, card account and member per card). */
export function benchLoginId(i: number): string {
  return `bench-${String(i).padStart(8, '0')}`;
}

export function benchPhone(i: number): string {
  return `+8190${String(i % 100_000_000).padStart(8, '0')}`;
}
