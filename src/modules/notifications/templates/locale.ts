/** The languages mail is written in. French is the product's language and the default. */
export type Locale = 'fr' | 'en';

export const LOCALES = ['fr', 'en'] as const satisfies readonly Locale[];
export const DEFAULT_LOCALE: Locale = 'fr';

export const isLocale = (value: unknown): value is Locale => value === 'fr' || value === 'en';

/** "3 heures" / "1 hour": the count with the noun in the form the language wants for it. */
export function countOf(locale: Locale, n: number, forms: { one: string; other: string }): string {
  const form = new Intl.PluralRules(locale).select(n) === 'one' ? forms.one : forms.other;
  return `${n} ${form}`;
}
