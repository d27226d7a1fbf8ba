// Start one VM: its qcow2 overlay over the base image, then qemu daemonized with a free SSH port.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import { pickPort } from './ports.js';
import { runningPid } from './proc.js';
import { buildQemuArgs, type VmPlan } from './qemu-args.js';
import { run } from './run.js';

/** A fresh overlay: the VM's disk as the pristine base image. */
export async function createOverlay(base: string, disk: string): Promise<void> {
  await mkdir(dirname(disk), { recursive: true });
  await rm(disk, { force: true });
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, disk]);
}

function portClash(stderr: string): boolean {
  return /host forwarding rule|Could not set up host forwarding|Address already in use/i.test(stderr);
}

/**
 * Start qemu with `-daemonize`; it returns once the VM runs. When the SSH port was taken in the
 * meantime, try again with another. Resolves with the port used and qemu's pid.
 */
export async function startVm(plan: VmPlan, avoidPorts: Set<number>): Promise<{ port: number; pid: number }> {
  if (!existsSync(plan.disk)) throw new RunError(t('vm.diskMissing', { disk: plan.disk, vm: plan.name }));
  await rm(plan.consoleLog, { force: true });
  let port = plan.sshPort;
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await execa('qemu-system-x86_64', buildQemuArgs({ ...plan, sshPort: port }), { reject: false, stdin: 'ignore', all: true });
    const pid = runningPid(plan.pidFile);
    if (r.exitCode === 0 && pid !== undefined) return { port, pid };
    const out = (r.all ?? '').trim();
    if (!portClash(out)) throw new RunError(t('vm.qemuFailed', { vm: plan.name, output: out.split('\n').slice(-2).join(' | ') || `exit ${r.exitCode}` }));
    avoidPorts.add(port);
    port = await pickPort(avoidPorts);
  }
  throw new RunError(t('vm.noFreePort', { vm: plan.name }));
}
