/**
 * A phone number as a person types it (on a call, in the console) to E.164: Japanese numbers as
 * they are written at home (090-1234-5678, full-width digits, ー or － for dashes, "+81 (0)90…"),
 * or any other country's in international form. Undefined when it cannot be a number.
 */
export function phoneFromTyped(typed: string): string | undefined {
  const s = typed.normalize('NFKC').replace(/[\s\u002D\u2010-\u2015\u2212\u30FC\uFF0D().（）]/g, '');
  if (/^0[1-9]\d{8,9}$/.test(s)) return `+81${s.slice(1)}`;
  // "+81 090-…": the trunk 0 kept after the country code, as people often say it.
  if (/^\+810[1-9]\d{8,9}$/.test(s)) return `+81${s.slice(4)}`;
  if (/^\+81[1-9]\d{8,9}$/.test(s)) return s;
  if (/^\+(?!81)[1-9]\d{6,14}$/.test(s)) return s;
  return undefined;
}
