// The internal snapshots a VM's qcow2 overlay really holds, read with qemu-img (shared read: works while qemu runs).
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export interface DiskSnapshot {
  name: string;
  /** Bytes of saved RAM and device state in the overlay. */
  vmStateSize: number;
  dateSec: number;
}

export interface DiskInfo {
  /** Bytes the overlay file takes on the host's disk (its own writes and every snapshot). */
  actualSize: number;
  snapshots: DiskSnapshot[];
}

interface QemuImgInfo {
  'actual-size'?: number;
  snapshots?: { name: string; 'vm-state-size': number; 'date-sec': number }[];
}

export async function diskInfo(disk: string): Promise<DiskInfo | undefined> {
  if (!existsSync(disk)) return undefined;
  const r = await execa('qemu-img', ['info', '-U', '--output=json', disk], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) return undefined;
  try {
    const info = JSON.parse(r.stdout) as QemuImgInfo;
    return {
      actualSize: info['actual-size'] ?? 0,
      snapshots: (info.snapshots ?? []).map((s) => ({ name: s.name, vmStateSize: s['vm-state-size'], dateSec: s['date-sec'] })),
    };
  } catch {
    return undefined;
  }
}
