/**
 * The card schemes this ACS serves, and everything that differs between them: the name of their
 * 3-D Secure programme (shown with the scheme's mark), their ECIs, whether a static password may
 * authenticate, how their card numbers begin, and the configuration settings that hold their
 * Directory Server URL, DS allow-list and mark image. Adding a scheme is one entry here and its
 * three settings in config.ts (the database's `Brand` type is this one, src/db/schema.ts).
 *
 * @example BRANDS.mastercard.eci.authenticated // '02'
 */

export const BRAND_IDS = ['jcb', 'visa', 'mastercard'] as const;
export type Brand = (typeof BRAND_IDS)[number];

export interface BrandProfile {
  /** The scheme's name for its 3-D Secure programme, as cardholders see it next to the mark. */
  programme: string;
  /** Electronic Commerce Indicator: authenticated (Y), attempt (A), not authenticated (N, U, R, I). */
  eci: { authenticated: string; attempted: string; notAuthenticated: string };
  /** Whether a static (legacy) password may authenticate: Mastercard Identity Check requires dynamic authentication. */
  staticPassword: boolean;
  /** Whether a card number (or BIN) starts as the scheme's numbers do: a hint against a mistyped brand, not a rule. */
  startsLike(digits: string): boolean;
  /** The names of the configuration settings for this scheme (see config.ts). */
  settings: { dsUrl: `DS_URL_${Uppercase<Brand>}`; dsAllowList: `DS_ALLOWLIST_${Uppercase<Brand>}`; mark: `BRAND_MARK_${Uppercase<Brand>}` };
}

const prefix = (digits: string, length: number) => Number(digits.slice(0, length));

export const BRANDS = {
  jcb: {
    programme: 'J/Secure',
    eci: { authenticated: '05', attempted: '06', notAuthenticated: '07' },
    staticPassword: true,
    startsLike: (d) => prefix(d, 4) >= 3528 && prefix(d, 4) <= 3589,
    settings: { dsUrl: 'DS_URL_JCB', dsAllowList: 'DS_ALLOWLIST_JCB', mark: 'BRAND_MARK_JCB' },
  },
  visa: {
    programme: 'Visa Secure',
    eci: { authenticated: '05', attempted: '06', notAuthenticated: '07' },
    staticPassword: true,
    startsLike: (d) => d.startsWith('4'),
    settings: { dsUrl: 'DS_URL_VISA', dsAllowList: 'DS_ALLOWLIST_VISA', mark: 'BRAND_MARK_VISA' },
  },
  mastercard: {
    programme: 'Mastercard Identity Check',
    eci: { authenticated: '02', attempted: '01', notAuthenticated: '00' },
    staticPassword: false,
    startsLike: (d) => (prefix(d, 2) >= 51 && prefix(d, 2) <= 55) || (prefix(d, 4) >= 2221 && prefix(d, 4) <= 2720),
    settings: { dsUrl: 'DS_URL_MASTERCARD', dsAllowList: 'DS_ALLOWLIST_MASTERCARD', mark: 'BRAND_MARK_MASTERCARD' },
  },
} as const satisfies Record<Brand, BrandProfile>;
