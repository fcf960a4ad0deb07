/**
 * decide() and usableMethod(): every outcome branch of the ACS's decision for one AReq,
 * on plain values (the function is pure).
 */
import { describe, expect, it } from 'vitest';
import { decide, usableMethod, type DecisionInput } from '../../src/acs/decide.ts';
import type { CardOnFile } from '../../src/cards/card-store.ts';
import type { RiskAssessment } from '../../src/risk/provider.ts';

type Member = NonNullable<CardOnFile['member']>;

const SMS_MEMBER: Member = {
  id: 1,
  loginId: 'member-1',
  status: 'active',
  authMethod: 'sms_otp',
  phone: '+819011110001',
  phoneStatus: 'verified',
  hasPassword: false,
  personalMessage: null,
  phoneChangedAt: null,
  createdAt: 0,
  lockedAt: null,
  lockCause: null,
};

function cardOnFile(o: { card?: Partial<CardOnFile['card']>; member?: Partial<Member> | null; phoneProvisional?: boolean } = {}): CardOnFile {
  return {
    card: { id: 1, accountId: 1, brand: 'jcb', status: 'active', expiry: '3012', panLast4: '0001', replacedByCardId: null, createdAt: 0, ...o.card },
    cardholder: { id: 1, phoneProvisional: o.phoneProvisional ?? false, dataSharingOptOut: false },
    member: o.member === null ? null : { ...SMS_MEMBER, ...o.member },
  };
}

const LOW: RiskAssessment = { decision: 'frictionless', score: 10, reasons: ['low risk'] };
const HIGH: RiskAssessment = { decision: 'challenge', score: 50, reasons: ['amount'] };
const FRAUD: RiskAssessment = { decision: 'reject', score: 100, reasons: ['fraud'] };

function input(o: Partial<DecisionInput> = {}): DecisionInput {
  return {
    deviceChannel: '02',
    messageCategory: '01',
    cardOnFile: cardOnFile(),
    currentYYMM: '2601',
    provisionalPolicy: 'challenge',
    risk: LOW,
    ...o,
  };
}

describe('decide: the card', () => {
  it.each([
    ['no card on file', undefined, { transStatus: 'N', reason: '08' }],
    ['a stolen card', cardOnFile({ card: { status: 'blocked_stolen' } }), { transStatus: 'R', reason: '10' }],
    ['a blocked card', cardOnFile({ card: { status: 'blocked' } }), { transStatus: 'R', reason: '12' }],
    ['the old number of a reissued card', cardOnFile({ card: { status: 'replaced' } }), { transStatus: 'N', reason: '06' }],
    ['an expired card', cardOnFile({ card: { expiry: '2512' } }), { transStatus: 'N', reason: '05' }],
  ] as const)('%s → %o', (_, card, expected) => {
    expect(decide(input({ cardOnFile: card }))).toEqual(expected);
  });

  it('checks the card before the member and the risk', () => {
    const stolen = cardOnFile({ card: { status: 'blocked_stolen' }, member: { status: 'locked' } });
    expect(decide(input({ cardOnFile: stolen, risk: FRAUD }))).toEqual({ transStatus: 'R', reason: '10' });
  });

  it('counts a card valid through its expiry month', () => {
    expect(decide(input({ cardOnFile: cardOnFile({ card: { expiry: '2601' } }) }))).toEqual({ transStatus: 'Y', how: 'frictionless' });
  });
});

