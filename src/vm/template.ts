// Templates: a new instance's VMs start from the pristine machine state of an earlier first boot of the same VM (same
// image, qemu, memory, CPUs, NICs and host name) instead of booting, then take the instance's own SSH keys.
//
// A first boot under software emulation costs a minute or more of CPU per VM, and most of it is the same every time:
// the kernel, udev, systemd, NetworkManager and firewalld coming up on the same image. So the first cold boot of a VM
// layout leaves a copy of its disk (which holds the pristine snapshot: RAM, devices, disk) in the cache, and every later
// instance of that layout copies it and resumes it with -loadvm. What the guest sees of its identity (NIC MACs, machine
// id, host name) stays the template's: the instance records the template's origin, and its plans and inventory use it.
// The lab segments are the instance's own (they live on the host side of qemu). The SSH keys are made the instance's own
// over the template's login before anything else uses the VM, and the instance's pristine snapshot is saved after that.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { MachineFingerprint } from './fingerprint.js';
import { writeKnownHosts } from './keys.js';
import { templatesRoot, vmFiles } from './paths.js';
import type { VmPlan } from './qemu-args.js';
import { withQmp } from './qmp.js';
import { sshRun, type SshTarget } from './ssh.js';
import { waitForSsh } from './wait-ssh.js';

/** Bump when what a template holds, or how it is used, changes: older templates are then ignored. */
const FORMAT = 1;

/** `LAB_VM_TEMPLATES=0` turns templates off: every new instance boots, and none is saved. */
export function templatesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LAB_VM_TEMPLATES !== '0';
}

/**
 * What a template must match to stand in for a first boot: the machine (qemu, machine type, CPU model), the base
 * image and kernel, and what the guest saw of its VM (host name, memory, CPUs, accelerator, address maps, its NICs and
 * the networks they are for, the fw_cfg names). Not the instance: not its ports, segments, MACs or keys.
 */
export function templateKey(plan: VmPlan, base: string, fingerprint: MachineFingerprint): string {
  const key = {
    format: FORMAT,
    fingerprint,
    base,
    kernel: plan.kernel,
    initrd: plan.initrd,
    name: plan.name,
    memory: plan.memory,
    cpus: plan.cpus,
    accel: plan.accel,
    aslr: plan.aslr,
    networks: plan.nics.map((n) => n.network),
    fwCfg: Object.keys(plan.fwCfg).sort(),
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 20);
}

export interface TemplateMeta {
  format: number;
  key: string;
  host: string;
  /** The instance whose first boot made it: the MACs and machine id of every VM started from it derive from this name. */
  origin: string;
  lab: string;
  savedAt: string;
}

export interface Template {
  dir: string;
  meta: TemplateMeta;
  /** The qcow2 overlay holding the pristine snapshot. */
  disk: string;
  /** The origin's client key, which the guest in the template accepts. */
  clientKey: string;
  /** The origin's host key (public half), which the guest in the template presents. */
  hostKeyPub: string;
}

function filesOf(dir: string) {
  return { disk: join(dir, 'disk.qcow2'), clientKey: join(dir, 'id_ed25519'), hostKeyPub: join(dir, 'ssh_host_ed25519_key.pub'), meta: join(dir, 'meta.json') };
}

/** The template for `key`, when one is complete in the cache. */
export function findTemplate(key: string): Template | undefined {
  const dir = join(templatesRoot(), key);
  const f = filesOf(dir);
  if (!existsSync(f.meta)) return undefined;
  let meta: TemplateMeta;
  try {
    meta = JSON.parse(readFileSync(f.meta, 'utf8')) as TemplateMeta;
  } catch {
    return undefined;
  }
  if (meta.format !== FORMAT || meta.key !== key || !existsSync(f.disk) || !existsSync(f.clientKey) || !existsSync(f.hostKeyPub)) return undefined;
  return { dir, meta, disk: f.disk, clientKey: f.clientKey, hostKeyPub: f.hostKeyPub };
}

export interface SaveInput {
  instance: string;
  lab: string;
  host: string;
  key: string;
  /** The instance's client key pair (private key path; `.pub` beside it). */
  clientKey: string;
  /** The identity the VM runs with (its own instance, or its template's origin). */
  origin: string;
}

/**
 * Copy a running VM's disk (which holds its pristine snapshot) into the cache as the template for `key`, unless one is
 * there. The VM is paused while its disk is copied (qemu flushes its caches on stop), so the copy is consistent; then it
 * runs on. Written to a temporary folder and renamed, so a reader never sees half a template and two savers do not mix.
 * Resolves true when this call saved it.
 */
