// Pick the Debian archive mirror from the host's apt sources (one-line .list and deb822 .sources).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';

export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
}

const DEBIAN_SUITES = new Set(['bookworm', 'bullseye', 'buster', 'trixie', 'forky', 'sid', 'stable', 'testing', 'unstable', 'oldstable']);

/** Parse a one-line-format sources.list: `deb [opts] URI SUITE COMPONENT...`. */
export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (!type || !uri || !suite) continue;
    out.push({ types: [type], uris: [uri], suites: [suite], components });
  }
  return out;
}

/** Parse a deb822 .sources file: blank-line separated stanzas of `Field: value` with continuation lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = parseStanza(stanza);
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    const src = { types: words('types'), uris: words('uris'), suites: words('suites'), components: words('components') };
    if (src.types.length && src.uris.length && src.suites.length) out.push(src);
  }
  return out;
}

function parseStanza(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of stanza.split('\n')) {
    if (line.startsWith('#')) continue;
    if (/^\s/.test(line) && last) {
      fields.set(last, `${fields.get(last)} ${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    fields.set(last, m[2]!.trim());
  }
  return fields;
}

/** Score a source as "the Debian main archive": -1 when it is not one (security, other vendors, deb-src). */
function score(src: AptSource, uri: string, suite: string): number {
  if (!src.types.includes('deb')) return -1;
  if (!/^https?:\/\//.test(uri) || /security/i.test(uri)) return -1;
  const base = suite.replace(/-(updates|backports|proposed-updates)$/, '');
  if (suite.endsWith('-security') || !DEBIAN_SUITES.has(base)) return -1;
  if (src.components.length > 0 && !src.components.includes('main')) return -1;
  return (suite === base ? 2 : 0) + (/\/debian\/?$/.test(uri) ? 1 : 0);
}

/** The best Debian main-archive URI among the sources, or undefined. */
export function pickDebianMirror(sources: AptSource[]): string | undefined {
  let best: { uri: string; score: number } | undefined;
  for (const src of sources) {
    for (const uri of src.uris) {
      for (const suite of src.suites) {
        const s = score(src, uri, suite);
        if (s >= 0 && (!best || s > best.score)) best = { uri, score: s };
      }
    }
  }
  return best?.uri.replace(/\/+$/, '');
}

/** Read every apt source file of the host under `etcApt`. */
export function readHostSources(etcApt = '/etc/apt'): AptSource[] {
  const out: AptSource[] = [];
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  out.push(...parseOneLineSources(read(join(etcApt, 'sources.list'))));
  let names: string[] = [];
  try {
    names = readdirSync(join(etcApt, 'sources.list.d')).sort();
  } catch {
    names = [];
  }
  for (const name of names) {
    const p = join(etcApt, 'sources.list.d', name);
    if (name.endsWith('.list')) out.push(...parseOneLineSources(read(p)));
    if (name.endsWith('.sources')) out.push(...parseDeb822Sources(read(p)));
  }
  return out;
}

/** --mirror, else $LAB_DEBIAN_MIRROR, else the host's apt sources. */
export function resolveMirror(option?: string, etcApt = '/etc/apt'): string {
  const given = option ?? process.env.LAB_DEBIAN_MIRROR;
  if (given) {
    if (!/^(https?|file):\/\//.test(given)) throw new RunError(t('vm.badMirror', { mirror: given }));
    return given.replace(/\/+$/, '');
  }
  const found = pickDebianMirror(readHostSources(etcApt));
  if (!found) throw new RunError(t('vm.noMirror', { dir: etcApt }));
  return found;
}
