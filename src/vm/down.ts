// `lab vm down`: stop every VM of the instance (clean power-down first); disks stay for the next `up`.
import { mkdir } from 'node:fs/promises';
import { instanceName, type InstanceOptions } from './instance.js';
import { withLock } from './lock.js';
import { instanceFiles } from './paths.js';
import { createProgress, type ProgressSink } from './progress.js';
import { stopAll, type StoppedVm } from './vms.js';

export interface DownOptions extends InstanceOptions {
  /** Skip the clean power-down: SIGTERM at once (SIGKILL after a bound). */
  force?: boolean;
  progress?: ProgressSink;
}

export interface DownResult {
  instance: string;
  stopped: StoppedVm[];
  seconds: number;
}

export async function vmDown(labArg: string, opts: DownOptions = {}): Promise<DownResult> {
  const instance = await instanceName(labArg, opts);
  const files = instanceFiles(instance);
  const progress = createProgress(opts.progress);
  await mkdir(files.dir, { recursive: true });
  const stopped = await withLock(files.lock, { waitMs: 15 * 60_000, what: `lab vm instance ${instance}` }, () => stopAll(instance, !opts.force));
  for (const s of stopped) progress.step(s.how === 'not-running' ? `${s.host} was not running` : `${s.host} stopped (pid ${s.pid}, ${s.how})`);
  return { instance, stopped, seconds: progress.elapsed() };
}
