// OS families as data: package and service names, paths, package manager, what exists. Modules never branch on OS names.
import { argv } from '../ssh/quote.js';

export interface OsFamily {
  family: 'rhel' | 'debian';
  /** Pretty name from os-release, for messages. */
  pretty: string;
  /** Logical package name (the course's, e.g. httpd) → this OS's package. */
  packages: Record<string, string>;
  /** Logical service name → this OS's unit. */
  services: Record<string, string>;
  docroot: string;
  /** Logical service → the config file whose top-level `Listen` lines set its ports (Apache's syntax). */
  listenConfig: Record<string, string>;
  install(pkgs: string[]): string;
  /** Where the saved ipvs table lives and how it is loaded at boot. */
  ipvs: { rulesFile: string; bootService: string; defaultsFile?: string };
}

function aptInstall(pkgs: string[]): string {
  // Another apt or dpkg may be running (unattended-upgrades, or a run that Ctrl-C cut off during its install): wait for
  // its lock, as yum and dnf do, instead of failing at once.
  const install = `DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q ${argv(pkgs)}`;
  // Stale or missing package lists are the usual first-run failure; refresh once and retry.
  return `${install} || { apt-get -o DPkg::Lock::Timeout=300 update -q && ${install}; }`;
}

const debian = (pretty: string): OsFamily => ({
  family: 'debian',
  pretty,
  packages: { httpd: 'apache2', ipvsadm: 'ipvsadm', curl: 'curl', tcpdump: 'tcpdump' },
  services: { httpd: 'apache2', ipvsadm: 'ipvsadm', firewalld: 'firewalld' },
  docroot: '/var/www/html',
  listenConfig: { httpd: '/etc/apache2/ports.conf' },
  install: aptInstall,
  ipvs: { rulesFile: '/etc/ipvsadm.rules', bootService: 'ipvsadm', defaultsFile: '/etc/default/ipvsadm' },
});

const rhel = (pretty: string, manager: 'yum' | 'dnf'): OsFamily => ({
  family: 'rhel',
  pretty,
  packages: { httpd: 'httpd', ipvsadm: 'ipvsadm', curl: 'curl', tcpdump: 'tcpdump' },
  services: { httpd: 'httpd', ipvsadm: 'ipvsadm', firewalld: 'firewalld' },
  docroot: '/var/www/html',
  listenConfig: { httpd: '/etc/httpd/conf/httpd.conf' },
  install: (pkgs) => `${manager} -y install ${argv(pkgs)}`,
  ipvs: { rulesFile: '/etc/sysconfig/ipvsadm', bootService: 'ipvsadm' },
});

/** Parse /etc/os-release (KEY=value, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

/** Detect the family from os-release; undefined when it is not one we support. */
export function detectOs(osRelease: string): OsFamily | undefined {
  const r = parseOsRelease(osRelease);
  const ids = [r.ID ?? '', ...(r.ID_LIKE ?? '').split(/\s+/)].filter(Boolean);
  const pretty = r.PRETTY_NAME ?? r.ID ?? 'unknown';
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return debian(pretty);
  if (ids.some((i) => ['rhel', 'centos', 'fedora', 'rocky', 'almalinux'].includes(i))) {
    const major = Number((r.VERSION_ID ?? '0').split('.')[0]);
    return rhel(pretty, r.ID !== 'fedora' && major > 0 && major < 8 ? 'yum' : 'dnf');
  }
  return undefined;
}

/** The logical names every fact query asks about, across families. */
export function allNames(kind: 'packages' | 'services' | 'listenConfig', logical: string[]): string[] {
  const fams = [debian(''), rhel('', 'dnf')];
  return [...new Set(logical.flatMap((l) => fams.flatMap((f) => (kind === 'listenConfig' ? (f.listenConfig[l] !== undefined ? [f.listenConfig[l]!] : []) : [f[kind][l] ?? l]))))];
}
