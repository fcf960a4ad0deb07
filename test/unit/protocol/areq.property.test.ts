/**
 * Property tests: whatever is done to a valid AReq, parseAReq answers (never throws) with
 * either an AReq or an Erro that is itself valid, and a dropped required element is named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERRO_SCHEMAS, parseAReq, type ParseAReqResult } from '../../../src/protocol/index.ts';
import {
  APP_AREQ_210, BROWSER_AREQ, REQUIRED_BROWSER_PA, REQUIRED_BROWSER_PA_231, REQUIRED_THREE_RI_PA, THREE_RI_AREQ,
  sampleJson, toVersion231,
} from './samples.ts';
import { seeded } from '../../support/property.ts';

const browser = sampleJson(BROWSER_AREQ);
const threeRI = sampleJson(THREE_RI_AREQ);
const VALID: { name: string; areq: Record<string, any>; required: string[] }[] = [
  { name: 'browser 2.2.0', areq: browser, required: REQUIRED_BROWSER_PA },
  { name: '3RI 2.2.0', areq: threeRI, required: REQUIRED_THREE_RI_PA },
  { name: 'browser 2.3.1', areq: toVersion231(browser), required: REQUIRED_BROWSER_PA_231 },
  { name: 'app 2.2.0', areq: { ...sampleJson(APP_AREQ_210), messageVersion: '2.2.0' }, required: [] },
];

/** What a valid outcome looks like: an AReq that parses again to itself, or a well-formed Erro from the ACS. */
function expectWellFormed(result: ParseAReqResult) {
  if (result.ok) {
    const again = parseAReq(JSON.stringify(result.areq));
    expect(again.ok && again.areq).toEqual(result.areq);
    return;
  }
  const { erro } = result;
  expect(ERRO_SCHEMAS[erro.messageVersion].safeParse(erro).success).toBe(true);
  expect(erro.errorComponent).toBe('A');
  expect(Object.keys(ERROR_CODES)).toContain(erro.errorCode);
  expect(erro.errorDetail).not.toBe('Message could not be validated'); // the catch-all must stay unreachable
}

/** Every element path of a message, one level into nested objects: `acctInfo.chAccAgeInd`. */
function pathsOf(message: Record<string, any>): string[][] {
  return Object.entries(message).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value) ? [[key], ...Object.keys(value).map((k) => [key, k])] : [[key]],
  );
}

function setAt(message: Record<string, any>, path: string[], value: unknown) {
  const parent = path.length === 1 ? message : message[path[0]];
  if (value === undefined) delete parent[path.at(-1)!];
  else parent[path.at(-1)!] = value;
}

const elementEdit = fc.record({
  at: fc.nat(),
  value: fc.oneof(
    fc.constant(undefined), // drop
    fc.constantFrom('', null, [], {}), // blank
    fc.oneof(fc.integer(), fc.boolean(), fc.double(), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 })), // retype
    fc.integer({ min: 1, max: 3000 }).map((n) => 'x'.repeat(n)), // lengthen
    fc.string({ unit: 'binary', maxLength: 20 }), // any text
  ),
});

const textEdit = fc.oneof(
  // a duplicate key, at the top level or inside a nested object
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), key: fc.constantFrom('acctNumber', 'messageVersion', 'chAccAgeInd', 'cc', 'zz'), value: fc.jsonValue({ maxDepth: 1 }) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), remove: fc.nat({ max: 4 }), insert: fc.string({ unit: 'binary', maxLength: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type TextEdit = typeof textEdit extends fc.Arbitrary<infer T> ? T : never;

function applyText(text: string, edit: TextEdit): string {
  const at = edit.at % (text.length + 1);
  switch (edit.kind) {
    case 'truncate':
      return text.slice(0, at);
    case 'bytes':
      return text.slice(0, at) + edit.insert + text.slice(at + edit.remove);
    case 'duplicate': {
      const braces = [...text.matchAll(/\{/g)].map((m) => m.index);
      if (braces.length === 0) return text;
      const brace = braces[edit.at % braces.length] + 1;
      return `${text.slice(0, brace)}${JSON.stringify(edit.key)}:${JSON.stringify(edit.value)},${text.slice(brace)}`;
    }
  }
}

describe('parseAReq under mutation', () => {
  it('never throws, and answers with an AReq or a valid Erro', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: VALID.length - 1 }),
        fc.array(elementEdit, { maxLength: 4 }),
        fc.array(textEdit, { maxLength: 3 }),
        (which, elementEdits, textEdits) => {
          const message = structuredClone(VALID[which].areq);
          for (const edit of elementEdits) {
            const paths = pathsOf(message);
            if (paths.length > 0) setAt(message, paths[edit.at % paths.length], edit.value);
          }
          const text = textEdits.reduce(applyText, JSON.stringify(message));
          expectWellFormed(parseAReq(text));
        },
      ),
      seeded(400),
    );
  });

  it('never throws on arbitrary text or JSON', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => expectWellFormed(parseAReq(text))), seeded(300));
    fc.assert(fc.property(fc.json(), (text) => expectWellFormed(parseAReq(text))), seeded(300));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (extra) => expectWellFormed(parseAReq(JSON.stringify({ ...extra, messageType: 'AReq', messageVersion: '2.2.0' })))),
      seeded(200),
    );
  });

  it('names a dropped required element in a 201, whatever optional elements are dropped with it', () => {
    const cases = VALID.filter((v) => v.required.length > 0);
    fc.assert(
      fc.property(fc.nat({ max: cases.length - 1 }), fc.nat(), fc.array(fc.nat(), { maxLength: 10 }), (which, pick, others) => {
        const { areq, required } = cases[which];
        const element = required[pick % required.length];
        // shipAddrState is what makes shipAddrCountry required, so it stays.
        const optionalElements = Object.keys(areq).filter((k) => !required.includes(k) && !['messageType', 'shipAddrState'].includes(k));
        const message = structuredClone(areq);
        delete message[element];
        for (const o of others) delete message[optionalElements[o % optionalElements.length]];

        const result = parseAReq(JSON.stringify(message));
        expectWellFormed(result);
        expect(!result.ok && result.erro.errorCode).toBe('201');
        expect(!result.ok && result.erro.errorDetail.split(',')).toContain(element);
      }),
      seeded(300),
    );
  });
});
