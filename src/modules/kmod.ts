// kmod: kernel modules loaded now and at boot (/etc/modules-load.d), so sysctls under them exist before systemd-sysctl runs.
import { argv, quote } from '../ssh/quote.js';
import { writeCommand } from './file.js';
import type { Change, Module } from './types.js';
import type { Lab } from '../spec/schema.js';

export interface KmodTask {
  names: string[];
}

export function modulesLoadFile(lab: Lab): string {
  return `/etc/modules-load.d/lab-${lab.name}.conf`;
}

function loaded(procModules: string | undefined, name: string): boolean {
  return (procModules ?? '').split('\n').some((l) => l.split(' ')[0] === name);
}

export const kmodModule: Module<KmodTask> = {
  label: (t) => `kmod ${t.names.join(' ')}`,
  files: (_t, lab) => ['/proc/modules', modulesLoadFile(lab)],
  plan(task, ctx) {
    const proc = ctx.facts.files.get('/proc/modules')?.content.toString('utf8');
    const missing = task.names.filter((n) => !loaded(proc, n));
    const changes: Change[] = [];
    if (missing.length > 0) changes.push({ title: `load ${missing.join(', ')}`, commands: [`modprobe -a ${argv(missing)}`] });
    const file = modulesLoadFile(ctx.lab);
    const want = task.names.map((n) => `${n}\n`).join('');
    if (ctx.facts.files.get(file)?.content.toString('utf8') !== want) changes.push({ title: `load at boot (${file})`, commands: [writeCommand(file, want)] });
    return changes;
  },
  down(_task, ctx) {
    const file = modulesLoadFile(ctx.lab);
    return ctx.facts.files.get(file) ? [{ title: `remove ${file}`, commands: [`rm -f ${quote(file)}`] }] : [];
  },
};
