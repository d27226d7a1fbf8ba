// A lock file holding the owner's pid; a lock whose owner died is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
  if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) return false;
  rmSync(path, { force: true });
  return tryTake(path);
}

export interface LockOptions {
  waitMs: number;
  what: string;
  onWait?: (owner: string) => void;
}

/** Run fn while holding the lock file at `path`; wait (polling) while another live process holds it. */
export async function withLock<T>(path: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  while (!tryTake(path)) {
    if (!told) opts.onWait?.(readFileSync(path, 'utf8').trim());
    told = true;
    if (Date.now() > deadline) {
      throw new RunError(t('vm.locked', { what: opts.what, pid: readFileSync(path, 'utf8').trim(), path }));
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
