// The instance's record (state.json): which lab, which base image, and each VM's SSH port.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { ImageInfo } from './image/info.js';
import { instanceFiles } from './paths.js';
import type { Accel } from './qemu-args.js';

export interface HostState {
  sshPort: number;
  /** MiB the running (or last) qemu was given, so a restore starts it with the same. */
  memory?: number;
  /** Layout digest of the qemu command line it was started with (see fingerprint.ts). */
  layout?: string;
  /**
   * Set when the VM was started from a template: the instance whose first boot made it, which its NIC MACs and
   * machine id derive from (see plan.ts). Unset: the instance's own.
   */
  identity?: string;
}

export interface InstanceState {
  instance: string;
  lab: string;
  specFile: string;
  image: ImageInfo;
  accel: Accel;
  hosts: Record<string, HostState>;
  /**
   * Set by `lab vm down` when it saved the running VMs as this snapshot right before stopping them: the disks have
   * not moved on since, so the next `lab vm up` resumes it. Cleared whenever the VMs run again.
   */
  suspended?: string;
}

export function readState(instance: string): InstanceState | undefined {
  const file = instanceFiles(instance).state;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstanceState;
  } catch {
    return undefined;
  }
}

export async function writeState(state: InstanceState): Promise<void> {
  const files = instanceFiles(state.instance);
  await mkdir(files.dir, { recursive: true });
  writeFileSync(files.state, `${JSON.stringify(state, null, 2)}\n`);
}
