// What a saved machine state is tied to: qemu's version, the machine type, the CPU model and each VM's device layout.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { VmPlan } from './qemu-args.js';

export interface MachineFingerprint {
  /** `qemu-system-x86_64 --version`, first line. */
  qemu: string;
  /** What `-machine pc` resolves to, e.g. pc-i440fx-7.2. */
  machine: string;
  /** qemu64 under tcg (qemu's default); host plus the host CPU's model name under kvm. */
  cpu: string;
}

let cached: Promise<MachineFingerprint> | undefined;

function hostCpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function probe(): Promise<{ qemu: string; machine: string }> {
  const v = await execa('qemu-system-x86_64', ['--version'], { reject: false, stdin: 'ignore' });
  const m = await execa('qemu-system-x86_64', ['-machine', 'help'], { reject: false, stdin: 'ignore' });
  const qemu = (v.stdout ?? '').split('\n')[0]?.trim() || 'unknown';
  const machine = /^pc\s.*\(alias of ([^)\s]+)\)/m.exec(m.stdout ?? '')?.[1] ?? 'unknown';
  return { qemu, machine };
}

/** This host's qemu, asked once per process. */
export async function machineFingerprint(accel: 'tcg' | 'kvm'): Promise<MachineFingerprint> {
  cached ??= probe().then((p) => ({ ...p, cpu: '' }));
  const base = await cached;
  return { ...base, cpu: accel === 'kvm' ? `host (${hostCpuModel()})` : 'qemu64' };
}

/**
 * A digest of what the guest's saved devices and RAM must match on restore: memory, CPUs, accelerator, NICs (order,
 * MACs, segments), the base image and kernel. Ports, file paths of the instance and the pid file are not in it.
 */
export function layoutDigest(plan: VmPlan, base: string): string {
  const layout = {
    memory: plan.memory,
    cpus: plan.cpus,
    accel: plan.accel,
    kernel: plan.kernel,
    initrd: plan.initrd,
    base,
    management: plan.managementMac,
    nics: plan.nics.map((n) => [n.network, n.mac, n.group, n.port]),
    fwCfg: Object.keys(plan.fwCfg).sort(),
    aslr: plan.aslr,
  };
  return createHash('sha256').update(JSON.stringify(layout)).digest('hex').slice(0, 16);
}

/** Why a recorded fingerprint does not fit the current one, one phrase per difference ([] when it fits). */
export function fingerprintDiffs(saved: MachineFingerprint, now: MachineFingerprint): string[] {
  const out: string[] = [];
  if (saved.qemu !== now.qemu) out.push(`qemu was "${saved.qemu}", now "${now.qemu}"`);
  if (saved.machine !== now.machine) out.push(`machine type was ${saved.machine}, now ${now.machine}`);
  if (saved.cpu !== now.cpu) out.push(`CPU model was ${saved.cpu}, now ${now.cpu}`);
  return out;
}
