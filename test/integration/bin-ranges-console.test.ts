/**
 * BIN ranges in the console: an issuer administrator lists, adds (with the CLI's checks and the
 * overlap rule) and disables its own ranges with a fresh TOTP code; another issuer's ranges are
 * neither shown nor reachable; every change is audited; the next AReq sees the change.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, binRanges } from '../../src/db/schema.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../../src/issuers/issuer-store.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { csrfOf, newStaff, nextCode, signIn, type Client, type Enrolled } from '../support/admin.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let admin: Enrolled;
let other: Enrolled;
let helpdesk: Enrolled;
let client: Client;
let otherIssuerRange: number;

beforeAll(async () => {
  t = await createTestApp();
  const a = await ensureFirstIssuer(t.deps);
  const b = await insertIssuer(t.deps.db, { ...issuerFieldsFromConfig(t.deps.config), code: 'north', nameJa: '北カード', nameEn: 'North Card' }, t.clock.now());
  const [row] = await t.deps.db.insert(binRanges).values({ brand: 'visa', rangeStart: '41111100', rangeEnd: '41111199', label: 'North Visa', issuerId: b.id, createdAt: t.clock.now() }).returning();
  otherIssuerRange = row.id;
  admin = await newStaff(t, 'a-admin', 'issuer_admin', a.id);
  other = await newStaff(t, 'b-admin', 'issuer_admin', b.id);
  helpdesk = await newStaff(t, 'a-help', 'helpdesk', a.id);
  client = (await signIn(t, admin.username, admin.secret)).client;
}, 120_000);
afterAll(() => t.close());

async function add(form: Record<string, string>): Promise<Response> {
  const page = await (await client.get('/admin/bin-ranges')).text();
  return client.submit(page, '/admin/bin-ranges', { code: nextCode(t, admin.secret), ...form });
}

describe('BIN ranges in the console', () => {
  it('adds a range with a fresh code, audited, and the next AReq for it is ours', async () => {
    const res = await add({ brand: 'jcb', start: '35401200', end: '35401299', label: '新カード' });
    expect(res.status).toBe(303);
    const list = await (await client.get('/admin/bin-ranges')).text();
    expect(list).toContain('35401200');
    expect(list).toContain('新カード');
    expect(list).not.toContain('41111100');
    const [row] = await t.deps.db.select().from(binRanges).where(eq(binRanges.rangeStart, '35401200'));
    const [audit] = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'bin_range.add'), eq(auditLog.target, `bin_range:${row.id}`)));
    expect(audit.actorName).toBe('a-admin');
    expect(JSON.parse(audit.detail)).toMatchObject({ via: 'console', rangeStart: '35401200' });
    // A PAN in the range is no longer "not ours": the AReq answers with an ARes, not Erro 305.
    const areq = await postAReq(t.app, browserAReq({ pan: withLuhnDigit('354012000000001'), purchaseAmount: '1000' }));
    const body = (await areq.json()) as { messageType: string; errorCode?: string };
    expect(body.messageType).toBe('ARes');
  });

  it('answers a wrong range beside its field, in the page language, and keeps what was typed', async () => {
    for (const [form, text] of [
      [{ brand: 'jcb', start: '3540', end: '3541' }, '6〜11桁'],
      [{ brand: 'jcb', start: '35401300', end: '354013' }, '同じ桁数'],
      [{ brand: 'jcb', start: '35401399', end: '35401300' }, '開始が終了より大きく'],
      [{ brand: '', start: '35401300', end: '35401399' }, '入力してください'],
      [{ brand: 'jcb', start: '35401250', end: '35401260' }, '重なっています'],
    ] as const) {
      const res = await add(form);
      const html = await res.text();
      expect(res.status, JSON.stringify(form)).toBeGreaterThanOrEqual(400);
      expect(html).toContain(text);
      expect(html).toMatch(/aria-invalid="true"/);
      expect(html).toContain(`value="${form.start}"`);
    }
  });

  it('refuses a wrong code and saves nothing', async () => {
    const page = await (await client.get('/admin/bin-ranges')).text();
    const res = await client.submit(page, '/admin/bin-ranges', { code: '000000', brand: 'jcb', start: '35402000', end: '35402099' });
    expect(res.status).toBe(400);
    expect(await t.deps.db.select().from(binRanges).where(eq(binRanges.rangeStart, '35402000'))).toHaveLength(0);
  });

  it('disables its own range with a fresh code, audited; another issuer’s range answers 404', async () => {
    const [row] = await t.deps.db.select().from(binRanges).where(eq(binRanges.rangeStart, '35401200'));
    const page = await (await client.get('/admin/bin-ranges')).text();
    const res = await client.submit(page, `/admin/bin-ranges/${row.id}/disable`, { code: nextCode(t, admin.secret) });
    expect(res.status).toBe(303);
    const [after] = await t.deps.db.select().from(binRanges).where(eq(binRanges.id, row.id));
    expect(after.enabled).toBe(false);
    expect(await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'bin_range.disable'), eq(auditLog.target, `bin_range:${row.id}`)))).toHaveLength(1);
    const foreign = await client.submit(page, `/admin/bin-ranges/${otherIssuerRange}/disable`, { code: nextCode(t, admin.secret) });
    expect(foreign.status).toBe(404);
    const [still] = await t.deps.db.select().from(binRanges).where(eq(binRanges.id, otherIssuerRange));
    expect(still.enabled).toBe(true);
  });

  it('shows another issuer only its own ranges, and refuses the helpdesk', async () => {
    const b = (await signIn(t, other.username, other.secret)).client;
    const html = await (await b.get('/admin/bin-ranges')).text();
    expect(html).toContain('41111100');
    expect(html).not.toContain('35401200');
    const h = (await signIn(t, helpdesk.username, helpdesk.secret)).client;
    expect((await h.get('/admin/bin-ranges')).status).toBe(403);
    expect(csrfOf(html)).toBeTruthy();
  });
});
