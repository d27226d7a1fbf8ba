// Terminal styling that turns itself off when not a TTY, in CI, or under NO_COLOR; FORCE_COLOR (and lab's --color,
// --no-color) decide first. Lines for a live view are cut to the terminal's width by display width, never inside an
// escape sequence (cli-truncate).
import cliTruncate from 'cli-truncate';

export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return !!stream.isTTY && !env.NO_COLOR && !env.CI && env.TERM !== 'dumb';
}

/** The terminal's width, or `fallback` when it is unknown (not a terminal, or a terminal that reports 0 columns). */
export function columnsOf(stream: { columns?: number } | undefined, fallback = 100): number {
  const c = stream?.columns;
  return c !== undefined && Number.isFinite(c) && c > 0 ? c : fallback;
}

/** A line cut to `cols` display columns with an ellipsis; colors are closed, never cut in half. */
export function fit(line: string, cols: number): string {
  return cliTruncate(line, Math.max(1, cols));
}

export function styler(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), dim: wrap(2), bold: wrap(1), cyan: wrap(36) };
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
