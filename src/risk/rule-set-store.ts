/**
 * Where an issuer's risk rule sets live (risk_rule_sets): the only module that writes the table.
 * The AReq reads the newest published version (engine.ts caches it per version); the risk console
 * (console-routes.tsx) edits the draft, publishes, rolls back.
 *
 * Numbering: published versions count 1, 2, 3… per issuer; the one draft an issuer may have
 * carries the number it will get when published (newest published + 1). A rollback publishes a
 * copy of an earlier version as the next number (based_on = that version) and moves the draft up
 * by one. Four-eyes publishing is not required (one issuer administrator publishes); every write
 * is audited with what was there before and after.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { AuditActor } from '../admin/audit-log.ts';
import { appendAudit } from '../admin/audit-log.ts';
import type { Database } from '../db/client.ts';
import { riskRuleSets } from '../db/schema.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import { forgetRuleSets } from './engine.ts';
import { validateRuleSet, type RuleSet, type RuleSetIssue } from './rules/rule-set.ts';
import { defaultRuleSet } from './rules/templates.ts';

export type RuleSetRow = typeof riskRuleSets.$inferSelect;


interface StoreDeps {
  db: Database;
  clock: { now(): number };
}

/** Who did it, for the audit row (and created_by / published_by). */
export interface Change {
  actor: AuditActor & { id: number };
  requestId?: string | null;
  /** What the edit did, in a word the audit log shows ("rule_add", "rule_move", "bands", "json", …). */
  what?: string;
}

/** The newest published version of the issuer's rules; undefined while none was published (the defaults decide). */
export async function latestPublished(db: Database, issuerId: number): Promise<RuleSetRow | undefined> {
  return db
    .select()
    .from(riskRuleSets)
    .where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'published')))
    .orderBy(desc(riskRuleSets.version))
    .limit(1)
    .get();
}

export async function findDraft(db: Database, issuerId: number): Promise<RuleSetRow | undefined> {
  return db.select().from(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft'))).limit(1).get();
}

/** Every version, newest first (the draft, when there is one, first of all). */
export async function listVersions(db: Database, issuerId: number): Promise<RuleSetRow[]> {
  return db.select().from(riskRuleSets).where(eq(riskRuleSets.issuerId, issuerId)).orderBy(desc(riskRuleSets.version));
}

/** The rules that decide today: the newest published version, or the defaults built from the issuer's thresholds (version 0). */
export function publishedOrDefault(row: RuleSetRow | undefined, issuer: Pick<IssuerSettings, 'challengeThresholds' | 'velocityLimitPerHour'>): RuleSet {
  if (row) return row.ruleSet as unknown as RuleSet;
  return defaultRuleSet(issuer.challengeThresholds, issuer.velocityLimitPerHour);
}

/**
 * The issuer's draft; made on the first edit as a copy of the newest published version (or of the
 * defaults). Two first edits at once: the unique (issuer, version) index lets one insert win, the
 * other reads it.
 */
export async function ensureDraft(deps: StoreDeps, issuer: Pick<IssuerSettings, 'id' | 'challengeThresholds' | 'velocityLimitPerHour'>, change: Change): Promise<RuleSetRow> {
  const existing = await findDraft(deps.db, issuer.id);
  if (existing) return existing;
  const published = await latestPublished(deps.db, issuer.id);
  const version = (published?.version ?? 0) + 1;
  const base = publishedOrDefault(published, issuer);
  const now = deps.clock.now();
  const inserted = await deps.db
    .insert(riskRuleSets)
    .values({
      issuerId: issuer.id,
      version,
      state: 'draft',
      ruleSet: { ...base, version } as unknown as Record<string, unknown>,
      basedOn: published?.version ?? 0,
      createdBy: change.actor.id,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) {
    await appendAudit(deps.db, {
      at: now,
      actor: change.actor,
      issuerId: issuer.id,
      action: 'staff.risk.draft_create',
      target: `risk_rule_set:${inserted[0].id}`,
      detail: { version, basedOn: published?.version ?? 0 },
      requestId: change.requestId,
    });
    return inserted[0];
  }
  const raced = await findDraft(deps.db, issuer.id);
  if (!raced) throw new Error('risk draft: neither inserted nor found');
  return raced;
}

export type SaveResult = { ok: true; row: RuleSetRow } | { ok: false; issues: RuleSetIssue[] };

/**
 * Replaces the draft's rule set after validating it (refused with every issue and its path).
 * The version inside the JSON is always the draft's number, whatever was typed.
 */
export async function saveDraft(deps: StoreDeps, issuer: Pick<IssuerSettings, 'id' | 'challengeThresholds' | 'velocityLimitPerHour'>, ruleSet: unknown, change: Change): Promise<SaveResult> {
  const draft = await ensureDraft(deps, issuer, change);
  const withVersion = ruleSet && typeof ruleSet === 'object' && !Array.isArray(ruleSet) ? { ...(ruleSet as object), version: draft.version } : ruleSet;
  const checked = validateRuleSet(withVersion);
  if (!checked.ok) return { ok: false, issues: checked.issues };
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(riskRuleSets)
    .set({ ruleSet: checked.ruleSet as unknown as Record<string, unknown>, updatedAt: now })
    .where(and(eq(riskRuleSets.id, draft.id), eq(riskRuleSets.state, 'draft')))
    .returning();
  if (!row) return { ok: false, issues: [{ path: '', message: 'the draft was published or discarded meanwhile' }] };
  await appendAudit(deps.db, {
    at: now,
    actor: change.actor,
    issuerId: issuer.id,
    action: 'staff.risk.draft_update',
    target: `risk_rule_set:${row.id}`,
    detail: { what: change.what ?? 'edit', version: row.version, before: draft.ruleSet, after: row.ruleSet },
    requestId: change.requestId,
  });
  return { ok: true, row };
}

export type PublishResult = { ok: true; version: number } | { ok: false; reason: 'no_draft' | 'invalid'; issues?: RuleSetIssue[] };

/**
 * The draft becomes the next published version, in one guarded statement: only a row still in
 * state draft moves, and its number is computed in the same statement from the newest published.
 */
export async function publishDraft(deps: StoreDeps, issuerId: number, change: Change & { note?: string }): Promise<PublishResult> {
  const draft = await findDraft(deps.db, issuerId);
  if (!draft) return { ok: false, reason: 'no_draft' };
  const checked = validateRuleSet(draft.ruleSet);
  if (!checked.ok) return { ok: false, reason: 'invalid', issues: checked.issues };
  const now = deps.clock.now();
  const next = sql`(SELECT COALESCE(MAX(p.version), 0) + 1 FROM risk_rule_sets p WHERE p.issuer_id = ${issuerId} AND p.state = 'published')`;
  const [row] = await deps.db
    .update(riskRuleSets)
    .set({
      state: 'published',
      version: next,
      ruleSet: sql`json_set(${riskRuleSets.ruleSet}, '$.version', ${next})`,
      note: change.note ?? '',
      publishedBy: change.actor.id,
      publishedAt: now,
      updatedAt: now,
    })
    .where(and(eq(riskRuleSets.id, draft.id), eq(riskRuleSets.state, 'draft')))
    .returning();
  if (!row) return { ok: false, reason: 'no_draft' };
  forgetRuleSets(deps.db);
  const before = await previousPublished(deps.db, issuerId, row.version);
  await appendAudit(deps.db, {
    at: now,
    actor: change.actor,
    issuerId,
    action: 'staff.risk.publish',
    target: `risk_rule_set:${row.id}`,
    detail: { version: row.version, before: { version: before?.version ?? 0 }, after: { version: row.version }, note: change.note ?? '', rules: (row.ruleSet as { rules?: unknown[] }).rules?.length ?? 0 },
    requestId: change.requestId,
  });
  return { ok: true, version: row.version };
}

async function previousPublished(db: Database, issuerId: number, below: number): Promise<RuleSetRow | undefined> {
  return db
    .select()
    .from(riskRuleSets)
    .where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'published'), sql`${riskRuleSets.version} < ${below}`))
    .orderBy(desc(riskRuleSets.version))
    .limit(1)
    .get();
}

