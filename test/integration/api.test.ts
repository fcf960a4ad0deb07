/**
 * The integration API through real HTTP on a real libSQL file: every route of the OpenAPI document
 * (which is itself validated), its refusals (JSON with a stable code and the failing field), API
 * keys (revoked, wrong source, missing permission), the Idempotency-Key (replay, reuse, concurrent
 * duplicates), the audit rows, and a blocked card answered R/10 by the next AReq on another app
 * instance over the same database file.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/admin/audit-log.ts';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { ApiErrorSchema } from '../../src/api/errors.ts';
import { createApiKey } from '../../src/api/keys.ts';
import { CardChangeResponse, CardUpsertResponse, PhoneResponse, RegistrationStatusResponse, ReissueResponse } from '../../src/api/schemas.ts';
import type { z } from '@hono/zod-openapi';
import { panLookupHash, withLuhnDigit } from '../../src/cards/pan.ts';
import { apiIdempotency, auditLog, cardholders, cards, members, type ApiPermission } from '../../src/db/schema.ts';
import { firstIssuer, issuerByCode } from '../../src/issuers/issuer-store.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let other: TestApp;
let firstId: number;
let kitaId: number;
let writer: string;
let reader: string;

/** Operations answered 2xx somewhere in this file ("PUT /api/v1/cards"): every one in the document must be. */
const exercised = new Set<string>();
/** The 2xx bodies seen per operation, checked against the document's response schemas at the end. */
const answered = new Map<string, unknown[]>();
const ORIGIN = 'https://acs.test';

async function key(permissions: ApiPermission[], sources: string[] = [], issuerId = firstId) {
  return (await createApiKey(t.deps, { issuerId, name: `test ${permissions.join('+')}`, permissions, sources }, { actor: { type: 'system', name: 'test' } })).key;
}

interface Call {
  method?: string;
  body?: unknown;
  raw?: string;
  key?: string | null;
  idem?: string | null;
  headers?: Record<string, string>;
  app?: TestApp;
}

async function call(path: string, o: Call = {}) {
  const method = o.method ?? 'POST';
  const headers: Record<string, string> = { ...o.headers };
  if (o.key !== null) headers.authorization = `Bearer ${o.key ?? writer}`;
  if (o.idem !== null && method !== 'GET') headers['idempotency-key'] = o.idem ?? crypto.randomUUID();
  if (o.body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await (o.app ?? t).app.request(`${ORIGIN}${path}`, { method, headers, body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)) });
  const text = await res.text();
  if (res.status < 300) {
    exercised.add(`${method} ${path}`);
    answered.set(`${method} ${path}`, [...(answered.get(`${method} ${path}`) ?? []), JSON.parse(text)]);
  } else {
    // Every refusal, whatever refused it, has the one error shape.
    expect(ApiErrorSchema.strict().safeParse(JSON.parse(text)).error, `${method} ${path} ${res.status}`).toBeUndefined();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  }
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text) as Record<string, any> };
}

async function areq(pan: string, app = t) {
  return (await (await postAReq(app.app, browserAReq({ pan, purchaseAmount: '1500' }))).json()) as Record<string, string>;
}

const jcb = (serial: number) => withLuhnDigit(`35699900${String(serial).padStart(7, '0')}`);
const record = (over: Record<string, unknown> = {}) => ({
  customerNumber: 'C-1001',
  name: '山田 太郎',
  nameKana: 'ヤマダ タロウ',
  birthDate: '1980-04-01',
  phone: '+819012345678',
  phoneProvisional: false,
  email: 'taro@example.jp',
  pan: jcb(900001),
  expiry: '3012',
  ...over,
});

