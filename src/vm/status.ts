// `lab vm status`: per VM of an instance, running or stopped, pid, SSH port, disk use, console log; and its snapshots.
import { existsSync } from 'node:fs';
import { diskInfo } from './disk-snapshots.js';
import { vmSnapshotList, type SnapshotListing } from './snapshot-commands.js';
import { instanceName, type InstanceOptions } from './instance.js';
import { instanceFiles, vmFiles } from './paths.js';
import { runningPid } from './proc.js';
import { readState } from './state.js';
import { vmNames } from './vms.js';

export interface VmStatus {
  host: string;
  state: 'running' | 'stopped';
  pid?: number;
  sshPort?: number;
  consoleLog: string;
  disk: string;
  /** Bytes the VM's overlay takes on the host, its snapshots included. */
  diskBytes?: number;
}

export interface StatusResult {
  instance: string;
  lab?: string;
  inventoryPath?: string;
  vms: VmStatus[];
  /** Each snapshot with the RAM and device state it holds over all VMs. */
  snapshots: SnapshotListing[];
}

export async function vmStatus(labArg: string, opts: InstanceOptions = {}): Promise<StatusResult> {
  const instance = await instanceName(labArg, opts);
  const state = readState(instance);
  const hosts = [...new Set([...Object.keys(state?.hosts ?? {}), ...vmNames(instance)])].sort();
  const vms = await Promise.all(
    hosts.map(async (host): Promise<VmStatus> => {
      const f = vmFiles(instance, host);
      const pid = runningPid(f.pid);
      const s: VmStatus = { host, state: pid === undefined ? 'stopped' : 'running', consoleLog: f.console, disk: f.disk };
      if (pid !== undefined) s.pid = pid;
      const port = state?.hosts[host]?.sshPort;
      if (port !== undefined) s.sshPort = port;
      const info = await diskInfo(f.disk);
      if (info) s.diskBytes = info.actualSize;
      return s;
    }),
  );
  const { snapshots } = await vmSnapshotList(instance, { instance });
  const result: StatusResult = { instance, vms, snapshots };
  if (state) result.lab = state.lab;
  const inv = `${instanceFiles(instance).inventory}`;
  if (existsSync(inv)) result.inventoryPath = inv;
  return result;
}
