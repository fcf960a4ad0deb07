import { describe, expect, it } from 'vitest';
import { ConfigError, generateSecret, parseConfig } from '../../src/config.ts';

const secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };

describe('config', () => {
  it('has working defaults in development, with generated secrets passed in', () => {
    const c = parseConfig({}, secrets);
    expect(c.PORT).toBe(8787);
    expect(c.DATABASE_URL).toBe('file:data/mamori.db');
    expect(c.SANDBOX).toBe(true);
    expect(c.PUBLIC_URL).toBe('http://localhost:8787');
    expect(c.CHALLENGE_THRESHOLDS['392']).toBe(30000);
  });

  it('refuses production without secrets, naming the first missing one', () => {
    expect(() => parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp' })).toThrow(
      /^Invalid configuration: PAN_LOOKUP_KEY is required in production$/,
    );
  });

  it('refuses the sandbox in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', SANDBOX: 'true', ...secrets })).toThrow(
      /SANDBOX cannot be enabled in production/,
    );
    expect(parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', ...secrets }).SANDBOX).toBe(false);
  });

  it('names an invalid variable in one line', () => {
    const attempt = () => parseConfig({ PORT: 'eighty' }, secrets);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^Invalid configuration: PORT /);
    expect(() => parseConfig({ DATABASE_URL: 'postgres://x' }, secrets)).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ PAN_LOOKUP_KEY: 'short' }, secrets)).toThrow(/PAN_LOOKUP_KEY must be 32 bytes/);
    expect(() => parseConfig({ CHALLENGE_THRESHOLDS: 'yen:100' }, secrets)).toThrow(/CHALLENGE_THRESHOLDS/);
  });

  it('accepts hex secrets and rejects http PUBLIC_URL in production', () => {
    const hex = 'ab'.repeat(32);
    expect(parseConfig({ PAN_LOOKUP_KEY: hex }, secrets).secrets.PAN_LOOKUP_KEY).toBe(hex);
    expect(() => parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'http://acs.example.jp', ...secrets })).toThrow(/PUBLIC_URL must be https/);
  });
});
