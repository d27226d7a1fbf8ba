// `lab vm up`: make sure the image exists, boot (or resume from `lab vm down`'s snapshot) every host of the lab that is not running, wait for SSH.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Inventory } from '../inventory/types.js';
import { chooseAccel, type AccelChoice } from './accel.js';
import { createOverlay, startVm } from './boot.js';
import { currentImage, ensureImage, imageReady } from './image/build.js';
import type { ImageInfo } from './image/info.js';
import { labContext, type InstanceContext, type InstanceOptions } from './instance.js';
import { readInventoryFile, vmInventory, writeInventoryFile } from './inventory.js';
import { ensureClientKey, ensureHostKey, writeKnownHosts } from './keys.js';
import { withLock } from './lock.js';
import { resolveMirror } from './mirror.js';
import { templatesRoot, vmFiles } from './paths.js';
import { planVm } from './plan.js';
import { pickPort } from './ports.js';
import { runningPid } from './proc.js';
import { createProgress, type Progress, type ProgressSink } from './progress.js';
import { layoutDigest, machineFingerprint } from './fingerprint.js';
import { PRISTINE, forgetSnapshots, latestSnapshot, readSnapshots, type SnapshotRecord } from './snapshots.js';
import { planRestore, saveLocked, waitSettled } from './snapshot.js';
import { readState, writeState, type HostState, type InstanceState } from './state.js';
import { stopVm } from './stop.js';
import { adoptKeys, findTemplate, saveTemplate, templateKey, templatesEnabled, type Template } from './template.js';
import { stopAll } from './vms.js';
import { requirePrograms } from './tools.js';
import { waitForSsh } from './wait-ssh.js';

export const DEFAULT_SSH_TIMEOUT_SEC = 300;

export interface UpOptions extends InstanceOptions {
  /** Debian mirror for an image build; default $LAB_DEBIAN_MIRROR, else the host's apt sources. */
  mirror?: string;
  accel?: AccelChoice;
  /** MiB for every VM started now, instead of the spec's `memory` or 512. */
  memory?: number;
  /** Keep the guests' address-space randomization under tcg too (default: only under kvm). */
  aslr?: boolean;
  /** Bound for each VM to answer SSH, in seconds (default 300). */
  sshTimeoutSec?: number;
  /** Progress lines; default stderr. */
  progress?: ProgressSink;
  /** Boot the kept disks even when the instance has a snapshot to resume from. */
  boot?: boolean;
}

export interface UpResult {
  instance: string;
  lab: string;
  inventoryPath: string;
  inventory: Inventory;
  /** Every VM was already running: nothing was changed. */
  alreadyRunning: boolean;
  /** Hosts booted now → seconds from start to a successful SSH login. */
  booted: Record<string, number>;
  /** The snapshot the VMs were resumed from, when they were not booted. */
  restored?: string;
  seconds: number;
}

export async function vmUp(labArg: string, opts: UpOptions = {}): Promise<UpResult> {
  const ctx = await labContext(labArg, opts);
  await mkdir(ctx.files.dir, { recursive: true });
  return withLock(ctx.files.lock, { waitMs: 15 * 60_000, what: t('vm.instanceLock', { instance: ctx.instance }) }, () => upLocked(ctx, opts, undefined));
}

/**
 * The body of up, also used by reset with a fresh image (new disks); the caller holds the instance lock. Every VM
 * stopped and a snapshot recorded: resume from the newest (unless `boot`). A first boot of new disks ends with the
 * pristine snapshot that `lab vm reset` restores.
 */
