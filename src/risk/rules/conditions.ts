/**
 * A rule's condition is data (JSON), never code: `{ all: [...] }`, `{ any: [...] }`,
 * `{ not: ... }` or a comparison `{ signal, op, value }` on one registered signal.
 * `conditionSchema` (zod) refuses unknown signals, operators that do not fit the signal's type,
 * values of the wrong type and trees deeper or larger than the limits, each with the path of the
 * offending node. `evaluate` is the small interpreter that runs a validated condition.
 *
 * Three-valued logic: a comparison on an unknown (null) signal is 'unknown', and all / any / not
 * follow Kleene's rules (false beats unknown in all, true beats unknown in any, not unknown is
 * unknown). `exists` is the one comparison that is never unknown.
 *
 * @example { all: [{ signal: 'device.newDevice', op: 'eq', value: true }, { signal: 'purchase.amountHome', op: 'gte', value: 10000 }] }
 */
import { z } from 'zod';
import { SIGNALS, isSignalName, signalValue, type SignalName, type SignalType, type Signals } from './signals.ts';

export const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between', 'exists', 'contains'] as const;
export type Op = (typeof OPS)[number];

/** Which operators each signal type takes. */
export const OPS_FOR: Record<SignalType, readonly Op[]> = {
  number: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between', 'exists'],
  string: ['eq', 'ne', 'in', 'not_in', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  'string[]': ['contains', 'exists'],
};

export const LIMITS = { depth: 6, nodes: 50, listValues: 1000, stringLength: 200 } as const;

type Scalar = number | string | boolean;
export interface Comparison {
  signal: SignalName;
  op: Op;
  /** eq … gte, contains: one value; in / not_in: a list; between: [lo, hi] inclusive; exists: true (default) or false. */
  value?: Scalar | Scalar[];
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

export type Truth = true | false | 'unknown';

// ---------------------------------------------------------------------------------------------
// Validation

const leafShape = z
  .object({ signal: z.string(), op: z.enum(OPS), value: z.unknown().optional() })
  .strict();

const text = z.string().min(1).max(LIMITS.stringLength);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(LIMITS.listValues);
const finite = z.number().finite();

/** The value schema for an operator on a signal type (the operator already fits the type). */
function valueSchema(type: SignalType, op: Op, values: readonly string[] | undefined): z.ZodType {
  const str = values ? z.enum(values as [string, ...string[]]) : text;
  const scalar = type === 'number' ? finite : type === 'boolean' ? z.boolean() : str;
  switch (op) {
    case 'exists':
      return z.boolean().optional();
    case 'in':
    case 'not_in':
      return list(scalar);
    case 'between':
      return z.tuple([finite, finite]).refine(([lo, hi]) => lo <= hi, 'between needs [lo, hi] with lo ≤ hi');
    case 'contains':
      return text;
    default:
      return scalar;
  }
}

interface Walk {
  nodes: number;
  tooMany: boolean;
}

type Path = (string | number)[];

function checkNode(node: unknown, path: Path, depth: number, walk: Walk, ctx: z.RefinementCtx): void {
  walk.nodes += 1;
  if (walk.nodes > LIMITS.nodes) {
    if (!walk.tooMany) ctx.addIssue({ code: 'custom', path, message: `a condition may have at most ${LIMITS.nodes} nodes` });
    walk.tooMany = true;
    return;
  }
  if (depth > LIMITS.depth) {
    ctx.addIssue({ code: 'custom', path, message: `a condition may nest at most ${LIMITS.depth} levels deep` });
    return;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    ctx.addIssue({ code: 'custom', path, message: 'a condition is an object: { all: [...] }, { any: [...] }, { not: ... } or { signal, op, value }' });
    return;
  }
  const keys = Object.keys(node);
  const record = node as Record<string, unknown>;
  for (const group of ['all', 'any'] as const) {
    if (!(group in record)) continue;
    if (keys.length !== 1) return void ctx.addIssue({ code: 'custom', path, message: `"${group}" stands alone in its object (found ${keys.join(', ')})` });
    const children = record[group];
    if (!Array.isArray(children) || children.length === 0) {
      return void ctx.addIssue({ code: 'custom', path: [...path, group], message: `"${group}" takes a non-empty list of conditions` });
    }
    children.forEach((child, i) => checkNode(child, [...path, group, i], depth + 1, walk, ctx));
    return;
  }
  if ('not' in record) {
    if (keys.length !== 1) return void ctx.addIssue({ code: 'custom', path, message: `"not" stands alone in its object (found ${keys.join(', ')})` });
    checkNode(record.not, [...path, 'not'], depth + 1, walk, ctx);
    return;
  }
  checkComparison(record, path, ctx);
}

function checkComparison(record: Record<string, unknown>, path: Path, ctx: z.RefinementCtx): void {
  const shape = leafShape.safeParse(record);
  if (!shape.success) {
    for (const issue of shape.error.issues) ctx.addIssue({ code: 'custom', path: [...path, ...issue.path.map(String)], message: issue.message });
    return;
  }
  const { signal, op, value } = shape.data;
  if (!isSignalName(signal)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'signal'], message: `unknown signal "${signal}"` });
    return;
  }
  const def = SIGNALS[signal];
  const allowed = OPS_FOR[def.type];
  if (!allowed.includes(op)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'op'], message: `"${op}" does not apply to ${signal}, a ${def.type} signal (use ${allowed.join(', ')})` });
    return;
  }
  const checked = valueSchema(def.type, op, 'values' in def ? def.values : undefined).safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = [...path, 'value', ...issue.path.map(String)];
    const codes = 'values' in def && op !== 'between' && op !== 'exists' ? `; ${signal} is one of ${def.values.join(', ')}` : '';
    ctx.addIssue({ code: 'custom', path: where, message: `${signal} ${op}: ${expected(def.type, op)}${codes} (${issue.message})` });
  }
}

