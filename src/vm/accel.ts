// Software emulation unless a short, tiny KVM boot proves KVM works here; the answer is cached per host boot.
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { t } from '../i18n/index.js';
import { imagesRoot } from './paths.js';
import type { Progress } from './progress.js';
import type { Accel } from './qemu-args.js';

export type AccelChoice = Accel | 'auto';

const PROBE_MS = 15_000;

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Boot the image's kernel under KVM with no disk: it works when the kernel gets as far as
 * "Unable to mount root fs" and panics (panic=-1 and -no-reboot make qemu exit) within the bound.
 */
export async function probeKvm(kernel: string): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-kvm-probe-'));
  const log = join(dir, 'console.log');
  try {
    await execa('qemu-system-x86_64', [
      '-accel', 'kvm', '-cpu', 'host', '-m', '256', '-nodefaults', '-display', 'none', '-no-reboot',
      '-kernel', kernel, '-append', 'console=ttyS0 panic=-1', '-serial', `file:${log}`,
    ], { timeout: PROBE_MS, reject: false, stdin: 'ignore' });
    const out = readFileSync(log, 'utf8');
    return /Kernel panic|Unable to mount root/.test(out);
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cachedProbe(kernel: string, progress: Progress): Promise<boolean> {
  const file = join(imagesRoot(), 'kvm-probe.json');
  const key = `${bootId()} ${kernel}`;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key: string; ok: boolean };
    if (cached.key === key) return cached.ok;
  } catch {
    // no cache yet
  }
  progress.step(t('vm.probingKvm', { seconds: PROBE_MS / 1000 }));
  const ok = await probeKvm(kernel);
  progress.step(ok ? t('vm.kvmWorks') : t('vm.kvmFails'));
  writeFileSync(file, `${JSON.stringify({ key, ok })}\n`);
  return ok;
}

export async function chooseAccel(choice: AccelChoice, kernel: string, progress: Progress): Promise<Accel> {
  if (choice !== 'auto') return choice;
  if (!kvmUsable()) return 'tcg';
  return (await cachedProbe(kernel, progress)) ? 'kvm' : 'tcg';
}
