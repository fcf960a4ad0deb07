/**
 * The audit log: every staff action, sign-in (and failed one), CLI and API change, one row each.
 * The database refuses UPDATE and DELETE on the table (migration 0001). On top of that each row
 * is chained: `hash` = SHA-256 over the row's content and the previous row's hash, so a row
 * changed or removed behind the triggers' back (say, in a copy of the database file) breaks the
 * chain at that row, which `verifyAuditChain` names. Write every row through `appendAudit`.
 *
 * @example
 *   await appendAudit(db, { at: now, actor: { type: 'staff', id: 3, name: 'sato' }, issuerId: 1,
 *     action: 'staff.disable', target: 'staff:7', detail: { before: { status: 'active' }, after: { status: 'disabled' } } })
 */
import { and, asc, desc, eq, gt, gte, like, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';
import { sha256Hex } from '../encoding.ts';

/** A database or an open transaction: an audit row is best written in the transaction of the change it records. */
export type AuditWriter = Pick<Database, 'run' | 'get'>;

export interface AuditActor {
  type: 'staff' | 'member' | 'system';
  id?: number | null;
  /** As a person reads it, e.g. a username or "cli:root". */
  name?: string | null;
}

export interface AuditEntry {
  at: number;
  actor: AuditActor;
  /** Whose data it touched; null for the platform (issuers themselves, unknown usernames). */
  issuerId?: number | null;
  action: string;
  target?: string | null;
  /** Before and after values, and anything else worth keeping. Card numbers in it are masked. */
  detail?: Record<string, unknown>;
  requestId?: string | null;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** The previous hash of the chain's first row. */
export const GENESIS_HASH = '0'.repeat(64);
/** Each round of a race has one winner, so this many writers at one instant still all get in. */
const MAX_RACES = 100;

/**
 * Appends one row at the end of the chain. The insert only succeeds while the row it chains to is
 * still the last one (a single conditional INSERT, so two writers can never chain to the same
 * row); on a lost race it reads the new end and tries again.
 */
export async function appendAudit(db: AuditWriter, entry: AuditEntry): Promise<number> {
  const detail = JSON.stringify(maskCardNumbers(entry.detail ?? {}));
  for (let race = 0; race < MAX_RACES; race++) {
    const tail = await db.get<{ maxId: number | null; lastHash: string | null }>(
      sql`SELECT (SELECT MAX(id) FROM audit_log) AS maxId, (SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1) AS lastHash`,
    );
    const prevMax = tail?.maxId ?? 0;
    const row = {
      id: prevMax + 1,
      at: entry.at,
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      actorName: entry.actor.name ?? null,
      issuerId: entry.issuerId ?? null,
      action: entry.action,
      target: entry.target ?? null,
      detail,
      requestId: entry.requestId ?? null,
      prevHash: tail?.lastHash ?? GENESIS_HASH,
    };
    const hash = await rowHash(row);
    const result = await db.run(sql`
      INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, issuer_id, action, target, detail, request_id, prev_hash, hash)
      SELECT ${row.id}, ${row.at}, ${row.actorType}, ${row.actorId}, ${row.actorName}, ${row.issuerId}, ${row.action}, ${row.target},
             ${row.detail}, ${row.requestId}, ${row.prevHash}, ${hash}
      WHERE (SELECT COALESCE(MAX(id), 0) FROM audit_log) = ${prevMax}`);
    if (result.rowsAffected === 1) return row.id;
  }
  throw new Error('audit log: could not append after repeated concurrent writes');
}

/** The hash of a row: SHA-256 over its fields in a fixed order, the previous hash included. */
export function rowHash(row: Omit<AuditRow, 'hash'>): Promise<string> {
  return sha256Hex(
    JSON.stringify([row.id, row.at, row.actorType, row.actorId, row.actorName, row.issuerId, row.action, row.target, row.detail, row.requestId, row.prevHash]),
  );
}

export interface ChainReport {
  ok: boolean;
  /** Rows checked in the chain. */
  chained: number;
  /** Rows written before the chain began (migration 0005), which carry no hash. */
  legacy: number;
  /** The last row and its hash: write them down elsewhere to detect a cut-off tail later. */
  head?: { id: number; hash: string };
  broken?: { id: number; reason: string };
}

const PAGE = 500;

/** Walks the whole log in id order and stops at the first row that does not fit the chain. */
export async function verifyAuditChain(db: Database): Promise<ChainReport> {
  let expectedPrev = GENESIS_HASH;
  let started = false;
  let chained = 0;
  let legacy = 0;
  let head: ChainReport['head'];
  let after = 0;
  let previousId = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id;
      if (!started && row.hash === null && row.prevHash === null) {
        legacy++;
        previousId = row.id;
        continue;
      }
      started = true;
      const fail = (reason: string): ChainReport => ({ ok: false, chained, legacy, head, broken: { id: row.id, reason } });
      if (row.hash === null) return fail('has no hash (written around the audit log, or its hash removed)');
      if (row.id !== previousId + 1) return fail(`follows row ${previousId}: the row(s) between were removed`);
      if (row.prevHash !== expectedPrev) return fail('does not chain to the row before it (that row was changed or removed)');
      if ((await rowHash(row)) !== row.hash) return fail('content does not match its hash (the row was changed)');
      expectedPrev = row.hash;
      previousId = row.id;
      head = { id: row.id, hash: row.hash };
      chained++;
    }
  }
  return { ok: true, chained, legacy, head };
}

// ─── Reading ────────────────────────────────────────────────────────────────────

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
}

/**
 * Rows matching a filter, newest first. `issuerId` scopes the reader: a number shows that issuer's
 * rows only; null (a platform administrator) shows everything.
 */
export async function findAudit(db: Database, scope: { issuerId: number | null }, filter: AuditFilter, limit = 200): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (scope.issuerId !== null) where.push(eq(auditLog.issuerId, scope.issuerId));
  if (filter.actor) where.push(like(auditLog.actorName, `%${escapeLike(filter.actor)}%`));
  if (filter.action) where.push(like(auditLog.action, `${escapeLike(filter.action)}%`));
  // "staff:3" is one row's target exactly (not staff:30); anything else is looked for inside targets.
  if (filter.target) where.push(/^[a-z_]+:[\w-]+$/.test(filter.target) ? eq(auditLog.target, filter.target) : like(auditLog.target, `%${escapeLike(filter.target)}%`));
  if (filter.from !== undefined) where.push(gte(auditLog.at, filter.from));
  if (filter.to !== undefined) where.push(lte(auditLog.at, filter.to));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit);
}

function escapeLike(text: string): string {
  // Drizzle's like() has no ESCAPE clause: drop the wildcards a person did not mean.
  return text.replace(/[%_]/g, '');
}

const CSV_COLUMNS = ['id', 'at', 'actorType', 'actorId', 'actorName', 'issuerId', 'action', 'target', 'detail', 'requestId', 'prevHash', 'hash'] as const;

/** RFC 4180 CSV with a header row; times as ISO 8601 (UTC). Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe. */
export function auditCsv(rows: AuditRow[]): string {
  const cell = (value: unknown): string => {
    let text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(CSV_COLUMNS.map((k) => cell(k === 'at' ? new Date(row.at).toISOString() : row[k])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

// ─── Card numbers never in the clear ────────────────────────────────────────────

/** Masks every run of 13–19 digits that passes the Luhn check to first 6 + last 4, anywhere in the detail. */
export function maskCardNumbers<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replace(/\d{13,19}/g, (digits) => (luhnValid(digits) ? `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}` : digits)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => maskCardNumbers(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskCardNumbers(v)])) as T;
  }
  return value;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
