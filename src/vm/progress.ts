// Progress lines with elapsed time (`[ 12.3s] step`), to stderr by default or to a caller's function.

export type ProgressSink = (line: string) => void;

export interface Progress {
  step(message: string): void;
  elapsed(): number;
}

export const stderrSink: ProgressSink = (line) => process.stderr.write(`${line}\n`);
export const silentSink: ProgressSink = () => {};

export function createProgress(sink: ProgressSink = stderrSink): Progress {
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  return {
    elapsed,
    step: (message) => sink(`[${elapsed().toFixed(1).padStart(6)}s] ${message}`),
  };
}
