// selinux: setenforce now and SELINUX= in /etc/selinux/config; skipped where SELinux is absent or disabled.
import { z } from 'zod';
import { quote } from '../ssh/quote.js';
import { fileDiff, valuesDiff } from './file.js';
import type { Change, HostContext, Module } from './types.js';

export interface SelinuxTask {
  mode: 'enforcing' | 'permissive';
}

const CONFIG = '/etc/selinux/config';

export function configMode(ctx: HostContext): string | undefined {
  const text = ctx.facts.files.get(CONFIG)?.content.toString('utf8');
  return text ? /^SELINUX=(\w+)/m.exec(text)?.[1] : undefined;
}

/** What setConfig does to the file's text, for plan --diff. */
function configAfter(text: string, mode: string): string {
  return text.replace(/^SELINUX=.*$/gm, `SELINUX=${mode}`);
}

function setConfig(mode: string): string {
  return `sed -i ${quote(`s/^SELINUX=.*/SELINUX=${mode}/`)} ${CONFIG}`;
}

export const selinuxModule: Module<SelinuxTask> = {
  key: 'selinux',
  schema: z.strictObject({ mode: z.enum(['enforcing', 'permissive']) }),
  bind: (raw: SelinuxTask) => raw,
  facts: ['selinux'],
  label: (t) => `selinux ${t.mode}`,
  desired: (t) => [`selinux:${t.mode}`],
  files: () => [CONFIG],
  plan(task, ctx) {
    const runtime = ctx.facts.selinux;
    if (runtime === undefined || runtime === 'Disabled') return [];
    const changes: Change[] = [];
    if (runtime.toLowerCase() !== task.mode)
      changes.push({
        title: `${task.mode} now (was ${runtime})`,
        commands: [`setenforce ${task.mode === 'permissive' ? 0 : 1}`],
        record: { 'selinux.runtime': runtime },
        diff: valuesDiff([['SELinux mode (getenforce)', runtime, task.mode === 'permissive' ? 'Permissive' : 'Enforcing']]),
      });
    const persisted = configMode(ctx);
    if (persisted !== undefined && persisted !== task.mode)
      changes.push({
        title: `${task.mode} at boot (was ${persisted})`,
        commands: [setConfig(task.mode)],
        record: { 'selinux.config': persisted },
        diff: fileDiff(CONFIG, ctx.facts.files.get(CONFIG)!.content, configAfter(ctx.facts.files.get(CONFIG)!.content.toString('utf8'), task.mode)),
      });
    return changes;
  },
  down(_task, ctx) {
    const changes: Change[] = [];
    const runtime = ctx.facts.state.get('selinux.runtime');
    if (runtime && ctx.facts.selinux && ctx.facts.selinux !== runtime && ctx.facts.selinux !== 'Disabled')
      changes.push({ title: `${runtime} again`, commands: [`setenforce ${runtime === 'Enforcing' ? 1 : 0}`] });
    const persisted = ctx.facts.state.get('selinux.config');
    if (persisted && configMode(ctx) !== persisted) changes.push({ title: `${persisted} at boot again`, commands: [setConfig(persisted)] });
    return changes;
  },
};