function expected(type: SignalType, op: Op): string {
  const one = type === 'string[]' ? 'a string' : `a ${type}`;
  switch (op) {
    case 'exists':
      return 'value is true, false or left out';
    case 'in':
    case 'not_in':
      return `value is a list of ${type}s`;
    case 'between':
      return 'value is [lo, hi], two numbers';
    default:
      return `value is ${one}`;
  }
}

/** A condition as JSON, validated (see the module comment); issues carry the offending node's path. */
export const conditionSchema: z.ZodType<Condition> = z
  .unknown()
  .superRefine((node, ctx) => checkNode(node, [], 1, { nodes: 0, tooMany: false }, ctx))
  .transform((node) => node as Condition);

// ---------------------------------------------------------------------------------------------
// Interpreter

/**
 * A validated condition's truth over one AReq's signals. `unknown`, when given, collects the names
 * of the null signals the evaluation compared (what kept a rule from being decided).
 */
export function evaluate(condition: Condition, signals: Signals, unknown?: Set<SignalName>): Truth {
  if ('all' in condition) {
    let result: Truth = true;
    for (const child of condition.all) {
      const t = evaluate(child, signals, unknown);
      if (t === false) return false;
      if (t === 'unknown') result = 'unknown';
    }
    return result;
  }
  if ('any' in condition) {
    let result: Truth = false;
    for (const child of condition.any) {
      const t = evaluate(child, signals, unknown);
      if (t === true) return true;
      if (t === 'unknown') result = 'unknown';
    }
    return result;
  }
  if ('not' in condition) {
    const t = evaluate(condition.not, signals, unknown);
    return t === 'unknown' ? t : !t;
  }
  return compare(condition, signals, unknown);
}

function compare({ signal, op, value }: Comparison, signals: Signals, unknown?: Set<SignalName>): Truth {
  const actual = signalValue(signals, signal);
  if (op === 'exists') return (actual !== null) === (value ?? true);
  if (actual === null) {
    unknown?.add(signal);
    return 'unknown';
  }
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'lt':
      return (actual as number) < (value as number);
    case 'lte':
      return (actual as number) <= (value as number);
    case 'gt':
      return (actual as number) > (value as number);
    case 'gte':
      return (actual as number) >= (value as number);
    case 'in':
      return (value as Scalar[]).includes(actual as Scalar);
    case 'not_in':
      return !(value as Scalar[]).includes(actual as Scalar);
    case 'between': {
      const [lo, hi] = value as [number, number];
      return (actual as number) >= lo && (actual as number) <= hi;
    }
    case 'contains':
      return (actual as readonly string[]).includes(value as string);
  }
}

/** Every signal a condition names, in first-seen order. */
export function signalsOf(condition: Condition, into: SignalName[] = []): SignalName[] {
  if ('all' in condition) for (const c of condition.all) signalsOf(c, into);
  else if ('any' in condition) for (const c of condition.any) signalsOf(c, into);
  else if ('not' in condition) signalsOf(condition.not, into);
  else if (!into.includes(condition.signal)) into.push(condition.signal);
  return into;
}