beforeAll(async () => {
  t = await createTestApp({ seed: true, env: { CLIENT_IP_HEADER: 'x-forwarded-for' } });
  // The second demo issuer takes the demo Visa range: its cards are not the first issuer's.
  await seedDemoStaff(t.deps);
  firstId = (await firstIssuer(t.deps.db))!.id;
  kitaId = (await issuerByCode(t.deps.db, 'kita'))!.id;
  writer = await key(['cards.write', 'cards.read']);
  reader = await key(['cards.read']);
  // A second app instance (another process) on the same database file.
  other = await createTestApp({ databaseFile: t.databaseFile, env: { CLIENT_IP_HEADER: 'x-forwarded-for' } });
});
afterAll(() => {
  other?.close();
  t?.close();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document with the bearer scheme, the error schema and every route', async () => {
    const res = await call('/api/v1/openapi.json', { method: 'GET', key: null });
    expect(res.status).toBe(200);
    const doc = res.json;
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('idempotency_key_reused');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/cardholders/phone', '/api/v1/cards', '/api/v1/cards/block', '/api/v1/cards/close', '/api/v1/cards/reissue', '/api/v1/cards/status']);
    // No route takes a card number in its URL: every parameter is a header.
    for (const item of Object.values<any>(doc.paths)) for (const op of Object.values<any>(item)) for (const p of op.parameters ?? []) expect(p.in).toBe('header');
    expect(doc.paths['/api/v1/cards/block'].post.parameters).toEqual([expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true })]);
  });
});

describe('create or update a cardholder and card', () => {
  it('creates, answers the same record as unchanged, updates what changed; the PAN only masked, never logged', async () => {
    const pan = jcb(900001);
    const created = await call('/api/v1/cards', { method: 'PUT', body: record() });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ result: 'created', customerNumber: 'C-1001', card: { pan: `356999******${pan.slice(-4)}`, brand: 'jcb', expiry: '3012', status: 'active', corporate: false } });
    expect((await call('/api/v1/cards', { method: 'PUT', body: record() })).json.result).toBe('unchanged');
    const updated = await call('/api/v1/cards', { method: 'PUT', body: record({ expiry: '3106', phone: '+819087654321', status: 'lost' }) });
    expect(updated.json).toMatchObject({ result: 'updated', card: { expiry: '3106', status: 'lost' } });

    const row = await t.deps.db.select().from(cards).where(eq(cards.panHash, await panLookupHash(t.deps.keys.panLookup, pan))).get();
    expect(row).toMatchObject({ expiry: '3106', status: 'blocked_lost', brand: 'jcb' });
    const holder = await t.deps.db.select().from(cardholders).where(eq(cardholders.id, row!.cardholderId)).get();
    expect(holder).toMatchObject({ issuerId: firstId, customerRef: 'C-1001', name: '山田 太郎', nameKana: 'ヤマダ タロウ', birthDate: '1980-04-01', phoneOnFile: '+819087654321', email: 'taro@example.jp' });
    expect(await areq(pan)).toMatchObject({ transStatus: 'R', transStatusReason: '10' });

    const audit = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'api.upsertCard'));
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ actorType: 'system', issuerId: firstId, target: `card:${row!.id}` });
    expect(audit[0].actorName).toMatch(/^api:mamori_[\w-]{8}$/);
    expect(JSON.parse(audit[2].detail)).toMatchObject({ result: 'updated', status: 'blocked_lost', before: 'active' });
    const everything = JSON.stringify(await t.deps.db.select().from(auditLog)) + t.logs.join('\n') + JSON.stringify(await t.deps.db.select().from(apiIdempotency));
    expect(everything).not.toContain(pan);
  });

  it('needs a PIN for a corporate card, keeps its hash, and answers a PIN sent again as unchanged', async () => {
    const body = record({ customerNumber: 'CORP-1', pan: jcb(900002), corporate: true });
    expect((await call('/api/v1/cards', { method: 'PUT', body })).json).toEqual({ error: { code: 'pin_required', message: expect.any(String), field: 'pin' } });
    expect((await call('/api/v1/cards', { method: 'PUT', body: { ...body, pin: '4321' } })).status).toBe(201);
    expect((await call('/api/v1/cards', { method: 'PUT', body: { ...body, pin: '4321' } })).json.result).toBe('unchanged');
    const row = await t.deps.db.select().from(cards).where(eq(cards.panHash, await panLookupHash(t.deps.keys.panLookup, jcb(900002)))).get();
    expect(row).toMatchObject({ corporate: true, pinHash: expect.stringMatching(/^pbkdf2-sha256\$/) });
    expect(row!.pinHash).not.toContain('4321');
  });

  it('refuses a card number on file for another customer, and a brand its range does not have', async () => {
    expect((await call('/api/v1/cards', { method: 'PUT', body: record({ customerNumber: 'C-OTHER' }) })).json.error).toMatchObject({ code: 'pan_on_file', field: 'pan' });
    expect((await call('/api/v1/cards', { method: 'PUT', body: record({ brand: 'visa' }) })).json.error).toMatchObject({ code: 'brand_mismatch', field: 'brand' });
    expect(await t.deps.db.$count(cardholders, eq(cardholders.customerRef, 'C-OTHER'))).toBe(0);
  });
});

