// The catalogs: every key in both languages, the same {{placeholders}} in both, and the language chosen as documented.
import { describe, expect, it } from 'vitest';
import { CATALOGS, LANGS, langOfLocale, pickLang, t, withLang } from './index.js';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(o: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v as object, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([^},\s]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
/** A plural key's base: `hosts_one` and `hosts_other` are one message. */
const base = (k: string) => k.replace(PLURAL, '');

describe('message catalogs', () => {
  const en = flatten(CATALOGS.en);
  it('has messages', () => {
    expect(en.size).toBeGreaterThan(0);
  });
  for (const lang of LANGS.filter((l) => l !== 'en')) {
    const other = flatten(CATALOGS[lang]);
    it(`${lang} translates every English key, and has none English lacks`, () => {
      const missing = [...new Set([...en.keys()].map(base))].filter((k) => ![...other.keys()].some((o) => base(o) === k));
      const extra = [...other.keys()].filter((k) => ![...en.keys()].some((e) => base(e) === base(k)));
      expect(missing).toEqual([]);
      expect(extra).toEqual([]);
    });
    it(`${lang} uses the same placeholders as English in every message`, () => {
      const differ: string[] = [];
      for (const [k, v] of other) {
        const ens = [...en].filter(([e]) => base(e) === base(k)).map(([, s]) => placeholders(s).filter((p) => p !== 'count'));
        const mine = placeholders(v).filter((p) => p !== 'count');
        if (!ens.some((e) => JSON.stringify([...new Set(e)]) === JSON.stringify([...new Set(mine)]))) differ.push(`${k}: ${lang} {${mine}} vs en {${ens[0]}}`);
      }
      expect(differ).toEqual([]);
    });
    it(`${lang} has no message left empty or untranslated from English prose`, () => {
      const same = [...other].filter(([k, v]) => v.trim() === '' || (/[a-z]{4,} [a-z]{3,} [a-z]{3,}/i.test(v) && en.get(k) === v && !/[\u4e00-\u9fff]/.test(v)));
      expect(same.map(([k]) => k)).toEqual([]);
    });
  }
});

describe('choosing the language', () => {
  it('reads LC_ALL before LC_MESSAGES before LANG, and --lang before all', () => {
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(pickLang(undefined, { LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(pickLang(undefined, {})).toBe('en');
    expect(pickLang('en', { LC_ALL: 'zh_CN.UTF-8' })).toBe('en');
    expect(pickLang('zh-cn', {})).toBe('zh-CN');
  });
  it('refuses an unknown --lang in one line', () => {
    expect(() => pickLang('fr', {})).toThrow('--lang fr: unknown language; use en or zh-CN');
  });
  it('reads Traditional Chinese locales as English, not as Simplified', () => {
    expect(langOfLocale('zh_TW.UTF-8')).toBe('en');
    expect(langOfLocale('zh_SG')).toBe('zh-CN');
    expect(langOfLocale('zh_CN.GB18030')).toBe('zh-CN');
  });
  it('fills placeholders, never escapes them, and picks the plural form', () => {
    withLang('en', () => expect(t('tutor.next', { step: '1.3', title: '<gateways> & "routes"', host: 'web1' })).toBe('Next: step 1.3 (<gateways> & "routes") on web1'));
    withLang('zh-CN', () => expect(t('tutor.next', { step: '1.3', title: '配置网关', host: 'web1' })).toBe('下一步：在 web1 上完成步骤 1.3（配置网关）'));
    withLang('en', () => expect(t('tutor.heading', { lab: 'lvs-nat', done: 0, count: 1 })).toBe('lvs-nat: 0 of 1 step done'));
    withLang('en', () => expect(t('tutor.heading', { lab: 'lvs-nat', done: 2, count: 8 })).toBe('lvs-nat: 2 of 8 steps done'));
  });
});
