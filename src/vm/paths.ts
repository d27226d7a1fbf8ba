// Where things live: the image cache (XDG) and each lab instance's state folder (.lab/INSTANCE).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';

/** $XDG_CACHE_HOME/lab/images, else ~/.cache/lab/images. */
export function imagesRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return resolve(base, 'lab', 'images');
}

/** $XDG_CACHE_HOME/lab/templates, else ~/.cache/lab/templates: the pristine VMs new instances start from. */
export function templatesRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return resolve(base, 'lab', 'templates');
}

/** $LAB_HOME, else ./.lab of the current folder. */
export function labHome(): string {
  return resolve(process.env.LAB_HOME || '.lab');
}

const INSTANCE_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function checkInstanceName(name: string): string {
  if (!INSTANCE_RE.test(name)) {
    throw new UsageError(t('vm.badInstanceName', { name }));
  }
  return name;
}

export function instanceDir(instance: string): string {
  return join(labHome(), checkInstanceName(instance));
}

/** The files of one lab instance. */
export function instanceFiles(instance: string) {
  const dir = instanceDir(instance);
  return {
    dir,
    state: join(dir, 'state.json'),
    inventory: join(dir, 'inventory.yaml'),
    key: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    lock: join(dir, '.lock'),
  };
}

/** The files of one VM of a lab instance. */
export function vmFiles(instance: string, host: string) {
  const dir = join(instanceDir(instance), 'vms', host);
  return {
    dir,
    disk: join(dir, 'disk.qcow2'),
    pid: join(dir, 'qemu.pid'),
    console: join(dir, 'console.log'),
    qmp: join(dir, 'qmp.sock'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
  };
}

/** Where `lab vm up` writes the inventory of an instance. */
export function defaultInventoryPath(instance: string): string {
  return instanceFiles(instance).inventory;
}