export async function upLocked(ctx: InstanceContext, opts: UpOptions, fresh: ImageInfo | undefined, progressIn?: Progress): Promise<UpResult> {
  const progress = progressIn ?? createProgress(opts.progress);
  requirePrograms(['qemu-system-x86_64', 'qemu-img', 'ssh', 'ssh-keygen'], 'lab vm');
  const hosts = Object.keys(ctx.lab.hosts);
  const stopped = hosts.filter((h) => runningPid(vmFiles(ctx.instance, h).pid) === undefined);
  const state = readState(ctx.instance);
  if (stopped.length === 0 && state && existsSync(ctx.files.inventory)) {
    const inventory = readInventoryFile(ctx.files.inventory);
    return { instance: ctx.instance, lab: ctx.lab.name, inventoryPath: ctx.files.inventory, inventory, alreadyRunning: true, booted: {}, seconds: progress.elapsed() };
  }
  const newDisks = fresh !== undefined || hosts.every((h) => !existsSync(vmFiles(ctx.instance, h).disk));
  if (!newDisks && !opts.boot && state && stopped.length === hosts.length) {
    const resumed = await resumeSuspended(ctx, state, opts, progress);
    if (resumed) return resumed;
  }
  if (newDisks) forgetSnapshots(ctx.instance);
  const image = fresh ?? (await imageFor(ctx, state, opts, progress));
  const accel = await chooseAccel(opts.accel ?? 'auto', image.kernel, progress);
  await ensureKeys(ctx, hosts);
  const timeoutSec = opts.sshTimeoutSec ?? DEFAULT_SSH_TIMEOUT_SEC;
  // New disks of a first up (not a cold reset, not --boot): VMs whose layout has a template resume it instead of booting.
  const fromTemplates = newDisks && !fresh && !opts.boot && templatesEnabled() ? await startFromTemplates(ctx, image, accel, opts, timeoutSec, progress) : {};
  const started = await startStopped(ctx, stopped, state, image, accel, opts, progress, fromTemplates);
  const newState: InstanceState = { instance: ctx.instance, lab: ctx.lab.name, specFile: ctx.specFile, image, accel, hosts: started };
  const ports = portsOf(started);
  await writeState(newState);
  writeKnownHosts(ctx.files.knownHosts, hosts.map((h) => ({ port: ports[h]!, publicKeyFile: `${vmFiles(ctx.instance, h).hostKey}.pub` })));
  const inventory = vmInventory(ctx.lab, ctx.instance, ports, identitiesOf(started));
  writeInventoryFile(ctx.files.inventory, inventory);
  const booted = await waitAll(ctx, stopped, ports, timeoutSec, progress);
  progress.step(t('vm.allAnswer', { n: hosts.length, instance: ctx.instance, inventory: ctx.files.inventory }));
  if (newDisks) {
    await savePristine(ctx, newState, timeoutSec, progress);
    const cold = stopped.filter((h) => !fromTemplates[h]);
    if (templatesEnabled() && cold.length > 0) await saveTemplates(ctx, newState, cold, progress, opts.aslr);
  } else {
    // Kept disks booted: sshd answers before NetworkManager, firewalld and the lab's services are up. Ready means the
    // boot is done, so a `lab verify` right after judges the lab, not a guest still starting.
    await settle(ctx, newState, stopped, timeoutSec, progress);
  }
  return { instance: ctx.instance, lab: ctx.lab.name, inventoryPath: ctx.files.inventory, inventory, alreadyRunning: false, booted, seconds: progress.elapsed() };
}

/**
 * A warm up: resume the snapshot `lab vm down` saved right before it stopped the VMs. Without one (stopped with
 * --force, or by a crash) the disks may have moved on since the newest snapshot, so they are booted, not thrown back.
 */
async function resumeSuspended(ctx: InstanceContext, state: InstanceState, opts: UpOptions, progress: Progress): Promise<UpResult | undefined> {
  const rec = state.suspended ? readSnapshots(ctx.instance).find((s) => s.name === state.suspended) : undefined;
  if (rec) return restoreLocked(ctx, rec, opts, progress);
  const latest = latestSnapshot(ctx.instance);
  if (latest) progress.step(t('vm.notSuspended', { name: latest.name }));
  return undefined;
}

