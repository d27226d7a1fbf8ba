// `lab vm snapshot save|restore|list`: named machine states of an instance, for instructors and tests.
import { mkdir } from 'node:fs/promises';
import { RunError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { diskInfo } from './disk-snapshots.js';
import { fingerprintDiffs, machineFingerprint } from './fingerprint.js';
import { instanceName, labContext, type InstanceOptions } from './instance.js';
import { withLock } from './lock.js';
import { vmFiles } from './paths.js';
import { createProgress } from './progress.js';
import { saveLocked } from './snapshot.js';
import { checkSnapshotName, readSnapshots, type SnapshotRecord } from './snapshots.js';
import { readState } from './state.js';
import { restoreLocked, type UpOptions, type UpResult } from './up.js';
import { vmNames } from './vms.js';

const LOCK_WAIT_MS = 15 * 60_000;

export async function vmSnapshotSave(labArg: string, name: string, opts: UpOptions = {}): Promise<SnapshotRecord> {
  checkSnapshotName(name);
  const ctx = await labContext(labArg, opts);
  await mkdir(ctx.files.dir, { recursive: true });
  const progress = createProgress(opts.progress);
  return withLock(ctx.files.lock, { waitMs: LOCK_WAIT_MS, what: t('vm.instanceLock', { instance: ctx.instance }) }, () => saveLocked(ctx, name, progress));
}

/** Restore a named snapshot; unlike reset and up, a snapshot that no longer fits is an error, not a cold boot. */
export async function vmSnapshotRestore(labArg: string, name: string, opts: UpOptions = {}): Promise<UpResult> {
  checkSnapshotName(name);
  const ctx = await labContext(labArg, opts);
  await mkdir(ctx.files.dir, { recursive: true });
  const progress = createProgress(opts.progress);
  return withLock(ctx.files.lock, { waitMs: LOCK_WAIT_MS, what: t('vm.instanceLock', { instance: ctx.instance }) }, async () => {
    const rec = readSnapshots(ctx.instance).find((s) => s.name === name);
    if (!rec) {
      const known = readSnapshots(ctx.instance).map((s) => s.name);
      throw new UsageError(t('vm.noSnapshot', { instance: ctx.instance, name, known: known.length ? t('vm.itHas', { names: known.join(', ') }) : '', lab: labArg }));
    }
    let why = '';
    const r = await restoreLocked(ctx, rec, opts, { step: (m) => (why = m), elapsed: progress.elapsed });
    // restoreLocked's line ends in "; booting instead": here nothing boots instead, the restore fails.
    const instead = t('vm.bootingInstead');
    if (!r) throw new RunError(t('vm.restoreFailed', { why: why.endsWith(instead) ? why.slice(0, -instead.length) : why }));
    return r;
  });
}

export interface SnapshotListing {
  name: string;
  savedAt: string;
  /** Saved RAM and device state over all VMs, in bytes (from the overlays). */
  vmStateBytes: number;
  /** VMs whose overlay holds it. */
  hosts: string[];
  /** Why it would not be restored on this host ('' when it would). */
  stale: string;
}

export async function vmSnapshotList(labArg: string, opts: InstanceOptions = {}): Promise<{ instance: string; lab: string | null; snapshots: SnapshotListing[] }> {
  const instance = await instanceName(labArg, opts);
  const state = readState(instance);
  const disks = await Promise.all(vmNames(instance).map(async (h) => [h, await diskInfo(vmFiles(instance, h).disk)] as const));
  const now = state ? await machineFingerprint(state.accel) : undefined;
  const snapshots = readSnapshots(instance).map((rec): SnapshotListing => {
    const holding = disks.filter(([, d]) => d?.snapshots.some((s) => s.name === rec.name));
    const bytes = holding.reduce((sum, [, d]) => sum + (d!.snapshots.find((s) => s.name === rec.name)?.vmStateSize ?? 0), 0);
    const diffs = now ? fingerprintDiffs(rec.fingerprint, now) : ['the instance has no state.json'];
    if (holding.length < Object.keys(rec.layout).length) diffs.push('not in every VM\'s disk');
    return { name: rec.name, savedAt: rec.savedAt, vmStateBytes: bytes, hosts: holding.map(([h]) => h), stale: diffs.join('; ') };
  });
  return { instance, lab: state?.lab ?? null, snapshots };
}
