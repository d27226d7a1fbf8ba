// Hosts from Vagrant: the machines vagrant/ created for a lab, reached the way `vagrant ssh-config` says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import { RunError, UsageError } from '../errors.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import type { LoadedLab } from '../spec/load.js';
import { PACKAGE_ROOT } from '../spec/load.js';
import { nicHints } from '../vm/identity.js';
import { parseSshConfig } from './sshconfig.js';

/** $LAB_VAGRANT_DIR, else ./vagrant when it has a Vagrantfile, else the vagrant/ folder shipped with lab. */
export function vagrantDir(): string {
  if (process.env.LAB_VAGRANT_DIR) return resolve(process.env.LAB_VAGRANT_DIR);
  const local = resolve('vagrant');
  if (existsSync(join(local, 'Vagrantfile'))) return local;
  return join(PACKAGE_ROOT, 'vagrant');
}

/** Vagrant keeps machine state in $VAGRANT_DOTFILE_PATH (relative to the Vagrantfile's folder), else .vagrant there. */
export function dotfileDir(dir: string): string {
  const p = process.env.VAGRANT_DOTFILE_PATH;
  if (!p) return join(dir, '.vagrant');
  return isAbsolute(p) ? p : resolve(dir, p);
}

export interface CreatedMachine {
  provider: string;
  /** The provider's id of the machine (libvirt domain UUID, VirtualBox VM UUID); changes when it is re-created. */
  id: string;
  dir: string;
}

/** The machines of this Vagrant folder that exist (have an id), by name. */
export function createdMachines(dir: string): Map<string, CreatedMachine> {
  const found = new Map<string, CreatedMachine>();
  const root = join(dotfileDir(dir), 'machines');
  if (!existsSync(root)) return found;
  for (const name of readdirSync(root)) {
    for (const provider of readdirSync(join(root, name))) {
      const mdir = join(root, name, provider);
      const idFile = join(mdir, 'id');
      if (!existsSync(idFile)) continue;
      const id = readFileSync(idFile, 'utf8').trim();
      if (id) found.set(name, { provider, id, dir: mdir });
    }
  }
  return found;
}

/** True when the Vagrant folder has a created machine for every host of the lab. */
export function vagrantHasLab(loaded: LoadedLab, dir = vagrantDir()): boolean {
  const made = createdMachines(dir);
  return Object.keys(loaded.lab.hosts).every((h) => made.has(h));
}

/** The environment the project's Vagrantfile reads: which lab, and the instance its MACs derive from. */
export function vagrantEnv(loaded: LoadedLab, instance: string): Record<string, string> {
  // Absolute: the Vagrantfile resolves a relative LAB against its own folder.
  return { LAB: resolve(loaded.file), LAB_INSTANCE: instance };
}

/** Only the interesting lines of Vagrant's error output (it prints banners and blank lines). */
function vagrantError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(==>|Bringing|\^)/.test(l));
  return lines.slice(0, 3).join(' ') || 'no message';
}

/**
 * The inventory of a lab's Vagrant machines. Vagrant turns host key checking off (StrictHostKeyChecking no);
 * lab instead records each machine's key on first contact in a known_hosts file named after the machine's id,
 * so a re-created machine starts a new file while a changed key on the same machine is still refused.
 */
export async function vagrantInventory(loaded: LoadedLab, opts: { instance?: string; dir?: string } = {}): Promise<Inventory> {
  const dir = opts.dir ?? vagrantDir();
  const instance = opts.instance ?? loaded.lab.name;
  if (!existsSync(join(dir, 'Vagrantfile'))) throw new UsageError(`no Vagrantfile in ${dir}: set LAB_VAGRANT_DIR to the folder you ran \`vagrant up\` in`);
  const made = createdMachines(dir);
  const hosts = Object.keys(loaded.lab.hosts);
  const missing = hosts.filter((h) => !made.has(h));
  if (missing.length > 0)
    throw new RunError(`Vagrant in ${dir} has no machine for ${missing.join(', ')}: bring them up with \`cd ${dir} && LAB=${resolve(loaded.file)} vagrant up\``);
  let out;
  try {
    out = await execa('vagrant', ['ssh-config', ...hosts], {
      cwd: dir,
      env: { ...vagrantEnv(loaded, instance), VAGRANT_NO_COLOR: '1' },
      reject: false,
      stdin: 'ignore',
      timeout: 180_000,
    });
  } catch (e) {
    throw new RunError(`cannot run vagrant: ${(e as Error).message}`);
  }
  if (out.exitCode === undefined && (out as { code?: string }).code === 'ENOENT')
    throw new UsageError('vagrant is not installed: install it (Debian: apt-get install vagrant vagrant-libvirt) or give --inventory FILE');
  if (out.exitCode !== 0) throw new RunError(`vagrant ssh-config in ${dir} failed: ${vagrantError(out.stderr)}; check the machines with \`vagrant status\` there`);
  const entries = parseSshConfig(out.stdout, `vagrant ssh-config in ${dir}`);
  const targets: Record<string, HostTarget> = {};
  for (const name of hosts) {
    const e = entries.find((x) => x.host === name);
    const m = made.get(name)!;
    if (!e) throw new RunError(`vagrant ssh-config in ${dir} printed nothing for ${name}; check it with \`vagrant status ${name}\``);
    if (e.proxyCommand)
      throw new RunError(`Vagrant reaches ${name} through a ProxyCommand (${e.proxyCommand}); lab connects directly, so run it where the machines' addresses are reachable`);
    const identityFile = e.identityFiles.find((f) => existsSync(f)) ?? e.identityFiles[0];
    const spec = loaded.lab.hosts[name]!;
    targets[name] = {
      name,
      address: e.hostName,
      port: e.port,
      user: e.user,
      ...(identityFile ? { identityFile } : { agent: true }),
      knownHosts: join(m.dir, `lab_known_hosts.${m.id.replace(/[^A-Za-z0-9._-]/g, '_')}`),
      recordNewKeys: true,
      ...nicHints(instance, name, Object.keys(spec.interfaces)),
    };
  }
  return { lab: loaded.lab.name, source: 'vagrant', hosts: targets };
}
