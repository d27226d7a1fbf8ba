// Check a way of reaching hosts (an inventory file, a roster's student) against the lab before any host is contacted:
// exactly the lab's hosts, interface hints only for networks the host is on, and key and known_hosts paths usable.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Lab } from '../spec/schema.js';
import type { HostTarget } from './types.js';

/** Turns a path into the file:line:col of that place in the file being checked (atKey: point at the key itself). */
export type Locate = (path: readonly PropertyKey[], atKey?: boolean) => string;

const list = (xs: string[]) => xs.join(', ') || t('inventory.none');

/**
 * Problems of `hosts` (host name → its entry) against the lab, each `file:line:col: dotted.path: what is wrong`.
 * `prefix` is where `hosts` sits in the file (`[]` for an inventory, `['students', NAME]` for a roster).
 */
export function hostsAgainstLab(lab: Lab, hosts: Record<string, { interfaces?: Record<string, unknown> }>, locate: Locate, prefix: string[] = []): string[] {
  const problems: string[] = [];
  const at = (path: string[], atKey = true) => `${locate([...prefix, ...path], atKey)}: ${[...prefix, ...path].join('.')}`;
  const wanted = Object.keys(lab.hosts);
  const networks = Object.keys(lab.networks);
  for (const [host, entry] of Object.entries(hosts)) {
    const spec = lab.hosts[host];
    if (!spec) {
      problems.push(`${at(['hosts', host])}: ${t('inventory.noHost', { lab: lab.name, host, hosts: list(wanted) })}`);
      continue;
    }
    const on = Object.keys(spec.interfaces);
    for (const net of Object.keys(entry.interfaces ?? {})) {
      if (!networks.includes(net)) problems.push(`${at(['hosts', host, 'interfaces', net])}: ${t('inventory.noNetwork', { lab: lab.name, network: net, networks: list(networks) })}`);
      else if (!on.includes(net)) problems.push(`${at(['hosts', host, 'interfaces', net])}: ${t('inventory.notOnNetwork', { host, network: net, lab: lab.name, networks: list(on) })}`);
    }
  }
  const missing = wanted.filter((h) => !hosts[h]);
  if (missing.length > 0) problems.push(`${at(['hosts'], true)}: ${t('inventory.missingHosts', { count: missing.length, hosts: list(missing), lab: lab.name, wanted: list(wanted) })}`);
  return problems;
}

/** What is wrong with a file lab must read (a private key), or undefined when it is a readable regular file. */
function unreadableFile(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return t('inventory.isFolder');
    if (!st.isFile()) return t('inventory.notRegularFile');
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? t('inventory.doesNotExist') : code === 'EACCES' ? t('inventory.permissionDenied') : t('inventory.cannotBeRead', { code: code ?? String(e) });
  }
}

/** known_hosts may not exist yet (it is created when a key is recorded), but must not be a folder or unreadable. */
function unusableKnownHosts(path: string): string | undefined {
  try {
    statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return t('inventory.cannotBeRead', { code: String((e as NodeJS.ErrnoException).code) });
    try {
      if (!statSync(dirname(path)).isDirectory()) return t('inventory.cannotBeCreated', { dir: dirname(path) });
    } catch {
      // A missing folder is created when the first key is recorded.
    }
    return undefined;
  }
  return unreadableFile(path);
}

/** Problems with the files a host's target names: `field: PATH what is wrong`, without a position (callers add it). */
export function targetFileProblems(target: HostTarget): { field: 'identity_file' | 'known_hosts'; message: string }[] {
  const out: { field: 'identity_file' | 'known_hosts'; message: string }[] = [];
  if (target.identityFile !== undefined) {
    const bad = unreadableFile(target.identityFile);
    if (bad) out.push({ field: 'identity_file', message: t('inventory.badIdentityFile', { file: target.identityFile, problem: bad }) });
  }
  if (target.knownHosts !== undefined) {
    const bad = unusableKnownHosts(target.knownHosts);
    if (bad) out.push({ field: 'known_hosts', message: t('inventory.badKnownHosts', { file: target.knownHosts, problem: bad }) });
  }
  return out;
}

/** --hosts a,b: the names, each a host of the lab, or a usage error naming the unknown ones. */
export function pickHosts(lab: Lab, option: string | undefined): string[] | undefined {
  if (option === undefined) return undefined;
  const names = option.split(',').map((h) => h.trim()).filter(Boolean);
  const known = Object.keys(lab.hosts);
  if (names.length === 0) throw new UsageError(t('inventory.hostsEmpty', { lab: lab.name, hosts: list(known) }));
  const unknown = names.filter((h) => !known.includes(h));
  if (unknown.length > 0) throw new UsageError(t('inventory.hostsUnknown', { lab: lab.name, unknown: unknown.join(', '), hosts: list(known) }));
  return [...new Set(names)];
}
