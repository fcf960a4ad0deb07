/**
 * A card file's bytes as text. Core systems in Japan write UTF-8 (with or without a BOM) or
 * Shift_JIS, usually Microsoft's CP932 (which has 髙, 﨑 and the other NEC/IBM extensions).
 * `auto` takes UTF-8 when the bytes are valid UTF-8 (a BOM says so outright) and CP932 otherwise:
 * Japanese text in Shift_JIS is practically never valid UTF-8.
 *
 * The WHATWG TextDecoder's "shift_jis" is CP932 (Node with ICU, Deno, browsers); where a runtime's
 * TextDecoder lacks it, iconv-lite's cp932 decodes instead.
 */
export type FileEncoding = 'utf-8' | 'shift_jis';
export type EncodingChoice = FileEncoding | 'auto';

export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(readonly encoding: FileEncoding) {
    super(`the file is not valid ${encoding === 'utf-8' ? 'UTF-8' : 'Shift_JIS'}`);
  }
}

export async function decodeCardFile(bytes: Uint8Array, choice: EncodingChoice = 'auto'): Promise<{ text: string; encoding: FileEncoding }> {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (choice === 'utf-8' || bom) return { text: decodeUtf8(bom ? bytes.subarray(3) : bytes), encoding: 'utf-8' };
  if (choice === 'auto') {
    try {
      return { text: decodeUtf8(bytes), encoding: 'utf-8' };
    } catch {
      // Not UTF-8: Shift_JIS below.
    }
  }
  return { text: await decodeShiftJis(bytes), encoding: 'shift_jis' };
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new DecodeError('utf-8');
  }
}

async function decodeShiftJis(bytes: Uint8Array): Promise<string> {
  let decoder: TextDecoder | undefined;
  try {
    decoder = new TextDecoder('shift_jis', { fatal: true });
  } catch {
    decoder = undefined; // this runtime's TextDecoder has no Shift_JIS
  }
  if (decoder) {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new DecodeError('shift_jis');
    }
  }
  const iconv = (await import('iconv-lite')).default;
  const text = iconv.decode(bytes as Buffer, 'cp932');
  // iconv-lite replaces what it cannot map instead of failing.
  if (text.includes('\ufffd')) throw new DecodeError('shift_jis');
  return text;
}