/** After a first boot: let every guest finish its boot, then save the pristine snapshot `lab vm reset` restores. */
async function savePristine(ctx: InstanceContext, state: InstanceState, timeoutSec: number, progress: Progress): Promise<void> {
  await settle(ctx, state, Object.keys(ctx.lab.hosts), timeoutSec, progress, t('vm.savingPristine'));
  await saveLocked(ctx, PRISTINE, progress);
}

/** Wait, in parallel, until each host's boot has settled (see waitSettled). */
async function settle(ctx: InstanceContext, state: InstanceState, hosts: string[], timeoutSec: number, progress: Progress, then = ''): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      for (const line of await waitSettled(ctx, state, h, timeoutSec * 1000)) progress.step(`${h}: ${line}`);
    }),
  );
  progress.step(t('vm.settled', { hosts: hosts.join(', '), then }));
}

/**
 * Resume every VM from a snapshot: each qemu is (re)started with -loadvm, so RAM, devices and disk are as saved,
 * the management forward is made anew on the recorded port (another when it is taken: known_hosts follows, same keys),
 * and the login that proves SSH sets the guest's clock. Undefined, with a line saying why, when the snapshot does not
 * fit this qemu or these VMs any more: the caller boots instead.
 */
export async function restoreLocked(ctx: InstanceContext, rec: SnapshotRecord, opts: UpOptions, progress: Progress): Promise<UpResult | undefined> {
  const planned = await planRestore(ctx, rec, opts);
  if (typeof planned === 'string') {
    progress.step(`${t('vm.cannotRestore', { name: rec.name, instance: ctx.instance, savedAt: rec.savedAt, why: planned })}${t('vm.bootingInstead')}`);
    return undefined;
  }
  const { state, plans } = planned;
  const hosts = Object.keys(ctx.lab.hosts);
  await stopAll(ctx.instance, false);
  const avoid = new Set<number>();
  const ports: Ports = {};
  for (const h of hosts) {
    const preferred = await pickPort(avoid, plans[h]!.sshPort);
    avoid.add(preferred);
    ports[h] = preferred;
  }
  await Promise.all(
    hosts.map(async (h) => {
      const { port, pid } = await startVm({ ...plans[h]!, sshPort: ports[h]! }, avoid);
      ports[h] = port;
      progress.step(t('vm.resumedHost', { host: h, name: rec.name, pid, port }));
    }),
  );
  const moved = hosts.filter((h) => ports[h] !== state.hosts[h]!.sshPort);
  const newState: InstanceState = { ...state, hosts: Object.fromEntries(hosts.map((h) => [h, { ...state.hosts[h]!, sshPort: ports[h]! }])) };
  // Running again: the disks move on from here, so the next up must not throw them back to `suspended`.
  delete newState.suspended;
  await writeState(newState);
  if (moved.length > 0) {
    writeKnownHosts(ctx.files.knownHosts, hosts.map((h) => ({ port: ports[h]!, publicKeyFile: `${vmFiles(ctx.instance, h).hostKey}.pub` })));
    progress.step(t('vm.portsMoved', { hosts: moved.join(', ') }));
  }
  const inventory = vmInventory(ctx.lab, ctx.instance, ports, identitiesOf(newState.hosts));
  if (moved.length > 0 || !existsSync(ctx.files.inventory)) writeInventoryFile(ctx.files.inventory, inventory);
  const booted = await waitAll(ctx, hosts, ports, opts.sshTimeoutSec ?? DEFAULT_SSH_TIMEOUT_SEC, progress, true);
  progress.step(t('vm.allResumed', { n: hosts.length, instance: ctx.instance, name: rec.name }));
  return { instance: ctx.instance, lab: ctx.lab.name, inventoryPath: ctx.files.inventory, inventory, alreadyRunning: false, booted, restored: rec.name, seconds: progress.elapsed() };
}

function portsOf(hosts: Record<string, HostState>): Ports {
  return Object.fromEntries(Object.entries(hosts).map(([h, s]) => [h, s.sshPort]));
}

