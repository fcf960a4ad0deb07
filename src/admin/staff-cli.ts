/**
 * `npm run staff -- add --username NAME --role ROLE [--issuer CODE] [--name "Display name"]`
 * `npm run staff -- list [--json]`
 * `npm run staff -- unlock --username NAME`
 * `npm run staff -- reset --username NAME`
 *
 * Staff accounts from a terminal: how the first administrator comes to exist. `add` and `reset`
 * print a one-time enrolment link (valid 24 hours) to open in a browser. ROLE is `administrator`
 * (a platform administrator, or with --issuer that issuer's administrator), `platform-admin`,
 * `issuer-admin`, `helpdesk` or `auditor`; an issuer role without --issuer gets the first issuer.
 * Uses the appliance's configuration (DATABASE_URL, PUBLIC_URL, ...), migrates first, and audits
 * every change as the operating-system user. Exit codes: 0 done, 1 refused or failed, 2 usage.
 */
import { userInfo } from 'node:os';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { openMigratedDatabase, withoutCredentials } from '../db/open.ts';
import { configOrExit } from '../entry/local.ts';
import { ensureFirstIssuer, issuerByCode, listIssuers } from '../issuers/issuer-store.ts';
import { inviteStaff, resetSignIn, unlockStaffAccount, type ActingAs } from './staff-actions.ts';
import { isLocked, listStaff, normaliseUsername, staffByUsername, USERNAME_PATTERN, type StaffRole } from './staff-store.ts';

const USAGE = `usage: npm run staff -- add --username <name> --role <role> [--issuer <code>] [--name <display name>]
       npm run staff -- list [--json]
       npm run staff -- unlock --username <name>
       npm run staff -- reset --username <name>
roles: administrator (platform, or with --issuer the issuer's), platform-admin, issuer-admin, helpdesk, auditor`;
const HELP = '(npm run staff -- --help)';

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string' },
  issuer: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
} as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

type Parsed =
  | { command: 'help' }
  | { command: 'list'; json: boolean }
  | { command: 'add'; username: string; role: string; issuer?: string; name?: string }
  | { command: 'unlock' | 'reset'; username: string };

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (!command || !['add', 'list', 'unlock', 'reset'].includes(command)) {
    throw new CliError(`${command ? `unknown command "${command}"` : 'a command is required'}: use add, list, unlock or reset ${HELP}`, 2);
  }
  let values: { username?: string; role?: string; issuer?: string; name?: string; json?: boolean };
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(`${command}: ${(error as Error).message} ${HELP}`, 2);
  }
  if (command === 'list') return { command, json: values.json === true };
  const username = normaliseUsername(values.username ?? '');
  if (!username) throw new CliError(`--username is required ${HELP}`, 2);
  if (!USERNAME_PATTERN.test(username)) throw new CliError(`--username must be 3 to 32 of a-z, 0-9, ".", "_", "-" (starting with a letter or digit), not "${values.username}"`, 2);
  if (command === 'add') {
    if (!values.role) throw new CliError(`--role is required: administrator, platform-admin, issuer-admin, helpdesk or auditor ${HELP}`, 2);
    if (!ROLE_NAMES.includes(values.role)) throw new CliError(`--role must be administrator, platform-admin, issuer-admin, helpdesk or auditor, not "${values.role}"`, 2);
    if (values.role === 'platform-admin' && values.issuer) throw new CliError('a platform administrator belongs to no issuer: leave out --issuer', 2);
    if (values.name !== undefined && (values.name.trim().length < 1 || values.name.length > 60)) throw new CliError('--name must be 1 to 60 characters', 2);
    return { command, username, role: values.role, issuer: values.issuer, name: values.name?.trim() };
  }
  return { command: command as 'unlock' | 'reset', username };
}

const ROLE_NAMES = ['administrator', 'platform-admin', 'issuer-admin', 'helpdesk', 'auditor'];

function roleOf(name: string, withIssuer: boolean): StaffRole {
  if (name === 'administrator') return withIssuer ? 'issuer_admin' : 'platform_admin';
  return name.replace('-', '_') as StaffRole;
}

async function run(parsed: Exclude<Parsed, { command: 'help' }>, config: Config): Promise<void> {
  const { db, client } = await openMigratedDatabase({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  try {
    const deps = { db, config, clock: systemClock };
    const first = await ensureFirstIssuer(deps);
    const by: ActingAs = { actor: { type: 'system', name: `cli:${osUser()}` } };
    if (parsed.command === 'list') return await list(deps, parsed.json);
    if (parsed.command === 'add') {
      const role = roleOf(parsed.role, parsed.issuer !== undefined);
      let issuerId: number | null = null;
      if (role !== 'platform_admin') {
        const issuer = parsed.issuer ? await issuerByCode(db, parsed.issuer) : first;
        if (!issuer) {
          const codes = (await listIssuers(db)).map((i) => i.code).join(', ');
          throw new CliError(`no issuer with code "${parsed.issuer}" (issuers: ${codes})`, 1);
        }
        issuerId = issuer.id;
      }
      const result = await inviteStaff(deps, by, { username: parsed.username, displayName: parsed.name ?? parsed.username, role, issuerId });
      if (!result.ok) throw new CliError(`refused: the username "${parsed.username}" is taken`, 1);
      const issuer = issuerId === null ? 'all issuers' : `issuer ${(await listIssuers(db)).find((i) => i.id === issuerId)!.code}`;
      console.log(`invited ${result.staff.username} as ${role.replace('_', ' ')} (${issuer}). One-time enrolment link, valid 24 hours:`);
      console.log(result.link);
      return;
    }
    const target = await staffByUsername(db, parsed.username);
    if (!target) throw new CliError(`no staff member "${parsed.username}" (see npm run staff -- list)`, 1);
    if (parsed.command === 'unlock') {
      await unlockStaffAccount(deps, by, target);
      console.log(`unlocked ${target.username}`);
    } else {
      const link = await resetSignIn(deps, by, target);
      console.log(`reset ${target.username}: every session ended; they enrol again with this one-time link, valid 24 hours:`);
      console.log(link);
    }
  } finally {
    client.close();
  }
}

async function list(deps: { db: Parameters<typeof listStaff>[0] }, json: boolean): Promise<void> {
  const rows = await listStaff(deps.db, null);
  const issuers = new Map((await listIssuers(deps.db)).map((i) => [i.id, i.code]));
  const now = systemClock.now();
  const out = rows.map((r) => ({
    username: r.username,
    name: r.displayName,
    role: r.role,
    issuer: r.issuerId === null ? null : (issuers.get(r.issuerId) ?? null),
    status: r.status === 'active' && isLocked(r, now) ? 'locked' : r.status,
    lastSignIn: r.lastSignInAt === null ? null : new Date(r.lastSignInAt).toISOString(),
  }));
  if (json) return console.log(JSON.stringify(out));
  if (out.length === 0) return console.log('no staff yet (add one: npm run staff -- add --username NAME --role administrator)');
  const table = [['username', 'role', 'issuer', 'status', 'last sign-in'], ...out.map((r) => [r.username, r.role, r.issuer ?? '-', r.status, r.lastSignIn ?? '-'])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

try {
  const parsed = parse(process.argv.slice(2));
  if (parsed.command === 'help') console.log(USAGE);
  else await run(parsed, configOrExit(process.env).config);
} catch (error) {
  if (error instanceof CliError) {
    console.error(error.message);
    process.exit(error.exitCode);
  }
  console.error(withoutCredentials(`staff failed: ${String((error as { cause?: unknown })?.cause ?? (error as Error)?.message ?? error)}`));
  process.exit(1);
}
