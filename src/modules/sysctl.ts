// sysctl: the runtime value, and the same value persisted in one file of ours under /etc/sysctl.d/.
import { quote } from '../ssh/quote.js';
import { writeCommand } from './file.js';
import type { HostContext, Module } from './types.js';

export interface SysctlTask {
  values: Record<string, string>;
}

/** Sorts after 99-sysctl.conf (the /etc/sysctl.conf link), so an old line there cannot override ours at boot. */
export function sysctlFile(ctx: Pick<HostContext, 'lab'>): string {
  return `/etc/sysctl.d/zz-lab-${ctx.lab.name}.conf`;
}

export function sysctlContent(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${v}\n`)
    .join('');
}

export const sysctlModule: Module<SysctlTask> = {
  label: (t) => `sysctl ${Object.keys(t.values).join(' ')}`,
  files: (_t, lab) => [sysctlFile({ lab })],
  plan(task, ctx) {
    const changes = [];
    for (const [key, value] of Object.entries(task.values)) {
      const cur = ctx.facts.sysctl.get(key);
      if (cur !== value)
        changes.push({ title: `${key} = ${value} now (was ${cur ?? 'unknown'})`, commands: [`sysctl -w ${quote(`${key}=${value}`)}`], record: { [`sysctl.${key}`]: cur ?? '' } });
    }
    const file = sysctlFile(ctx);
    const want = sysctlContent(task.values);
    const cur = ctx.facts.files.get(file);
    if (cur?.content.toString('utf8') !== want) changes.push({ title: `persist in ${file}`, commands: [writeCommand(file, want)] });
    return changes;
  },
  down(task, ctx) {
    const changes = [];
    for (const key of Object.keys(task.values)) {
      const was = ctx.facts.state.get(`sysctl.${key}`);
      const cur = ctx.facts.sysctl.get(key);
      if (was && cur !== was) changes.push({ title: `${key} back to ${was}`, commands: [`sysctl -w ${quote(`${key}=${was}`)}`] });
    }
    const file = sysctlFile(ctx);
    if (ctx.facts.files.get(file)) changes.push({ title: `remove ${file}`, commands: [`rm -f ${quote(file)}`] });
    return changes;
  },
};
