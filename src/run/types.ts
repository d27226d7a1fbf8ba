// Results and live events of a run over many hosts.
import type { Change } from '../modules/types.js';

/** pending: not run (yet); interrupted: cut off by Ctrl-C while it ran (it may still finish on the host). */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'pending' | 'interrupted';

export interface TaskResult {
  label: string;
  /** The playbook step the task belongs to, when it has steps. */
  step?: string;
  status: TaskStatus;
  changes: Change[];
  error?: string;
  ms?: number;
  /** What the task's commands printed (stdout, then stderr), for `lab up -vv`. */
  output?: string;
}

export interface HostResult {
  host: string;
  os?: string;
  unreachable: boolean;
  error?: string;
  tasks: TaskResult[];
  ms: number;
  /** Set when Ctrl-C (or SIGTERM) stopped this host's run: what it was doing then. */
  interrupted?: string;
}

export interface Recap {
  host: string;
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
}

export type RunEvent =
  | { type: 'host'; host: string; phase: 'connecting' | 'locking' | 'facts' | 'planned' | 'done'; result?: HostResult; note?: string }
  | { type: 'task'; host: string; task: TaskResult }
  /** A task with changes is about to run its commands (`lab up -v` shows them then). */
  | { type: 'run'; host: string; task: TaskResult };

export function recapOf(r: HostResult): Recap {
  const count = (s: TaskResult['status']) => r.tasks.filter((t) => t.status === s).length;
  return { host: r.host, ok: count('ok'), changed: count('changed'), failed: count('failed') + (r.error && !r.unreachable ? 1 : 0), unreachable: r.unreachable ? 1 : 0 };
}
