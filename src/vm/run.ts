// Run a host command, keep its output in a log file, and turn a failure into one RunError line.
import { appendFileSync } from 'node:fs';
import { execa } from 'execa';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';

export interface RunOptions {
  /** Append the command and its output here. */
  log?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** Run `cmd args`; resolve to stdout, throw RunError naming the command and its last output lines. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  if (opts.log) appendFileSync(opts.log, `\n$ ${[cmd, ...args].join(' ')}\n`);
  const r = await execa(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    timeout: opts.timeoutMs,
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  if (opts.log) appendFileSync(opts.log, r.all ?? '');
  if (r.exitCode !== 0 || r.failed) {
    const why = r.timedOut ? t('vm.timedOut') : t('vm.exited', { code: String(r.exitCode ?? r.signal ?? '?') });
    const where = opts.log ? t('vm.fullLog', { log: opts.log }) : '';
    throw new RunError(t('vm.commandFailed', { command: cmd, why, output: lastLines(r.all ?? r.message, 3), log: where }));
  }
  return r.stdout ?? '';
}
