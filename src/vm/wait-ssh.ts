// Wait, with a bound, until a booting VM completes a real SSH login with the lab key and its checked host key.
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import { sshSetClock } from './clock.js';
import { consoleTail } from './console.js';
import { runningPid } from './proc.js';
import { sshRun, type SshTarget } from './ssh.js';

export interface WaitTarget extends SshTarget {
  name: string;
  pidFile: string;
  consoleLog: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with the seconds it took; throws one line naming the VM and its console's last lines. With `setClock`
 * (a guest restored from a snapshot) the login that proves SSH also sets the guest's clock from the host's.
 */
export async function waitForSsh(vm: WaitTarget, timeoutSec: number, started = Date.now(), setClock = false): Promise<number> {
  const deadline = started + timeoutSec * 1000;
  let lastError = '';
  while (Date.now() < deadline) {
    if (runningPid(vm.pidFile) === undefined) {
      throw new RunError(t('vm.stoppedBooting', { vm: vm.name, console: vm.consoleLog, tail: consoleTail(vm.consoleLog) }));
    }
    const left = Math.max(2000, deadline - Date.now());
    const r = setClock ? await sshSetClock(vm, Math.min(30_000, left)) : await sshRun(vm, 'true', Math.min(30_000, left));
    if (r.code === 0) return (Date.now() - started) / 1000;
    lastError = r.stderr.trim().split('\n').at(-1) ?? '';
    await sleep(setClock ? 200 : 1000);
  }
  const ssh = lastError ? t('vm.lastSshError', { error: lastError }) : '';
  throw new RunError(t('vm.noSsh', { vm: vm.name, port: vm.port, timeout: timeoutSec, ssh, console: vm.consoleLog, tail: consoleTail(vm.consoleLog) }));
}
