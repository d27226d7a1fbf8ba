// A live task list per host on a terminal: one line per host, redrawn in place as events arrive.
import type { HostResult, RunEvent, TaskResult } from '../run/types.js';
import { columnsOf, fit, seconds, styler } from './style.js';

interface Row {
  phase: string;
  done: number;
  total: number;
  current: string;
  failed: boolean;
  started: number;
  ms?: number;
}

export class LiveView {
  private rows = new Map<string, Row>();
  private drawn = 0;
  private timer: NodeJS.Timeout;
  private s = styler(true);

  constructor(
    hosts: string[],
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    for (const h of hosts) this.rows.set(h, { phase: 'waiting', done: 0, total: 0, current: '', failed: false, started: Date.now() });
    this.timer = setInterval(() => this.draw(), 200);
    this.draw();
  }

  onEvent = (e: RunEvent): void => {
    const row = this.rows.get(e.host);
    if (!row || e.type === 'run') return;
    if (e.type === 'host') {
      row.phase = e.note ?? e.phase;
      if (e.phase === 'planned' && e.result) this.plan(row, e.result);
      if (e.phase === 'done' && e.result) this.finish(row, e.result);
    } else this.task(row, e.task);
    this.draw();
  };

  private plan(row: Row, r: HostResult): void {
    row.total = r.tasks.length;
    row.current = r.tasks.find((t) => t.changes.length > 0)?.label ?? '';
  }

  private task(row: Row, t: TaskResult): void {
    row.done += 1;
    row.failed ||= t.status === 'failed' || t.status === 'interrupted';
    row.current = t.status === 'failed' || t.status === 'interrupted' ? `${t.label}: ${t.error}` : t.label;
  }

  private finish(row: Row, r: HostResult): void {
    row.ms = r.ms;
    row.failed ||= !!r.error;
    if (r.error) row.current = r.error;
  }

  private line(host: string, row: Row, width: number): string {
    const s = this.s;
    const name = host.padEnd(width);
    const count = row.total ? `${row.done}/${row.total}` : '';
    if (row.ms !== undefined) {
      const mark = row.failed ? s.red('✗') : s.green('✓');
      return `${mark} ${name} ${count.padEnd(6)} ${s.dim(seconds(row.ms))} ${row.failed ? s.red(row.current) : ''}`;
    }
    const spin = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[Math.floor(Date.now() / 100) % 10];
    return `${s.cyan(spin!)} ${name} ${count.padEnd(6)} ${s.dim(row.phase === 'planned' ? row.current : row.phase)}`;
  }

  private draw(): void {
    const width = Math.max(...[...this.rows.keys()].map((h) => h.length));
    // One column short of the width: a line that fills it wraps on some terminals and breaks the redraw.
    const cols = columnsOf(this.out) - 1;
    const lines = [...this.rows].map(([h, r]) => fit(this.line(h, r, width), cols));
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.drawn = lines.length;
  }

  stop(): void {
    clearInterval(this.timer);
    this.draw();
  }
}
