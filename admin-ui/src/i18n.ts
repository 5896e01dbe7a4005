import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from './locales/de';
import en from './locales/en';

export type Lang = 'de' | 'en';

// The browser's language decides at first; a choice in the menu is kept.
export function initialLang(stored: string | null, languages: readonly string[]): Lang {
  if (stored === 'de' || stored === 'en') return stored;
  for (const l of languages) {
    const p = l.toLowerCase().slice(0, 2);
    if (p === 'de' || p === 'en') return p;
  }
  return 'de';
}

function stored(): string | null {
  try {
    return localStorage.getItem('carbot.lang');
  } catch {
    return null;
  }
}

void i18n.use(initReactI18next).init({
  resources: { de: { translation: de }, en: { translation: en } },
  lng: initialLang(stored(), typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]),
  fallbackLng: 'de',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export function setLang(l: Lang): void {
  void i18n.changeLanguage(l);
  document.documentElement.lang = l;
  try {
    localStorage.setItem('carbot.lang', l);
  } catch {
    /* private mode: the choice lasts this tab */
  }
}

export default i18n;
