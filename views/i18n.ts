/**
 * The one bilingual text mechanism. Every word a person reads exists in both languages as a
 * `Bi<T>` (`{ ja, en }`): a page in one language picks `text[lang]`; a page for everybody shows
 * both with `<Bilingual {...text} />` (layout.tsx), Japanese first. A dictionary of words is a
 * `Bi<Words>` checked with `satisfies`, so a missing translation fails the type check.
 *
 * Lives under views/ because pages need it; src/ imports it from here (views never import src/).
 */
export type Lang = 'ja' | 'en';

export const LANGS: readonly Lang[] = ['ja', 'en'];

/** One text (or dictionary of texts) in each language. */
export type Bi<T = string> = Record<Lang, T>;

/** English when the browser's first language is not Japanese (e.g. en-US), Japanese otherwise. */
export function languageFor(browserLanguage: string | undefined): Lang {
  if (!browserLanguage) return 'ja';
  return browserLanguage.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The other language, for a language switch. */
export function otherLang(lang: Lang): Lang {
  return lang === 'ja' ? 'en' : 'ja';
}
