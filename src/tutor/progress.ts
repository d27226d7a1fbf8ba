// Judge a lab's steps on its hosts: verify's read-only checks (and tutor mode's own) over one connection per host, one
// round trip per host, then the step judge.
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/schema.js';
import type { Lab } from '../spec/schema.js';
import { quote } from '../ssh/quote.js';
import { emptyQuery, type VerifyPlan } from '../verify/plan.js';
import { emptyProbe } from '../verify/probe.js';
import { runVerify } from '../verify/runner.js';
import type { CheckResult } from '../verify/types.js';
import { assignSteps, judgeSteps, tutorChecks, type Progress } from './steps.js';

export interface ProgressRun extends Progress {
  results: CheckResult[];
  ms: number;
}

export interface ProgressOptions {
  acceptNew?: boolean;
  hosts?: string[];
}

/** Verify's plan as tutor mode runs it: its own checks added, the active ones dropped; and each check's step. */
export function tutorPlan(lab: Lab, playbook: Playbook, plan: VerifyPlan): { plan: VerifyPlan; assigned: Map<string, string> } {
  const extra = tutorChecks(lab, playbook);
  const hosts = new Map(plan.hosts);
  for (const c of extra) {
    const need = hosts.get(c.host) ?? { probe: emptyProbe(), facts: emptyQuery() };
    need.facts.ipvs = true;
    hosts.set(c.host, need);
  }
  const checks = [...plan.checks, ...extra];
  // Progress only reads: the active checks (failover, health) change the lab while they run.
  return { plan: { checks, actions: [], hosts }, assigned: assignSteps(lab, playbook, checks) };
}

export async function runProgress(lab: Lab, playbook: Playbook, inventory: Inventory, opts: ProgressOptions = {}): Promise<ProgressRun> {
  let assigned = new Map<string, string>();
  const extend = (plan: VerifyPlan): VerifyPlan => {
    const t = tutorPlan(lab, playbook, plan);
    assigned = t.assigned;
    return t.plan;
  };
  const run = await runVerify(lab, playbook, inventory, { acceptNew: opts.acceptNew, readOnly: true, extend, ...(opts.hosts ? { hosts: opts.hosts } : {}) });
  return { ...judgeSteps(playbook, assigned, run.results), results: run.results, ms: run.ms };
}

/** How the reader runs a host's commands from this machine: `lab ssh`, with the same target options as this command. */
export function sshLine(labArg: string, host: string, commands: string[], target: { instance?: string; inventory?: string; provider?: string }): string {
  const opts = [
    ...(target.inventory !== undefined ? ['-i', quote(target.inventory)] : []),
    ...(target.instance !== undefined ? ['--instance', quote(target.instance)] : []),
    ...(target.provider !== undefined ? ['--provider', quote(target.provider)] : []),
  ];
  return ['lab', 'ssh', quote(labArg), quote(host), ...opts, '--', quote(oneScript(['set -e', ...commands]))].join(' ');
}

/**
 * Commands as one shell script: `; ` between them, but a newline after one that spans lines. A heredoc's terminator
 * must be alone on its line: after `LAB_EOF; next`, the shell would read `next` and everything after it as the file.
 */
export function oneScript(commands: string[]): string {
  return commands.map((c, i) => (i === 0 ? c : `${commands[i - 1]!.includes('\n') ? '\n' : '; '}${c}`)).join('');
}
