/** The signal registry and its pure helpers: home-currency amount, device key, IP prefix, time-zone check. */
import { describe, expect, it } from 'vitest';
import { OPS_FOR } from '../../src/risk/rules/conditions.ts';
import { deviceKey, ipPrefix, SIGNAL_NAMES, SIGNALS, timeZoneMismatch, toHome, zoneOffsetMinutes } from '../../src/risk/rules/signals.ts';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const CHROME_WIN = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const EDGE_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87';

describe('signal registry', () => {
  it('names every signal group.name, with a type the operators know and labels in both languages', () => {
    // The list, one signal per fact it names.
    const wanted = [
      'purchase.amount', 'purchase.amountHome', 'purchase.currency', 'purchase.mcc', 'purchase.merchantName', 'purchase.acquirerMerchantId',
      'purchase.acquirerBin', 'purchase.merchantCountry', 'purchase.transType', 'purchase.recurring', 'purchase.instalments', 'purchase.threeRIInd',
      'purchase.challengeInd', 'purchase.requestorAuthMethod', 'purchase.priorAuthMethod', 'purchase.whitelistStatus',
      'cardholder.registered', 'cardholder.provisional', 'cardholder.authMethod', 'cardholder.daysSinceRegistration', 'cardholder.daysSincePhoneChange',
      'cardholder.dataSharingOptOut', 'card.status', 'card.ageDays',
      'device.channel', 'device.methodCompleted', 'device.newDevice', 'device.tzMismatch', 'device.browserLanguage', 'device.newIpPrefix',
      'history.auths1h', 'history.auths24h', 'history.merchants24h', 'history.consecutiveFrictionless', 'history.frictionlessAmountHome',
      'history.failedChallenges24h', 'history.lockouts30d', 'history.notMe90d',
      'provider.score', 'provider.available', 'provider.reasons',
    ];
    expect(SIGNAL_NAMES).toEqual(expect.arrayContaining(wanted));
    for (const name of SIGNAL_NAMES) {
      const def = SIGNALS[name];
      expect(name).toMatch(/^(purchase|cardholder|card|device|history|provider)\.[a-z][A-Za-z0-9]+$/);
      expect(OPS_FOR[def.type]).toBeDefined();
      expect(def.label.ja.length).toBeGreaterThan(0);
      expect(def.label.en.length).toBeGreaterThan(0);
    }
    expect(SIGNALS['purchase.amountHome']).toMatchObject({ type: 'number', unit: { ja: '円', en: 'JPY' } });
    expect(SIGNALS['provider.reasons'].type).toBe('string[]');
  });
});

describe('toHome', () => {
  it('converts minor units with the message exponent at the table rate, to whole yen', () => {
    expect(toHome(12_345, '840', 2, { '840': 150 })).toBe(18_518);
    expect(toHome(1_000, '048', 3, { '048': 400 })).toBe(400); // BHD, three decimals
    expect(toHome(30_000, '392', 0, {})).toBe(30_000); // the home currency needs no rate
  });

  it('is unknown (null) without a rate or with an unusable amount', () => {
    expect(toHome(100, '978', 2, { '840': 150 })).toBeNull();
    expect(toHome(100, 'constructor', 2, {})).toBeNull();
    expect(toHome(-1, '392', 0, {})).toBeNull();
    expect(toHome(Number.NaN, '392', 0, {})).toBeNull();
    expect(toHome(100, '840', 1.5, { '840': 150 })).toBeNull();
    expect(toHome(100, '840', 2, { '840': 0 })).toBeNull();
  });
});

describe('deviceKey', () => {
  const phone = { screenWidth: 390, screenHeight: 844, colorDepth: 24, timeZoneOffset: -540, language: 'ja-JP', userAgent: IPHONE };

  it('gives a short canonical string from screen, colour depth, time zone, language and UA family', () => {
    expect(deviceKey(phone)).toBe('v1|844x390|24|-540|ja-jp|safari/ios');
    expect(deviceKey({ screenWidth: '1920', screenHeight: '1080', colorDepth: '24', timeZoneOffset: '-540', language: 'en-US', userAgent: EDGE_WIN })).toBe(
      'v1|1920x1080|24|-540|en-us|edge/windows',
    );
  });

  it('stays the same across a browser upgrade and a rotated screen, and changes with the browser family or time zone', () => {
    const a = deviceKey({ ...phone, userAgent: CHROME_WIN(125) });
    expect(deviceKey({ ...phone, userAgent: CHROME_WIN(131), screenWidth: 844, screenHeight: 390 })).toBe(a);
    expect(deviceKey({ ...phone, userAgent: EDGE_WIN })).not.toBe(a);
    expect(deviceKey({ ...phone, timeZoneOffset: 0 })).not.toBe(deviceKey(phone));
  });

  it('is null when neither the screen nor the user agent is known', () => {
    expect(deviceKey({ language: 'ja', timeZoneOffset: -540 })).toBeNull();
    expect(deviceKey({ userAgent: IPHONE })).toBe('v1|?|?|?|?|safari/ios');
  });
});

describe('ipPrefix', () => {
  it('takes the /24 of IPv4, the /48 of IPv6, and treats IPv4-mapped IPv6 as IPv4', () => {
    expect(ipPrefix('203.0.113.77')).toBe('203.0.113.0/24');
    expect(ipPrefix('2001:db8:1234:5678::1')).toBe('2001:db8:1234::/48');
    expect(ipPrefix('2001:0DB8:0000:ffff:1:2:3:4')).toBe('2001:db8::/48');
    expect(ipPrefix('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
  });

  it('is null for anything that is not an address', () => {
    for (const bad of ['', 'example.com', '300.1.1.1', '203.0.113.0/24', '1.2.3']) expect(ipPrefix(bad)).toBeNull();
  });
});

describe('time zone', () => {
  it('compares the browser offset (getTimezoneOffset minutes) with the issuer zone at that instant', () => {
    const winter = Date.UTC(2026, 0, 15, 12);
    const summer = Date.UTC(2026, 6, 15, 12);
    expect(zoneOffsetMinutes('Asia/Tokyo', winter)).toBe(540);
    expect(timeZoneMismatch(-540, 'Asia/Tokyo', winter)).toBe(false);
    expect(timeZoneMismatch(0, 'Asia/Tokyo', winter)).toBe(true);
    expect(timeZoneMismatch(-60, 'Europe/Berlin', winter)).toBe(false);
    expect(timeZoneMismatch(-60, 'Europe/Berlin', summer)).toBe(true); // CEST is -120
  });
});
