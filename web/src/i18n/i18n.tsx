import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api/errors';
import { errorText, fieldText } from './error-messages';
import { messages, type Locale, type MessageKey } from './messages';

const LOCALE_KEY = 'atelier.locale';
export const LOCALES: readonly Locale[] = ['fr', 'en'];

export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  /** The message for `key`, with `{name}` placeholders filled from `vars`. */
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  date: (iso: string | null | undefined) => string;
  dateTime: (iso: string | null | undefined) => string;
  number: (n: number) => string;
  money: (amount: number, currency: string) => string;
  /** A catalog price (`{amount, currency}` in major units) with the currency's own decimals. */
  price: (price: { amount: number; currency: string }) => string;
  bytes: (n: number) => string;
  /** A human sentence for any thrown value (ApiError codes, network failures, bugs). */
  error: (err: unknown) => string;
  /** A server validation message for one field, in the current language. */
  field: (message: string) => string;
  country: (code: string) => string;
  language: (code: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY);
  return saved === 'en' || saved === 'fr' ? saved : 'fr';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(LOCALE_KEY, l);
    setLocaleState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = messages[locale];
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    const dateFmt = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
    const dateTimeFmt = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
    const numberFmt = new Intl.NumberFormat(tag);
    const regions = new Intl.DisplayNames([tag], { type: 'region' });
    const languages = new Intl.DisplayNames([tag], { type: 'language' });
    const t = (key: MessageKey, vars?: Record<string, string | number>) =>
      dict[key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
    const parse = (iso: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00` : iso);
    return {
      locale,
      setLocale,
      t,
      date: (iso) => (iso ? dateFmt.format(parse(iso)) : ''),
      dateTime: (iso) => (iso ? dateTimeFmt.format(parse(iso)) : ''),
      number: (n) => numberFmt.format(n),
      money: (amount, currency) => {
        try {
          return new Intl.NumberFormat(tag, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
        } catch {
          return `${numberFmt.format(amount)} ${currency}`;
        }
      },
      price: ({ amount, currency }) => {
        try {
          return new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount);
        } catch {
          return `${numberFmt.format(amount)} ${currency}`;
        }
      },
      bytes: (n) =>
        n < 1024
          ? `${numberFmt.format(n)} ${locale === 'fr' ? 'o' : 'B'}`
          : n < 1024 * 1024
            ? `${new Intl.NumberFormat(tag, { maximumFractionDigits: 0 }).format(n / 1024)} ${locale === 'fr' ? 'ko' : 'kB'}`
            : `${new Intl.NumberFormat(tag, { maximumFractionDigits: 1 }).format(n / 1024 / 1024)} ${locale === 'fr' ? 'Mo' : 'MB'}`,
      error: (err) => errorText(locale, err instanceof ApiError ? err : null, t),
      field: (message) => fieldText(locale, message),
      country: (code) => regions.of(code) ?? code,
      language: (code) => languages.of(code) ?? code,
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
