// The VMs an instance has on disk (its vms/ folder), and stopping them all.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import { instanceDir, vmFiles } from './paths.js';
import { runningPid } from './proc.js';
import { stopVm, type StopHow } from './stop.js';

export function vmNames(instance: string): string[] {
  const dir = join(instanceDir(instance), 'vms');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export interface StoppedVm {
  host: string;
  pid?: number;
  how: StopHow;
}

/** Stop every VM of the instance in parallel; afterwards none of its qemu processes is left. */
export async function stopAll(instance: string, graceful: boolean): Promise<StoppedVm[]> {
  const stopped = await Promise.all(
    vmNames(instance).map(async (host) => {
      const f = vmFiles(instance, host);
      const pid = runningPid(f.pid);
      const how = await stopVm(f.pid, f.qmp, { graceful });
      return pid === undefined ? { host, how } : { host, pid, how };
    }),
  );
  const left = vmNames(instance).filter((h) => runningPid(vmFiles(instance, h).pid) !== undefined);
  if (left.length > 0) throw new RunError(t('vm.stillRunning', { vms: left.join(', '), instance }));
  return stopped;
}
