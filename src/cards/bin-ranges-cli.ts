/**
 * `npm run bin-ranges -- list [--json]`
 * `npm run bin-ranges -- add --brand jcb|visa|mastercard --start 35401200 --end 35401299 [--label "..."]`
 * `npm run bin-ranges -- remove --id N`
 *
 * The issuer's card ranges from a terminal, against DATABASE_URL (default file:data/mamori.db; a
 * libSQL server with DATABASE_AUTH_TOKEN), migrated first. `remove` disables a range (kept for the
 * record). A running appliance picks changes up within a few seconds (its range cache).
 * Exit codes: 0 done, 1 refused (overlap, unknown id) or failed, 2 usage error (bad command or input).
 *
 * This file only parses the command line and prints; the rules and the writes are in bin-ranges.ts.
 */
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { openMigratedDatabase, withoutCredentials, type DatabaseTarget } from '../db/open.ts';
import {
  addBinRange,
  checkBinRange,
  disableBinRange,
  listBinRanges,
  startsLikeBrand,
  BIN_RANGE_BRANDS,
  BIN_RANGE_DIGITS,
  type BinRangeChange,
  type BinRangeProblem,
  type NewBinRange,
} from './bin-ranges.ts';

const USAGE = `usage: npm run bin-ranges -- list [--json]
       npm run bin-ranges -- add --brand jcb|visa|mastercard --start <digits> --end <digits> [--label <text>]
       npm run bin-ranges -- remove --id <id>`;

const HELP = '(npm run bin-ranges -- --help)';
/** "jcb, visa or mastercard" */
const BRAND_LIST = `${BIN_RANGE_BRANDS.slice(0, -1).join(', ')} or ${BIN_RANGE_BRANDS.at(-1)}`;

const COMMANDS = {
  list: { json: { type: 'boolean' } },
  add: { brand: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, label: { type: 'string' } },
  remove: { id: { type: 'string' } },
} as const;

type Parsed = { command: 'help' } | { command: 'list'; json: boolean } | { command: 'add'; range: NewBinRange } | { command: 'remove'; id: number };

/** A usage error (exit 2) or a refusal (exit 1), each one line. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

// ─── Arguments ──────────────────────────────────────────────────────────────────

/** The command line checked before anything touches the database. */
function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (!command) throw new CliError(`a command is required: list, add or remove ${HELP}`, 2);
  if (!Object.hasOwn(COMMANDS, command)) throw new CliError(`unknown command "${command}": use list, add or remove ${HELP}`, 2);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: ParseArgsConfig['options'] = COMMANDS[command as keyof typeof COMMANDS];
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new CliError(`${command}: ${(error as Error).message} ${HELP}`, 2);
  }
  if (command === 'list') return { command, json: values.json === true };
  if (command === 'add') {
    const checked = checkBinRange(values as Record<string, string | undefined>);
    if (!checked.ok) throw new CliError(problemText(checked.problem), 2);
    return { command, range: checked.range };
  }
  const text = values.id as string | undefined;
  if (!text) throw new CliError('--id is required (see npm run bin-ranges -- list)', 2);
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new CliError(`--id must be a positive whole number, not "${text}"`, 2);
  return { command: 'remove', id: Number(text) };
}

/** A refused range in the words of this command line (its options are --brand, --start, …). */
function problemText(p: BinRangeProblem): string {
  const option = `--${p.field}`;
  switch (p.code) {
    case 'required':
      return p.field === 'brand' ? `--brand is required (${BRAND_LIST})` : `${option} is required`;
    case 'unknown_brand':
      return `--brand must be ${BRAND_LIST}, not "${p.value}"`;
    case 'not_digits':
      return `${option} must be digits only, not "${p.value}"`;
    case 'digit_count':
      return `${option} must be ${BIN_RANGE_DIGITS.min} to ${BIN_RANGE_DIGITS.max} digits (got ${p.length})`;
    case 'length_mismatch':
      return `--start and --end must have the same length (${p.startLength} and ${p.endLength} digits)`;
    case 'start_above_end':
      return `--start ${p.start} is above --end ${p.end}`;
    case 'label_too_long':
      return `--label must be at most ${p.max} characters`;
  }
}

// ─── Commands ───────────────────────────────────────────────────────────────────

async function run(parsed: Exclude<Parsed, { command: 'help' }>, target: DatabaseTarget): Promise<void> {
  const { db, client } = await openMigratedDatabase(target);
  try {
    if (parsed.command === 'list') await list(db, parsed.json);
    else if (parsed.command === 'add') await add(db, parsed.range);
    else await remove(db, parsed.id);
  } finally {
    client.close();
  }
}

async function list(db: Database, json: boolean): Promise<void> {
  const rows = await listBinRanges(db);
  if (json) {
    console.log(JSON.stringify(rows.map((r) => ({ id: r.id, brand: r.brand, start: r.rangeStart, end: r.rangeEnd, label: r.label, enabled: r.enabled }))));
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
  const result = await addBinRange({ db, clock: systemClock }, range, change());
  if (!result.ok) {
    const c = result.clash;
    throw new CliError(`refused: ${range.rangeStart}-${range.rangeEnd} overlaps range ${c.id} (${c.brand} ${c.rangeStart}-${c.rangeEnd}${c.label ? ` "${c.label}"` : ''})`, 1);
  }
  console.log(`added range ${result.id}: ${range.brand} ${range.rangeStart}-${range.rangeEnd}${range.label ? ` "${range.label}"` : ''}`);
  if (!startsLikeBrand(range)) console.error(`warning: ${range.rangeStart} does not start like a ${range.brand} card number`);
}

async function remove(db: Database, id: number): Promise<void> {
  const result = await disableBinRange({ db, clock: systemClock }, id, change());
  if (!result.ok) {
    throw new CliError(result.reason === 'not_found' ? `no BIN range with id ${id} (see npm run bin-ranges -- list)` : `range ${id} is already disabled`, 1);
  }
  console.log(`disabled range ${id}: ${result.range.brand} ${result.range.rangeStart}-${result.range.rangeEnd}`);
}

/** The audit log names the command line and the operating-system user who ran it. */
function change(): BinRangeChange {
  let osUser: string | undefined;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = undefined;
  }
  return { actor: { type: 'system', name: `cli:${osUser ?? 'unknown'}` }, detail: { via: 'cli', osUser } };
}

try {
  const parsed = parse(process.argv.slice(2));
  if (parsed.command === 'help') console.log(USAGE);
  else await run(parsed, { url: process.env.DATABASE_URL || 'file:data/mamori.db', authToken: process.env.DATABASE_AUTH_TOKEN });
} catch (error) {
  if (error instanceof CliError) {
    console.error(error.message);
    process.exit(error.exitCode);
  }
  console.error(withoutCredentials(`bin-ranges failed: ${String((error as { cause?: unknown })?.cause ?? (error as Error)?.message ?? error)}`));
  process.exit(1);
}
