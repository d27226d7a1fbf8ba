// Messages in the reader's language: English and Simplified Chinese, from catalogs (catalog/*.ts, each area's English and Chinese side by side).
// i18next does the lookup, the {{placeholders}}, plurals (Intl.PluralRules: "1 host" / "2 hosts"; Chinese has one form)
// and the fallback to English; the catalogs are TypeScript objects, so a key one language lacks fails the build, and
// test/unit/i18n.test.ts fails when a placeholder differs between the two.
import i18next, { type i18n } from 'i18next';
import { UsageError } from '../errors.js';
import { en, zhCN } from './catalog/index.js';

export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

export const CATALOGS: Record<Lang, object> = { en, 'zh-CN': zhCN };

let current: Lang = 'en';
let instance: i18n | undefined;

function engine(): i18n {
  if (instance) return instance;
  const inst = i18next.createInstance();
  void inst.init({
    lng: current,
    fallbackLng: 'en',
    supportedLngs: [...LANGS],
    resources: Object.fromEntries(LANGS.map((l) => [l, { translation: CATALOGS[l] }])),
    initAsync: false,
    // Messages go to a terminal, JSON or an escaped HTML page, never raw into HTML: no escaping here.
    interpolation: { escapeValue: false },
    returnNull: false,
  } as Parameters<i18n['init']>[0]);
  instance = inst;
  return inst;
}

/**
 * The language a locale name asks for: zh_CN, zh_SG, zh-Hans and plain zh read Simplified Chinese; anything else
 * (C, POSIX, en_US.UTF-8, zh_TW, which reads Traditional) reads English.
 */
export function langOfLocale(locale: string | undefined): Lang | undefined {
  if (!locale) return undefined;
  const name = locale.split('.')[0]!.split('@')[0]!.replace('_', '-').toLowerCase();
  if (name === 'zh' || name === 'zh-cn' || name === 'zh-sg' || name.startsWith('zh-hans')) return 'zh-CN';
  return 'en';
}

/** --lang wins; else LC_ALL, LC_MESSAGES, LANG, as POSIX orders them (the first one set decides). */
export function pickLang(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (option !== undefined) {
    const found = LANGS.find((l) => l.toLowerCase() === option.toLowerCase()) ?? (option.toLowerCase() === 'zh' ? 'zh-CN' : undefined);
    if (!found) throw new UsageError(`--lang ${option}: unknown language; use ${LANGS.join(' or ')}`);
    return found;
  }
  for (const v of [env.LC_ALL, env.LC_MESSAGES, env.LANG]) if (v) return langOfLocale(v) ?? 'en';
  return 'en';
}

export function setLang(lang: Lang): void {
  current = lang;
  if (instance) void instance.changeLanguage(lang);
}

export function getLang(): Lang {
  return current;
}

/** The message under `key` (dotted, e.g. "progress.done") in the current language, its {{placeholders}} filled. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  return engine().t(key, { ...vars, lng: current }) as string;
}

/** Run fn with another language (tests, and the HTML report of a roster). */
export function withLang<T>(lang: Lang, fn: () => T): T {
  const before = current;
  current = lang;
  try {
    return fn();
  } finally {
    current = before;
  }
}

/** A step title or other text a lab's data gives in both languages: the current one, else English. */
export function pickText(text: string | Partial<Record<Lang, string>>): string {
  return typeof text === 'string' ? text : (text[current] ?? text.en ?? Object.values(text)[0] ?? '');
}
