// Bootstrap a minimal Debian tree from the mirror with mmdebstrap, or debootstrap when that is all there is.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../run.js';
import { RECIPE } from './recipe.js';

function mmdebstrapArgs(root: string, mirror: string): string[] {
  return [
    `--variant=${RECIPE.variant}`,
    `--include=${RECIPE.include.join(',')}`,
    ...RECIPE.dpkgExcludes.map((p) => `--dpkgopt=path-exclude=${p}`),
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    RECIPE.suite,
    root,
    mirror,
  ];
}

function debootstrapArgs(root: string, mirror: string): string[] {
  return [`--variant=${RECIPE.variant}`, `--include=${RECIPE.include.join(',')}`, RECIPE.suite, root, mirror];
}

/** debootstrap has no path filters: drop what mmdebstrap would not have installed. */
async function pruneDocs(root: string): Promise<void> {
  for (const dir of ['usr/share/man', 'usr/share/info', 'usr/share/locale']) {
    await rm(join(root, dir), { recursive: true, force: true });
  }
}

export async function bootstrap(tool: 'mmdebstrap' | 'debootstrap', root: string, mirror: string, log: string): Promise<void> {
  if (tool === 'mmdebstrap') {
    await run('mmdebstrap', mmdebstrapArgs(root, mirror), { log });
  } else {
    await run('debootstrap', debootstrapArgs(root, mirror), { log });
    await pruneDocs(root);
  }
}
