// `lab progress LAB` (the course's steps, each done, partly done or not started, and the next thing to do) and
// `lab hint LAB` (three levels of help for the first unfinished step).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { pickText, t } from '../i18n/index.js';
import { resolveInventory } from '../inventory/file.js';
import type { Inventory } from '../inventory/types.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';
import { envelope } from '../report/envelope.js';
import { columnsOf, fit, styler, useColor } from '../report/style.js';
import { inventoryId } from '../report/verify-record.js';
import { loadLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { runProgress, sshLine, type ProgressRun } from '../tutor/progress.js';
import { formatHint, formatProgress, hintLines } from '../tutor/render.js';
import { stepsOf } from '../tutor/steps.js';
import { parseDuration } from '../verify/duration.js';
import { labHome } from '../vm/paths.js';
import { onInterrupt } from './interrupt.js';

export interface ProgressCliOptions {
  provider?: string;
  inventory?: string;
  instance?: string;
  hosts?: string;
  acceptNew?: boolean;
  json?: boolean;
  /** --watch: judge again every --every until every step is done or --for is up. */
  watch?: boolean;
  every?: string;
  for?: string;
}

export interface HintCliOptions extends Omit<ProgressCliOptions, 'watch' | 'every' | 'for'> {
  reset?: boolean;
}

/** The JSON of one judgement: ids and statuses are stable English; titles and explanations are in the chosen language. */
export function progressJson(lab: string, p: ProgressRun, run: (host: string, commands: string[]) => string) {
  return envelope('progress', lab, p.next === undefined, p.ms, {
    current: p.current ?? null,
    steps: p.steps.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      doneOn: s.doneOn,
      todoOn: s.todoOn,
      waitsFor: s.waitsFor,
      checks: s.checks.map((c) => ({ check: c.check, id: c.id, host: c.host, status: c.status, title: c.title })),
    })),
    next: p.next
      ? {
          step: p.next.step,
          title: p.next.title,
          host: p.next.host,
          checks: p.next.checks.map((c) => ({ check: c.check, id: c.id, title: c.title, expected: c.expected, found: c.found, ...(c.why ? { why: c.why } : {}) })),
          commands: p.next.commands,
          run: p.next.commands.length > 0 ? run(p.next.host, p.next.commands) : null,
        }
      : null,
  });
}

async function prepare(labArg: string, o: ProgressCliOptions) {
  // A step is judged on every host it has checks on: with some hosts left out, a step would look done unseen.
  if (o.hosts !== undefined) throw new UsageError(t('tutor.noHosts'));
  const loaded = await loadLab(labArg);
  const playbook = await loadPlaybook(loaded);
  stepsOf(playbook, `lab progress`);
  const inventory = await resolveInventory(loaded, o);
  const run = (host: string, commands: string[]) => sshLine(labArg, host, commands, o);
  return { lab: loaded.lab, playbook, inventory, run };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function progressCommand(labArg: string, o: ProgressCliOptions): Promise<number> {
  if (o.watch && o.json) throw new UsageError(t('tutor.watchJson'));
  if (!o.watch && (o.every !== undefined || o.for !== undefined)) throw new UsageError(t('tutor.watchOnly'));
  const every = o.every !== undefined ? parseDuration(o.every, '--every') : 5000;
  const budget = o.for !== undefined ? parseDuration(o.for, '--for') : 30 * 60_000;
  const { lab, playbook, inventory, run } = await prepare(labArg, o);
  const once = () => runProgress(lab, playbook, inventory, { acceptNew: o.acceptNew });
  if (!o.watch) {
    const p = await once();
    if (o.json) process.stdout.write(`${JSON.stringify(progressJson(lab.name, p, run), null, 2)}\n`);
    else process.stdout.write(formatProgress(lab.name, p, styler(useColor()), run));
    return p.next ? 1 : 0;
  }
  // --watch: the student works in another terminal; this one redraws in place, and stops by itself.
  const tty = process.stdout.isTTY === true;
  const s = styler(useColor());
  const stopAt = Date.now() + budget;
  const interrupt = onInterrupt();
  let shown = 0;
  let last = '';
  let p: ProgressRun | undefined;
  try {
    for (;;) {
      p = await once();
      const text = formatProgress(lab.name, p, s, run);
      const stamp = s.dim(t('tutor.watching', { time: new Date().toTimeString().slice(0, 8), every: Math.round(every / 1000) }));
      if (tty) {
        const cols = columnsOf(process.stdout);
        const body = `${text}${stamp}\n`.split('\n').slice(0, -1).map((l) => fit(l, cols));
        process.stdout.write(`${shown > 0 ? `\x1b[${shown}A\x1b[J` : ''}${body.join('\n')}\n`);
        shown = body.length;
      } else if (text !== last) process.stdout.write(`${text}${stamp}\n`);
      last = text;
      if (!p.next || Date.now() >= stopAt || interrupt.signal.aborted) break;
      await sleep(Math.min(every, Math.max(0, stopAt - Date.now())), interrupt.signal);
      if (interrupt.signal.aborted) break;
    }
  } finally {
    interrupt.done();
  }
  if (p?.next && Date.now() >= stopAt) process.stderr.write(`${t('tutor.watchStopped', { for: Math.round(budget / 1000) })}\n`);
  return p?.next ? 1 : 0;
}

/** Where `lab hint` remembers the level it gave, per lab and machines (another instance is another student). */
function hintFile(lab: Lab, inventory: Inventory): string {
  return join(labHome(), 'hints', `${lab.name}-${inventoryId(inventory)}.json`);
}

interface HintState {
  /** What the hint was about: the step, the host and its failing checks. A new subject starts again at level 1. */
  about: string;
  level: number;
}

function lookText(playbook: Playbook, step: string, host: string): string | undefined {
  const look = playbook.steps?.find((s) => s.id === step)?.look;
  return look === undefined ? undefined : pickText(look).replaceAll('{host}', host);
}

export async function hintCommand(labArg: string, o: HintCliOptions): Promise<number> {
  const { lab, playbook, inventory, run } = await prepare(labArg, o);
  const file = hintFile(lab, inventory);
  if (o.reset) rmSync(file, { force: true });
  const p = await runProgress(lab, playbook, inventory, { acceptNew: o.acceptNew });
  let level: 1 | 2 | 3 = 1;
  if (p.next) {
    const about = `${p.next.step}|${p.next.host}|${p.next.checks.map((c) => `${c.check}/${c.id}`).join(',')}`;
    let prev: HintState | undefined;
    try {
      prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HintState) : undefined;
    } catch {
      prev = undefined;
    }
    level = (prev?.about === about ? Math.min(3, prev.level + 1) : 1) as 1 | 2 | 3;
    try {
      mkdirSync(join(labHome(), 'hints'), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ about, level } satisfies HintState)}\n`);
    } catch {
      // A read-only folder: every hint is then the first level.
    }
  } else rmSync(file, { force: true });
  const look = p.next ? lookText(playbook, p.next.step, p.next.host) : undefined;
  if (o.json) {
    const body = {
      level,
      step: p.next?.step ?? null,
      host: p.next?.host ?? null,
      title: p.next?.title ?? null,
      hint: hintLines(p, level, look),
      commands: level === 3 && p.next ? p.next.commands : [],
      run: level === 3 && p.next && p.next.commands.length > 0 ? run(p.next.host, p.next.commands) : null,
    };
    process.stdout.write(`${JSON.stringify(envelope('hint', lab.name, p.next === undefined, p.ms, body), null, 2)}\n`);
  } else process.stdout.write(formatHint(p, level, look, styler(useColor()), run));
  return p.next ? 1 : 0;
}
