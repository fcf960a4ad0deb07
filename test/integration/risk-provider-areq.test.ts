/**
 * The provider from end to end: AReqs through POST /3ds/areq with a fake provider that records
 * what it receives. An opted-out cardholder's AReq sends it nothing at all; another card's sends
 * exactly one request with only the configured fields (never the card number); with the template
 * "provider score ≥ 80 → reject" published, a score of 90 answers R, and the transaction records
 * what the provider said.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { setDataSharingOptOut } from '../../src/cards/card-records.ts';
import { findCardOnFile } from '../../src/cards/card-store.ts';
import { panLookupHash } from '../../src/cards/pan.ts';
import { inviteStaff } from '../../src/admin/staff-actions.ts';
import { issuers, transactions } from '../../src/db/schema.ts';
import { forgetIssuerSettings, issuerSettings } from '../../src/issuers/settings.ts';
import { publishDraft, saveDraft } from '../../src/risk/rule-set-store.ts';
import { defaultRuleSet, providerScore, providerUnavailable } from '../../src/risk/rules/templates.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (apps.length) apps.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

const FIELDS = ['acsTransID', 'purchaseAmount', 'purchaseCurrency', 'merchantName', 'device.newDevice', 'history.auths1h'];

async function setup(score: number) {
  const provider = await startProviderServer(() => reply.json(200, { result: { score, reasons: ['velocity'] } }));
  servers.push(provider);
  const t = await createTestApp({ seed: true, env: { RISK_PROVIDER_SECRETS: JSON.stringify({ TM_TOKEN: 'Bearer e2e-token' }), VELOCITY_LIMIT_PER_HOUR: '1000' } });
  apps.push(t);
  const issuer = await issuerSettings(t.deps, null);
  await t.deps.db
    .update(issuers)
    .set({ riskProvider: { url: `${provider.origin}/score`, secretEnv: 'TM_TOKEN', fields: FIELDS, scorePath: 'result.score', reasonsPath: 'result.reasons', timeoutMs: 1000 } })
    .where(eq(issuers.id, issuer.id));
  forgetIssuerSettings(t.deps.db);
  return { t, provider, issuer };
}

async function areq(t: TestApp, key: string, purchaseAmount = '1200') {
  const res = await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount }));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string>;
}

async function riskDetailOf(t: TestApp, acsTransID: string) {
  const row = await t.deps.db.select({ riskDetail: transactions.riskDetail }).from(transactions).where(eq(transactions.acsTransID, acsTransID)).get();
  return row?.riskDetail as { provider: { status: string; score?: number } } | null | undefined;
}

describe('the provider in the AReq', () => {
  it('sends nothing for an opted-out cardholder, and exactly the configured fields for another', async () => {
    const { t, provider } = await setup(10);
    const optedOut = demoCard('jcb-otp');
    const card = await findCardOnFile(t.deps.db, await panLookupHash(t.deps.keys.panLookup, optedOut.pan));
    await setDataSharingOptOut(t.deps.db, t.clock, card!.cardholder.id, true);

    const first = await areq(t, 'jcb-otp');
    expect(first.messageType).toBe('ARes');
    expect(first.transStatus).toBe('Y');
    expect(provider.requests).toHaveLength(0);
    expect((await riskDetailOf(t, first.acsTransID))?.provider.status).toBe('opted_out');

    const other = demoCard('visa-otp');
    const second = await areq(t, 'visa-otp');
    expect(second.transStatus).toBe('Y');
    expect(provider.requests).toHaveLength(1);
    const [req] = provider.requests;
    expect(req.headers.authorization).toBe('Bearer e2e-token');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...FIELDS].sort());
    expect(body).toMatchObject({ acsTransID: second.acsTransID, purchaseAmount: '1200', purchaseCurrency: '392' });
    expect(req.body.replace(/\D/g, '')).not.toContain(other.pan);
    expect(req.body.replace(/\D/g, '')).not.toContain(optedOut.pan);
    expect(await riskDetailOf(t, second.acsTransID)).toMatchObject({ provider: { status: 'answered', score: 10 } });

    // The opted-out cardholder again: still nothing more.
    await areq(t, 'jcb-otp');
    expect(provider.requests).toHaveLength(1);
  });

  it('rejects (R) on a provider score of 80 or more with the template rule published', async () => {
    const { t, provider, issuer } = await setup(90);
    const base = defaultRuleSet(issuer.challengeThresholds, issuer.velocityLimitPerHour);
    const invited = await inviteStaff(t.deps, { actor: { type: 'system', name: 'test' } }, { username: 'analyst', displayName: 'analyst', role: 'issuer_admin', issuerId: issuer.id });
    if (!invited.ok) throw new Error('could not invite');
    const change = { actor: { type: 'staff' as const, id: invited.staff.id, name: 'analyst' } };
    const saved = await saveDraft(t.deps, issuer, { ...base, rules: [providerUnavailable(), providerScore({ from: 80 }), ...base.rules] }, change);
    expect(saved.ok).toBe(true);
    expect((await publishDraft(t.deps, issuer.id, change)).ok).toBe(true);

    const res = await areq(t, 'visa-otp');
    expect(provider.requests).toHaveLength(1);
    expect(res.transStatus).toBe('R');
    expect(await riskDetailOf(t, res.acsTransID)).toMatchObject({ provider: { status: 'answered', score: 90 } });

    // A provider that is down: the rules decide alone, and "provider unavailable" challenges.
    provider.setDefault(() => reply.json(503, {}));
    const down = await areq(t, 'visa-otp');
    expect(down.transStatus).toBe('C');
    expect((await riskDetailOf(t, down.acsTransID))?.provider.status).toBe('unavailable');
  });
});