export async function saveTemplate(input: SaveInput): Promise<boolean> {
  if (findTemplate(input.key)) return false;
  const vm = vmFiles(input.instance, input.host);
  if (!existsSync(vm.qmp)) return false;
  const root = templatesRoot();
  await mkdir(root, { recursive: true, mode: 0o700 });
  const final = join(root, input.key);
  const tmp = join(root, `.${input.key}.${process.pid}.${Date.now()}`);
  await mkdir(tmp, { mode: 0o700 });
  const f = filesOf(tmp);
  try {
    await withQmp(vm.qmp, async (q) => {
      await q.execute('stop');
      try {
        await copyFile(vm.disk, f.disk);
      } finally {
        await q.execute('cont');
      }
    });
    await copyFile(input.clientKey, f.clientKey);
    await chmod(f.clientKey, 0o600);
    await copyFile(`${vm.hostKey}.pub`, f.hostKeyPub);
    const meta: TemplateMeta = { format: FORMAT, key: input.key, host: input.host, origin: input.origin, lab: input.lab, savedAt: new Date().toISOString() };
    await writeFile(f.meta, `${JSON.stringify(meta, null, 2)}\n`);
    await rename(tmp, final);
    return true;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (findTemplate(input.key)) return false;
    throw e;
  }
}

/**
 * Put the instance's keys in a guest resumed from a template, over the template's login: its authorized key and its
 * host key pair (from stdin, never on a command line), then sshd reloads (sessions open now keep running). The
 * private key is written with umask 077 before anything is moved into place.
 */
export const TAKE_KEYS = [
  'set -eu',
  'umask 077',
  'IFS= read -r ak',
  'IFS= read -r pub',
  'cat > /etc/ssh/ssh_host_ed25519_key.lab-new',
  'printf \'%s\\n\' "$ak" > /root/.ssh/authorized_keys.lab-new',
  'umask 022',
  'printf \'%s\\n\' "$pub" > /etc/ssh/ssh_host_ed25519_key.pub.lab-new',
  'mv -f /etc/ssh/ssh_host_ed25519_key.lab-new /etc/ssh/ssh_host_ed25519_key',
  'mv -f /etc/ssh/ssh_host_ed25519_key.pub.lab-new /etc/ssh/ssh_host_ed25519_key.pub',
  'mv -f /root/.ssh/authorized_keys.lab-new /root/.ssh/authorized_keys',
  'systemctl reload ssh',
].join('\n');

/** The stdin of TAKE_KEYS: the authorized key line, the host's public key line, then its private key. */
export function takeKeysInput(authorizedKey: string, hostPub: string, hostPrivate: string): string {
  const line = (s: string, what: string) => {
    const one = s.trim();
    if (one === '' || one.includes('\n')) throw new RunError(t('vm.notOneLine', { what }));
    return one;
  };
  return `${line(authorizedKey, t('vm.theInstanceKey'))}\n${line(hostPub, t('vm.theHostKey'))}\n${hostPrivate.endsWith('\n') ? hostPrivate : `${hostPrivate}\n`}`;
}

export interface AdoptInput {
  host: string;
  port: number;
  template: Template;
  /** The instance's client key (private key path; `.pub` beside it). */
  clientKey: string;
  /** The VM's own host key (private key path; `.pub` beside it). */
  hostKey: string;
  pidFile: string;
  consoleLog: string;
  timeoutSec: number;
}

/**
 * A VM just resumed from a template: wait for its SSH with the template's keys (the login sets its clock), then give it
 * the instance's keys. A throw names the host and the step.
 */
export async function adoptKeys(input: AdoptInput, folder: string): Promise<void> {
  const knownHosts = join(folder, 'known_hosts.template');
  writeKnownHosts(knownHosts, [{ port: input.port, publicKeyFile: input.template.hostKeyPub }]);
  try {
    const target: SshTarget & { name: string; pidFile: string; consoleLog: string } = {
      name: input.host,
      port: input.port,
      identityFile: input.template.clientKey,
      knownHosts,
      pidFile: input.pidFile,
      consoleLog: input.consoleLog,
    };
    await waitForSsh(target, input.timeoutSec, Date.now(), true);
    const stdin = takeKeysInput(readFileSync(`${input.clientKey}.pub`, 'utf8'), readFileSync(`${input.hostKey}.pub`, 'utf8'), readFileSync(input.hostKey, 'utf8'));
    const r = await sshRun(target, TAKE_KEYS, 60_000, stdin);
    if (r.code !== 0) throw new RunError(t('vm.keysFailed', { host: input.host, why: r.stderr.trim().split('\n').at(-1) ?? `ssh exit ${r.code}` }));
  } finally {
    await rm(knownHosts, { force: true });
  }
}
