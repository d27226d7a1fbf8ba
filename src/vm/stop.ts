// Stop one VM: ACPI power-down over QMP, then SIGTERM, then SIGKILL, each with a bound.
import { existsSync, rmSync } from 'node:fs';
import { runningPid, signalOurs, waitGone } from './proc.js';
import { qmpPowerdown } from './qmp.js';

export type StopHow = 'not-running' | 'powerdown' | 'sigterm' | 'sigkill';

export interface StopOptions {
  /** Try a clean guest shutdown first (keeps disks consistent); skip when the disk is thrown away. */
  graceful: boolean;
  gracefulMs?: number;
  termMs?: number;
}

export async function stopVm(pidFile: string, qmpSocket: string | undefined, opts: StopOptions): Promise<StopHow> {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return 'not-running';
  }
  let how: StopHow = 'powerdown';
  const qmpOk = opts.graceful && qmpSocket && existsSync(qmpSocket) && (await qmpPowerdown(qmpSocket));
  if (!qmpOk || !(await waitGone(pid, opts.gracefulMs ?? 30_000))) {
    how = 'sigterm';
    signalOurs(pid, pidFile, 'SIGTERM');
    if (!(await waitGone(pid, opts.termMs ?? 10_000))) {
      how = 'sigkill';
      signalOurs(pid, pidFile, 'SIGKILL');
      await waitGone(pid, 5_000);
    }
  }
  rmSync(pidFile, { force: true });
  return how;
}
