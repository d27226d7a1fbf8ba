// `lab vm down`: save the running VMs as snapshot `suspended`, then stop them (clean power-down first); disks stay.
import { mkdir } from 'node:fs/promises';
import { t } from '../i18n/index.js';
import { labContext, instanceName, type InstanceContext, type InstanceOptions } from './instance.js';
import { withLock } from './lock.js';
import { instanceFiles, vmFiles } from './paths.js';
import { runningPid } from './proc.js';
import { createProgress, type Progress, type ProgressSink } from './progress.js';
import { saveLocked } from './snapshot.js';
import { SUSPENDED } from './snapshots.js';
import { readState, writeState } from './state.js';
import { stopAll, type StoppedVm } from './vms.js';

export interface DownOptions extends InstanceOptions {
  /** Skip the snapshot and the clean power-down: SIGTERM at once (SIGKILL after a bound). */
  force?: boolean;
  progress?: ProgressSink;
}

export interface DownResult {
  instance: string;
  stopped: StoppedVm[];
  /** The snapshot the next `lab vm up` resumes, when one was saved. */
  suspended?: string;
  seconds: number;
}

export async function vmDown(labArg: string, opts: DownOptions = {}): Promise<DownResult> {
  const instance = await instanceName(labArg, opts);
  const files = instanceFiles(instance);
  const progress = createProgress(opts.progress);
  await mkdir(files.dir, { recursive: true });
  // The spec is needed only for the snapshot: a lab whose spec no longer loads still stops.
  const ctx = opts.force ? undefined : await labContext(labArg, opts).catch(() => undefined);
  let suspended: string | undefined;
  const stopped = await withLock(files.lock, { waitMs: 15 * 60_000, what: t('vm.instanceLock', { instance }) }, async () => {
    if (ctx && ctx.instance === instance) suspended = await suspend(ctx, progress);
    return stopAll(instance, !opts.force);
  });
  for (const s of stopped) progress.step(s.how === 'not-running' ? t('vm.wasNotRunning', { host: s.host }) : t('vm.stopped', { host: s.host, pid: String(s.pid), how: s.how }));
  const result: DownResult = { instance, stopped, seconds: progress.elapsed() };
  if (suspended) result.suspended = suspended;
  return result;
}

/**
 * Save every VM as snapshot `suspended` when all of them run, and mark it in state.json: the power-down that follows
 * changes the disks only after the save, so the next up resumes exactly here. A failed save only costs the fast up.
 */
async function suspend(ctx: InstanceContext, progress: Progress): Promise<string | undefined> {
  const state = readState(ctx.instance);
  const hosts = Object.keys(ctx.lab.hosts);
  if (!state || hosts.some((h) => runningPid(vmFiles(ctx.instance, h).pid) === undefined)) return undefined;
  try {
    await saveLocked(ctx, SUSPENDED, progress);
  } catch (e) {
    progress.step(t('vm.suspendFailed', { error: (e as Error).message }));
    return undefined;
  }
  await writeState({ ...state, suspended: SUSPENDED });
  return SUSPENDED;
}
