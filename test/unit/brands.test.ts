/** The one list of card brands and what differs between them (src/protocol/brands.ts). */
import { describe, expect, it } from 'vitest';
import { generateSecret, parseConfig } from '../../src/config.ts';
import { BRAND_IDS, BRANDS, eciFor } from '../../src/protocol/index.ts';

const secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };

describe('BRANDS', () => {
  it('has one profile per brand id', () => {
    expect(Object.keys(BRANDS).sort()).toEqual([...BRAND_IDS].sort());
  });

  it('names each scheme’s programme and ECIs', () => {
    expect(Object.fromEntries(BRAND_IDS.map((b) => [b, [BRANDS[b].programme, eciFor(b, 'Y'), eciFor(b, 'A'), eciFor(b, 'N')]]))).toEqual({
      jcb: ['J/Secure', '05', '06', '07'],
      visa: ['Visa Secure', '05', '06', '07'],
      mastercard: ['Mastercard Identity Check', '02', '01', '00'],
    });
  });

  it('allows a static password everywhere but Mastercard', () => {
    expect(BRAND_IDS.filter((b) => BRANDS[b].staticPassword)).toEqual(['jcb', 'visa']);
  });

  it.each([
    ['354012', 'jcb'], ['3528', 'jcb'], ['3589', 'jcb'], ['411111', 'visa'], ['510000', 'mastercard'], ['555555', 'mastercard'], ['222100', 'mastercard'], ['272099', 'mastercard'],
  ] as const)('%s starts like %s and like no other brand', (digits, brand) => {
    expect(BRAND_IDS.filter((b) => BRANDS[b].startsLike(digits))).toEqual([brand]);
  });

  it.each(['352700', '359000', '560000', '222000', '272100', '601100'])('%s starts like no brand', (digits) => {
    expect(BRAND_IDS.filter((b) => BRANDS[b].startsLike(digits))).toEqual([]);
  });

  it('names configuration settings that exist', () => {
    const env: Record<string, string> = {};
    for (const b of BRAND_IDS) {
      const { dsUrl, dsAllowList, mark } = BRANDS[b].settings;
      Object.assign(env, { [dsUrl]: `https://ds.${b}.example/rreq`, [dsAllowList]: `https://ds.${b}.example/`, [mark]: `/static/img/${b}.svg` });
    }
    const config = parseConfig(env, secrets) as unknown as Record<string, unknown>;
    for (const b of BRAND_IDS) {
      const { dsUrl, dsAllowList, mark } = BRANDS[b].settings;
      expect([config[dsUrl], config[dsAllowList], config[mark]]).toEqual([`https://ds.${b}.example/rreq`, [`https://ds.${b}.example/`], `/static/img/${b}.svg`]);
    }
  });
});
