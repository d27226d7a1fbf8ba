// What one student's job is for each command: converge, verify, or reset; each returns the student's verdict.
import type { Playbook } from '../playbook/schema.js';
import type { Start } from '../spec/start.js';
import { converge } from '../run/converge.js';
import type { Lab } from '../spec/schema.js';
import type { StudentJob } from './pool.js';
import { resetLab } from './reset.js';
import { fromChecks, fromHosts, fromReset } from './status.js';
import type { ClassroomKind } from './types.js';
import { verifyStudent } from './verify.js';

export interface JobOptions {
  acceptNew?: boolean;
  /** The starting point reset checks. */
  start: Start;
  /** verify: retry failing checks this long (ms). */
  waitMs?: number;
  readOnly?: boolean;
  /** --hosts: only these hosts of each student. */
  hosts?: string[];
}

export function jobFor(kind: ClassroomKind, lab: Lab, playbook: Playbook, opts: JobOptions): StudentJob {
  switch (kind) {
    case 'plan':
    case 'up':
    case 'down':
      return async (student, phase) => {
        phase(kind === 'plan' ? 'planning' : kind);
        const hosts = await converge(lab, playbook, student.inventory, { mode: kind === 'down' ? 'down' : 'up', dryRun: kind === 'plan', acceptNew: opts.acceptNew, hosts: opts.hosts });
        return { hosts, ...fromHosts(hosts) };
      };
    case 'verify':
      return async (student, phase) => {
        phase('checking');
        const v = await verifyStudent(lab, playbook, student.inventory, opts);
        return { checks: v.checks, unreachable: v.unreachable, ...fromChecks(v.checks, v.unreachable) };
      };
    case 'reset':
      return async (student, phase) => {
        const r = await resetLab(lab, playbook, student.inventory, opts.start, { acceptNew: opts.acceptNew, phase, hosts: opts.hosts });
        return { hosts: r.down, start: r.start, ...fromReset(r.down, r.start) };
      };
  }
}
