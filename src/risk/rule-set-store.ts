/**
 * Where an issuer's risk rule sets live (risk_rule_sets): the only module that writes the table.
 * The AReq reads the newest published version (engine.ts caches it per version); the risk console
 * (console-routes.tsx) edits the draft, publishes, rolls back.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { riskRuleSets } from '../db/schema.ts';

export type RuleSetRow = typeof riskRuleSets.$inferSelect;

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