describe('block, reissue, close, phone, status', () => {
  it('blocks a card as stolen: the next AReq is answered R/10, on this instance and on another over the same file', async () => {
    const pan = demoCard('jcb-otp').pan;
    expect(await areq(pan, other)).toMatchObject({ transStatus: 'Y' });
    const res = await call('/api/v1/cards/block', { body: { pan, reason: 'stolen' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: 'updated', card: { pan: `356999******${pan.slice(-4)}`, brand: 'jcb', expiry: '3012', status: 'stolen', corporate: false } });
    expect(await areq(pan, other)).toMatchObject({ messageType: 'ARes', transStatus: 'R', transStatusReason: '10' });
    expect(await areq(pan)).toMatchObject({ transStatus: 'R', transStatusReason: '10' });
    expect((await call('/api/v1/cards/block', { body: { pan, reason: 'stolen' } })).json.result).toBe('unchanged');
    const blocked = demoCard('mc-otp').pan;
    await call('/api/v1/cards/block', { body: { pan: blocked, reason: 'blocked' } });
    expect(await areq(blocked, other)).toMatchObject({ transStatus: 'R', transStatusReason: '12' });
    const rows = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'api.blockCard'));
    expect(JSON.parse(rows[0].detail)).toMatchObject({ status: 200, before: 'active', after: 'blocked_stolen', pan: `356999******${pan.slice(-4)}` });
  });

  it('reissues old → new: the old number answers N/06, the new one keeps the registration', async () => {
    const pan = demoCard('jcb-password').pan;
    const newPan = jcb(900010);
    const res = await call('/api/v1/cards/reissue', { body: { pan, newPan, expiry: '3205' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ card: { pan: `356999******${newPan.slice(-4)}`, status: 'active', expiry: '3205' }, replaced: { status: 'replaced' }, registration: 'kept' });
    expect(await areq(pan, other)).toMatchObject({ transStatus: 'N', transStatusReason: '06' });
    expect(await areq(newPan, other)).toMatchObject({ transStatus: 'Y' });
    expect((await call('/api/v1/cards/reissue', { body: { pan, newPan: jcb(900011), expiry: '3205' } })).json.error).toMatchObject({ code: 'card_replaced', field: 'pan' });
    expect((await call('/api/v1/cards/reissue', { body: { pan: newPan, newPan: demoCard('jcb-two-cards').pan, expiry: '3205' } })).json.error).toMatchObject({ code: 'pan_on_file', field: 'newPan' });
    expect((await call('/api/v1/cards/reissue', { body: { pan: jcb(900099), newPan: jcb(900098), expiry: '3205' } })).json.error).toMatchObject({ code: 'card_not_found', field: 'pan' });
    expect((await call('/api/v1/cards/block', { body: { pan, reason: 'lost' } })).json.error).toMatchObject({ code: 'card_replaced' });
  });

  it('closes a card: the next AReq is answered R/12', async () => {
    const pan = demoCard('jcb-two-cards').pan;
    const res = await call('/api/v1/cards/close', { body: { pan } });
    expect(res.json).toMatchObject({ result: 'updated', card: { status: 'closed' } });
    expect(await areq(pan, other)).toMatchObject({ transStatus: 'R', transStatusReason: '12' });
  });

  it('changes the phone number on file of a cardholder', async () => {
    const res = await call('/api/v1/cardholders/phone', { body: { customerNumber: 'C-1001', phone: '+819011112222', provisional: true } });
    expect(res.json).toEqual({ result: 'updated', customerNumber: 'C-1001', phone: '*********2222', provisional: true });
    const holder = await t.deps.db.select().from(cardholders).where(eq(cardholders.customerRef, 'C-1001')).get();
    expect(holder).toMatchObject({ phoneOnFile: '+819011112222', phoneProvisional: true });
    // The demo cardholders (of the first issuer, from before issuers) are this issuer's too.
    expect((await call('/api/v1/cardholders/phone', { body: { customerNumber: 'DEMO-0001', phone: null } })).json).toMatchObject({ result: 'updated', phone: null, provisional: false });
    expect((await call('/api/v1/cardholders/phone', { body: { customerNumber: 'NOBODY', phone: null } })).json.error).toMatchObject({ code: 'cardholder_not_found', field: 'customerNumber' });
  });

  it('reads a card’s registration status with a read key, by a PAN in the body', async () => {
    const pan = demoCard('visa-locked').pan;
    const kitaReader = await key(['cards.read'], [], kitaId);
    const res = await call('/api/v1/cards/status', { key: kitaReader, idem: null, body: { pan } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      card: { pan: `499999******${pan.slice(-4)}`, brand: 'visa', expiry: '3012', status: 'active', corporate: false },
      customerNumber: expect.stringMatching(/^DEMO-/),
      registration: { registered: true, status: 'locked', method: 'sms_otp', phone: 'verified' },
    });
    const none = await call('/api/v1/cards/status', { key: reader, idem: null, body: { pan: demoCard('jcb-reissued-new').pan } });
    expect(none.json.registration).toEqual({ registered: true, status: 'active', method: 'sms_otp', phone: 'verified' });
    const unregistered = await call('/api/v1/cards/status', { key: kitaReader, idem: null, body: { pan: demoCard('visa-unregistered').pan } });
    expect(unregistered.json.registration).toEqual({ registered: false, status: 'none', method: null, phone: 'none' });
    // Reads are audited too, under the key's own issuer.
    const reads = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'api.cardStatus'));
    expect(reads.filter((r) => r.issuerId === kitaId)).toHaveLength(2);
    expect(reads.every((r) => r.target?.startsWith('card:') && !r.detail.includes(pan))).toBe(true);
  });
});

