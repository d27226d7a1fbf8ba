// Run commands inside a bootstrapped tree with /dev, /proc and /sys mounted, and always unmount them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, type RunOptions } from '../run.js';

const CHROOT_ENV = {
  DEBIAN_FRONTEND: 'noninteractive',
  LC_ALL: 'C',
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};

/** Mount points at or below `dir` (from /proc/self/mounts), deepest first. */
export function mountsUnder(dir: string): string[] {
  const root = resolve(dir);
  const points = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === root || p.startsWith(`${root}/`));
  return points.sort((a, b) => b.length - a.length);
}

export async function unmountAll(dir: string, log?: string): Promise<void> {
  for (const point of mountsUnder(dir)) {
    await run('umount', ['--lazy', point], { log }).catch(() => undefined);
  }
}

/** On Ctrl-C or SIGTERM while mounted: unmount synchronously, then exit as the signal would. */
function unmountOnSignal(root: string): () => void {
  const handler = (signal: NodeJS.Signals) => {
    for (const point of mountsUnder(root)) {
      try {
        execFileSync('umount', ['--lazy', point]);
      } catch {
        // best effort; the next build unmounts leftovers too
      }
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Run fn with the host's /dev bind-mounted and proc/sysfs mounted in `root`. */
export async function withChrootMounts<T>(root: string, log: string | undefined, fn: () => Promise<T>): Promise<T> {
  const release = unmountOnSignal(root);
  try {
    await run('mount', ['--bind', '/dev', join(root, 'dev')], { log });
    await run('mount', ['-t', 'proc', 'proc', join(root, 'proc')], { log });
    await run('mount', ['-t', 'sysfs', 'sysfs', join(root, 'sys')], { log });
    return await fn();
  } finally {
    await unmountAll(root, log);
    release();
  }
}

/** Run a command inside `root` with a clean, non-interactive environment. */
export function inChroot(root: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return run('chroot', [root, ...args], { ...opts, env: { ...CHROOT_ENV, ...opts.env } });
}
