/**
 * The authentication value (CAVV/AAV): what the ACS puts in a Y or A ARes and what the issuer's
 * authorisation host recomputes. Every field the MAC covers must change the verdict; nothing
 * malformed may verify.
 */
import { describe, expect, it } from 'vitest';
import {
  computeAuthenticationValue,
  verifyAuthenticationValue,
  type AuthenticationHow,
  type AuthenticationResult,
  type AuthenticationValueInput,
} from '../../src/acs/authentication-value.ts';
import { decodeSecret, generateSecret } from '../../src/config.ts';
import { bytesToBase64 } from '../../src/encoding.ts';

const importKey = (secret: string) =>
  crypto.subtle.importKey('raw', decodeSecret(secret)!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

const key = await importKey(generateSecret());

const base: AuthenticationValueInput = {
  transStatus: 'Y',
  how: 'sms_otp',
  pan: '3569990000000010',
  dsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
  eci: '05',
  purchaseAmount: '1200',
  purchaseCurrency: '392',
};
const authData = ({ transStatus: _s, how: _h, ...data }: AuthenticationValueInput) => data;

const bytesOf = (value: string) => Uint8Array.from(atob(value), (c) => c.charCodeAt(0));

describe('authentication value round trip', () => {
  const results: AuthenticationResult[] = ['Y', 'A'];
  const methods: AuthenticationHow[] = ['password', 'sms_otp', 'frictionless'];
  const RESULT_BYTE = { Y: 0x00, A: 0x07 };
  const HOW_BYTE = { password: 0x01, sms_otp: 0x02, frictionless: 0x99 };

  for (const transStatus of results) {
    for (const how of methods) {
      it(`verifies ${transStatus} by ${how} and reports both back`, async () => {
        const input = { ...base, transStatus, how };
        const value = await computeAuthenticationValue(key, input);
        expect(value).toMatch(/^[A-Za-z0-9+/]{27}=$/);
        const bytes = bytesOf(value);
        expect(bytes).toHaveLength(20);
        expect([...bytes.subarray(0, 4)]).toEqual([RESULT_BYTE[transStatus], HOW_BYTE[how], 0x01, 0x01]);
        expect(await verifyAuthenticationValue(key, value, authData(input))).toEqual({ valid: true, transStatus, how });
      });
    }
  }

  it('verifies a non-payment authentication (no amount, no currency)', async () => {
    const input = { ...base, purchaseAmount: undefined, purchaseCurrency: undefined };
    const value = await computeAuthenticationValue(key, input);
    expect(await verifyAuthenticationValue(key, value, authData(input))).toMatchObject({ valid: true });
    expect(await verifyAuthenticationValue(key, value, authData(base))).toMatchObject({ valid: false });
  });

  it('reads the dsTransID in either case, as authorisation systems may upper-case it', async () => {
    const value = await computeAuthenticationValue(key, base);
    expect(await verifyAuthenticationValue(key, value, { ...authData(base), dsTransID: base.dsTransID.toUpperCase() })).toMatchObject({ valid: true });
  });

  it('is deterministic: the same data under the same key gives the same value', async () => {
    expect(await computeAuthenticationValue(key, base)).toBe(await computeAuthenticationValue(key, base));
  });
});

describe('authentication value tampering', () => {
  const tampered: [string, Partial<AuthenticationValueInput>][] = [
    ['PAN', { pan: '3569990000000028' }],
    ['dsTransID', { dsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26f' }],
    ['ECI', { eci: '06' }],
    ['purchase amount', { purchaseAmount: '1201' }],
    ['purchase currency', { purchaseCurrency: '840' }],
    ['amount left out', { purchaseAmount: undefined }],
  ];
  for (const [field, change] of tampered) {
    it(`fails when the ${field} differs from what was authenticated`, async () => {
      const value = await computeAuthenticationValue(key, base);
      expect(await verifyAuthenticationValue(key, value, { ...authData(base), ...change })).toEqual({
        valid: false,
        reason: 'MAC does not match the authorisation data',
      });
    });
  }

  it('fails when the amount and currency fields are shifted into each other', async () => {
    const value = await computeAuthenticationValue(key, { ...base, purchaseAmount: '392', purchaseCurrency: '' });
    expect(await verifyAuthenticationValue(key, value, { ...authData(base), purchaseAmount: '', purchaseCurrency: '392' })).toMatchObject({ valid: false });
  });

  it('fails when the result byte is changed from A (attempt) to Y (authenticated)', async () => {
    const bytes = bytesOf(await computeAuthenticationValue(key, { ...base, transStatus: 'A' }));
    bytes[0] = 0x00;
    expect(await verifyAuthenticationValue(key, bytesToBase64(bytes), authData(base))).toMatchObject({ valid: false, reason: 'MAC does not match the authorisation data' });
  });

  it('fails when the method byte is changed (frictionless claimed as OTP)', async () => {
    const bytes = bytesOf(await computeAuthenticationValue(key, { ...base, how: 'frictionless' }));
    bytes[1] = 0x02;
    expect(await verifyAuthenticationValue(key, bytesToBase64(bytes), authData(base))).toMatchObject({ valid: false, reason: 'MAC does not match the authorisation data' });
  });

  it('fails when any bit of the MAC is flipped', async () => {
    const value = await computeAuthenticationValue(key, base);
    for (let i = 4; i < 20; i++) {
      const bytes = bytesOf(value);
      bytes[i] ^= 0x01;
      expect(await verifyAuthenticationValue(key, bytesToBase64(bytes), authData(base))).toMatchObject({ valid: false });
    }
  });

  it('fails under another key', async () => {
    const value = await computeAuthenticationValue(key, base);
    const other = await importKey(generateSecret());
    expect(await verifyAuthenticationValue(other, value, authData(base))).toEqual({ valid: false, reason: 'MAC does not match the authorisation data' });
  });
});

const valid = await computeAuthenticationValue(key, base);

describe('malformed authentication values', () => {
  const withByte = (index: number, byte: number) => {
    const bytes = bytesOf(valid);
    bytes[index] = byte;
    return bytesToBase64(bytes);
  };

  const cases: [string, string, string | RegExp][] = [
    ['not base64', '!!not*base64!!', 'not base64'],
    ['empty', '', 'not 20 bytes'],
    ['too short (19 bytes)', bytesToBase64(bytesOf(valid).subarray(0, 19)), 'not 20 bytes'],
    ['too long (21 bytes)', bytesToBase64(new Uint8Array([...bytesOf(valid), 0])), 'not 20 bytes'],
    ['an unknown format version', withByte(3, 0x02), 'unknown format version 2'],
    ['an unknown key indicator', withByte(2, 0x02), 'unknown key indicator 2'],
    ['an unknown result byte', withByte(0, 0x05), 'unknown result or method byte'],
    ['an unknown method byte', withByte(1, 0x03), 'unknown result or method byte'],
  ];
  for (const [what, value, reason] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await verifyAuthenticationValue(key, value, authData(base))).toEqual({ valid: false, reason });
    });
  }
});