export type RollbackResult = { ok: true; version: number } | { ok: false; reason: 'not_found' | 'conflict' };

/**
 * Publishes a copy of an earlier published version as the next version (based_on = it): one
 * batch (one database transaction) that first moves the draft, if any, up by one, so the numbers
 * stay unique.
 */
export async function rollbackTo(deps: StoreDeps, issuerId: number, toVersion: number, change: Change): Promise<RollbackResult> {
  const target = await deps.db
    .select()
    .from(riskRuleSets)
    .where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.version, toVersion), eq(riskRuleSets.state, 'published')))
    .get();
  if (!target) return { ok: false, reason: 'not_found' };
  const current = await latestPublished(deps.db, issuerId);
  const now = deps.clock.now();
  const next = sql`(SELECT COALESCE(MAX(p.version), 0) + 1 FROM risk_rule_sets p WHERE p.issuer_id = ${issuerId} AND p.state = 'published')`;
  try {
    await deps.db.batch([
      deps.db
        .update(riskRuleSets)
        .set({ version: sql`${riskRuleSets.version} + 1`, ruleSet: sql`json_set(${riskRuleSets.ruleSet}, '$.version', ${riskRuleSets.version} + 1)` })
        .where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft'))),
      deps.db.run(sql`INSERT INTO risk_rule_sets (issuer_id, version, state, rule_set, note, based_on, created_by, created_at, updated_at, published_by, published_at)
        SELECT issuer_id, ${next}, 'published', json_set(rule_set, '$.version', ${next}), ${`rollback to ${toVersion}`}, version, ${change.actor.id}, ${now}, ${now}, ${change.actor.id}, ${now}
        FROM risk_rule_sets WHERE id = ${target.id}`),
    ] as never);
  } catch {
    return { ok: false, reason: 'conflict' };
  }
  forgetRuleSets(deps.db);
  const row = await latestPublished(deps.db, issuerId);
  const version = row?.version ?? 0;
  await appendAudit(deps.db, {
    at: now,
    actor: change.actor,
    issuerId,
    action: 'staff.risk.rollback',
    target: `risk_rule_set:${row?.id}`,
    detail: { version, basedOn: toVersion, before: { version: current?.version ?? 0 }, after: { version, basedOn: toVersion } },
    requestId: change.requestId,
  });
  return { ok: true, version };
}

/** Throws the draft away; the published version stays. */
export async function discardDraft(deps: StoreDeps, issuerId: number, change: Change): Promise<boolean> {
  const [row] = await deps.db.delete(riskRuleSets).where(and(eq(riskRuleSets.issuerId, issuerId), eq(riskRuleSets.state, 'draft'))).returning();
  if (!row) return false;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: change.actor,
    issuerId,
    action: 'staff.risk.draft_discard',
    target: `risk_rule_set:${row.id}`,
    detail: { version: row.version, before: row.ruleSet, after: null },
    requestId: change.requestId,
  });
  return true;
}
