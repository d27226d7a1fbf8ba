// The rule between verify and up: every property a cause check judges is one that a task of that host converges
// (its module's desired()), or the check says `lab up` does not manage it. Symptoms judge outcomes, not properties.
import { bindTasks } from '../playbook/bind.js';
import type { Playbook } from '../playbook/schema.js';
import type { Lab } from '../spec/schema.js';
import type { CheckDef } from './plan.js';

const DOCROOT = '/var/www/html';

/** One line per check that breaks the rule: what it judges on which host, and what that host's tasks desire. */
export function uncovered(lab: Lab, playbook: Playbook, checks: CheckDef[]): string[] {
  const desired = new Map<string, Set<string>>();
  const of = (host: string) => {
    if (!desired.has(host)) desired.set(host, new Set(lab.hosts[host] ? bindTasks(playbook, lab, host, DOCROOT).flatMap((t) => t.module.desired(t.task)) : []));
    return desired.get(host)!;
  };
  const out: string[] = [];
  for (const c of checks) {
    if (c.symptom || c.unmanaged) continue;
    if (!c.judges || c.judges.length === 0) {
      out.push(`${c.host} ${c.check}/${c.id}: judges no declared property (give it judges, or unmanaged with the reason)`);
      continue;
    }
    for (const j of c.judges) {
      const host = j.host ?? c.host;
      if (!of(host).has(j.property)) out.push(`${c.host} ${c.check}/${c.id}: judges ${j.property} on ${host}, which no task of ${host} (role ${lab.hosts[host]?.role}) converges; it desires ${[...of(host)].join(', ') || 'nothing'}`);
    }
  }
  return out;
}
