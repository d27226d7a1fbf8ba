// Print plans, live progress lines and the per-host recap of plan / up / down; or the same as JSON.
import { recapOf, type HostResult, type RunEvent } from '../run/types.js';
import { envelope } from './envelope.js';
import { seconds, styler, table } from './style.js';

type Style = ReturnType<typeof styler>;

/** A change's diff (see Change.diff), indented under it: removed lines red, added green, hunk headers cyan. */
function diffLines(diff: string, s: Style): string[] {
  return diff.split('\n').map((l) => {
    const paint = /^(---|\+\+\+) /.test(l) ? s.bold : l.startsWith('@@') ? s.cyan : l.startsWith('+') ? s.green : l.startsWith('-') ? s.red : (x: string) => x;
    return `    ${paint(l)}`;
  });
}

/** The plan, per host: each task that changes with each change's commands; with `diff`, what changes in files and values first. */
export function formatPlan(results: HostResult[], s: Style, opts: { diff?: boolean } = {}): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.error) {
      out.push(s.red(`${r.host}: ${r.unreachable ? 'UNREACHABLE' : 'FAILED'}: ${r.error}`), '');
      continue;
    }
    const n = r.tasks.filter((t) => t.changes.length > 0).length;
    out.push(s.bold(`${r.host}`) + s.dim(` (${r.os}) `) + (n === 0 ? s.green('nothing to do') : s.yellow(`${n} of ${r.tasks.length} tasks change`)));
    for (const t of r.tasks) {
      if (t.changes.length === 0) {
        out.push(s.green(`  = ${t.label}`));
        continue;
      }
      for (const c of t.changes) {
        out.push(s.yellow(`  ~ ${t.label}: ${c.title}`));
        if (opts.diff && c.diff) out.push(...diffLines(c.diff, s));
        for (const cmd of c.commands) out.push(`      ${cmd.split('\n').join('\n      ')}`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * One progress line per event; with `verbose` 1 (`-v`) a task's commands as it starts them, with 2 (`-vv`) also what
 * they printed, each under its task.
 */
export function eventLine(e: RunEvent, s: Style, verbose = 0): string | undefined {
  if (e.type === 'run') return verbose > 0 ? [s.cyan(`${e.host}: run     ${e.task.label}`), ...e.task.changes.flatMap((c) => c.commands).flatMap((c) => c.split('\n')).map((l) => s.dim(`${e.host}:   $ ${l}`))].join('\n') : undefined;
  const out = verbose > 1 && e.type === 'task' && e.task.output ? `\n${e.task.output.split('\n').map((l) => s.dim(`${e.host}:   | ${l}`)).join('\n')}` : '';
  const line = taskLine(e, s);
  return line === undefined ? undefined : line + out;
}

function taskLine(e: Exclude<RunEvent, { type: 'run' }>, s: Style): string | undefined {
  if (e.type === 'host' && e.note) return s.yellow(`${e.host}: ${e.note}`);
  if (e.type === 'host') {
    if (e.phase === 'done' && e.result) {
      const r = e.result;
      if (r.error) return s.red(`${r.host}: ${r.unreachable ? 'unreachable' : 'failed'}: ${r.error}`);
      const rc = recapOf(r);
      return `${r.host}: done in ${seconds(r.ms)}: ${rc.changed} changed, ${rc.ok} ok, ${rc.failed} failed`;
    }
    return undefined;
  }
  const t = e.task;
  if (t.status === 'ok') return s.dim(`${e.host}: ok      ${t.label}`);
  if (t.status === 'changed') return s.yellow(`${e.host}: changed ${t.label}`) + s.dim(` (${t.changes.map((c) => c.title).join('; ')}) ${seconds(t.ms ?? 0)}`);
  if (t.status === 'interrupted') return s.red(`${e.host}: INTERRUPTED ${t.label}: ${t.error}`);
  return s.red(`${e.host}: FAILED  ${t.label}: ${t.error}`);
}

export function formatRecap(results: HostResult[], s: Style): string {
  const rows = [['host', 'ok', 'changed', 'failed', 'unreachable', 'time']];
  for (const r of results) {
    const rc = recapOf(r);
    rows.push([r.host, String(rc.ok), String(rc.changed), String(rc.failed), String(rc.unreachable), seconds(r.ms)]);
  }
  const lines = table(rows).split('\n');
  const problems = results.flatMap((r) => [
    ...(r.error ? [s.red(`${r.host}: ${r.unreachable ? 'unreachable' : 'failed'}: ${r.error}`)] : []),
    ...r.tasks.filter((t) => t.status === 'failed').map((t) => s.red(`${r.host}: ${t.label} failed: ${t.error}`)),
  ]);
  return [s.bold(lines[0]!), ...lines.slice(1), ...(problems.length > 0 ? ['', ...problems] : [])].join('\n');
}

/** After Ctrl-C: per host what was done, what was cut off or stopped, what never started; and what to do. */
export function formatInterrupted(results: HostResult[], s: Style, rerun: string): string {
  const out = [s.red('interrupted: no new command was started after the signal')];
  for (const r of results) {
    const done = r.tasks.filter((t) => t.status === 'ok' || t.status === 'changed').map((t) => t.label);
    const cut = r.tasks.find((t) => t.status === 'interrupted');
    const failed = r.tasks.filter((t) => t.status === 'failed').map((t) => t.label);
    const notStarted = r.tasks.filter((t) => t.status === 'pending').map((t) => t.label);
    const parts = [
      ...(done.length > 0 ? [`done: ${done.join(', ')}`] : []),
      ...(failed.length > 0 ? [`failed: ${failed.join(', ')}`] : []),
      ...(cut ? [`interrupted during ${cut.label} (${cut.error})`] : r.interrupted ? [`stopped ${r.interrupted}`] : r.error ? [r.error] : []),
      ...(notStarted.length > 0 ? [`not started: ${notStarted.join(', ')}`] : []),
    ];
    out.push(`  ${r.host}: ${parts.join('; ') || 'nothing to do'}`);
  }
  out.push(`run \`${rerun}\` again to finish: it converges each host from wherever it stopped.`);
  return `${out.join('\n')}\n`;
}

/** One host's run as JSON: its recap, then each task with its changes (the exact commands), in plan, up, down and --roster. */
export function hostJson(r: HostResult) {
  const rc = recapOf(r);
  return {
    ok: rc.ok,
    changed: rc.changed,
    failed: rc.failed,
    unreachable: rc.unreachable,
    os: r.os,
    error: r.error,
    interrupted: r.interrupted,
    ms: r.ms,
    tasks: r.tasks.map((t) => ({ task: t.label, step: t.step, status: t.status, changes: t.changes.map((c) => ({ title: c.title, commands: c.commands, diff: c.diff })), error: t.error })),
  };
}

/** plan, up and down as JSON: the envelope, then per host its recap, tasks and changes (under `hosts`). */
export function recapJson(command: 'plan' | 'up' | 'down', lab: string, results: HostResult[], ms: number) {
  const ok = results.every((r) => !r.error && r.tasks.every((t) => t.status !== 'failed'));
  return envelope(command, lab, ok, ms, {
    interrupted: results.some((r) => r.interrupted !== undefined) || undefined,
    hosts: Object.fromEntries(results.map((r) => [r.host, hostJson(r)])),
  });
}
