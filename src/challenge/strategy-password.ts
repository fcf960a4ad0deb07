/** The legacy static 3-D Secure password (never for Mastercard: decide.ts). PBKDF2, members/password.ts. */
import { verifyPassword } from '../members/password.ts';
import type { ChallengeStrategy } from './strategies.ts';

export const passwordStrategy: ChallengeStrategy = {
  id: 'password',
  authenticationType: '01',
  authenticationValueHow: 'password',
  secret: 'password',
  texts: { intro: 'introPassword', wrong: 'failedPassword' },
  // A password is checked as typed: only an empty one is not an answer.
  readSecret: (raw) => (raw.length > 0 ? { ok: true, value: raw } : { ok: false, error: 'passwordEmpty' }),
  begin: async () => undefined,
  async verify(_deps, ctx, secret, checkable) {
    const ok = await verifyPassword(secret, ctx.member?.passwordHash);
    return ok && checkable ? 'proved' : 'wrong';
  },
};
