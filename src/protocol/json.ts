/**
 * Duplicate-key detection for incoming JSON. JSON.parse silently keeps the last of two
 * equal keys, but EMV 3DS wants Erro 204 naming the duplicated element, so the raw text
 * is scanned once before parsing.
 */

/** At most this many duplicates are reported; errorDetail is capped at 2048 characters anyway. */
const MAX_REPORTED = 100;

/** One object member on the way down from the root; paths are only spelled out when reported. */
interface PathNode {
  readonly parent: PathNode | null;
  readonly key: string;
}

interface Frame {
  readonly kind: 'object' | 'array';
  readonly path: PathNode | null;
  readonly keys: Set<string>;
  expectKey: boolean;
  lastKey: string;
}

/**
 * Returns the dotted paths of keys that occur twice in the same object, e.g.
 * `acctInfo.chAccAgeInd`. Array elements add no index (`messageExtension.id`).
 * Never throws and runs in linear time on any input, including malformed JSON
 * (it simply reports what it found before the text stopped making sense).
 *
 * @example findDuplicateKeys('{"a":1,"b":{"c":1,"c":2}}') // ['b.c']
 */
export function findDuplicateKeys(text: string): string[] {
  const found = new Set<string>();
  const stack: Frame[] = [];
  let reports = 0; // counts every hit, so spelling deep paths stays bounded even when they repeat
  let i = 0;

  while (i < text.length && reports < MAX_REPORTED) {
    const c = text.charCodeAt(i);
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;

    if (c === QUOTE) {
      const end = closingQuote(text, i + 1);
      if (end < 0) break; // unterminated string: nothing more to learn
      if (top?.kind === 'object' && top.expectKey) {
        const key = unescapeKey(text.slice(i + 1, end));
        if (top.keys.has(key)) {
          found.add(spell({ parent: top.path, key }));
          reports++;
        }
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }

    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const path = top === undefined ? null : top.kind === 'object' ? { parent: top.path, key: top.lastKey } : top.path;
      stack.push({ kind: c === OPEN_BRACE ? 'object' : 'array', path, keys: new Set(), expectKey: c === OPEN_BRACE, lastKey: '' });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA && top?.kind === 'object') {
      top.expectKey = true;
    }
    i++;
  }
  return [...found];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Index of the quote that ends the string starting at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Decodes JSON escapes so that "a" and "\u0061" count as the same key, as JSON.parse sees them. */
function unescapeKey(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}

function spell(node: PathNode | null): string {
  const keys: string[] = [];
  for (let n = node; n !== null; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
}
