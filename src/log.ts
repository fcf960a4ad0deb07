/**
 * Structured JSON logs, one object per line.
 * Everything passes `redact` first: fields that hold secrets are dropped by name, and any
 * card-number-like digit run in any string is masked, so a careless call cannot leak a PAN.
 */
import { luhnValid, maskPan } from './cards/pan.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Field names whose values never reach a log line. */
const SECRET_FIELD = /^(acctnumber|pan|otp|otpcode|code|password|passwordhash|newpassword|currentpassword|cardsecuritycode|cvv|cvc|authenticationvalue|secret|token|totp|creq|cres|threedssessiondata|challengedataentry|challengedataentrytwo|challengehtmldataentry|authorization|cookie)$/i;

/** 12–19 digits, optionally grouped by spaces or dashes, as a PAN is written. */
const PAN_LIKE = /\b\d(?:[ -]?\d){11,18}\b/g;
/**
 * A UUID (acsTransID, dsTransID, threeDSServerTransID): 32 hex digits, more than any PAN has.
 * About one random UUID in a thousand has all-decimal groups that pass the Luhn check, so
 * without this exception those IDs would be masked and their log lines could not be found.
 */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return maskPansIn(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: maskPansIn(value.message) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

function maskPansIn(text: string): string {
  let out = '';
  let from = 0;
  for (const uuid of text.matchAll(UUID)) {
    out += maskDigitRuns(text.slice(from, uuid.index)) + uuid[0];
    from = uuid.index + uuid[0].length;
  }
  return out + maskDigitRuns(text.slice(from));
}

function maskDigitRuns(text: string): string {
  return text.replace(PAN_LIKE, (m) => {
    const digits = m.replace(/[ -]/g, '');
    return luhnValid(digits) ? maskPan(digits) : m;
  });
}

export function createLogger(options: { level?: LogLevel; sink?: (line: string) => void; clock?: () => number } = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? defaultSink();
  const now = options.clock ?? (() => Date.now());
  const write = (level: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const entry = { time: new Date(now()).toISOString(), level, msg: maskPansIn(msg), ...(redact(fields ?? {}) as LogFields) };
    sink(JSON.stringify(entry));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** stdout: on Node one write per line (console.log formats its arguments first), elsewhere the console. */
function defaultSink(): (line: string) => void {
  const stdout = typeof process !== 'undefined' && process.release?.name === 'node' ? process.stdout : undefined;
  return stdout ? (line) => void stdout.write(line + '\n') : (line) => console.log(line);
}
