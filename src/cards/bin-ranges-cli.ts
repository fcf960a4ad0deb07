/**
 * `npm run bin-ranges -- list [--json]`
 * `npm run bin-ranges -- add --brand jcb|visa|mastercard --start 35401200 --end 35401299 [--label "..."]`
 * `npm run bin-ranges -- remove --id N`
 *
 * The issuer's card ranges from a terminal, against DATABASE_URL (default file:data/mamori.db; a
 * libSQL server with DATABASE_AUTH_TOKEN), migrated first. `remove` disables a range (kept for the
 * record). A running appliance picks changes up within a few seconds (its range cache).
 * Exit codes: 0 done, 1 refused (overlap, unknown id) or failed, 2 usage error (bad command or input).
 */
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createClient } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { systemClock } from '../clock.ts';
import { createDatabase, tuneEmbeddedDatabase, type Database } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { auditLog, binRanges, type Brand } from '../db/schema.ts';

const BRANDS: readonly Brand[] = ['jcb', 'visa', 'mastercard'];
const MAX_LABEL = 60;

const USAGE = `usage: npm run bin-ranges -- list [--json]
       npm run bin-ranges -- add --brand jcb|visa|mastercard --start <digits> --end <digits> [--label <text>]
       npm run bin-ranges -- remove --id <id>`;

const HELP = '(npm run bin-ranges -- --help)';

const COMMANDS = {
  list: { json: { type: 'boolean' } },
  add: { brand: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, label: { type: 'string' } },
  remove: { id: { type: 'string' } },
} as const;
type Command = keyof typeof COMMANDS;

interface NewBinRange {
  brand: Brand;
  rangeStart: string;
  rangeEnd: string;
  label: string;
}

/** A usage error (exit 2) or a refusal (exit 1), each one line. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/**
 * Checks a range as an operator typed it: a known brand, digits only, bounds of equal length
 * (6 to 11 digits), start not above end, a label of at most 60 characters.
 * Returns the range or the one-line reason it is refused.
 */
function validateBinRange(input: { brand?: string; start?: string; end?: string; label?: string }): NewBinRange | string {
  const { brand, start, end, label = '' } = input;
  if (!brand) return '--brand is required (jcb, visa or mastercard)';
  if (!BRANDS.includes(brand as Brand)) return `--brand must be jcb, visa or mastercard, not "${brand}"`;
  if (!start) return '--start is required';
  if (!end) return '--end is required';
  for (const [name, value] of [['--start', start], ['--end', end]] as const) {
    if (!/^\d+$/.test(value)) return `${name} must be digits only, not "${value}"`;
    if (value.length < 6 || value.length > 11) return `${name} must be 6 to 11 digits (got ${value.length})`;
  }
  if (start.length !== end.length) return `--start and --end must have the same length (${start.length} and ${end.length} digits)`;
  if (start > end) return `--start ${start} is above --end ${end}`;
  if (label.length > MAX_LABEL) return `--label must be at most ${MAX_LABEL} characters`;
  return { brand: brand as Brand, rangeStart: start, rangeEnd: end, label: label.trim() };
}

/**
 * Whether two ranges share a card number. Ranges of different lengths are compared at the longer
 * length: 354012–354012 covers 35401200–35401299, as the AReq look-up matches a PAN's prefix.
 */
function rangesOverlap(a: { rangeStart: string; rangeEnd: string }, b: { rangeStart: string; rangeEnd: string }): boolean {
  const length = Math.max(a.rangeStart.length, b.rangeStart.length);
  const low = (s: string) => s.padEnd(length, '0');
  const high = (s: string) => s.padEnd(length, '9');
  return low(a.rangeStart) <= high(b.rangeEnd) && low(b.rangeStart) <= high(a.rangeEnd);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (!command) throw new CliError(`a command is required: list, add or remove ${HELP}`, 2);
  if (!Object.hasOwn(COMMANDS, command)) throw new CliError(`unknown command "${command}": use list, add or remove ${HELP}`, 2);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: ParseArgsConfig['options'] = COMMANDS[command as Command];
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new CliError(`${command}: ${(error as Error).message} ${HELP}`, 2);
  }

  // Check the input before touching the database.
  let range: NewBinRange | undefined;
  let id: number | undefined;
  if (command === 'add') {
    const checked = validateBinRange(values as Record<string, string | undefined>);
    if (typeof checked === 'string') throw new CliError(checked, 2);
    range = checked;
  } else if (command === 'remove') {
    const text = values.id as string | undefined;
    if (!text) throw new CliError('--id is required (see npm run bin-ranges -- list)', 2);
    if (!/^[1-9]\d{0,9}$/.test(text)) throw new CliError(`--id must be a positive whole number, not "${text}"`, 2);
    id = Number(text);
  }

  const url = process.env.DATABASE_URL || 'file:data/mamori.db';
  if (url.startsWith('file:')) mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
  const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN || undefined });
  try {
    if (url.startsWith('file:')) await tuneEmbeddedDatabase(client);
    const db = createDatabase(client);
    await migrateDatabase(db, fileURLToPath(new URL('../../drizzle', import.meta.url)));
    if (command === 'list') await list(db, values.json === true);
    else if (command === 'add') await add(db, range!);
    else await remove(db, id!);
  } finally {
    client.close();
  }
}

