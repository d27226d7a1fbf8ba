// The end-of-run table: one row per student, columns by command, the first problem named.
import { recapOf } from '../run/types.js';
import { seconds, styler } from '../report/style.js';
import type { ClassroomKind, StudentResult } from './types.js';
import { isFailing, type CheckResult } from '../verify/types.js';

type Style = ReturnType<typeof styler>;

const WORD = { ok: 'ok', failed: 'FAILED', unreachable: 'UNREACHABLE' } as const;

function word(r: StudentResult, kind: ClassroomKind): string {
  if (kind === 'progress' && r.status !== 'unreachable') return r.status === 'ok' ? 'done' : 'working';
  return kind === 'verify' && r.status !== 'unreachable' ? (r.status === 'ok' ? 'pass' : 'FAIL') : WORD[r.status];
}

function cells(kind: ClassroomKind, r: StudentResult): string[] {
  if (kind === 'progress') {
    const steps = r.steps ?? [];
    return [r.current === null ? 'all done' : (r.current ?? '?'), `${steps.filter((x) => x.status === 'done').length}/${steps.length}`];
  }
  if (kind === 'verify') {
    // A check that could not run (its host unreachable) counts as failed here; the row's word says UNREACHABLE.
    const n = (ok: (st: CheckResult['status']) => boolean) => String((r.checks ?? []).filter((c) => ok(c.status)).length);
    return [n((st) => st === 'pass'), n(isFailing), n((st) => st === 'skip')];
  }
  const sum = { ok: 0, changed: 0, failed: 0, unreachable: 0 };
  for (const h of r.hosts ?? []) {
    const rc = recapOf(h);
    sum.ok += rc.ok;
    sum.changed += rc.changed;
    sum.failed += rc.failed;
    sum.unreachable += rc.unreachable;
  }
  if (kind === 'reset') {
    const findings = (r.start ?? []).flatMap((h) => h.findings);
    const off = findings.filter((f) => !f.ok).length;
    return [String(sum.changed), String(sum.failed), String(sum.unreachable), (r.start ?? []).some((h) => h.error || h.unreachable) ? '?' : `${findings.length - off}/${findings.length}`];
  }
  return [String(sum.ok), String(sum.changed), String(sum.failed), String(sum.unreachable)];
}

const HEADERS: Record<ClassroomKind, string[]> = {
  plan: ['ok', 'to change', 'failed', 'unreachable'],
  up: ['ok', 'changed', 'failed', 'unreachable'],
  down: ['ok', 'changed', 'failed', 'unreachable'],
  verify: ['passed', 'failed', 'skipped'],
  reset: ['undone', 'failed', 'unreachable', 'at start'],
  progress: ['step', 'done'],
};

/** Cut a one-line problem to fit the terminal; the reports keep it whole. */
function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function formatTable(kind: ClassroomKind, results: StudentResult[], s: Style, width = 160): string {
  const head = ['student', 'result', ...HEADERS[kind], 'time', kind === 'verify' ? 'first failure' : kind === 'progress' ? 'next' : 'first problem'];
  const body = results.map((r) => [r.student, word(r, kind), ...cells(kind, r), seconds(r.ms)]);
  const widths = head.slice(0, -1).map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const pad = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const room = Math.max(30, width - widths.reduce((a, b) => a + b + 2, 0));
  // Colour after padding: escape codes would break the layout.
  const lines = body.map((row, i) => {
    const r = results[i]!;
    const cols = row.map((c, j) => c.padEnd(widths[j]!));
    cols[1] = r.status === 'ok' ? s.green(cols[1]!) : s.red(cols[1]!);
    return `${cols.join('  ')}  ${r.problem ? s.red(clip(r.problem, room)) : ''}`.trimEnd();
  });
  return [s.bold(`${pad(head.slice(0, -1))}  ${head[head.length - 1]}`), ...lines].join('\n');
}

export function summaryLine(kind: ClassroomKind, results: StudentResult[], ms: number): string {
  const n = (st: string) => results.filter((r) => r.status === st).length;
  const ok = kind === 'verify' ? 'passing' : kind === 'progress' ? 'done' : 'ok';
  const failed = kind === 'progress' ? 'still working' : 'failed';
  return `${kind}: ${results.length} student${results.length === 1 ? '' : 's'}: ${n('ok')} ${ok}, ${n('failed')} ${failed}, ${n('unreachable')} unreachable, in ${seconds(ms)}`;
}
