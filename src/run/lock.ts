// One run at a time per host: `lab up` and `lab down` hold `flock` on /var/lib/lab/LAB.lock on the host itself, so
// two runs from any machines (an instructor's reset and a student's up) never change one host at once. The lock is
// held by a command in a session of its own whose stdin stays open (Remote.hold): when the run releases it, or dies,
// or its connection drops, the command reads end-of-file and exits, and the kernel drops the lock with it.
import { hostname, userInfo } from 'node:os';
import { RunError } from '../errors.js';
import type { Remote } from '../ssh/connection.js';
import { quote } from '../ssh/quote.js';

const READY = 'LAB-LOCKED';
/** The exit status of the lock command when another run kept the lock past the wait. */
const BUSY_EXIT = 75;

const LOCK_DIR = '/var/lib/lab';

export function lockFile(labName: string, dir = LOCK_DIR): string {
  return `${dir}/${labName}.lock`;
}

/** Who this run is, as the next run waiting for the lock will see it. */
export function lockOwner(mode: string, now = new Date()): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container's uid): the pid and machine still tell
  }
  return `${user}@${hostname()} pid ${process.pid} since ${now.toISOString().replace(/\.\d+Z$/, 'Z')} (lab ${mode})`;
}

/**
 * The lock command: take the lock at once, or say who holds it (`LAB-BUSY owner`) and wait up to `waitSec`; then write
 * this run's owner line into the file, print the ready line and hold the lock until stdin ends. Exit 75 with
 * `LAB-HELD owner` when the wait ran out.
 */
export function lockCommand(labName: string, owner: string, waitSec: number, dir = LOCK_DIR): string {
  const f = quote(lockFile(labName, dir));
  return [
    `mkdir -p ${quote(dir)} && exec 9>>${f} || exit 1`,
    `if ! flock -n 9; then printf 'LAB-BUSY %s\\n' "$(head -n 1 ${f})"; flock -w ${Math.max(0, Math.round(waitSec))} 9 || { printf 'LAB-HELD %s\\n' "$(head -n 1 ${f})"; exit ${BUSY_EXIT}; }; fi`,
    `printf '%s\\n' ${quote(owner)} > ${f}`,
    `echo ${READY}`,
    'exec cat >/dev/null',
  ].join('\n');
}

/** The owner another run wrote, from a `LAB-BUSY`/`LAB-HELD` line of the lock command's output. */
export function holderIn(output: string, tag: 'LAB-BUSY' | 'LAB-HELD'): string | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${tag} `));
  const who = line?.slice(tag.length + 1).trim();
  return line === undefined ? undefined : who || 'another run (it wrote no name)';
}

export interface HostLock {
  release(): Promise<void>;
}

/**
 * Take the host's lock for this run, waiting up to `waitSec` when another run holds it (`onWait` is told who, once).
 * Throws a RunError naming the holder when the wait runs out, or saying why the lock could not be taken.
 */
export async function lockHost(conn: Remote, labName: string, mode: string, waitSec: number, onWait?: (holder: string) => void): Promise<HostLock> {
  let out = '';
  let told = false;
  const h = await conn.hold(lockCommand(labName, lockOwner(mode), waitSec), {
    ready: READY,
    timeoutMs: (waitSec + 60) * 1000,
    onStdout: (chunk) => {
      out += chunk;
      const holder = holderIn(out, 'LAB-BUSY');
      if (holder && !told) {
        told = true;
        onWait?.(holder);
      }
    },
  });
  if (h.held) return { release: h.release };
  const holder = holderIn(h.result.stdout, 'LAB-HELD');
  if (h.result.code === BUSY_EXIT && holder)
    throw new RunError(`another run is changing this host: ${lockFile(labName)} is held by ${holder}; waited ${waitSec} s. Run again when it has finished, or give it longer with --lock-wait`);
  const why = (h.result.stderr.trim() || h.result.stdout.trim()).split('\n').slice(-2).join(' | ');
  throw new RunError(`cannot take the lock ${lockFile(labName)} (exit ${h.result.code}${why ? `: ${why}` : ''}); lab needs flock (util-linux) and a writable /var/lib/lab on the host`);
}