function identitiesOf(hosts: Record<string, HostState>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(hosts).map(([h, s]) => [h, s.identity]));
}

/**
 * Start each VM of a first up whose layout has a template from it, in parallel: copy the template's disk, resume its
 * pristine snapshot, and give the guest this instance's keys. A VM that cannot be started this way is stopped, its
 * disk removed, and it boots with the others (the line says why). Returns the hosts started, with their state.
 */
async function startFromTemplates(ctx: InstanceContext, image: ImageInfo, accel: 'tcg' | 'kvm', opts: UpOptions, timeoutSec: number, progress: Progress): Promise<Record<string, HostState>> {
  const fingerprint = await machineFingerprint(accel);
  const avoid = new Set<number>();
  const picked: { host: string; template: Template; port: number }[] = [];
  for (const host of Object.keys(ctx.lab.hosts)) {
    const plan = planVm({ lab: ctx.lab, instance: ctx.instance, host, image, accel, sshPort: 0, memory: opts.memory, aslr: opts.aslr });
    const template = findTemplate(templateKey(plan, image.base, fingerprint));
    if (!template) continue;
    const port = await pickPort(avoid);
    avoid.add(port);
    picked.push({ host, template, port });
  }
  if (picked.length === 0) return {};
  const out: Record<string, HostState> = {};
  await Promise.all(
    picked.map(async ({ host, template, port }) => {
      const vm = vmFiles(ctx.instance, host);
      const t0 = Date.now();
      try {
        await mkdir(vm.dir, { recursive: true });
        await copyFile(template.disk, vm.disk);
        const identity = template.meta.origin;
        const plan = planVm({ lab: ctx.lab, instance: ctx.instance, host, image, accel, sshPort: port, memory: opts.memory, aslr: opts.aslr, identity });
        const started = await startVm({ ...plan, loadvm: PRISTINE }, avoid);
        avoid.add(started.port);
        progress.step(t('vm.fromTemplate', { host, origin: template.meta.origin, pid: started.pid, port: started.port }));
        await adoptKeys({ host, port: started.port, template, clientKey: ctx.files.key, hostKey: vm.hostKey, pidFile: vm.pid, consoleLog: vm.console, timeoutSec }, vm.dir);
        progress.step(t('vm.hasKeys', { host, seconds: ((Date.now() - t0) / 1000).toFixed(1) }));
        out[host] = { sshPort: started.port, memory: plan.memory, layout: layoutDigest(plan, image.base), identity };
      } catch (e) {
        await stopVm(vm.pid, vm.qmp, { graceful: false });
        await rm(vm.disk, { force: true });
        progress.step(t('vm.templateFailed', { host, dir: template.dir, error: (e as Error).message }));
      }
    }),
  );
  return out;
}

/** After a first cold boot and its pristine snapshot: each VM whose layout has no template yet leaves one. */
async function saveTemplates(ctx: InstanceContext, state: InstanceState, hosts: string[], progress: Progress, aslr: boolean | undefined): Promise<void> {
  const fingerprint = await machineFingerprint(state.accel);
  const saved: string[] = [];
  for (const host of hosts) {
    const hs = state.hosts[host]!;
    // The key of what the guest booted with: its memory and address maps as started now.
    const plan = planVm({ lab: ctx.lab, instance: ctx.instance, host, image: state.image, accel: state.accel, sshPort: hs.sshPort, memory: hs.memory, aslr, identity: hs.identity });
    try {
      const key = templateKey(plan, state.image.base, fingerprint);
      if (await saveTemplate({ instance: ctx.instance, lab: ctx.lab.name, host, key, clientKey: ctx.files.key, origin: hs.identity ?? ctx.instance })) saved.push(host);
    } catch (e) {
      progress.step(t('vm.noTemplateSaved', { host, error: (e as Error).message }));
    }
  }
  if (saved.length > 0) progress.step(t('vm.templatesSaved', { hosts: saved.join(', '), dir: templatesRoot() }));
}

