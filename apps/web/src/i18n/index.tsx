import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type Dictionary, type MessageKey } from './en.ts';
import { es } from './es.ts';

/**
 * A dictionary per language; adding one is a file with every key of `en` and a line here.
 * The language comes from the saved choice, else the browser's languages, else English.
 */
export const LANGUAGES = {
  en: { label: 'English', dictionary: en as Dictionary },
  es: { label: 'Español', dictionary: es },
} as const;
export type Lang = keyof typeof LANGUAGES;

const STORAGE_KEY = 'parley.lang';
const isLang = (v: string | null | undefined): v is Lang => !!v && v in LANGUAGES;

export function detectLanguage(): Lang {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // storage may be blocked; fall through to the browser's languages
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  formatDate: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(detectLanguage);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not saved; the choice still holds for this page
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = LANGUAGES[lang].dictionary;
    const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      lang,
      setLang,
      t: (key, params) =>
        (dict[key] ?? en[key]).replace(/\{(\w+)\}/g, (m, name: string) =>
          params && name in params ? String(params[name]) : m,
        ),
      formatDate: (iso) => dateFormat.format(new Date(iso)),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export type { MessageKey };
