// Classroom verify for one student: the lab's checks over the student's inventory, with unreachable hosts told apart.
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/schema.js';
import type { Lab } from '../spec/schema.js';
import { runVerify } from '../verify/runner.js';
import type { CheckResult } from '../verify/types.js';

export interface StudentVerify {
  checks: CheckResult[];
  unreachable: { host: string; error: string }[];
}

/** runVerify marks a check whose host it could not look at with this `found`. */
const UNREACHABLE = /^could not look at ([^:]+): (.*)$/s;

export function unreachableHosts(checks: CheckResult[]): { host: string; error: string }[] {
  const seen = new Map<string, string>();
  for (const c of checks) {
    const m = c.status === 'unreachable' ? UNREACHABLE.exec(c.found) : null;
    if (m && !seen.has(m[1]!)) seen.set(m[1]!, m[2]!);
  }
  return [...seen].map(([host, error]) => ({ host, error }));
}

export async function verifyStudent(lab: Lab, playbook: Playbook, inventory: Inventory, opts: { acceptNew?: boolean; waitMs?: number; hosts?: string[]; readOnly?: boolean }): Promise<StudentVerify> {
  const run = await runVerify(lab, playbook, inventory, { acceptNew: opts.acceptNew, waitMs: opts.waitMs ?? 0, hosts: opts.hosts, readOnly: opts.readOnly });
  return { checks: run.results, unreachable: unreachableHosts(run.results) };
}
