// Our qemu processes, found by pid file and verified through /proc before any signal is sent.
import { readFileSync } from 'node:fs';

export function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when /proc/PID/cmdline is a qemu that was started with exactly this pid file. */
export function isOurQemu(pid: number, pidFile: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /qemu-system/.test(args[0] ?? '') && args.includes(pidFile);
  } catch {
    return false;
  }
}

/** The pid of the VM's running qemu, or undefined when it is not running. */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPidFile(pidFile);
  return pid !== undefined && isOurQemu(pid, pidFile) ? pid : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when the process has exited (no /proc entry left, or only a zombie waiting to be reaped). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Wait until the pid is gone; true when it went within `ms`. */
export async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    await sleep(100);
  }
  return processGone(pid);
}

/** Send a signal only when the pid is still our qemu. */
export function signalOurs(pid: number, pidFile: string, signal: NodeJS.Signals): void {
  if (!isOurQemu(pid, pidFile)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
