// Check the host programs `lab vm` needs; a missing one becomes the exact apt-get line that installs it.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';

/** Program → the Debian package that ships it. */
export const PACKAGE_OF: Record<string, string> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  mmdebstrap: 'mmdebstrap',
  debootstrap: 'debootstrap',
  'apt-ftparchive': 'apt-utils',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'mkfs.ext4': 'e2fsprogs',
};

/** Full path of a program on PATH (plus the sbin folders), or undefined. */
export function which(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const p = join(dir, program);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function installHint(programs: string[]): string {
  const pkgs = [...new Set(programs.map((p) => PACKAGE_OF[p] ?? p))];
  return `apt-get install -y ${pkgs.join(' ')}`;
}

/** Throw one line naming what is missing and the command that installs it. */
export function requirePrograms(programs: string[], purpose: string): void {
  const missing = programs.filter((p) => !which(p));
  if (missing.length > 0) {
    throw new RunError(t('vm.missingPrograms', { count: missing.length, purpose, programs: missing.join(', '), install: installHint(missing) }));
  }
}

/** mmdebstrap when present, else debootstrap; neither → the install line. */
export function pickBootstrapper(): 'mmdebstrap' | 'debootstrap' {
  if (which('mmdebstrap')) return 'mmdebstrap';
  if (which('debootstrap')) return 'debootstrap';
  throw new RunError(t('vm.noBootstrapper', { install: installHint(['mmdebstrap']) }));
}

export function requireRoot(purpose: string): void {
  if (process.getuid?.() !== 0) {
    throw new RunError(t('vm.needsRoot', { purpose }));
  }
}
