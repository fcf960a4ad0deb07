import { describe, expect, it } from 'vitest';
import {
  CHALLENGE_WINDOW_SIZE, COUNTRIES, CURRENCIES, ERROR_CODES, ERRO_SCHEMAS, SUPPORTED_VERSIONS, TRANS_STATUS_REASON, buildErro,
  currencyExponent, eciFor, isValidCountry, isValidCurrency,
} from '../../../src/protocol/index.ts';

describe('versions', () => {
  it('are 2.2.0 and 2.3.1', () => {
    expect(SUPPORTED_VERSIONS).toEqual(['2.2.0', '2.3.1']);
  });
});

describe('eciFor', () => {
  it.each([
    ['visa', 'Y', '05'], ['visa', 'A', '06'], ['visa', 'N', '07'], ['visa', 'I', '07'],
    ['jcb', 'Y', '05'], ['jcb', 'A', '06'], ['jcb', 'U', '07'],
    ['mastercard', 'Y', '02'], ['mastercard', 'A', '01'], ['mastercard', 'R', '00'],
  ] as const)('%s %s -> %s', (brand, transStatus, eci) => {
    expect(eciFor(brand, transStatus)).toBe(eci);
  });

  it('has none before the outcome is known', () => {
    expect(eciFor('visa', 'C')).toBeUndefined();
  });
});

describe('code lists', () => {
  it('challengeWindowSize has the five EMV iframe sizes', () => {
    expect(CHALLENGE_WINDOW_SIZE['01']).toMatchObject({ width: 250, height: 400 });
    expect(CHALLENGE_WINDOW_SIZE['04']).toMatchObject({ width: 600, height: 400 });
    expect(CHALLENGE_WINDOW_SIZE['05'].fullScreen).toBe(true);
  });

  it('transStatusReason runs 01 to 30', () => {
    expect(Object.keys(TRANS_STATUS_REASON).sort()).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1).padStart(2, '0')));
  });
});

describe('ISO codes', () => {
  it.each([['392', 0], ['840', 2], ['978', 2], ['048', 3], ['152', 0], ['990', 4], ['901', 2]])('currency %s has exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(['955', '959', '960', '963', '964', '999', '000', '123', '392 ', '39'])('currency %j is not valid', (code) => {
    expect(isValidCurrency(code)).toBe(false);
    expect(currencyExponent(code)).toBeUndefined();
  });

  it('lists the 249 ISO 3166-1 countries, none in the excluded 901-999', () => {
    expect(Object.keys(COUNTRIES)).toHaveLength(249);
    expect(Object.keys(COUNTRIES).every((c) => /^\d{3}$/.test(c) && Number(c) < 900)).toBe(true);
    expect(new Set(Object.values(COUNTRIES)).size).toBe(249);
  });

  it.each([['392', true], ['840', true], ['158', true], ['248', true], ['901', false], ['999', false], ['000', false], ['toString', false]])(
    'country %s valid: %s',
    (code, valid) => {
      expect(isValidCountry(code)).toBe(valid);
    },
  );

  it('every currency has a three-letter code and an exponent of 0-4', () => {
    for (const [numeric, [alpha, exponent]] of Object.entries(CURRENCIES)) {
      expect(numeric).toMatch(/^\d{3}$/);
      expect(alpha).toMatch(/^[A-Z]{3}$/);
      expect(exponent).toBeGreaterThanOrEqual(0);
      expect(exponent).toBeLessThanOrEqual(4);
    }
  });
});

describe('buildErro', () => {
  it('has every code the ACS may send or meet', () => {
    for (const code of ['101', '102', '201', '202', '203', '204', '301', '302', '303', '304', '305', '306', '307', '402', '403', '404', '405']) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
    expect(ERROR_CODES).not.toHaveProperty('401');
  });

  it('builds a valid Erro with the catalogue description', () => {
    const erro = buildErro({ errorCode: '305', errorDetail: 'PAN outside configured BIN ranges', errorMessageType: 'AReq', messageVersion: '2.3.1' });
    expect(erro).toEqual({
      messageType: 'Erro', messageVersion: '2.3.1', errorCode: '305', errorComponent: 'A',
      errorDescription: 'Transaction data not valid', errorDetail: 'PAN outside configured BIN ranges', errorMessageType: 'AReq',
    });
    expect(ERRO_SCHEMAS['2.3.1'].safeParse(erro).success).toBe(true);
  });

  it('falls back to a supported version, echoes only well-formed IDs, and keeps texts within 2048', () => {
    const erro = buildErro({
      errorCode: '404', errorDetail: 'x'.repeat(5000), errorDescription: '', messageVersion: '2.1.0',
      threeDSServerTransID: '9d9a991f-dd0a-49ec-83e0-4ce9b3d8344f', dsTransID: 'nope', acsTransID: 42, sdkTransID: null,
    });
    expect(erro).toMatchObject({ messageVersion: '2.2.0', errorDescription: 'Permanent system failure', threeDSServerTransID: '9d9a991f-dd0a-49ec-83e0-4ce9b3d8344f' });
    expect(erro).not.toHaveProperty('dsTransID');
    expect(erro.errorDetail).toHaveLength(2048);
    expect(ERRO_SCHEMAS['2.2.0'].safeParse(erro).success).toBe(true);
  });

  it('never leaves errorDetail empty', () => {
    expect(buildErro({ errorCode: '403', errorDetail: '  ' }).errorDetail).toBe('Transient system failure');
  });
});
