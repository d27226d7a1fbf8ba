// Turn a role's task specs into module calls for one host: look the module up by its key, let it fill its {templates}.
import type { Module } from '../modules/types.js';
import { moduleFor } from '../modules/registry.js';
import type { Lab } from '../spec/schema.js';
import type { Playbook, TaskSpec } from './schema.js';
import { templateVars } from './template.js';

export { fill, templateVars, type TemplateVars } from './template.js';

export interface BoundTask {
  module: Module<unknown>;
  task: unknown;
  label: string;
  /** The playbook step it belongs to, when the playbook has steps. */
  step?: string;
}

/** The module a task names (the schema let only registered keys through): its one key besides `step`. */
export function taskKey(spec: TaskSpec): string {
  return Object.keys(spec).find((k) => k !== 'step')!;
}

export function bindTasks(playbook: Playbook, lab: Lab, hostName: string, docroot: string): BoundTask[] {
  const host = lab.hosts[hostName]!;
  const vars = templateVars(hostName, host, docroot, lab);
  return (playbook.roles[host.role] ?? []).map((spec) => {
    const key = taskKey(spec);
    const module = moduleFor(key)!;
    const task = module.bind(spec[key] as never, vars, { lab, hostName });
    return { module, task, label: module.label(task), ...(typeof spec.step === 'string' ? { step: spec.step } : {}) };
  });
}

/** Logical package and service names and sysctl keys a host's tasks read, for the fact query. */
export function namesUsed(tasks: BoundTask[]): { packages: string[]; services: string[]; sysctls: string[] } {
  const packages: string[] = [];
  const services: string[] = [];
  const sysctls: string[] = [];
  for (const t of tasks) {
    const n = t.module.names?.(t.task) ?? {};
    packages.push(...(n.packages ?? []));
    services.push(...(n.services ?? []));
    sysctls.push(...(n.sysctls ?? []));
  }
  return { packages, services, sysctls };
}
