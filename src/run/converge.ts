// plan / up / down over all hosts of a lab: hosts in parallel, tasks in order, one host's failure never stops another.
import pLimit from 'p-limit';
import { RunError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/schema.js';
import type { Remote } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';
import { connectHost } from './connect.js';
import { factQuery, gatherFacts } from './facts.js';
import { planHost, taskScript, type Mode } from './plan.js';
import type { HostResult, RunEvent, TaskResult } from './types.js';

export interface ConvergeOptions {
  mode: Mode;
  /** Plan only: gather facts and compute changes, run nothing. */
  dryRun: boolean;
  acceptNew?: boolean;
  concurrency?: number;
  hosts?: string[];
  onEvent?: (e: RunEvent) => void;
}

async function applyTasks(conn: Remote, lab: Lab, tasks: TaskResult[], emit: (t: TaskResult) => void): Promise<void> {
  for (const task of tasks) {
    if (task.changes.length === 0) {
      task.status = 'ok';
      emit(task);
      continue;
    }
    const started = Date.now();
    const res = await conn.exec(taskScript(lab, task.changes), { timeoutMs: 600_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    task.ms = Date.now() - started;
    if (res.code === 0) task.status = 'changed';
    else {
      task.status = 'failed';
      const why = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join(' | ');
      task.error = `exit ${res.code}${why ? `: ${why}` : ''}`;
    }
    emit(task);
    if (task.status === 'failed') return;
  }
}

/** LAB_TRACE=1 prints where a run's time goes, per host and phase, to stderr. */
function tracer(host: string): (phase: string) => void {
  if (!process.env.LAB_TRACE) return () => {};
  let last = Date.now();
  return (phase) => {
    const now = Date.now();
    process.stderr.write(`trace ${host} ${phase} ${now - last} ms\n`);
    last = now;
  };
}

async function convergeHost(host: string, lab: Lab, playbook: Playbook, inventory: Inventory, opts: ConvergeOptions): Promise<HostResult> {
  const started = Date.now();
  const trace = tracer(host);
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  const result: HostResult = { host, unreachable: false, tasks: [], ms: 0 };
  const target = inventory.hosts[host];
  if (!target) return { ...result, unreachable: true, error: `not in the inventory (${inventory.source})` };
  emit({ type: 'host', host, phase: 'connecting' });
  const reach = await connectHost(target, { acceptNew: opts.acceptNew });
  if (!reach.ok) return { ...result, unreachable: true, error: reach.error, ms: Date.now() - started };
  const conn = reach.conn;
  trace(`connect (${conn.how})`);
  try {
    emit({ type: 'host', host, phase: 'facts' });
    const facts = await gatherFacts(conn, factQuery(lab, playbook, host));
    trace('facts');
    result.os = facts.os!.pretty;
    result.tasks = planHost(opts.mode, lab, playbook, host, target, facts).map((p) => ({ label: p.label, changes: p.changes, status: 'pending' as const }));
    emit({ type: 'host', host, phase: 'planned', result });
    trace('plan');
    if (!opts.dryRun) await applyTasks(conn, lab, result.tasks, (task) => emit({ type: 'task', host, task }));
    if (!opts.dryRun) trace('apply');
  } catch (e) {
    result.error = e instanceof RunError ? e.message.replace(`${host}: `, '') : (e as Error).message;
  } finally {
    conn.close();
  }
  result.ms = Date.now() - started;
  return result;
}

export async function converge(lab: Lab, playbook: Playbook, inventory: Inventory, opts: ConvergeOptions): Promise<HostResult[]> {
  // Node's own start: loading modules, the spec, the playbook and the inventory, before the first connection.
  if (process.env.LAB_TRACE) process.stderr.write(`trace - start ${Math.round(performance.now())} ms\n`);
  const hosts = opts.hosts ?? Object.keys(lab.hosts);
  const limit = pLimit(opts.concurrency ?? 32);
  return Promise.all(
    hosts.map((h) =>
      limit(async () => {
        const r = await convergeHost(h, lab, playbook, inventory, opts);
        opts.onEvent?.({ type: 'host', host: h, phase: 'done', result: r });
        return r;
      }),
    ),
  );
}
