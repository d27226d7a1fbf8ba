// lab progress and lab hint on a terminal: the steps in order with their state, and the one next thing to do.
import { t } from '../i18n/index.js';
import type { styler } from '../report/style.js';
import { columns, padColumns } from '../report/verify.js';
import { isFailing } from '../verify/types.js';
import type { Progress, StepState } from './steps.js';

type Style = ReturnType<typeof styler>;

const MARK: Record<StepState['status'], string> = { done: '✓', partial: '◐', 'not-started': '○', waiting: '…' };

function stateText(st: StepState): string {
  switch (st.status) {
    case 'done':
      return '';
    case 'partial':
      return t('tutor.partial', { done: st.doneOn.join(', '), todo: st.todoOn.join(', ') });
    case 'waiting':
      return t('tutor.waitsFor', { steps: st.waitsFor.join(', ') });
    default:
      return t('tutor.notStarted');
  }
}

function color(st: StepState, s: Style): (x: string) => string {
  return st.status === 'done' ? s.green : st.status === 'partial' ? s.yellow : st.status === 'waiting' ? s.dim : (x) => x;
}

/** The step list: one line per step, then the next thing to do with its exact commands. */
export function formatProgress(lab: string, p: Progress, s: Style, run: (host: string, commands: string[]) => string): string {
  const done = p.steps.filter((x) => x.status === 'done').length;
  const lines = [s.bold(t('tutor.heading', { lab, done, count: p.steps.length }))];
  const idWidth = Math.max(...p.steps.map((x) => x.id.length));
  const titleWidth = Math.max(...p.steps.map((x) => columns(x.title)));
  for (const st of p.steps) {
    const c = color(st, s);
    const note = stateText(st);
    lines.push(`  ${c(MARK[st.status])} ${c(st.id.padEnd(idWidth))}  ${note ? `${padColumns(st.title, titleWidth)}  ${s.dim(note)}` : st.title}`);
  }
  lines.push('');
  if (!p.next) {
    lines.push(s.green(t('tutor.allDone', { lab })));
    return `${lines.join('\n')}\n`;
  }
  const n = p.next;
  lines.push(s.bold(t('tutor.next', { step: n.step, title: n.title, host: n.host })));
  for (const c of n.checks) {
    lines.push(`  ${s.red('✗')} ${c.title}: ${c.found}`);
    if (c.why) lines.push(`    ${s.dim(c.why)}`);
  }
  if (n.unreachable) lines.push(`  ${t('tutor.unreachable', { host: n.host })}`);
  else if (n.commands.length === 0) lines.push(`  ${t('tutor.noCommand')}`);
  else {
    lines.push(`  ${t('tutor.runOn', { host: n.host })}`);
    for (const cmd of n.commands) lines.push(`    ${s.cyan(cmd)}`);
    lines.push(`  ${t('tutor.orFromHere')}`, `    ${run(n.host, n.commands)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What one hint level says, as plain lines (1 what is wrong, 2 where to look, 3 the exact commands). */
export function hintLines(p: Progress, level: 1 | 2 | 3, look: string | undefined): string[] {
  const n = p.next;
  if (!n) return [];
  const failing = n.checks.filter((c) => isFailing(c.status));
  if (level === 1) return failing.map((c) => t('tutor.hintWrong', { title: c.title, expected: c.expected, found: c.found }));
  if (level === 2) return [...(look ? [look] : []), ...failing.flatMap((c) => (c.why ? [c.why] : []))];
  if (n.commands.length === 0) return [n.unreachable ? t('tutor.unreachable', { host: n.host }) : t('tutor.noCommand')];
  return [];
}

/** One hint level for the first unfinished step, for a terminal. */
export function formatHint(p: Progress, level: 1 | 2 | 3, look: string | undefined, s: Style, run: (host: string, commands: string[]) => string): string {
  const n = p.next;
  if (!n) return `${s.green(t('tutor.hintNothing'))}\n`;
  const lines = [s.bold(t('tutor.hintHeading', { level, step: n.step, title: n.title, host: n.host })), ...hintLines(p, level, look).map((l) => `  ${l}`)];
  if (level === 3 && n.commands.length > 0) {
    lines.push(`  ${t('tutor.runOn', { host: n.host })}`);
    for (const cmd of n.commands) lines.push(`    ${s.cyan(cmd)}`);
    lines.push(`  ${t('tutor.orFromHere')}`, `    ${run(n.host, n.commands)}`);
  }
  lines.push(s.dim(level < 3 ? t('tutor.hintMore') : t('tutor.hintLast')));
  return `${lines.join('\n')}\n`;
}