describe('refusals', () => {
  const block = (over: Call = {}) => call('/api/v1/cards/block', { body: { pan: demoCard('visa-otp').pan, reason: 'lost' }, ...over });

  it('answer a body that is not JSON, the wrong content type, a missing or invalid field, in the API’s shape', async () => {
    expect(await call('/api/v1/cards/block', { raw: '{"pan": ' })).toMatchObject({ status: 400, json: { error: { code: 'malformed_json', field: null } } });
    expect(await call('/api/v1/cards/block', { raw: 'pan=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toMatchObject({ status: 415, json: { error: { code: 'unsupported_media_type' } } });
    const missing = await call('/api/v1/cards', { method: 'PUT', body: { ...record(), expiry: undefined } });
    expect(missing).toMatchObject({ status: 400, json: { error: { code: 'missing_field', field: 'expiry', message: expect.any(String) } } });
    expect((await call('/api/v1/cards', { method: 'PUT', body: record({ expiry: '3013' }) })).json.error).toMatchObject({ code: 'invalid_field', field: 'expiry' });
    expect((await call('/api/v1/cards', { method: 'PUT', body: record({ phone: '090-1234-5678' }) })).json.error).toMatchObject({ code: 'invalid_field', field: 'phone' });
    expect((await call('/api/v1/cards', { method: 'PUT', body: record({ birthDate: '1980-02-30' }) })).json.error).toMatchObject({ code: 'invalid_field', field: 'birthDate' });
    expect((await call('/api/v1/cards/block', { body: { pan: demoCard('jcb-otp').pan, reason: 'gone' } })).json.error).toMatchObject({ code: 'invalid_field', field: 'reason' });
  });

  it('refuse a PAN failing the Luhn check and one of another issuer’s BIN range', async () => {
    const bad = demoCard('jcb-otp').pan.slice(0, -1) + String((Number(demoCard('jcb-otp').pan.slice(-1)) + 1) % 10);
    expect(await call('/api/v1/cards/block', { body: { pan: bad, reason: 'lost' } })).toMatchObject({ status: 422, json: { error: { code: 'pan_luhn', field: 'pan' } } });
    // The demo Visa range is the second issuer's: the first issuer's key may not touch it.
    expect(await block()).toMatchObject({ status: 422, json: { error: { code: 'pan_not_issuer', field: 'pan' } } });
    expect((await call('/api/v1/cards/status', { key: reader, idem: null, body: { pan: demoCard('visa-otp').pan } })).json.error.code).toBe('pan_not_issuer');
    expect((await call('/api/v1/cards/reissue', { body: { pan: demoCard('jcb-otp').pan, newPan: withLuhnDigit('411111111111111'), expiry: '3012' } })).json.error).toMatchObject({ code: 'pan_not_issuer', field: 'newPan' });
    expect(await areq(demoCard('visa-otp').pan)).toMatchObject({ transStatus: 'Y' });
  });

  it('refuse a missing, unknown or revoked key with one answer, and a key without the permission or from another address', async () => {
    const kitaWriter = await key(['cards.write'], ['192.0.2.0/24'], kitaId);
    const none = await block({ key: null });
    expect(none).toMatchObject({ status: 401, json: { error: { code: 'unauthorized', field: 'Authorization' } } });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const unknown = await block({ key: 'mamori_' + 'x'.repeat(43) });
    expect(unknown.text).toBe(none.text);
    expect((await block({ key: await revoked(kitaId) })).text).toBe(none.text);

    expect(await block({ key: kitaWriter, headers: { 'x-forwarded-for': '203.0.113.9' } })).toMatchObject({ status: 403, json: { error: { code: 'source_not_allowed' } } });
    expect(await block({ key: kitaWriter })).toMatchObject({ status: 403, json: { error: { code: 'source_not_allowed' } } });
    expect(await block({ key: kitaWriter, headers: { 'x-forwarded-for': '10.0.0.1, 192.0.2.44' } })).toMatchObject({ status: 200, json: { result: 'updated' } });
    expect(await block({ key: await key(['cards.read'], [], kitaId) })).toMatchObject({ status: 403, json: { error: { code: 'insufficient_permission' } } });
    expect(await call('/api/v1/cards/status', { key: await key(['cards.write'], [], kitaId), idem: null, body: { pan: demoCard('visa-otp').pan } })).toMatchObject({ status: 403, json: { error: { code: 'insufficient_permission' } } });

    const refused = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, 'api.blockCard.refused'));
    expect(refused.map((r) => JSON.parse(r.detail).reason)).toEqual(['no_key', 'unknown_key', 'revoked', 'source_not_allowed', 'source_not_allowed', 'insufficient_permission']);
    expect(refused[3]).toMatchObject({ issuerId: kitaId, actorName: expect.stringMatching(/^api:mamori_/) });
  });

  it('answer unknown routes, wrong methods and oversized bodies in JSON', async () => {
    expect(await call('/api/v1/cards/nothing', { body: {} })).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    expect(await call('/api/v2', { method: 'GET', key: null })).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    const wrong = await call('/api/v1/cards/block', { method: 'GET' });
    expect(wrong).toMatchObject({ status: 405, json: { error: { code: 'method_not_allowed' } } });
    expect(wrong.headers.get('allow')).toBe('POST');
    const big = await call('/api/v1/cards', { method: 'PUT', raw: JSON.stringify({ ...record(), name: 'x'.repeat(40_000) }) });
    expect(big).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
  });
});

describe('the Idempotency-Key', () => {
  it('is required on every write, replays the stored answer, and refuses the same key with another body', async () => {
    const pan = demoCard('jcb-provisional-phone').pan;
    expect(await call('/api/v1/cards/block', { idem: null, body: { pan, reason: 'lost' } })).toMatchObject({ status: 400, json: { error: { code: 'idempotency_key_missing', field: 'Idempotency-Key' } } });
    const idem = crypto.randomUUID();
    const first = await call('/api/v1/cards/block', { idem, body: { pan, reason: 'lost' } });
    expect(first.json.result).toBe('updated');
    // Changed since by someone else; the retry is answered as the first call was, and changes nothing.
    await call('/api/v1/cards/block', { body: { pan, reason: 'blocked' } });
    const again = await call('/api/v1/cards/block', { idem, body: { reason: 'lost', pan } });
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await areq(pan)).toMatchObject({ transStatusReason: '12' });
    expect(await call('/api/v1/cards/block', { idem, body: { pan, reason: 'stolen' } })).toMatchObject({ status: 422, json: { error: { code: 'idempotency_key_reused', field: 'Idempotency-Key' } } });
    // Another key's Idempotency-Keys are its own.
    expect((await call('/api/v1/cards/block', { key: await key(['cards.write']), idem, body: { pan, reason: 'stolen' } })).json.result).toBe('updated');
  });

  it('lets only one of concurrent duplicates apply', async () => {
    const pan = demoCard('jcb-expired').pan;
    const idem = crypto.randomUUID();
    const answers = await Promise.all([1, 2, 3, 4].map(() => call('/api/v1/cards/close', { idem, body: { pan } })));
    for (const a of answers) expect([200, 409]).toContain(a.status);
    const applied = answers.filter((a) => a.status === 200 && !a.headers.get('idempotent-replayed'));
    expect(applied).toHaveLength(1);
    for (const a of answers.filter((a) => a.status === 409)) expect(a.json.error.code).toBe('idempotency_in_progress');
    const rows = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'api.closeCard'), like(auditLog.detail, '%"after":"closed"%'), like(auditLog.detail, '%"before":"active"%')));
    expect(rows.filter((r) => JSON.parse(r.detail).pan?.endsWith(pan.slice(-4)))).toHaveLength(1);
  });
});

