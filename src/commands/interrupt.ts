// Ctrl-C and SIGTERM during a run: the first asks the run to stop (no new command; a running one gets a few seconds),
// a second exits at once with 130, as a shell would after SIGINT.
export const INTERRUPTED_EXIT = 130;

export interface Interrupt {
  signal: AbortSignal;
  /** Remove the handlers (the run is over). */
  done(): void;
}

export function onInterrupt(say: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): Interrupt {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
    say(`lab: ${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping; running commands get 5 s to finish (press Ctrl-C again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    done: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
