// `lab vm destroy`: stop the instance's VMs and delete its folder: disks, keys, known_hosts, inventory.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { t } from '../i18n/index.js';
import { instanceName, type InstanceOptions } from './instance.js';
import { withLock } from './lock.js';
import { instanceFiles } from './paths.js';
import { createProgress, type ProgressSink } from './progress.js';
import { stopAll, type StoppedVm } from './vms.js';

export interface DestroyResult {
  instance: string;
  removed: string | undefined;
  stopped: StoppedVm[];
}

export async function vmDestroy(labArg: string, opts: InstanceOptions & { progress?: ProgressSink } = {}): Promise<DestroyResult> {
  const instance = await instanceName(labArg, opts);
  const files = instanceFiles(instance);
  const progress = createProgress(opts.progress);
  if (!existsSync(files.dir)) {
    progress.step(t('vm.noInstanceDir', { instance, dir: files.dir }));
    return { instance, removed: undefined, stopped: [] };
  }
  const stopped = await withLock(files.lock, { waitMs: 15 * 60_000, what: t('vm.instanceLock', { instance }) }, async () => {
    const s = await stopAll(instance, false);
    // Remove everything but the lock file we hold; the lock goes when we release it, then the folder.
    await rm(files.dir, { recursive: true, force: true });
    return s;
  });
  await rm(files.dir, { recursive: true, force: true });
  progress.step(t('vm.destroyed', { instance, dir: files.dir }));
  return { instance, removed: files.dir, stopped };
}
