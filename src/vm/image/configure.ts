// Turn the bootstrapped tree into a lab guest: files, units, keys removed, small initrd, offline apt.
import { chmod, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inChroot } from './chroot.js';
import { guestFiles } from './guest-files.js';
import { RECIPE } from './recipe.js';

async function writeGuestFiles(root: string): Promise<void> {
  for (const [path, file] of Object.entries(guestFiles())) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
}

/** Nothing host- or instance-specific may stay in the shared image. */
async function removeHostTraces(root: string): Promise<void> {
  const ssh = join(root, 'etc/ssh');
  for (const f of (await readdir(ssh)).filter((n) => n.startsWith('ssh_host_'))) await rm(join(ssh, f));
  for (const f of ['etc/resolv.conf', 'etc/hostname', 'var/lib/dbus/machine-id']) await rm(join(root, f), { force: true });
  await rm(join(root, 'etc/apt/sources.list.d'), { recursive: true, force: true });
  await mkdir(join(root, 'etc/apt/sources.list.d'));
  // A placeholder id (not "first boot"); each VM gets its own with systemd.machine_id= on the kernel line.
  await writeFile(join(root, 'etc/machine-id'), `${'0'.repeat(31)}1\n`);
}

async function maskGenerators(root: string): Promise<void> {
  const dir = join(root, 'etc/systemd/system-generators');
  await mkdir(dir, { recursive: true });
  for (const g of RECIPE.maskedGenerators) {
    await rm(join(dir, g), { force: true });
    await symlink('/dev/null', join(dir, g));
  }
}

async function setUnits(root: string, log: string): Promise<void> {
  await inChroot(root, ['systemctl', 'enable', ...RECIPE.enabled], { log });
  await inChroot(root, ['systemctl', 'mask', ...RECIPE.masked], { log });
  await inChroot(root, ['systemctl', 'set-default', 'multi-user.target'], { log });
}

/** Needs the chroot mounts. Call after the local repo is baked (it replaces the apt sources). */
export async function configureGuest(root: string, log: string): Promise<void> {
  await writeGuestFiles(root);
  await removeHostTraces(root);
  await setUnits(root, log);
  await maskGenerators(root);
  await inChroot(root, ['update-initramfs', '-u', '-k', 'all'], { log });
  // Index the local repository now, offline, so guests can apt-get install without an update first.
  await inChroot(root, ['apt-get', 'update'], { log });
  await inChroot(root, ['apt-get', 'clean'], { log });
  for (const dir of ['etc', 'var']) await writeFile(join(root, dir, '.updated'), RECIPE.updateDone);
}