/** Existing disks keep the base image they were made from; otherwise the current recipe's image. */
async function imageFor(ctx: InstanceContext, state: InstanceState | undefined, opts: UpOptions, progress: Progress): Promise<ImageInfo> {
  const hasDisks = Object.keys(ctx.lab.hosts).some((h) => existsSync(vmFiles(ctx.instance, h).disk));
  if (state && hasDisks) {
    if (imageReady(state.image)) return state.image;
    throw new RunError(t('vm.imageGone', { instance: ctx.instance, dir: state.image.dir }));
  }
  if (!imageReady(currentImage())) progress.step(t('vm.buildingImage'));
  return ensureImage({ mirror: () => resolveMirror(opts.mirror), progress });
}

async function ensureKeys(ctx: InstanceContext, hosts: string[]): Promise<void> {
  await ensureClientKey(ctx.files.key, ctx.instance);
  for (const h of hosts) await ensureHostKey(vmFiles(ctx.instance, h).hostKey, h);
}

type Ports = Record<string, number>;

async function startStopped(
  ctx: InstanceContext,
  stopped: string[],
  state: InstanceState | undefined,
  image: ImageInfo,
  accel: 'tcg' | 'kvm',
  opts: UpOptions,
  progress: Progress,
  fromTemplates: Record<string, HostState> = {},
): Promise<Record<string, HostState>> {
  const out: Record<string, HostState> = { ...fromTemplates };
  const running = Object.keys(ctx.lab.hosts).filter((h) => !stopped.includes(h));
  for (const h of running) out[h] = state?.hosts[h] ?? { sshPort: 0 };
  const avoid = new Set(Object.values(out).map((s) => s.sshPort));
  for (const host of stopped.filter((h) => !fromTemplates[h])) {
    const disk = vmFiles(ctx.instance, host).disk;
    // Kept disks boot with the identity they were made with (a template's origin, or the instance's own).
    const identity = existsSync(disk) ? state?.hosts[host]?.identity : undefined;
    if (!existsSync(disk)) await createOverlay(image.base, disk);
    const preferred = await pickPort(avoid, state?.hosts[host]?.sshPort);
    const plan = planVm({ lab: ctx.lab, instance: ctx.instance, host, image, accel, sshPort: preferred, memory: opts.memory, aslr: opts.aslr, identity });
    const { port, pid } = await startVm(plan, avoid);
    avoid.add(port);
    out[host] = { sshPort: port, memory: plan.memory, layout: layoutDigest(plan, image.base), ...(identity ? { identity } : {}) };
    progress.step(t('vm.startedVm', { host, pid, accel, memory: plan.memory, port, console: plan.consoleLog }));
  }
  return Object.fromEntries(Object.keys(ctx.lab.hosts).map((h) => [h, out[h]!]));
}

async function waitAll(ctx: InstanceContext, hosts: string[], ports: Ports, timeoutSec: number, progress: Progress, setClock = false): Promise<Record<string, number>> {
  progress.step(t('vm.waitingSsh', { hosts: hosts.join(', '), timeout: timeoutSec }));
  const started = Date.now();
  const results = await Promise.allSettled(
    hosts.map(async (host) => {
      const f = vmFiles(ctx.instance, host);
      const target = { name: host, port: ports[host]!, identityFile: ctx.files.key, knownHosts: ctx.files.knownHosts, pidFile: f.pid, consoleLog: f.console };
      const s = await waitForSsh(target, timeoutSec, started, setClock);
      progress.step(t('vm.answersSsh', { host, seconds: s.toFixed(1) }));
      return [host, s] as const;
    }),
  );
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failed.length > 0) {
    const more = failed.length > 1 ? t('vm.moreFailed', { n: failed.length - 1 }) : '';
    throw new RunError(t('vm.leftRunning', { error: failed[0]!.message, more }));
  }
  return Object.fromEntries(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
}
