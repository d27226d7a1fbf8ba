// sysctl: the runtime value, and the same value persisted in one file of ours under /etc/sysctl.d/.
import { z } from 'zod';
import { quote } from '../ssh/quote.js';
import { valuesDiff, writeChange } from './file.js';
import type { Change, HostContext, Module } from './types.js';

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
  key: 'sysctl',
  schema: z.record(z.string().regex(/^[a-z0-9_.-]+$/), z.union([z.string(), z.number()]).transform(String)),
  bind: (raw: Record<string, string>) => ({ values: raw }),
  names: (t) => ({ sysctls: Object.keys(t.values) }),
  label: (t) => `sysctl ${Object.keys(t.values).join(' ')}`,
  desired: (t) => Object.entries(t.values).map(([k, v]) => `sysctl:${k}=${v}`),
  files: (_t, lab) => [sysctlFile({ lab })],
  plan: (task, ctx) => planSysctls(task.values, sysctlFile(ctx), ctx),
  down: (task, ctx) => downSysctls(task.values, sysctlFile(ctx), ctx),
};

/** Each value now (recording the original; `only` some keys), then all of them persisted in `file` (unless not `persist`). */
export function planSysctls(values: Record<string, string>, file: string, ctx: HostContext, only: (key: string) => boolean = () => true, persist = true): Change[] {
  const changes: Change[] = [];
  for (const [key, value] of Object.entries(values).filter(([k]) => only(k))) {
    const cur = ctx.facts.sysctl.get(key);
    if (cur !== value)
      changes.push({
        title: `${key} = ${value} now (was ${cur ?? 'unknown'})`,
        commands: [`sysctl -w ${quote(`${key}=${value}`)}`],
        record: { [`sysctl.${key}`]: cur ?? '' },
        diff: valuesDiff([[key, cur, value]]),
      });
  }
  const want = sysctlContent(values);
  const cur = ctx.facts.files.get(file);
  if (persist && cur?.content.toString('utf8') !== want) changes.push(writeChange(`persist in ${file}`, file, cur?.content, want));
  return changes;
}

/** Each value back to the one recorded before `up` (when there was one), and `file` removed. */
export function downSysctls(values: Record<string, string>, file: string, ctx: HostContext): Change[] {
  const changes: Change[] = [];
  for (const key of Object.keys(values)) {
    const was = ctx.facts.state.get(`sysctl.${key}`);
    const cur = ctx.facts.sysctl.get(key);
    if (was && cur !== undefined && cur !== was) changes.push({ title: `${key} back to ${was}`, commands: [`sysctl -w ${quote(`${key}=${was}`)}`] });
  }
  if (ctx.facts.files.get(file)) changes.push({ title: `remove ${file}`, commands: [`rm -f ${quote(file)}`] });
  return changes;
}
