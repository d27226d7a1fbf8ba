// The files of a built base image: raw ext4 disk, kernel and initrd.
import { join } from 'node:path';

export interface ImageInfo {
  dir: string;
  kernel: string;
  initrd: string;
  base: string;
}

export function imageInfo(dir: string): ImageInfo {
  return { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), base: join(dir, 'base.img') };
}
