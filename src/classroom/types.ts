// Results of one lab command over a roster: one independent result per student.
import type { HostResult } from '../run/types.js';
import type { CheckResult } from '../verify/types.js';
import type { StartFinding } from './start-check.js';

export type ClassroomKind = 'plan' | 'up' | 'down' | 'verify' | 'reset' | 'progress';

/** ok: everything worked; failed: a task, check or start condition failed; unreachable: a host could not be reached. */
export type StudentStatus = 'ok' | 'failed' | 'unreachable';

/** One host after reset: what was put in place to reach the start, and how it compares with the start. */
export interface HostStart {
  host: string;
  unreachable: boolean;
  error?: string;
  /** Changes made to reach the start (e.g. addresses assigned), by title. */
  established: string[];
  findings: StartFinding[];
  ms: number;
}

/** One step of a student's lab, as lab progress judged it. */
export interface StudentStep {
  id: string;
  title: string;
  status: 'done' | 'partial' | 'not-started' | 'waiting';
  doneOn: string[];
  todoOn: string[];
  waitsFor: string[];
}

export interface StudentResult {
  student: string;
  status: StudentStatus;
  ms: number;
  /** plan, up and down; reset's down phase. */
  hosts?: HostResult[];
  /** verify. */
  checks?: CheckResult[];
  /** verify: hosts the checks could not reach. */
  unreachable?: { host: string; error: string }[];
  /** reset: the start check per host. */
  start?: HostStart[];
  /** progress: each step of the playbook, in order, and the first not done (null when all are). */
  steps?: StudentStep[];
  current?: string | null;
  /** The first thing wrong, in one line, for the table. */
  problem?: string;
}

export interface ClassroomResult {
  kind: ClassroomKind;
  lab: string;
  roster: string;
  ok: boolean;
  ms: number;
  students: StudentResult[];
}

/** Progress of a run over many students, for the live view. */
export type ClassroomEvent =
  | { type: 'start'; student: string }
  | { type: 'phase'; student: string; text: string }
  | { type: 'done'; student: string; result: StudentResult };
