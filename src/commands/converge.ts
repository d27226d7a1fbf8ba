// `lab plan`, `lab up`, `lab down`: load and validate everything first, then converge and report.
import { pickHosts } from '../inventory/check.js';
import { resolveInventory } from '../inventory/file.js';
import { loadPlaybook } from '../playbook/load.js';
import { eventLine, formatInterrupted, formatPlan, formatRecap, recapJson } from '../report/converge.js';
import { LiveView } from '../report/live.js';
import { styler, useColor } from '../report/style.js';
import { converge } from '../run/converge.js';
import type { HostResult } from '../run/types.js';
import { loadLab } from '../spec/load.js';
import { parseDuration } from '../verify/duration.js';
import { INTERRUPTED_EXIT, onInterrupt } from './interrupt.js';
import { stepsUntil } from '../tutor/steps.js';

export interface ConvergeCliOptions {
  /** --provider vm|vagrant: where the hosts are (detected when not given). */
  provider?: string;
  inventory?: string;
  instance?: string;
  json?: boolean;
  acceptNew?: boolean;
  hosts?: string;
  /** --lock-wait: how long to wait for another run's lock on a host (a duration). */
  lockWait?: string;
  /** plan --detailed-exitcode: 0 nothing to change, 2 changes pending, 1 an error (as Terraform's plan). */
  detailedExitcode?: boolean;
  /** plan --diff: under each change, a file's content as a unified diff and values as old → new. */
  diff?: boolean;
  /** -v: each command as it runs; -vv: and what it printed. */
  verbose?: number;
  /** --until STEP: only the tasks of the playbook's steps up to and including STEP. */
  until?: string;
}

export async function convergeCommand(kind: 'plan' | 'up' | 'down', labArg: string, o: ConvergeCliOptions): Promise<number> {
  const started = Date.now();
  // Everything the user wrote is checked before any host is contacted.
  const loaded = await loadLab(labArg);
  const playbook = await loadPlaybook(loaded);
  const hosts = pickHosts(loaded.lab, o.hosts);
  const steps = o.until === undefined ? undefined : stepsUntil(playbook, o.until);
  const lockWaitSec = o.lockWait === undefined ? undefined : parseDuration(o.lockWait, '--lock-wait') / 1000;
  const inventory = await resolveInventory(loaded, o);
  const s = styler(useColor() && !o.json);
  const progress = kind !== 'plan' && !o.json;
  // The live view redraws its rows in place: commands and their output go to plain lines instead.
  const view = progress && !o.verbose && useColor(process.stderr) ? new LiveView(hosts ?? Object.keys(loaded.lab.hosts)) : undefined;
  const interrupt = onInterrupt();
  const results: HostResult[] = await converge(loaded.lab, playbook, inventory, {
    mode: kind === 'down' ? 'down' : 'up',
    dryRun: kind === 'plan',
    acceptNew: o.acceptNew,
    hosts,
    ...(steps ? { steps } : {}),
    lockWaitSec,
    signal: interrupt.signal,
    onEvent: view
      ? view.onEvent
      : progress
      ? (e) => {
          const line = eventLine(e, s, o.verbose ?? 0);
          if (line) process.stderr.write(`${line}\n`);
        }
      : undefined,
  });
  view?.stop();
  interrupt.done();
  const failed = results.some((r) => r.error || r.tasks.some((t) => t.status === 'failed'));
  if (o.json) process.stdout.write(`${JSON.stringify(recapJson(kind, loaded.lab.name, results, Date.now() - started), null, 2)}\n`);
  else if (kind === 'plan') process.stdout.write(formatPlan(results, s, { diff: o.diff }));
  else process.stdout.write(`\n${formatRecap(results, s)}\n${s.dim(`${kind} took ${((Date.now() - started) / 1000).toFixed(1)}s`)}\n`);
  if (kind === 'plan' && !o.json) {
    const bad = results.filter((r) => r.error);
    if (bad.length > 0) process.stderr.write(`${bad.length} host(s) could not be planned\n`);
  }
  if (interrupt.signal.aborted) {
    if (!o.json) process.stderr.write(formatInterrupted(results, styler(useColor(process.stderr)), ['lab', ...process.argv.slice(2).filter((a) => a !== '--json')].join(' ')));
    return INTERRUPTED_EXIT;
  }
  if (failed) return 1;
  if (kind === 'plan' && o.detailedExitcode && results.some((r) => r.tasks.some((t) => t.changes.length > 0))) return 2;
  return 0;
}
