// Build the base image once per recipe: bootstrap, bake the repo, configure, make the disk; atomic and locked.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunError } from '../../errors.js';
import { withLock } from '../lock.js';
import { imagesRoot } from '../paths.js';
import type { Progress } from '../progress.js';
import { pickBootstrapper, requirePrograms, requireRoot } from '../tools.js';
import { bootstrap } from './bootstrap.js';
import { mountsUnder, unmountAll, withChrootMounts } from './chroot.js';
import { configureGuest } from './configure.js';
import { makeDisk } from './disk.js';
import { imageInfo, type ImageInfo } from './info.js';
import { bakeLocalRepo } from './local-repo.js';
import { RECIPE, recipeHash } from './recipe.js';

/** The image folder of the current recipe (it may not exist yet). */
export function currentImage(): ImageInfo {
  return imageInfo(join(imagesRoot(), recipeHash()));
}

export function imageReady(image: ImageInfo): boolean {
  return [image.base, image.kernel, image.initrd].every((p) => existsSync(p));
}

export interface BuildOptions {
  /** Resolved lazily: only a build needs a mirror. */
  mirror: () => string;
  progress: Progress;
}

/** The current recipe's image, built first when it is not in the cache. */
export async function ensureImage(opts: BuildOptions): Promise<ImageInfo> {
  const image = currentImage();
  if (imageReady(image)) return image;
  requireRoot('building the VM base image');
  requirePrograms(['mkfs.ext4', 'apt-ftparchive'], 'building the VM base image');
  const tool = pickBootstrapper();
  const mirror = opts.mirror();
  await mkdir(imagesRoot(), { recursive: true });
  const lockOpts = {
    waitMs: 30 * 60_000,
    what: 'the VM image build',
    onWait: (owner: string) => opts.progress.step(`waiting for process ${owner}, which is building the same image`),
  };
  return withLock(`${image.dir}.lock`, lockOpts, async () => {
    if (!imageReady(image)) {
      await removeStaleBuilds(image);
      await buildInto(image, tool, mirror, opts.progress);
    }
    return image;
  });
}

/** Under the lock, any other temp folder of this image is left over from a build that was killed. */
async function removeStaleBuilds(image: ImageInfo): Promise<void> {
  const prefix = `${basename(image.dir)}.tmp-`;
  for (const name of await readdir(dirname(image.dir))) {
    if (name.startsWith(prefix)) await removeTree(join(dirname(image.dir), name));
  }
}

async function buildInto(image: ImageInfo, tool: 'mmdebstrap' | 'debootstrap', mirror: string, progress: Progress): Promise<void> {
  const tmp = `${image.dir}.tmp-${process.pid}`;
  const root = join(tmp, 'root');
  const log = join(tmp, 'build.log');
  await removeTree(tmp);
  await mkdir(tmp, { recursive: true });
  try {
    progress.step(`building the Debian 12 base image in ${image.dir} (log: ${log})`);
    progress.step(`bootstrapping ${RECIPE.suite} from ${mirror} with ${tool}`);
    await bootstrap(tool, root, mirror, log);
    await withChrootMounts(root, log, async () => {
      progress.step(`downloading ${RECIPE.repoPackages.join(', ')} into the image's local apt repository`);
      const n = await bakeLocalRepo(root, RECIPE.repoPackages, log);
      progress.step(`configuring the guest (${n} packages in the local repository): units, sshd, small initrd`);
      await configureGuest(root, log);
    });
    progress.step('making the ext4 disk');
    await makeDisk(root, imageInfo(tmp), RECIPE.diskSize, log);
    await writeFile(join(tmp, 'recipe.json'), `${JSON.stringify({ hash: recipeHash(), mirror, tool, ...RECIPE }, null, 2)}\n`);
    await removeTree(root);
    await rename(tmp, image.dir);
    progress.step('base image ready');
  } catch (e) {
    const kept = `${image.dir}.failed.log`;
    await copyFile(log, kept).catch(() => undefined);
    await removeTree(tmp).catch(() => undefined);
    if (e instanceof RunError) throw new RunError(`${e.message.replace(log, kept)}`);
    throw new RunError(`building the VM image failed: ${(e as Error).message}; log: ${kept}`);
  }
}

/** rm -rf, but never through a mount point left inside (that would delete the host's /dev). */
async function removeTree(dir: string): Promise<void> {
  await unmountAll(dir);
  const left = mountsUnder(dir);
  if (left.length > 0) throw new RunError(`cannot remove ${dir}: ${left[0]} is still mounted; unmount it and retry`);
  await rm(dir, { recursive: true, force: true });
}
