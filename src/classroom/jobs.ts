// What one student's job is for each command: converge, verify, or reset; each returns the student's verdict.
import type { Playbook } from '../playbook/schema.js';
import type { Start } from '../spec/start.js';
import { converge } from '../run/converge.js';
import type { Lab } from '../spec/schema.js';
import type { StudentJob } from './pool.js';
import { resetLab } from './reset.js';
import { fromChecks, fromHosts, fromProgress, fromReset } from './status.js';
import { runProgress } from '../tutor/progress.js';
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
  /** up --until: only the tasks of these steps. */
  steps?: readonly string[];
}

export function jobFor(kind: ClassroomKind, lab: Lab, playbook: Playbook, opts: JobOptions): StudentJob {
  switch (kind) {
    case 'plan':
    case 'up':
    case 'down':
      return async (student, phase) => {
        phase(kind === 'plan' ? 'planning' : kind);
        const hosts = await converge(lab, playbook, student.inventory, { mode: kind === 'down' ? 'down' : 'up', dryRun: kind === 'plan', acceptNew: opts.acceptNew, hosts: opts.hosts, ...(kind !== 'down' && opts.steps ? { steps: opts.steps } : {}) });
        return { hosts, ...fromHosts(hosts) };
      };
    case 'progress':
      return async (student, phase) => {
        phase('checking');
        const p = await runProgress(lab, playbook, student.inventory, { acceptNew: opts.acceptNew, ...(opts.hosts ? { hosts: opts.hosts } : {}) });
        return { steps: p.steps.map(({ checks: _checks, ...st }) => st), current: p.current ?? null, ...fromProgress(p) };
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
