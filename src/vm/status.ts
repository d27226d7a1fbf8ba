// `lab vm status`: per VM of an instance, running or stopped, pid, SSH port, console log.
import { existsSync } from 'node:fs';
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
}

export interface StatusResult {
  instance: string;
  lab?: string;
  inventoryPath?: string;
  vms: VmStatus[];
}

export async function vmStatus(labArg: string, opts: InstanceOptions = {}): Promise<StatusResult> {
  const instance = await instanceName(labArg, opts);
  const state = readState(instance);
  const hosts = [...new Set([...Object.keys(state?.hosts ?? {}), ...vmNames(instance)])].sort();
  const vms = hosts.map((host): VmStatus => {
    const f = vmFiles(instance, host);
    const pid = runningPid(f.pid);
    const s: VmStatus = { host, state: pid === undefined ? 'stopped' : 'running', consoleLog: f.console, disk: f.disk };
    if (pid !== undefined) s.pid = pid;
    const port = state?.hosts[host]?.sshPort;
    if (port !== undefined) s.sshPort = port;
    return s;
  });
  const result: StatusResult = { instance, vms };
  if (state) result.lab = state.lab;
  const inv = `${instanceFiles(instance).inventory}`;
  if (existsSync(inv)) result.inventoryPath = inv;
  return result;
}
