// Bake an offline apt repository into the tree: download packages (not install them) and index them.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../run.js';
import { inChroot } from './chroot.js';
import { LOCAL_REPO } from './guest-files.js';

/** Needs the chroot mounts and the mirror still in the tree's apt sources. */
export async function bakeLocalRepo(root: string, packages: readonly string[], log: string): Promise<number> {
  const repo = join(root, LOCAL_REPO);
  await mkdir(join(repo, 'partial'), { recursive: true });
  await inChroot(root, ['apt-get', 'update'], { log });
  await inChroot(root, ['apt-get', '-y', '--download-only', '-o', `Dir::Cache::Archives=${LOCAL_REPO}`, 'install', ...packages], { log });
  await rm(join(repo, 'partial'), { recursive: true, force: true });
  await rm(join(repo, 'lock'), { force: true });
  const debs = (await readdir(repo)).filter((f) => f.endsWith('.deb'));
  if (debs.length === 0) throw new Error(`no .deb was downloaded for ${packages.join(', ')}; see ${log}`);
  const index = await run('apt-ftparchive', ['packages', '.'], { cwd: repo });
  await writeFile(join(repo, 'Packages'), `${index}\n`);
  return debs.length;
}
