// The value a sysctl gets at boot: systemd-sysctl's order over the sysctl.d folders, last assignment wins.
import type { SysctlFileEntry } from './probe.js';

/** Highest precedence first: a file name here hides the same name in later folders. */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

export interface Persisted {
  /** The value applied at boot, undefined when no file read at boot sets the key. */
  value?: string;
  /** The file and line that set it last. */
  file?: string;
  line?: string;
  /** Files read at boot, in order, that set the key: path → value. */
  setters: { file: string; value: string }[];
  /** /etc/sysctl.conf sets the key, but no sysctl.d link makes systemd read it. */
  unreadSysctlConf?: string;
}

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` are the same key. */
export function normalizeKey(key: string): string {
  const k = key.trim().replace(/^-/, '');
  const slash = k.indexOf('/');
  const dot = k.indexOf('.');
  return slash >= 0 && (dot < 0 || slash < dot) ? k.replace(/\//g, '.') : k;
}

/** `key = value` (also without spaces); comments start with # or ;. */
export function parseAssignment(line: string): { key: string; value: string } | undefined {
  const t = line.trim();
  if (t === '' || t.startsWith('#') || t.startsWith(';')) return undefined;
  const i = t.indexOf('=');
  if (i < 0) return undefined;
  return { key: normalizeKey(t.slice(0, i)), value: t.slice(i + 1).trim() };
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The files systemd-sysctl reads, in the order it applies them. */
export function bootOrder(entries: SysctlFileEntry[]): SysctlFileEntry[] {
  const chosen = new Map<string, { entry: SysctlFileEntry; rank: number }>();
  for (const e of entries) {
    const rank = SYSCTL_DIRS.indexOf(dirOf(e.path));
    if (rank < 0 || !e.path.endsWith('.conf')) continue;
    const name = baseOf(e.path);
    const cur = chosen.get(name);
    if (!cur || rank < cur.rank) chosen.set(name, { entry: e, rank });
  }
  return [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v.entry);
}

export function persistedValue(entries: SysctlFileEntry[], key: string): Persisted {
  const want = normalizeKey(key);
  const order = bootOrder(entries);
  const result: Persisted = { setters: [] };
  for (const e of order) {
    for (const line of e.lines) {
      const a = parseAssignment(line);
      if (!a || a.key !== want) continue;
      result.value = a.value;
      result.file = e.path === e.real ? e.path : `${e.path} (→ ${e.real})`;
      result.line = line.trim();
      result.setters.push({ file: e.path, value: a.value });
    }
  }
  const conf = entries.find((e) => e.path === '/etc/sysctl.conf');
  if (conf && !order.some((e) => e.real === '/etc/sysctl.conf')) {
    const a = conf.lines.map(parseAssignment).filter((x) => x?.key === want).pop();
    if (a) result.unreadSysctlConf = a.value;
  }
  return result;
}
