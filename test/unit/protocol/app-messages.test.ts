/** The app channel's CReq and CRes schemas: elements per version, one action per CReq, the final CRes's exact members. */
import { describe, expect, it } from 'vitest';
import { parseAppCReq } from '../../../src/protocol/app-creq.ts';
import { buildAppCRes, buildAppFinalCRes } from '../../../src/protocol/app-cres.ts';

const ids = {
  threeDSServerTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
  acsTransID: 'd7c1ee99-9478-44a6-b1f2-391e29c6b340',
  sdkTransID: 'b2385523-a66c-4907-ac3c-91848e8c0067',
};
const creq = (version: '2.2.0' | '2.3.1', fields: Record<string, unknown> = {}) =>
  JSON.stringify({ ...ids, messageType: 'CReq', messageVersion: version, sdkCounterStoA: '000', ...(version === '2.3.1' ? { oobAppURLInd: '02' } : {}), ...fields });

describe('app CReq', () => {
  it.each(['2.2.0', '2.3.1'] as const)('reads the initiation CReq and one action (%s)', (version) => {
    expect(parseAppCReq(creq(version))).toMatchObject({ ok: true, action: { kind: 'none' } });
    expect(parseAppCReq(creq(version, { challengeDataEntry: '123456' }))).toMatchObject({ ok: true, action: { kind: 'entry', value: '123456' } });
    expect(parseAppCReq(creq(version, { resendChallenge: 'Y' }))).toMatchObject({ ok: true, action: { kind: 'resend' } });
    // "N" is how SDKs say "not pressed": no action.
    expect(parseAppCReq(creq(version, { resendChallenge: 'N', challengeDataEntry: '1' }))).toMatchObject({ ok: true, action: { kind: 'entry' } });
    expect(parseAppCReq(creq(version, { challengeCancel: '01' }))).toMatchObject({ ok: true, action: { kind: 'cancel', challengeCancel: '01' } });
  });

  it('refuses two actions in one CReq with 203 naming both', () => {
    const parsed = parseAppCReq(creq('2.2.0', { challengeDataEntry: '123456', challengeCancel: '01' }));
    expect(parsed).toMatchObject({ ok: false, erro: { errorCode: '203', errorDetail: 'challengeDataEntry,challengeCancel', errorMessageType: 'CReq' } });
  });

  it('knows each version’s elements: oobAppURLInd is required in 2.3.1, challengeCancel 09/10 only there, 2.2.0 oobContinue is a boolean', () => {
    expect(parseAppCReq(creq('2.3.1', { oobAppURLInd: undefined }))).toMatchObject({ ok: false, erro: { errorCode: '201', errorDetail: 'oobAppURLInd' } });
    expect(parseAppCReq(creq('2.2.0', { challengeCancel: '10' }))).toMatchObject({ ok: false, erro: { errorCode: '203', errorDetail: 'challengeCancel' } });
    expect(parseAppCReq(creq('2.3.1', { challengeCancel: '10' }))).toMatchObject({ ok: true });
    expect(parseAppCReq(creq('2.2.0', { oobContinue: true }))).toMatchObject({ ok: true, action: { kind: 'oobContinue' } });
    expect(parseAppCReq(creq('2.3.1', { oobContinue: true }))).toMatchObject({ ok: false, erro: { errorCode: '203' } });
  });

  it('answers a message that is not a CReq with 101, a missing counter with 201, duplicate keys with 204', () => {
    expect(parseAppCReq(creq('2.2.0', { messageType: 'CRes' }))).toMatchObject({ ok: false, erro: { errorCode: '101' } });
    expect(parseAppCReq(creq('2.2.0', { sdkCounterStoA: undefined }))).toMatchObject({ ok: false, erro: { errorCode: '201', errorDetail: 'sdkCounterStoA' } });
    expect(parseAppCReq(creq('2.2.0', { sdkCounterStoA: '256' }))).toMatchObject({ ok: false, erro: { errorCode: '203' } });
    expect(parseAppCReq(creq('2.2.0').replace('{', '{"acsTransID":"x",'))).toMatchObject({ ok: false, erro: { errorCode: '204' } });
    expect(parseAppCReq('not json')).toMatchObject({ ok: false, erro: { errorCode: '101' } });
  });
});

describe('app CRes', () => {
  const cresIds = (version: '2.2.0' | '2.3.1') => ({ ...ids, messageVersion: version, acsCounterAtoS: '000' });

  it('builds the final CRes with exactly Table B.5’s members', () => {
    const cres = buildAppFinalCRes(cresIds('2.3.1'), 'Y');
    expect(Object.keys(cres).sort()).toEqual(['acsCounterAtoS', 'acsTransID', 'challengeCompletionInd', 'messageType', 'messageVersion', 'sdkTransID', 'threeDSServerTransID', 'transStatus']);
    expect(cres).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'Y' });
  });

  it('refuses a UI CRes that lacks what its UI type needs (2.3.1 Table A.20)', () => {
    expect(() => buildAppCRes(cresIds('2.3.1'), { acsUiType: '01', challengeInfoHeader: 'h', challengeInfoText: 't', submitAuthenticationLabel: 's' })).toThrow(/challengeEntryBox/);
    expect(() => buildAppCRes(cresIds('2.2.0'), { acsUiType: '02', submitAuthenticationLabel: 's' })).toThrow(/challengeSelectInfo/);
    expect(() => buildAppCRes(cresIds('2.2.0'), { acsUiType: '05' })).toThrow(/acsHTML/);
    const text = buildAppCRes(cresIds('2.3.1'), {
      acsUiType: '01',
      challengeInfoHeader: 'h',
      challengeInfoText: 't',
      challengeEntryBox: { challengeDataEntryLabel: 'code' },
      submitAuthenticationLabel: 's',
      issuerImage: { default: 'https://acs.test/logo.png' },
    });
    expect(text).toMatchObject({ challengeCompletionInd: 'N', acsUiType: '01' });
  });

  it('keeps each version’s image shape', () => {
    const ui = { acsUiType: '05', acsHTML: 'PGh0bWw-' };
    expect(() => buildAppCRes(cresIds('2.2.0'), { ...ui, issuerImage: { medium: 'https://acs.test/a.png', high: 'https://acs.test/a.png', extraHigh: 'https://acs.test/a.png' } })).not.toThrow();
    expect(() => buildAppCRes(cresIds('2.3.1'), { ...ui, issuerImage: { medium: 'https://acs.test/a.png' } })).toThrow();
  });
});
