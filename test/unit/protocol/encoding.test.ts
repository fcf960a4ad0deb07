import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url } from '../../../src/encoding.ts';
import {
  decodeJsonBase64Url, decodeTextBase64Url, encodeJsonBase64Url, encodeTextBase64Url, findDuplicateKeys, parseAReq,
} from '../../../src/protocol/index.ts';
import { seeded } from '../../support/property.ts';

describe('base64url', () => {
  it('round-trips any bytes, and agrees with the platform base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = bytesToBase64url(bytes);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64urlToBytes(encoded)).toEqual(bytes);
        const standard = btoa(String.fromCharCode(...bytes)); // padded, +/
        expect(base64urlToBytes(standard)).toEqual(bytes);
        expect(standard.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')).toBe(encoded);
      }),
      seeded(),
    );
  });

  it('round-trips UTF-8 text and JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(decodeTextBase64Url(encodeTextBase64Url(text))).toBe(text);
      }),
      seeded(),
    );
    const creq = { messageType: 'CReq', note: 'ご本人確認 🔐' };
    expect(decodeJsonBase64Url(encodeJsonBase64Url(creq))).toMatchObject({ ok: true, value: creq });
  });

  it.each([
    ['unpadded', 'eyJhIjoiYj8ifQ'],
    ['padded', 'eyJhIjoiYj8ifQ=='],
    ['standard alphabet', 'eyJhIjoiYj8ifQ=='.replace('_', '/')],
    ['with whitespace and line breaks', 'eyJhIjoi\r\n  Yj8ifQ\t=='],
  ])('accepts %s input', (_, text) => {
    expect(decodeJsonBase64Url(text)).toMatchObject({ ok: true, value: { a: 'b?' } });
  });

  it('decodes both alphabets to the same bytes', () => {
    expect(base64urlToBytes('-_-_')).toEqual(base64urlToBytes('+/+/'));
    expect(base64urlToBytes('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it.each([
    ['a character outside both alphabets', 'ab*d'],
    ['padding in the middle', 'YQ==YQ=='],
    ['too much padding', 'YQ==='],
    ['padding that does not complete a quantum', 'YQ='],
    ['a lone trailing character', 'YWJjZ'],
  ])('refuses %s', (_, text) => {
    expect(() => base64urlToBytes(text)).toThrow();
  });

  it('refuses bytes that are not UTF-8, and text that is not JSON', () => {
    expect(decodeTextBase64Url(bytesToBase64url(new Uint8Array([0xc3, 0x28])))).toBeNull();
    expect(decodeJsonBase64Url(encodeTextBase64Url('{"a":'))).toEqual({ ok: false });
  });

  it('decodes the empty string to nothing', () => {
    expect(base64urlToBytes('')).toEqual(new Uint8Array());
  });
});

describe('findDuplicateKeys', () => {
  it.each([
    ['no duplicates', '{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}', []],
    ['top level', '{"a":1,"b":2,"a":3}', ['a']],
    ['nested, as parent.child', '{"acctInfo":{"chAccAgeInd":"01","chAccAgeInd":"02"}}', ['acctInfo.chAccAgeInd']],
    ['inside array elements, without an index', '{"messageExtension":[{"id":"x"},{"id":"y","id":"z"}]}', ['messageExtension.id']],
    ['one report per path', '{"a":1,"a":2,"a":3}', ['a']],
    ['escaped keys that decode the same', '{"a":1,"\\u0061":2}', ['a']],
    ['keys with escaped quotes', '{"a\\"b":1,"a\\"b":2}', ['a"b']],
    ['values that look like keys', '{"a":"\\"b\\":1,","b":"{\\"a\\":1}"}', []],
    ['keys equal in name but in different objects', '{"a":{"x":1},"b":{"x":1}}', []],
    ['the same key at two depths', '{"x":{"x":1},"y":2}', []],
    ['after a nested object closes', '{"a":{"b":1},"a":2}', ['a']],
    ['whitespace everywhere', '{ "a" : 1 ,\n "a" : 2 }', ['a']],
  ])('%s', (_, text, expected) => {
    expect(findDuplicateKeys(text)).toEqual(expected);
  });

  it.each([
    '', '{', '}', '{"a', '{"a":1,"a', '[[[', ']]]}}}', '{"a":1}}}{"a":2', '"\\', '{"\\u00"', 'null', '{"a":[}',
  ])('never throws on odd input: %j', (text) => {
    expect(() => findDuplicateKeys(text)).not.toThrow();
  });

  it('never throws, and agrees with JSON.parse on valid JSON without duplicates', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => Array.isArray(findDuplicateKeys(text))), seeded());
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(findDuplicateKeys(text)).toEqual([]);
      }),
      seeded(),
    );
  });

  // A recursive scanner would overflow the stack here, and a quadratic one would not finish within the test timeout.
  it('copes with deep nesting and many duplicates', () => {
    const depth = 200_000;
    const deep = '{"a":'.repeat(depth) + '{"k":1,"k":2}' + '}'.repeat(depth);
    const repeated = `${'[{"a":'.repeat(20_000)}{${'"k":1,'.repeat(200_000)}"k":1}`;
    expect(findDuplicateKeys(deep)).toEqual(['a.'.repeat(depth) + 'k']);
    expect(findDuplicateKeys(repeated)).toHaveLength(1);
  });

  it('lets parseAReq answer deeply nested input without throwing', () => {
    const deep = `{"messageType":"AReq","messageVersion":"2.2.0","acctInfo":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(parseAReq(deep).ok).toBe(false);
    expect(parseAReq('['.repeat(1_000_000)).ok).toBe(false);
  });
});
