// Progress over a roster: on a terminal a few lines redrawn in place (done, failing, running, waiting); plain lines otherwise.
import { columnsOf, fit, seconds, styler } from '../report/style.js';
import type { ClassroomEvent, StudentResult } from './types.js';

type Style = ReturnType<typeof styler>;

export interface Sink {
  write(text: string): void;
  columns?: number;
}

/** Counts only, plus the names of running and failing students: memory stays small for any roster. */
export class Progress {
  readonly running = new Map<string, string>();
  readonly failing: { student: string; status: string }[] = [];
  done = 0;
  started = 0;
  constructor(readonly total: number) {}

  apply(e: ClassroomEvent): void {
    if (e.type === 'start') {
      this.started++;
      this.running.set(e.student, '');
    } else if (e.type === 'phase') {
      if (this.running.has(e.student)) this.running.set(e.student, e.text);
    } else {
      this.done++;
      this.running.delete(e.student);
      if (e.result.status !== 'ok') this.failing.push({ student: e.student, status: e.result.status });
    }
  }

  get waiting(): number {
    return this.total - this.started;
  }
}


/** The redrawn view; `title` is e.g. "up lvs-nat". */
export class LiveClassroom {
  private p: Progress;
  private drawn = 0;
  private timer: NodeJS.Timeout;
  private began = Date.now();
  private s: Style = styler(true);

  constructor(
    total: number,
    private readonly title: string,
    private readonly out: Sink,
  ) {
    this.p = new Progress(total);
    this.timer = setInterval(() => this.draw(), 250);
    this.draw();
  }

  onEvent = (e: ClassroomEvent): void => {
    this.p.apply(e);
    this.draw();
  };

  lines(): string[] {
    const { s, p } = this;
    const spin = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[Math.floor(Date.now() / 100) % 10]!;
    const ok = p.done - p.failing.length;
    const out = [
      `${s.bold(this.title)}: ${p.total} student${p.total === 1 ? '' : 's'} ${s.dim(seconds(Date.now() - this.began))}`,
      `  ${s.green(`✓ ${ok} done`)}  ${p.failing.length ? s.red(`✗ ${p.failing.length} failing`) : s.dim('✗ 0 failing')}  ${s.cyan(`${spin} ${p.running.size} running`)}  ${s.dim(`· ${p.waiting} waiting`)}`,
    ];
    if (p.running.size > 0) out.push(s.dim(`  running: ${[...p.running].map(([n, ph]) => (ph ? `${n} (${ph})` : n)).join(', ')}`));
    if (p.failing.length > 0) out.push(s.red(`  failing: ${p.failing.map((f) => `${f.student} (${f.status})`).join(', ')}`));
    return out;
  }

  private draw(): void {
    const cols = columnsOf(this.out) - 1;
    const lines = this.lines().map((l) => fit(l, cols));
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    text += lines.map((l) => `\x1b[2K${l}\n`).join('');
    // Clear lines left over from a taller frame.
    for (let i = lines.length; i < this.drawn; i++) text += '\x1b[2K\n';
    if (this.drawn > lines.length) text += `\x1b[${this.drawn - lines.length}A`;
    this.out.write(text);
    this.drawn = lines.length;
  }

  stop(): void {
    clearInterval(this.timer);
    this.draw();
  }
}

/** One plain line per student start and end, counted: for logs, CI and pipes. */
export function plainLines(total: number, kind: string, out: Sink, s: Style): (e: ClassroomEvent) => void {
  const p = new Progress(total);
  return (e) => {
    p.apply(e);
    if (e.type === 'start') out.write(`${e.student}: ${kind} started\n`);
    if (e.type === 'done') out.write(`[${p.done}/${total}] ${doneLine(e.result, s)}\n`);
  };
}

export function doneLine(r: StudentResult, s: Style): string {
  if (r.status === 'ok') return s.green(`${r.student}: ok in ${seconds(r.ms)}`);
  return s.red(`${r.student}: ${r.status === 'failed' ? 'FAILED' : 'UNREACHABLE'} in ${seconds(r.ms)}: ${r.problem ?? ''}`);
}
