// `lab vm reset`: stop the VMs, throw their disks back to the pristine base image, boot and wait for SSH.
import { mkdir } from 'node:fs/promises';
import { createOverlay } from './boot.js';
import { ensureImage } from './image/build.js';
import { labContext } from './instance.js';
import { withLock } from './lock.js';
import { resolveMirror } from './mirror.js';
import { vmFiles } from './paths.js';
import { createProgress } from './progress.js';
import { upLocked, type UpOptions, type UpResult } from './up.js';
import { stopAll } from './vms.js';

export async function vmReset(labArg: string, opts: UpOptions = {}): Promise<UpResult> {
  const ctx = await labContext(labArg, opts);
  const progress = createProgress(opts.progress);
  await mkdir(ctx.files.dir, { recursive: true });
  return withLock(ctx.files.lock, { waitMs: 15 * 60_000, what: `lab vm instance ${ctx.instance}` }, async () => {
    // The disks are thrown away, so no clean shutdown is needed.
    await stopAll(ctx.instance, false);
    const image = await ensureImage({ mirror: () => resolveMirror(opts.mirror), progress });
    for (const host of Object.keys(ctx.lab.hosts)) await createOverlay(image.base, vmFiles(ctx.instance, host).disk);
    progress.step(`disks of ${Object.keys(ctx.lab.hosts).join(', ')} are pristine again`);
    return upLocked(ctx, opts, image);
  });
}