describe('decide: a card not registered for 3-D Secure', () => {
  const unregistered = cardOnFile({ member: null });
  const provisional = cardOnFile({ member: { status: 'provisional' } });

  it.each([
    ['no member', unregistered],
    ['a provisional member', provisional],
  ])('%s on the browser channel is guided to register', (_, card) => {
    expect(decide(input({ cardOnFile: card }))).toEqual({ transStatus: 'C', method: 'guidance_register', mandated: false });
    expect(decide(input({ cardOnFile: card, threeDSRequestorChallengeInd: '04' }))).toEqual({ transStatus: 'C', method: 'guidance_register', mandated: true });
  });

  it.each([
    ['the issuer rejects unregistered cards', { provisionalPolicy: 'reject' }],
    ['the requestor asks for data only (06)', { threeDSRequestorChallengeInd: '06' }],
    ['the channel is the app', { deviceChannel: '01' }],
    ['the channel is 3RI', { deviceChannel: '03' }],
  ] as const)('is declined N/13 when %s', (_, o) => {
    expect(decide(input({ cardOnFile: unregistered, ...o }))).toEqual({ transStatus: 'N', reason: '13' });
  });
});

describe('decide: a registered member', () => {
  it('is declined N/19 when locked, whatever the risk', () => {
    expect(decide(input({ cardOnFile: cardOnFile({ member: { status: 'locked' } }), risk: LOW }))).toEqual({ transStatus: 'N', reason: '19' });
  });

  it('is rejected R/11 when the risk provider suspects fraud, before a data-only request', () => {
    expect(decide(input({ risk: FRAUD, threeDSRequestorChallengeInd: '06' }))).toEqual({ transStatus: 'R', reason: '11' });
  });

  it('gives a rule\'s reject reason (e.g. 21) where the engine names one, and the fixed outcomes still win', () => {
    const named: RiskAssessment = { ...FRAUD, reasonCode: '21' };
    expect(decide(input({ risk: named }))).toEqual({ transStatus: 'R', reason: '21' });
    expect(decide(input({ risk: named, cardOnFile: cardOnFile({ card: { status: 'blocked_stolen' } }) }))).toEqual({ transStatus: 'R', reason: '10' });
    expect(decide(input({ risk: named, cardOnFile: cardOnFile({ member: { status: 'locked' } }) }))).toEqual({ transStatus: 'N', reason: '19' });
  });

  it('answers I where the engine decided informational, and guidance still comes first for the unregistered', () => {
    const info: RiskAssessment = { decision: 'informational', score: 0, reasons: ['data only'] };
    expect(decide(input({ risk: info, threeDSRequestorChallengeInd: '05' }))).toEqual({ transStatus: 'I' });
    expect(decide(input({ risk: info, cardOnFile: cardOnFile({ member: null }) }))).toMatchObject({ transStatus: 'C', method: 'guidance_register' });
  });

  it('answers I to a data-only request (06), even when risk asks for a challenge', () => {
    expect(decide(input({ risk: HIGH, threeDSRequestorChallengeInd: '06' }))).toEqual({ transStatus: 'I' });
  });

  it('passes frictionless when risk is low', () => {
    expect(decide(input({ risk: LOW }))).toEqual({ transStatus: 'Y', how: 'frictionless' });
  });

  it('challenges on the browser when risk asks, mandated only under 04', () => {
    expect(decide(input({ risk: HIGH }))).toEqual({ transStatus: 'C', method: 'sms_otp', mandated: false });
    expect(decide(input({ risk: HIGH, threeDSRequestorChallengeInd: '04' }))).toEqual({ transStatus: 'C', method: 'sms_otp', mandated: true });
  });

  it('challenges when risk could not be assessed (never fails open)', () => {
    expect(decide(input({ risk: undefined }))).toEqual({ transStatus: 'C', method: 'sms_otp', mandated: false });
  });

  it.each([
    ['3RI', '03', HIGH, { transStatus: 'N', reason: '15' }],
    ['3RI without a risk assessment', '03', undefined, { transStatus: 'U', reason: '22' }],
  ] as const)('cannot challenge on %s', (_, deviceChannel, risk, expected) => {
    expect(decide(input({ deviceChannel, risk }))).toEqual(expected);
  });

  it('challenges the app channel with the same strategies as the browser (also without a risk assessment)', () => {
    expect(decide(input({ deviceChannel: '01', risk: HIGH }))).toEqual({ transStatus: 'C', method: 'sms_otp', mandated: false });
    expect(decide(input({ deviceChannel: '01', risk: undefined }))).toEqual({ transStatus: 'C', method: 'sms_otp', mandated: false });
  });

  it('passes 3RI frictionless when risk is low', () => {
    expect(decide(input({ deviceChannel: '03', messageCategory: '02', risk: LOW }))).toEqual({ transStatus: 'Y', how: 'frictionless' });
  });
});

