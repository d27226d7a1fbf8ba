// plan / up / down over all hosts of a lab: hosts in parallel, tasks in order, one host's failure never stops another.
import pLimit from 'p-limit';
import { RunError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/schema.js';
import type { Remote } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';
import { connectHost } from './connect.js';
import { factQuery, gatherFacts } from './facts.js';
import { lockHost, type HostLock } from './lock.js';
import { planHost, taskScript, type Mode } from './plan.js';
import type { HostResult, RunEvent, TaskResult } from './types.js';

export interface ConvergeOptions {
  mode: Mode;
  /** Plan only: gather facts and compute changes, run nothing. */
  dryRun: boolean;
  acceptNew?: boolean;
  concurrency?: number;
  hosts?: string[];
  /** Only the tasks of these playbook steps (lab up --until STEP); all when undefined. */
  steps?: readonly string[];
  onEvent?: (e: RunEvent) => void;
  /** Seconds to wait for another run's lock on a host before failing it (up and down; plan takes no lock). Default 30. */
  lockWaitSec?: number;
  /** Aborted on Ctrl-C or SIGTERM: no new command starts, and a running one gets `graceMs` to finish. */
  signal?: AbortSignal;
  /** How long a running command may go on after the signal (default 5 s); then it is abandoned. */
  graceMs?: number;
}

export const DEFAULT_LOCK_WAIT_SEC = 30;
const DEFAULT_GRACE_MS = 5_000;

const abortedPromises = new WeakMap<AbortSignal, Promise<void>>();

/** Resolves when `signal` aborts: one listener per signal, however many commands wait on it. */
function aborted(signal: AbortSignal): Promise<void> {
  let p = abortedPromises.get(signal);
  if (!p) {
    p = new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    abortedPromises.set(signal, p);
  }
  return p;
}

/** The command's result, or 'cut' when the signal came and the command did not end within the grace time after it. */
async function untilInterrupted<T>(work: Promise<T>, opts: ConvergeOptions): Promise<T | 'cut'> {
  if (!opts.signal) return work;
  const cut = aborted(opts.signal).then(() => new Promise<'cut'>((r) => setTimeout(() => r('cut'), opts.graceMs ?? DEFAULT_GRACE_MS).unref()));
  return Promise.race([work, cut]);
}

async function applyTasks(conn: Remote, lab: Lab, tasks: TaskResult[], opts: ConvergeOptions, emit: (t: TaskResult) => void, starting: (t: TaskResult) => void): Promise<string | undefined> {
  for (const task of tasks) {
    if (opts.signal?.aborted) return `before ${task.label}`;
    if (task.changes.length === 0) {
      task.status = 'ok';
      emit(task);
      continue;
    }
    const started = Date.now();
    starting(task);
    const run = conn.exec(taskScript(lab, task.changes), { timeoutMs: 600_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    const res = await untilInterrupted(run, opts);
    task.ms = Date.now() - started;
    if (res === 'cut') {
      task.status = 'interrupted';
      task.error = `cut off after ${Math.round(task.ms / 1000)} s; it may still finish on the host`;
      emit(task);
      return `during ${task.label}`;
    }
    const output = [res.stdout.trimEnd(), res.stderr.trimEnd()].filter(Boolean).join('\n');
    if (output) task.output = output;
    if (res.code === 0) task.status = 'changed';
    else {
      task.status = 'failed';
      const why = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join(' | ');
      task.error = `exit ${res.code}${why ? `: ${why}` : ''}`;
    }
    emit(task);
    if (task.status === 'failed') return undefined;
  }
  return opts.signal?.aborted ? 'after its last task' : undefined;
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
  if (opts.signal?.aborted) return { ...result, interrupted: 'before connecting' };
  emit({ type: 'host', host, phase: 'connecting' });
  const connecting = connectHost(target, { acceptNew: opts.acceptNew });
  const reach = await untilInterrupted(connecting, opts);
  if (reach === 'cut') {
    void connecting.then((r) => r.ok && r.conn.close()); // a connection that opens after all is closed at once
    return { ...result, interrupted: 'while connecting', ms: Date.now() - started };
  }
  if (!reach.ok) return { ...result, unreachable: true, error: reach.error, ms: Date.now() - started };
  const conn = reach.conn;
  trace(`connect (${conn.how})`);
  let lock: HostLock | undefined;
  try {
    if (!opts.dryRun) {
      emit({ type: 'host', host, phase: 'locking' });
      const waitSec = opts.lockWaitSec ?? DEFAULT_LOCK_WAIT_SEC;
      const got = await untilInterrupted(
        lockHost(conn, lab.name, opts.mode, waitSec, (holder) => emit({ type: 'host', host, phase: 'locking', note: `waiting up to ${waitSec} s for the lock held by ${holder}` })),
        opts,
      );
      if (got === 'cut') result.interrupted = 'while waiting for its lock';
      else lock = got;
      trace('lock');
    }
    if (!result.interrupted) {
      emit({ type: 'host', host, phase: 'facts' });
      const facts = await untilInterrupted(gatherFacts(conn, factQuery(lab, playbook, host)), opts);
      trace('facts');
      if (facts === 'cut') result.interrupted = 'while reading its facts';
      else {
        result.os = facts.os!.pretty;
        result.tasks = planHost(opts.mode, lab, playbook, host, target, facts, opts.steps).map((p) => ({ label: p.label, ...(p.step !== undefined ? { step: p.step } : {}), changes: p.changes, status: 'pending' as const }));
        emit({ type: 'host', host, phase: 'planned', result });
        trace('plan');
        if (!opts.dryRun) result.interrupted = await applyTasks(conn, lab, result.tasks, opts, (task) => emit({ type: 'task', host, task }), (task) => emit({ type: 'run', host, task }));
        if (!opts.dryRun) trace('apply');
      }
    }
  } catch (e) {
    result.error = e instanceof RunError ? e.message.replace(`${host}: `, '') : (e as Error).message;
  } finally {
    await lock?.release();
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