async function list(db: Database, json: boolean): Promise<void> {
  const rows = await db.select().from(binRanges).orderBy(binRanges.rangeStart, binRanges.id);
  if (json) {
    const out = rows.map((r) => ({ id: r.id, brand: r.brand, start: r.rangeStart, end: r.rangeEnd, label: r.label, enabled: r.enabled }));
    console.log(JSON.stringify(out));
    return;
  }
  if (rows.length === 0) {
    console.log('no BIN ranges (add one: npm run bin-ranges -- add --brand jcb --start 35401200 --end 35401299)');
    return;
  }
  const table = [
    ['id', 'brand', 'start', 'end', 'status', 'label'],
    ...rows.map((r) => [String(r.id), r.brand, r.rangeStart, r.rangeEnd, r.enabled ? 'enabled' : 'disabled', r.label]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

async function add(db: Database, range: NewBinRange): Promise<void> {
  const now = systemClock.now();
  // One write transaction: the overlap check and the insert cannot interleave with another edit.
  const id = await db.transaction(async (tx) => {
    const enabled = await tx.select().from(binRanges).where(eq(binRanges.enabled, true));
    const clash = enabled.find((r) => rangesOverlap(r, range));
    if (clash) {
      throw new CliError(
        `refused: ${range.rangeStart}-${range.rangeEnd} overlaps range ${clash.id} (${clash.brand} ${clash.rangeStart}-${clash.rangeEnd}${clash.label ? ` "${clash.label}"` : ''})`,
        1,
      );
    }
    const [row] = await tx.insert(binRanges).values({ ...range, createdAt: now }).returning({ id: binRanges.id });
    await tx.insert(auditLog).values({
      at: now,
      actorType: 'system',
      action: 'bin_range.add',
      target: `bin_range:${row.id}`,
      detail: JSON.stringify({ via: 'cli', osUser: osUser(), ...range }),
    });
    return row.id;
  });
  const label = range.label ? ` "${range.label}"` : '';
  console.log(`added range ${id}: ${range.brand} ${range.rangeStart}-${range.rangeEnd}${label}`);
  const warning = brandWarning(range);
  if (warning) console.error(`warning: ${warning}`);
}

async function remove(db: Database, id: number): Promise<void> {
  const now = systemClock.now();
  const row = await db.transaction(async (tx) => {
    const [found] = await tx.select().from(binRanges).where(eq(binRanges.id, id));
    if (!found) throw new CliError(`no BIN range with id ${id} (see npm run bin-ranges -- list)`, 1);
    if (!found.enabled) throw new CliError(`range ${id} is already disabled`, 1);
    await tx.update(binRanges).set({ enabled: false }).where(eq(binRanges.id, id));
    await tx.insert(auditLog).values({
      at: now,
      actorType: 'system',
      action: 'bin_range.disable',
      target: `bin_range:${id}`,
      detail: JSON.stringify({ via: 'cli', osUser: osUser(), brand: found.brand, rangeStart: found.rangeStart, rangeEnd: found.rangeEnd }),
    });
    return found;
  });
  console.log(`disabled range ${id}: ${row.brand} ${row.rangeStart}-${row.rangeEnd}`);
}

/** Scheme prefixes, to catch a mistyped brand (a warning only: the issuer knows its own cards). */
function brandWarning(range: NewBinRange): string | undefined {
  const p2 = Number(range.rangeStart.slice(0, 2));
  const p4 = Number(range.rangeStart.slice(0, 4));
  const looksLike = { jcb: p4 >= 3528 && p4 <= 3589, visa: range.rangeStart.startsWith('4'), mastercard: (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) };
  return looksLike[range.brand] ? undefined : `${range.rangeStart} does not start like a ${range.brand} card number`;
}

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    console.error(error.message);
    process.exit(error.exitCode);
  }
  console.error(`bin-ranges failed: ${String((error as { cause?: unknown })?.cause ?? (error as Error)?.message ?? error)}`);
  process.exit(1);
}
