// Make the raw ext4 base disk straight from the tree (no loop mounts) and take its kernel and initrd out.
import { copyFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from '../../errors.js';
import { run } from '../run.js';
import type { ImageInfo } from './info.js';

async function onlyFile(dir: string, prefix: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(prefix)).sort();
  const last = names.at(-1);
  if (!last) throw new RunError(`no ${prefix}* in ${dir}: the kernel package did not install`);
  return join(dir, last);
}

export async function makeDisk(root: string, out: ImageInfo, size: string, log: string): Promise<void> {
  await copyFile(await onlyFile(join(root, 'boot'), 'vmlinuz-'), out.kernel);
  await copyFile(await onlyFile(join(root, 'boot'), 'initrd.img-'), out.initrd);
  await writeFile(out.base, '');
  await truncate(out.base, sizeBytes(size));
  await run('mkfs.ext4', ['-q', '-F', '-L', 'labroot', '-d', root, out.base], { log });
}

function sizeBytes(size: string): number {
  const m = /^(\d+)([MG])$/.exec(size);
  if (!m) throw new Error(`bad disk size ${size}`);
  return Number(m[1]) * (m[2] === 'G' ? 1024 ** 3 : 1024 ** 2);
}
