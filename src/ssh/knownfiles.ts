// Which known_hosts files a host is checked against, as OpenSSH would: the inventory's own file when it names one
// (as UserKnownHostsFile; the global files are then OpenSSH's defaults), else what the user's ssh config says for
// that host, asked of `ssh -G` (it resolves Host and Match blocks exactly as ssh will), once per host and run.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { RunError } from '../errors.js';
import type { HostTarget } from '../inventory/types.js';

export interface KnownHostsFiles {
  /** UserKnownHostsFile: read first; a new key is recorded in the first. */
  user: string[];
  /** GlobalKnownHostsFile: read after the user files, never written. */
  global: string[];
  /** HostKeyAlias from the ssh config: the name keys are looked up under instead of the address and port. */
  alias?: string;
  /** HashKnownHosts from the ssh config: a recorded key's name is hashed. */
  hash?: boolean;
}

export const DEFAULT_GLOBAL = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

export function defaultUser(home = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')];
}

/** All files, in the order ssh reads them. */
export function allFiles(f: KnownHostsFiles): string[] {
  return [...f.user, ...f.global];
}

/** The known_hosts settings in `ssh -G` output (`none` means no file). */
export function parseSshG(text: string): KnownHostsFiles {
  const out: KnownHostsFiles = { user: defaultUser(), global: [...DEFAULT_GLOBAL] };
  for (const line of text.split('\n')) {
    const [key, ...vals] = line.trim().split(/\s+/);
    const files = vals.length === 1 && vals[0] === 'none' ? [] : vals;
    if (key === 'userknownhostsfile') out.user = files;
    else if (key === 'globalknownhostsfile') out.global = files;
    else if (key === 'hostkeyalias' && vals[0]) out.alias = vals[0];
    else if (key === 'hashknownhosts') out.hash = vals[0] === 'yes';
  }
  return out;
}

const cache = new Map<string, Promise<KnownHostsFiles>>();

/**
 * The files for `target`. `sshConfig` replaces ~/.ssh/config (ssh -F; tests use it). An explicit known_hosts
 * file costs no subprocess; asking ssh costs one per host and run, and a missing ssh means OpenSSH's defaults.
 */
export function knownHostsFiles(target: HostTarget, opts: { sshConfig?: string } = {}): Promise<KnownHostsFiles> {
  if (target.knownHosts !== undefined) return Promise.resolve({ user: [resolve(target.knownHosts)], global: [...DEFAULT_GLOBAL] });
  const key = JSON.stringify([target.address, target.port, target.user, opts.sshConfig ?? null]);
  let got = cache.get(key);
  if (!got) {
    got = askSsh(target, opts.sshConfig);
    cache.set(key, got);
    got.catch(() => cache.delete(key));
  }
  return got;
}

async function askSsh(target: HostTarget, sshConfig: string | undefined): Promise<KnownHostsFiles> {
  const args = [...(sshConfig ? ['-F', sshConfig] : []), '-G', '-p', String(target.port), '-l', target.user, '--', target.address];
  const r = await execa('ssh', args, { reject: false, stdin: 'ignore', timeout: 10_000 });
  if ((r as { code?: string }).code === 'ENOENT') return { user: defaultUser(), global: [...DEFAULT_GLOBAL] };
  if (r.exitCode !== 0) {
    const why = String(r.stderr ?? '').split('\n').find((l) => l.trim() && !l.startsWith('Pseudo-terminal')) ?? `exit ${r.exitCode}`;
    throw new RunError(`cannot tell which known_hosts files apply: \`ssh -G ${target.address}\` failed: ${why.trim()}; fix the ssh config, or give known_hosts: in the inventory`, target.name);
  }
  return parseSshG(String(r.stdout));
}
