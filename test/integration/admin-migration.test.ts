/**
 * Migration 0005 (issuers, staff console, audit chain) on a database made by the schema before it:
 * staff rows keep their credentials under the new roles, audit rows stay (as rows from before the
 * chain) and the append-only triggers survive.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/admin/audit-log.ts';
import { createDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

describe('migration 0005', () => {
  it('carries staff and audit rows of a 0004 database over, triggers included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-mig-'));
    try {
      // drizzle/ as it was before 0005: the same files, the journal cut after 0004.
      const before = join(dir, 'drizzle-0004');
      cpSync('drizzle', before, { recursive: true });
      const journalFile = join(before, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
      journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 4);
      writeFileSync(journalFile, JSON.stringify(journal));

      const client = createClient({ url: `file:${join(dir, 'old.db')}` });
      const db = createDatabase(client);
      await migrateDatabase(db, before);
      await client.execute("INSERT INTO staff (username, display_name, password_hash, role, status, failed_attempts, created_at) VALUES ('old-admin', 'Old', 'pbkdf2-sha256$x', 'administrator', 'locked', 3, 1000), ('old-desk', 'Desk', 'pbkdf2-sha256$y', 'helpdesk', 'active', 0, 2000)");
      await client.execute("INSERT INTO audit_log (at, actor_type, action, target, detail) VALUES (1000, 'system', 'bin_range.add', 'bin_range:1', '{}')");

      await migrateDatabase(db, 'drizzle');
      const staff = (await client.execute('SELECT username, role, status, password_hash, failed_attempts, issuer_id, updated_at FROM staff ORDER BY id')).rows.map((r) => ({ ...r }));
      expect(staff).toEqual([
        { username: 'old-admin', role: 'platform_admin', status: 'active', password_hash: 'pbkdf2-sha256$x', failed_attempts: 3, issuer_id: null, updated_at: 1000 },
        { username: 'old-desk', role: 'helpdesk', status: 'active', password_hash: 'pbkdf2-sha256$y', failed_attempts: 0, issuer_id: null, updated_at: 2000 },
      ]);
      const triggers = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")).rows.map((r) => r.name);
      expect(triggers).toEqual(['audit_log_no_delete', 'audit_log_no_update']);
      await expect(client.execute('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await appendAudit(db, { at: 2000, actor: { type: 'system', name: 'test' }, action: 'after.migration' });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, legacy: 1, chained: 1 });
      client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
