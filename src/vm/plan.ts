// One VM's plan from the lab spec: files, memory, NICs with their MACs and segments, boot-time key blobs.
import type { Lab } from '../spec/schema.js';
import { macFor, machineIdFor, MANAGEMENT_NETWORK, segmentFor } from './identity.js';
import type { ImageInfo } from './image/info.js';
import { instanceFiles, vmFiles } from './paths.js';
import type { Accel, LabNic, VmPlan } from './qemu-args.js';

export const DEFAULT_MEMORY = 512;
export const DEFAULT_CPUS = 1;
/** Unix socket paths longer than this do not fit in sockaddr_un. */
const MAX_SOCKET_PATH = 100;

export interface PlanInput {
  lab: Lab;
  instance: string;
  host: string;
  image: ImageInfo;
  accel: Accel;
  sshPort: number;
  /** Overrides the spec's memory for every host. */
  memory?: number;
  /** Keep address-space randomization; default: only under kvm (see VmPlan.aslr). */
  aslr?: boolean;
  /**
   * The instance the guest-visible identity (NIC MACs, machine id) derives from: the instance itself, or, for a VM
   * started from a template, the instance whose first boot made the template. Segments always derive from `instance`.
   */
  identity?: string;
}

/** The lab NICs of a host, in the order of its interfaces in the spec. */
export function labNics(lab: Lab, instance: string, host: string, identity = instance): LabNic[] {
  const spec = lab.hosts[host];
  if (!spec) throw new Error(`no host ${host} in lab ${lab.name}`);
  return Object.keys(spec.interfaces).map((network) => ({ network, mac: macFor(identity, host, network), ...segmentFor(instance, network) }));
}

/** The names under fw_cfg opt/ that the guest's lab-keys unit reads at boot. */
export function keyBlobs(instance: string, host: string): Record<string, string> {
  const vm = vmFiles(instance, host);
  return {
    'lab/authorized_keys': `${instanceFiles(instance).key}.pub`,
    'lab/ssh_host_ed25519_key': vm.hostKey,
    'lab/ssh_host_ed25519_key.pub': `${vm.hostKey}.pub`,
  };
}

export function planVm(input: PlanInput): VmPlan {
  const { lab, instance, host } = input;
  const spec = lab.hosts[host];
  if (!spec) throw new Error(`no host ${host} in lab ${lab.name}`);
  const vm = vmFiles(instance, host);
  const identity = input.identity ?? instance;
  return {
    name: host,
    kernel: input.image.kernel,
    initrd: input.image.initrd,
    disk: vm.disk,
    consoleLog: vm.console,
    pidFile: vm.pid,
    qmpSocket: vm.qmp.length <= MAX_SOCKET_PATH ? vm.qmp : undefined,
    memory: input.memory ?? spec.memory ?? DEFAULT_MEMORY,
    cpus: spec.cpus ?? DEFAULT_CPUS,
    accel: input.accel,
    sshPort: input.sshPort,
    managementMac: macFor(identity, host, MANAGEMENT_NETWORK),
    nics: labNics(lab, instance, host, identity),
    fwCfg: keyBlobs(instance, host),
    machineId: machineIdFor(identity, host),
    aslr: input.aslr ?? input.accel === 'kvm',
  };
}
