/**
 * Property test through the whole app: mutated AReqs (dropped, blanked, retyped, lengthened,
 * duplicated keys, random bytes, truncated) posted to /3ds/areq always get HTTP 200 with a
 * schema-valid ARes or Erro — never a 5xx — and a dropped required element is named.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARES_SCHEMAS } from '../../src/protocol/ares.ts';
import { ERRO_SCHEMAS } from '../../src/protocol/erro.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { seeded } from '../support/property.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ seed: true });
});
afterAll(() => t.close());

const REQUIRED = ['acctNumber', 'messageCategory', 'deviceChannel', 'threeDSServerTransID', 'merchantName', 'purchaseAmount', 'purchaseCurrency', 'browserUserAgent', 'notificationURL'];

/** The demo cards the mutated AReqs start from (drawn by fast-check, so the seed replays the card too). */
const card = fc.constantFrom('jcb-otp', 'visa-otp', 'mc-otp', 'jcb-password');

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom(...REQUIRED) }),
  fc.record({ kind: fc.constant('blank' as const), key: fc.constantFrom(...REQUIRED) }),
  fc.record({ kind: fc.constant('retype' as const), key: fc.constantFrom(...REQUIRED, 'purchaseExponent', 'browserColorDepth'), value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })) }),
  fc.record({ kind: fc.constant('lengthen' as const), key: fc.constantFrom(...REQUIRED, 'browserLanguage', 'mcc'), times: fc.integer({ min: 2, max: 400 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), key: fc.constantFrom(...REQUIRED) }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(key: string, m: Mutation): string {
  const areq = browserAReq({ pan: demoCard(key).pan });
  switch (m.kind) {
    case 'drop':
      delete areq[m.key];
      return JSON.stringify(areq);
    case 'blank':
      areq[m.key] = '';
      return JSON.stringify(areq);
    case 'retype':
      areq[m.key] = m.value;
      return JSON.stringify(areq);
    case 'lengthen':
      areq[m.key] = String(areq[m.key] ?? 'x').repeat(m.times);
      return JSON.stringify(areq);
    case 'duplicate': {
      const text = JSON.stringify(areq);
      return text.replace(/^\{/, `{${JSON.stringify(m.key)}:${JSON.stringify(areq[m.key] ?? 'x')},`);
    }
    case 'bytes':
      return new TextDecoder().decode(m.bytes);
    case 'truncate': {
      const text = JSON.stringify(areq);
      return text.slice(0, m.at % text.length);
    }
  }
}

describe('mutated AReqs through the app', () => {
  it('always get a schema-valid ARes or Erro with HTTP 200, and a dropped element is named', async () => {
    await fc.assert(
      fc.asyncProperty(card, mutation, async (key, m) => {
        const res = await postAReq(t.app, apply(key, m));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const body = (await res.json()) as Record<string, any>;
        if (body.messageType === 'ARes') {
          expect(ARES_SCHEMAS[body.messageVersion as '2.2.0'].safeParse(body).success).toBe(true);
        } else {
          expect(body.messageType).toBe('Erro');
          expect(ERRO_SCHEMAS[body.messageVersion as '2.2.0'].safeParse(body).success).toBe(true);
          if (m.kind === 'drop') {
            expect(body.errorCode).toBe('201');
            expect(body.errorDetail.split(',')).toContain(m.key);
          }
        }
      }),
      seeded(250),
    );
  });
});
