/**
 * What a staff password must be, and the recovery codes. Passwords follow NIST SP 800-63B: at
 * least 12 characters, up to 128, any characters (NFKC-normalised), no composition rules,
 * refused when common or built from the username. They are hashed with the members' PBKDF2.
 */
import { hmacHex } from '../encoding.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'mismatch';

export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Why a new password is refused, or null when it is fine. */
export function passwordProblem(password: string, confirmation: string, username: string): PasswordProblem | null {
  const p = normalisePassword(password);
  const length = [...p].length;
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  const lower = p.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.{1,3})\1+$/u.test(lower)) return 'common';
  if (username.length >= 3 && lower.includes(username.toLowerCase())) return 'contains_username';
  if (p !== normalisePassword(confirmation)) return 'mismatch';
  return null;
}

// ─── Recovery codes ─────────────────────────────────────────────────────────────

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 without the letters people misread (no I, L, O, U). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ten codes like `k7m2q-9xw4d` (50 random bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    const chars = Array.from(bytes, (b) => ALPHABET[b & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What a person typed, as stored: lower case, no spaces or hyphens, look-alikes folded. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return /^[0-9a-z]{10}$/.test(normaliseRecoveryCode(typed));
}

/** Keyed hash (SESSION_SECRET): a copy of the database alone cannot be searched for codes. */
export function recoveryCodeHash(key: CryptoKey, typed: string): Promise<string> {
  return hmacHex(key, `staff-recovery:${normaliseRecoveryCode(typed)}`);
}
