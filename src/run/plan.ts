// Plan one host: bind its role's tasks, then ask each module for its changes (up) or its inverse (down).
import { RunError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import type { HostTarget } from '../inventory/types.js';
import type { Change, HostContext } from '../modules/types.js';
import { stateFile } from '../modules/types.js';
import { bindTasks } from '../playbook/bind.js';
import type { Playbook } from '../playbook/schema.js';
import { quote } from '../ssh/quote.js';
import type { Lab } from '../spec/schema.js';

export type Mode = 'up' | 'down';

export interface TaskPlan {
  label: string;
  changes: Change[];
  /** The playbook step the task belongs to, when it has steps. */
  step?: string;
}

/** `steps`: only the tasks of these steps (lab up --until); all when undefined. */
export function planHost(mode: Mode, lab: Lab, playbook: Playbook, hostName: string, target: HostTarget, facts: Facts, steps?: readonly string[]): TaskPlan[] {
  const os = facts.os!;
  const ctx: HostContext = { lab, hostName, host: lab.hosts[hostName]!, target, facts, os };
  const tasks = bindTasks(playbook, lab, hostName, os.docroot).filter((t) => !steps || (t.step !== undefined && steps.includes(t.step)));
  const ordered = mode === 'up' ? tasks : [...tasks].reverse();
  const plans = ordered.map((t) => {
    try {
      return { label: t.label, changes: mode === 'up' ? t.module.plan(t.task, ctx) : t.module.down(t.task, ctx), ...(t.step !== undefined ? { step: t.step } : {}) };
    } catch (e) {
      if (e instanceof RunError) throw e;
      throw new RunError(`${t.label}: ${(e as Error).message}`, hostName);
    }
  });
  const file = stateFile(lab);
  if (mode === 'down' && facts.files.get(file))
    plans.push({ label: 'state', changes: [{ title: `forget the originals recorded in ${file}`, commands: [`rm -f ${quote(file)}`] }] });
  return plans;
}

/** The shell script for one task: record originals (only the first time), then the commands, stopping at the first failure. */
export function taskScript(lab: Lab, changes: Change[]): string {
  const file = stateFile(lab);
  const lines = ['set -e'];
  const records = changes.flatMap((c) => Object.entries(c.record ?? {}));
  if (records.length > 0) lines.push(`mkdir -p ${quote(file.slice(0, file.lastIndexOf('/')))}`, `touch ${quote(file)}`);
  for (const [k, v] of records) lines.push(`grep -q ${quote(`^${k.replace(/[.[\]*^$\\]/g, '\\$&')}=`)} ${quote(file)} || printf '%s\\n' ${quote(`${k}=${v}`)} >> ${quote(file)}`);
  for (const c of changes) lines.push(...c.commands);
  // A task reported changed is on disk: a VM powered off (or killed) seconds after `lab up` came back with the files
  // it had written full of NUL bytes (ext4 writes delayed data out up to 30 s later), and its VIP gone at boot.
  lines.push('sync');
  return lines.join('\n');
}
