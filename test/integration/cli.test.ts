/**
 * The operator's command-line tools, run as real processes the way `npm run` runs them:
 * `bin-ranges` (list, add, remove against a real libSQL file), `av:verify` and `db:migrate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAuthenticationValue, type AuthenticationValueInput } from '../../src/acs/authentication-value.ts';
import { decodeSecret, generateSecret } from '../../src/config.ts';
import { bytesToBase64 } from '../../src/encoding.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

// Each run starts Node with tsx (about half a second); a test runs many, so it gets a wider budget than the default.
const SLOW = { timeout: 120_000 };

function run(script: string, args: string[], env: Record<string, string>): Run {
  const { DATABASE_URL: _d, AUTH_VALUE_KEY: _k, NODE_ENV: _n, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run bin-ranges', SLOW, () => {
  let dir: string;
  let env: Record<string, string>;
  const binRanges = (...args: string[]) => run('src/cards/bin-ranges-cli.ts', args, env);
  const listed = () => {
    const out = binRanges('list', '--json');
    expect(out.status).toBe(0);
    return JSON.parse(out.stdout) as { id: number; brand: string; start: string; end: string; label: string; enabled: boolean }[];
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-cli-'));
    env = { DATABASE_URL: `file:${join(dir, 'nested', 'mamori.db')}` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates and migrates the database on first use and lists no ranges', () => {
    const out = binRanges('list');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^no BIN ranges/);
    expect(listed()).toEqual([]);
  });

  it('adds a range, lists it, refuses an overlap, disables it and then accepts the overlapping range', async () => {
    const added = binRanges('add', '--brand', 'jcb', '--start', '35401200', '--end', '35401299', '--label', 'テスト JCB');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const id = Number(/added range (\d+): jcb 35401200-35401299/.exec(added.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(listed()).toEqual([{ id, brand: 'jcb', start: '35401200', end: '35401299', label: 'テスト JCB', enabled: true }]);

    const table = binRanges('list');
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+brand\s+start\s+end\s+status\s+label$/);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+jcb\\s+35401200\\s+35401299\\s+enabled\\s+テスト JCB$`, 'm'));

    // Overlaps at the same length, partly, and at another length (a 6-digit BIN covering the 8-digit range).
    for (const [start, end] of [['35401250', '35401250'], ['35401100', '35401200'], ['354012', '354012'], ['3540120000', '3540129999']]) {
      const clash = binRanges('add', '--brand', 'jcb', '--start', start, '--end', end);
      expect(clash.status, `${start}-${end}`).toBe(1);
      expect(clash.stderr.trim()).toBe(`refused: ${start}-${end} overlaps range ${id} (jcb 35401200-35401299 "テスト JCB")`);
    }
    // Neighbours on both sides do not overlap.
    expect(binRanges('add', '--brand', 'jcb', '--start', '35401300', '--end', '35401399').status).toBe(0);
    expect(binRanges('add', '--brand', 'jcb', '--start', '354011', '--end', '354011').status).toBe(0);
    expect(listed()).toHaveLength(3);

    const removed = binRanges('remove', '--id', String(id));
    expect(removed.status).toBe(0);
    expect(removed.stdout.trim()).toBe(`disabled range ${id}: jcb 35401200-35401299`);
    expect(listed().find((r) => r.id === id)).toMatchObject({ enabled: false });

    const again = binRanges('remove', '--id', String(id));
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe(`range ${id} is already disabled`);

    // A disabled range no longer blocks its numbers.
    expect(binRanges('add', '--brand', 'jcb', '--start', '354012', '--end', '354012').status).toBe(0);
    expect(listed().filter((r) => r.enabled).map((r) => `${r.start}-${r.end}`)).toEqual(['354011-354011', '354012-354012', '35401300-35401399']);

    // Each change is in the audit log, attributed to the command line.
    const client = createClient({ url: env.DATABASE_URL });
    try {
      const { rows } = await client.execute("select action, target, detail from audit_log where action like 'bin_range.%' order by id");
      expect(rows.map((r) => r.action)).toEqual(['bin_range.add', 'bin_range.add', 'bin_range.add', 'bin_range.disable', 'bin_range.add']);
      expect(rows[3].target).toBe(`bin_range:${id}`);
      expect(JSON.parse(String(rows[0].detail))).toMatchObject({ via: 'cli', brand: 'jcb', rangeStart: '35401200', rangeEnd: '35401299' });
    } finally {
      client.close();
    }
  });

  it('refuses to disable a range that does not exist', () => {
    const out = binRanges('remove', '--id', '9999');
    expect(out.status).toBe(1);
    expect(out.stderr.trim()).toBe('no BIN range with id 9999 (see npm run bin-ranges -- list)');
  });

  it('answers bad input with one line and exit code 2, changing nothing', () => {
    const before = listed();
    const cases: [string[], string][] = [
      [[], 'a command is required: list, add or remove (npm run bin-ranges -- --help)'],
      [['frob'], 'unknown command "frob": use list, add or remove (npm run bin-ranges -- --help)'],
      [['add', '--start', '49999800', '--end', '49999899'], '--brand is required (jcb, visa or mastercard)'],
      [['add', '--brand', 'amex', '--start', '37000000', '--end', '37000099'], '--brand must be jcb, visa or mastercard, not "amex"'],
      [['add', '--brand', 'visa', '--end', '49999899'], '--start is required'],
      [['add', '--brand', 'visa', '--start', '4999-800', '--end', '49999899'], '--start must be digits only, not "4999-800"'],
      [['add', '--brand', 'visa', '--start', '49999800', '--end', '4999989x'], '--end must be digits only, not "4999989x"'],
      [['add', '--brand', 'visa', '--start', '49999', '--end', '49999'], '--start must be 6 to 11 digits (got 5)'],
      [['add', '--brand', 'visa', '--start', '499998000000', '--end', '499998999999'], '--start must be 6 to 11 digits (got 12)'],
      [['add', '--brand', 'visa', '--start', '499998', '--end', '49999899'], '--start and --end must have the same length (6 and 8 digits)'],
      [['add', '--brand', 'visa', '--start', '49999899', '--end', '49999800'], '--start 49999899 is above --end 49999800'],
      [['add', '--brand', 'visa', '--start', '49999800', '--end', '49999899', '--label', 'x'.repeat(61)], '--label must be at most 60 characters'],
      [['add', '--brand', 'visa', '--start', '49999800', '--end', '49999899', '--colour', 'blue'], "add: Unknown option '--colour' (npm run bin-ranges -- --help)"],
      [['remove'], '--id is required (see npm run bin-ranges -- list)'],
      [['remove', '--id', 'one'], '--id must be a positive whole number, not "one"'],
      [['remove', '--id', '0'], '--id must be a positive whole number, not "0"'],
    ];
    for (const [args, message] of cases) {
      const out = binRanges(...args);
      expect(out.status, args.join(' ')).toBe(2);
      expect(out.stderr.trim(), args.join(' ')).toBe(message);
      expect(out.stdout).toBe('');
    }
    expect(listed()).toEqual(before);
  });

  it('warns, without refusing, when a range does not start like its brand', () => {
    const out = binRanges('add', '--brand', 'visa', '--start', '55999000', '--end', '55999099');
    expect(out.status).toBe(0);
    expect(out.stderr.trim()).toBe('warning: 55999000 does not start like a visa card number');
  });
});

describe('npm run av:verify', SLOW, () => {
  const secret = generateSecret();
  const input: AuthenticationValueInput = {
    transStatus: 'Y',
    how: 'sms_otp',
    pan: '3569990000000010',
    dsTransID: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
    eci: '05',
    purchaseAmount: '45000',
    purchaseCurrency: '392',
  };
  let value: string;
  const args = (overrides: Record<string, string> = {}) => {
    const all: Record<string, string> = {
      value,
      pan: input.pan,
      'ds-trans-id': input.dsTransID,
      eci: input.eci,
      amount: input.purchaseAmount!,
      currency: input.purchaseCurrency!,
      ...overrides,
    };
    return Object.entries(all).flatMap(([k, v]) => [`--${k}`, v]);
  };
  const verify = (argv: string[], env: Record<string, string> = { AUTH_VALUE_KEY: secret }) => run('src/acs/av-cli.ts', argv, env);

  beforeAll(async () => {
    const key = await crypto.subtle.importKey('raw', decodeSecret(secret)!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    value = await computeAuthenticationValue(key, input);
  });

  it('exits 0 and prints valid:true for a value computed under AUTH_VALUE_KEY', () => {
    const out = verify(args());
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ valid: true, transStatus: 'Y', how: 'sms_otp' });
  });

  it('takes the key as hex as well as base64', () => {
    const hex = Array.from(decodeSecret(secret)!, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(verify(args(), { AUTH_VALUE_KEY: hex }).status).toBe(0);
  });

  it('reads the development key from secrets.json beside the database file when AUTH_VALUE_KEY is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-av-'));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ AUTH_VALUE_KEY: secret }));
    const out = verify(args(), { DATABASE_URL: `file:${join(dir, 'mamori.db')}` });
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ valid: true });
  });

  it('exits 1 with valid:false for a tampered value or tampered authorisation data', () => {
    const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
    bytes[19] ^= 0x01;
    const tampered = verify(args({ value: bytesToBase64(bytes) }));
    expect(tampered.status).toBe(1);
    expect(JSON.parse(tampered.stdout)).toEqual({ valid: false, reason: 'MAC does not match the authorisation data' });

    const otherAmount = verify(args({ amount: '4500' }));
    expect(otherAmount.status).toBe(1);
    expect(JSON.parse(otherAmount.stdout)).toMatchObject({ valid: false });

    const garbage = verify(args({ value: 'not-a-value' }));
    expect(garbage.status).toBe(1);
    expect(JSON.parse(garbage.stdout)).toMatchObject({ valid: false });
  });

  it('exits 1 under another key', () => {
    const out = verify(args(), { AUTH_VALUE_KEY: generateSecret() });
    expect(out.status).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ valid: false });
  });

  it('exits 2 with the usage when arguments are missing or unknown, or there is no key', () => {
    const missing = verify(['--value', 'AAAA', '--pan', input.pan]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('missing --ds-trans-id, --eci');
    expect(missing.stderr).toContain('usage: npm run av:verify --');

    const none = verify([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('missing --value, --pan, --ds-trans-id, --eci');

    const unknown = verify([...args(), '--colour', 'blue']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");

    const dir = mkdtempSync(join(tmpdir(), 'mamori-av-nokey-'));
    const noKey = verify(args(), { DATABASE_URL: `file:${join(dir, 'mamori.db')}` });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('AUTH_VALUE_KEY is not set');

    const shortKey = verify(args(), { AUTH_VALUE_KEY: 'c2hvcnQ=' });
    expect(shortKey.status).toBe(2);
  });
});

describe('npm run db:migrate', SLOW, () => {
  const migrate = (env: Record<string, string>) => run('src/db/migrate-cli.ts', [], env);
  const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };

  it('creates and migrates a database file (every migration once), and a second run changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-migrate-'));
    const url = `file:${join(dir, 'nested', 'mamori.db')}`;
    try {
      for (const attempt of [1, 2]) {
        const out = migrate({ DATABASE_URL: url });
        expect(out.stderr, `run ${attempt}`).toBe('');
        expect(out.status, `run ${attempt}`).toBe(0);
        expect(out.stdout.trim()).toBe(`migrated ${url}`);
        const client = createClient({ url });
        try {
          expect((await client.execute('select count(*) as n from __drizzle_migrations')).rows[0].n).toBe(journal.entries.length);
          expect((await client.execute("select name from sqlite_master where type = 'table' and name in ('card_accounts', 'flows')")).rows).toHaveLength(2);
        } finally {
          client.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one line when the database cannot be opened, and never prints credentials from the URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-migrate-bad-'));
    try {
      writeFileSync(join(dir, 'a-file'), '');
      const notADirectory = migrate({ DATABASE_URL: `file:${join(dir, 'a-file', 'data', 'mamori.db')}` });
      expect(notADirectory.status).toBe(1);
      expect(notADirectory.stdout).toBe('');
      expect(notADirectory.stderr.trim().split('\n')).toHaveLength(1);
      expect(notADirectory.stderr).toMatch(/^db:migrate failed on file:.*ENOTDIR/);

      const withCredentials = migrate({ DATABASE_URL: 'http://operator:s3cret@127.0.0.1:9/' });
      expect(withCredentials.status).toBe(1);
      expect(withCredentials.stderr).toMatch(/^db:migrate failed on http:\/\/127\.0\.0\.1:9\//);
      expect(withCredentials.stderr).not.toContain('s3cret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
