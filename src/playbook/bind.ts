// Turn a role's task specs into module calls for one host: fill {templates} from the spec and the OS.
import { UsageError } from '../errors.js';
import { connectionModule } from '../modules/connection.js';
import { fileModule } from '../modules/file.js';
import { firewallModule } from '../modules/firewall.js';
import { ipvsModule } from '../modules/ipvs.js';
import { kmodModule } from '../modules/kmod.js';
import { packageModule } from '../modules/package.js';
import { selinuxModule } from '../modules/selinux.js';
import { serviceModule } from '../modules/service.js';
import { sysctlModule } from '../modules/sysctl.js';
import type { Module } from '../modules/types.js';
import type { Host, Lab } from '../spec/schema.js';
import type { Playbook, TaskSpec } from './schema.js';

export interface BoundTask {
  module: Module<unknown>;
  task: unknown;
  label: string;
}

export interface TemplateVars {
  host: string;
  docroot: string;
  [key: string]: string;
}

export function templateVars(hostName: string, host: Host, docroot: string): TemplateVars {
  const vars: TemplateVars = { host: hostName, docroot };
  const addrs = Object.entries(host.interfaces);
  if (addrs[0]) vars.address = addrs[0][1];
  for (const [net, ip] of addrs) vars[`address.${net}`] = ip;
  return vars;
}

export function fill(text: string, vars: TemplateVars): string {
  return text.replace(/\{([a-z][a-z0-9.-]*)\}/g, (whole, key: string) => {
    const v = vars[key];
    if (v === undefined) throw new UsageError(`playbook: unknown template {${key}} (known: ${Object.keys(vars).map((k) => `{${k}}`).join(', ')})`);
    return v;
  });
}

function bindOne(spec: TaskSpec, vars: TemplateVars): { module: Module<never>; task: unknown } {
  if ('package' in spec) return { module: packageModule, task: { names: spec.package } };
  if ('file' in spec) return { module: fileModule, task: { path: fill(spec.file.path, vars), content: fill(spec.file.content, vars), mode: spec.file.mode } };
  if ('service' in spec) return { module: serviceModule, task: spec.service };
  if ('sysctl' in spec) return { module: sysctlModule, task: { values: spec.sysctl } };
  if ('connection' in spec) return { module: connectionModule, task: {} };
  if ('firewall' in spec) return { module: firewallModule, task: { defaultZone: spec.firewall.default_zone } };
  if ('selinux' in spec) return { module: selinuxModule, task: spec.selinux };
  if ('kmod' in spec) return { module: kmodModule, task: { names: spec.kmod } };
  return { module: ipvsModule, task: {} };
}

export function bindTasks(playbook: Playbook, lab: Lab, hostName: string, docroot: string): BoundTask[] {
  const host = lab.hosts[hostName]!;
  const vars = templateVars(hostName, host, docroot);
  return (playbook.roles[host.role] ?? []).map((spec) => {
    const { module, task } = bindOne(spec, vars);
    const m = module as Module<unknown>;
    return { module: m, task, label: m.label(task) };
  });
}

/** Logical package and service names a host's tasks use, for the fact query. */
export function namesUsed(tasks: BoundTask[]): { packages: string[]; services: string[]; sysctls: string[] } {
  const packages: string[] = [];
  const services: string[] = [];
  const sysctls: string[] = [];
  for (const t of tasks) {
    const task = t.task as { names?: string[]; name?: string; values?: Record<string, string> };
    if (t.module === packageModule) packages.push(...(task.names ?? []));
    if (t.module === serviceModule && task.name) services.push(task.name);
    if (t.module === sysctlModule) sysctls.push(...Object.keys(task.values ?? {}));
    if (t.module === ipvsModule) services.push('ipvsadm');
  }
  return { packages, services, sysctls };
}
