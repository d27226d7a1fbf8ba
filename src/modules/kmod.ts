// kmod: kernel modules loaded now and at boot (/etc/modules-load.d), so sysctls under them exist before systemd-sysctl runs.
import { z } from 'zod';
import { argv, quote } from '../ssh/quote.js';
import { writeChange } from './file.js';
import type { Change, HostContext, Module } from './types.js';
import type { Lab } from '../spec/schema.js';

export interface KmodTask {
  names: string[];
}

export function modulesLoadFile(lab: Lab): string {
  return `/etc/modules-load.d/lab-${lab.name}.conf`;
}

/**
 * /sys/module/NAME exists for every loaded module, and for a built-in one with parameters (ip_vs has some), where
 * /proc/modules would list nothing and modprobe would be planned on every run. sysfs names use '_' for '-'.
 */
export function sysModule(name: string): string {
  return `/sys/module/${name.replace(/-/g, '_')}`;
}

export const kmodModule: Module<KmodTask> = {
  key: 'kmod',
  schema: z.array(z.string().regex(/^[a-z0-9_-]+$/)).min(1).describe('Kernel modules to load now and at boot.'),
  bind: (raw: string[]) => ({ names: raw }),
  label: (t) => `kmod ${t.names.join(' ')}`,
  desired: (t) => t.names.map((n) => `kmod:${n}`),
  files: (_t, lab) => [modulesLoadFile(lab)],
  exists: (t) => t.names.map(sysModule),
  plan: (task, ctx) => planKmods(task.names, modulesLoadFile(ctx.lab), ctx),
  down(_task, ctx) {
    const file = modulesLoadFile(ctx.lab);
    return ctx.facts.files.get(file) ? [{ title: `remove ${file}`, commands: [`rm -f ${quote(file)}`] }] : [];
  },
};

/** Load the modules not loaded yet, and list them all in `file` for boot. */
export function planKmods(names: string[], file: string, ctx: HostContext): Change[] {
  const missing = names.filter((n) => !ctx.facts.exists.get(sysModule(n)));
  const changes: Change[] = [];
  if (missing.length > 0) changes.push({ title: `load ${missing.join(', ')}`, commands: [`modprobe -a ${argv(missing)}`] });
  const want = names.map((n) => `${n}\n`).join('');
  const cur = ctx.facts.files.get(file)?.content;
  if (cur?.toString('utf8') !== want) changes.push(writeChange(`load at boot (${file})`, file, cur, want));
  return changes;
}
