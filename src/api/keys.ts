/**
 * Integration API keys of an issuer: made here, shown once, kept only as SHA-256 (a key carries
 * 256 random bits, so a plain hash is as good as a slow one), with its first characters kept to
 * tell keys apart. Scoped by permission ('cards.read', 'cards.write') and optionally by the source
 * addresses (CIDR blocks, checked with ipaddr.js) it may be used from.
 *
 * @example
 *   const { key, row } = await createApiKey(deps, { issuerId: 1, name: 'core', permissions: ['cards.write'], sources: [] }, actor);
 *   // `key` is shown to the person once; only row.prefix is ever shown again.
 */
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import ipaddr from 'ipaddr.js';
import { appendAudit, type AuditActor } from '../admin/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { apiKeys, type ApiPermission } from '../db/schema.ts';
import { bytesToBase64url, sha256Hex, timingSafeEqual } from '../encoding.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export const API_PERMISSIONS: readonly ApiPermission[] = ['cards.read', 'cards.write'];

const KEY_TAG = 'mamori_';
/** "mamori_" and 8 characters of the random part: enough to tell an issuer's keys apart. */
const PREFIX_LENGTH = KEY_TAG.length + 8;
export const MAX_SOURCES = 20;
/** last_used_at is written at most this often per key, so reads do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

export function newApiKey(): string {
  return KEY_TAG + bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

export function apiKeyHash(key: string): Promise<string> {
  return sha256Hex(key);
}

// ─── Source addresses ───────────────────────────────────────────────────────────

/**
 * Source addresses as a person types them (CIDR blocks or single addresses, separated by commas,
 * spaces or new lines), normalised ("192.0.2.7" → "192.0.2.7/32"). Returns the bad entry, if any.
 */
export function parseSources(text: string): { ok: true; sources: string[] } | { ok: false; bad: string } {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length > MAX_SOURCES) return { ok: false, bad: entries[MAX_SOURCES] };
  const sources: string[] = [];
  for (const entry of entries) {
    const cidr = entry.includes('/') ? entry : ipaddr.isValid(entry) ? `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}` : entry;
    if (!ipaddr.isValidCIDR(cidr)) return { ok: false, bad: entry };
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    const normal = `${addr.toString()}/${bits}`;
    if (!sources.includes(normal)) sources.push(normal);
  }
  return { ok: true, sources };
}

/** Whether a client address lies in one of the blocks; no blocks: anywhere; unknown address: nowhere. */
export function sourceAllowed(sources: readonly string[], clientIp: string | undefined): boolean {
  if (sources.length === 0) return true;
  if (!clientIp || !ipaddr.isValid(clientIp)) return false;
  // An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.7) is the IPv4 address.
  const addr = ipaddr.process(clientIp);
  return sources.some((cidr) => {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    return net.kind() === addr.kind() && addr.match([net, bits] as never);
  });
}

// ─── Store ──────────────────────────────────────────────────────────────────────

export interface NewApiKey {
  issuerId: number;
  name: string;
  permissions: ApiPermission[];
  sources: string[];
  createdBy?: number | null;
}

/** Makes a key and its audit row ('api_key.create'); the key itself is in the answer only. */
export async function createApiKey(
  deps: { db: Database; clock: Clock },
  input: NewApiKey,
  audit: { actor: AuditActor; requestId?: string | null },
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = newApiKey();
  const now = deps.clock.now();
  const [row] = await deps.db
    .insert(apiKeys)
    .values({
      issuerId: input.issuerId,
      name: input.name,
      prefix: keyPrefix(key),
      keyHash: await apiKeyHash(key),
      permissions: input.permissions,
      allowedSources: input.sources,
      createdBy: input.createdBy ?? null,
      createdAt: now,
    })
    .returning();
  await appendAudit(deps.db, {
    at: now,
    actor: audit.actor,
    issuerId: row.issuerId,
    action: 'api_key.create',
    target: `api_key:${row.id}`,
    detail: { name: row.name, prefix: row.prefix, permissions: row.permissions, sources: row.allowedSources },
    requestId: audit.requestId ?? null,
  });
  return { key, row };
}

/** Revokes a key (kept for the record) and writes 'api_key.revoke'; false when it was already revoked. */
export async function revokeApiKey(deps: { db: Database; clock: Clock }, row: ApiKeyRow, audit: { actor: AuditActor; requestId?: string | null }): Promise<boolean> {
  const now = deps.clock.now();
  const done = await deps.db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, row.id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (done.length === 0) return false;
  await appendAudit(deps.db, {
    at: now,
    actor: audit.actor,
    issuerId: row.issuerId,
    action: 'api_key.revoke',
    target: `api_key:${row.id}`,
    detail: { name: row.name, prefix: row.prefix },
    requestId: audit.requestId ?? null,
  });
  return true;
}

/** An issuer's keys, newest first; null: every issuer's (a platform administrator). */
export function listApiKeys(db: Database, issuerId: number | null): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(issuerId === null ? undefined : eq(apiKeys.issuerId, issuerId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export function apiKeyById(db: Database, id: number): Promise<ApiKeyRow | undefined> {
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
}

/**
 * The key a request presents, revoked or not (the caller decides), or undefined. Found by its hash
 * (unique index), then compared in constant time, so the answer takes the same time whoever asks.
 */
export async function findApiKey(db: Database, presented: string): Promise<ApiKeyRow | undefined> {
  const hash = await apiKeyHash(presented);
  const row = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)).get();
  return row && timingSafeEqual(row.keyHash, hash) ? row : undefined;
}

/** Notes the key was used (at most once a minute per key). */
export async function touchApiKey(db: Database, id: number, now: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - TOUCH_EVERY_MS))));
}
