/**
 * What a person typed, as it is checked: NFKC (full-width ８０９２８４ from a Japanese IME becomes
 * 809284), and no spaces or dashes of any kind (readers group codes and IDs as 809-284, and an
 * IME types ー or － for a hyphen).
 */
const SPACES_AND_DASHES = /[\s\u002D\u2010-\u2015\u2212\u30FC\uFE58\uFE63\uFF0D]/gu;

export function normaliseEntry(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return raw.normalize('NFKC').replace(SPACES_AND_DASHES, '');
}
