// `lab vm reset`: every VM back to the pristine snapshot of the instance's first boot; `--cold`: new disks and a boot.
import { mkdir } from 'node:fs/promises';
import { t } from '../i18n/index.js';
import { createOverlay } from './boot.js';
import { ensureImage } from './image/build.js';
import { labContext, type InstanceContext } from './instance.js';
import { withLock } from './lock.js';
import { resolveMirror } from './mirror.js';
import { vmFiles } from './paths.js';
import { createProgress, type Progress } from './progress.js';
import { PRISTINE, readSnapshots } from './snapshots.js';
import { restoreLocked, upLocked, type UpOptions, type UpResult } from './up.js';
import { stopAll } from './vms.js';

export interface ResetOptions extends UpOptions {
  /** The old reset: stop, throw the disks (and every snapshot in them) away, boot the current image. */
  cold?: boolean;
}

export async function vmReset(labArg: string, opts: ResetOptions = {}): Promise<UpResult> {
  const ctx = await labContext(labArg, opts);
  const progress = createProgress(opts.progress);
  await mkdir(ctx.files.dir, { recursive: true });
  return withLock(ctx.files.lock, { waitMs: 15 * 60_000, what: t('vm.instanceLock', { instance: ctx.instance }) }, async () => {
    if (!opts.cold) {
      const pristine = readSnapshots(ctx.instance).find((s) => s.name === PRISTINE);
      const restored = pristine && (await restoreLocked(ctx, pristine, opts, progress));
      if (restored) return restored;
      if (!pristine) progress.step(t('vm.noPristine', { instance: ctx.instance }));
    }
    return coldReset(ctx, opts, progress);
  });
}

async function coldReset(ctx: InstanceContext, opts: UpOptions, progress: Progress): Promise<UpResult> {
  // The disks are thrown away, so no clean shutdown is needed.
  await stopAll(ctx.instance, false);
  const image = await ensureImage({ mirror: () => resolveMirror(opts.mirror), progress });
  for (const host of Object.keys(ctx.lab.hosts)) await createOverlay(image.base, vmFiles(ctx.instance, host).disk);
  progress.step(t('vm.pristineAgain', { hosts: Object.keys(ctx.lab.hosts).join(', ') }));
  return upLocked(ctx, opts, image, progress);
}
