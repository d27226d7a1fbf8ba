// One shape for every `--json` output (and `--report json:FILE`): the same five fields first, then the command's own.
// `lab schema output` prints the JSON Schema of every shape (src/report/output-schema.ts).

/** lab's version, as package.json has it (a unit test keeps the two equal). */
export const VERSION = '0.1.0';

export interface Envelope {
  /** The lab the command ran on; null for a command about no one lab (`lab list`). */
  lab: string | null;
  /** The command line's command words: plan, up, down, verify, reset, status, list, graph, vm up, vm status, … */
  command: string;
  version: string;
  /**
   * The command's verdict: false when it failed (exit 1: a task, a check or a host; exit 2 from `lab list` when a lab
   * does not validate). `plan --detailed-exitcode` exits 2 for pending changes with ok true: pending is not failed.
   */
  ok: boolean;
  /** Wall time of the command, in milliseconds. */
  ms: number;
}

export function envelope<T extends object, L extends string | null>(command: string, lab: L, ok: boolean, ms: number, body: T): Envelope & { lab: L } & T {
  return { lab, command, version: VERSION, ok, ms: Math.round(ms), ...body };
}