describe('coverage', () => {
  it('every operation of the OpenAPI document was answered 2xx by a test above, and the audit chain holds', async () => {
    const doc = (await call('/api/v1/openapi.json', { method: 'GET', key: null })).json;
    const operations = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    operations.push('GET /api/v1/openapi.json');
    expect(operations.filter((o) => !exercised.has(o))).toEqual([]);
    // Every 2xx answer has the shape its route declares (the same zod schemas made the document).
    const declared: Record<string, z.ZodType> = {
      'PUT /api/v1/cards': CardUpsertResponse.strict(),
      'POST /api/v1/cards/block': CardChangeResponse.strict(),
      'POST /api/v1/cards/close': CardChangeResponse.strict(),
      'POST /api/v1/cards/reissue': ReissueResponse.strict(),
      'POST /api/v1/cardholders/phone': PhoneResponse.strict(),
      'POST /api/v1/cards/status': RegistrationStatusResponse.strict(),
    };
    for (const [op, schema] of Object.entries(declared)) for (const body of answered.get(op)!) expect(schema.safeParse(body).error, op).toBeUndefined();
    expect((await call('/api', { method: 'GET', key: null })).json.error.code).toBe('not_found');
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
    expect(await t.deps.db.$count(members)).toBeGreaterThan(0);
  });
});

async function revoked(issuerId: number): Promise<string> {
  const made = await createApiKey(t.deps, { issuerId, name: 'revoked', permissions: ['cards.write'], sources: [] }, { actor: { type: 'system', name: 'test' } });
  await t.deps.db.run(`UPDATE api_keys SET revoked_at = 1 WHERE id = ${made.row.id}`);
  return made.key;
}
