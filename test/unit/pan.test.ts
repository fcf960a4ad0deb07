import { describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/config.ts';
import { importKeys } from '../../src/keys.ts';
import { decryptPan, encryptPan, luhnValid, maskPan, panLookupHash, withLuhnDigit } from '../../src/cards/pan.ts';

const secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };

describe('PAN protection', () => {
  it('hashes a PAN with the look-up key: stable, keyed, never the PAN itself', async () => {
    const keys = await importKeys(secrets);
    const other = await importKeys({ ...secrets, PAN_LOOKUP_KEY: generateSecret() });
    const h1 = await panLookupHash(keys.panLookup, '3540120000001234');
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(await panLookupHash(keys.panLookup, '3540120000001234')).toBe(h1);
    expect(await panLookupHash(other.panLookup, '3540120000001234')).not.toBe(h1);
    expect(h1).not.toContain('1234');
  });

  it('encrypts with AES-GCM: a fresh IV each time, decrypts back, refuses tampering', async () => {
    const keys = await importKeys(secrets);
    const a = await encryptPan(keys.panEncryption, '4111111111111111');
    const b = await encryptPan(keys.panEncryption, '4111111111111111');
    expect(a).not.toBe(b);
    expect(a).not.toContain('4111111111111111');
    expect(await decryptPan(keys.panEncryption, a)).toBe('4111111111111111');
    const [v, iv, ct] = a.split('.');
    // Change one whole character inside the ciphertext (never a no-op, never only padding bits).
    const flipped = `${v}.${iv}.${ct.slice(0, 4)}${ct[4] === 'A' ? 'B' : 'A'}${ct.slice(5)}`;
    await expect(decryptPan(keys.panEncryption, flipped)).rejects.toThrow();
  });

  it('masks to first 6 and last 4', () => {
    expect(maskPan('3540120000001234')).toBe('354012******1234');
    expect(maskPan('4111111111111111111')).toBe('411111*********1111');
    expect(maskPan('12ab')).toBe('****');
  });

  it('checks and makes Luhn digits', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid(withLuhnDigit('354012000000123'))).toBe(true);
  });
});