describe('decide: while no SMS can be sent', () => {
  const password = cardOnFile({ member: { authMethod: 'password', hasPassword: true, phone: null, phoneStatus: 'none' } });

  it('answers U with the configured reason only where the challenge would be SMS OTP', () => {
    expect(decide(input({ risk: HIGH, smsAvailable: false }))).toEqual({ transStatus: 'U', reason: '22' });
    expect(decide(input({ risk: HIGH, smsAvailable: false, smsUnavailableReason: '12' }))).toEqual({ transStatus: 'U', reason: '12' });
    expect(decide(input({ risk: HIGH, smsAvailable: true }))).toMatchObject({ transStatus: 'C', method: 'sms_otp' });
    expect(decide(input({ cardOnFile: password, risk: HIGH, smsAvailable: false }))).toMatchObject({ transStatus: 'C', method: 'password' });
  });

  it('still passes frictionless and still guides to register', () => {
    expect(decide(input({ risk: LOW, smsAvailable: false }))).toEqual({ transStatus: 'Y', how: 'frictionless' });
    expect(decide(input({ cardOnFile: cardOnFile({ member: null }), smsAvailable: false }))).toMatchObject({ transStatus: 'C', method: 'guidance_register' });
  });
});

describe('usableMethod', () => {
  it.each([
    ['no member', { member: null }, 'guidance_register'],
    ['a provisional member', { member: { status: 'provisional' } }, 'guidance_register'],
    ['SMS with a verified phone', {}, 'sms_otp'],
    ['SMS with a phone not yet verified', { member: { phoneStatus: 'provisional' } }, 'guidance_phone'],
    ['SMS without a phone', { member: { phone: null, phoneStatus: 'none' } }, 'guidance_phone'],
    ['SMS while the cardholder’s phone is provisional', { phoneProvisional: true }, 'guidance_phone'],
    ['SMS with the issuer’s record provisional but the phone confirmed since (portal or helpdesk)', { phoneProvisional: true, member: { phoneChangedAt: 1_700_000_000_000 } }, 'sms_otp'],
    ['SMS with a confirmed-then-unverified phone (marked provisional again) on a provisional record', { phoneProvisional: true, member: { phoneChangedAt: 1_700_000_000_000, phoneStatus: 'provisional' } }, 'guidance_phone'],
    ['a confirmed phone on a provisional record, static-password Mastercard', { phoneProvisional: true, card: { brand: 'mastercard' }, member: { authMethod: 'password', hasPassword: true, phoneChangedAt: 1 } }, 'sms_otp'],
    ['an unconfirmed phone on a provisional record, password member without a password', { phoneProvisional: true, member: { authMethod: 'password' } }, 'guidance_register'],
    ['a static password', { member: { authMethod: 'password', hasPassword: true } }, 'password'],
    ['a password method without a password but with a phone', { member: { authMethod: 'password' } }, 'sms_otp'],
    ['a password method with neither', { member: { authMethod: 'password', phone: null, phoneStatus: 'none' } }, 'guidance_register'],
    ['Mastercard with a static password and a phone (no static passwords there)', { card: { brand: 'mastercard' }, member: { authMethod: 'password', hasPassword: true } }, 'sms_otp'],
    ['Mastercard with a static password and no phone', { card: { brand: 'mastercard' }, member: { authMethod: 'password', hasPassword: true, phone: null, phoneStatus: 'none' } }, 'guidance_phone'],
  ] as const)('%s → %s', (_, o, expected) => {
    expect(usableMethod(cardOnFile(o as Parameters<typeof cardOnFile>[0]))).toBe(expected);
  });
});
