// Typed errors a user can hit; the CLI maps them to one line and an exit code in one place.

/** Something the user gave us is wrong: bad flags, a bad spec, a missing file. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = 'UsageError';
}

/** A spec or roster failed validation; every message already carries file:line:col. Exit 2. */
export class SpecError extends UsageError {
  override name = 'SpecError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** A run or check failed on a host, or the machine lacks something. Exit 1. */
export class RunError extends Error {
  readonly exitCode = 1;
  override name = 'RunError';
  constructor(message: string, readonly host?: string) {
    super(host ? `${host}: ${message}` : message);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return err.exitCode;
  if (err instanceof RunError) return err.exitCode;
  return 1;
}
