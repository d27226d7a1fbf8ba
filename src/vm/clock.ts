// Prove SSH works and set a restored guest's clock from the host's in the same command: the guest was frozen at its save.
import { execa } from 'execa';
import { sshArgs, type SshResult, type SshTarget } from './ssh.js';

const READY = 'lab-clock-ready';

/**
 * The guest prints a marker as soon as its shell runs, then reads the host's time from stdin and sets its clock to it:
 * the time is sent after the handshake, so the error is one slirp round trip, not the ~1 s an SSH login costs here.
 * The guest answers with its clock after the set, in seconds since the epoch.
 */
const REMOTE = `echo ${READY}; read t && date -u -s "@$t" >/dev/null && date -u +%s.%N`;

export interface ClockResult extends SshResult {
  /** Guest clock minus host clock right after the set, in ms (undefined when the command failed). */
  skewMs?: number;
}

export async function sshSetClock(t: SshTarget, timeoutMs: number): Promise<ClockResult> {
  const child = execa('ssh', [...sshArgs(t), REMOTE], { reject: false, timeout: timeoutMs, stdin: 'pipe', buffer: true });
  let seen = '';
  let sent = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    if (!sent && seen.includes(`${READY}\n`)) {
      sent = true;
      child.stdin?.end(`${(Date.now() / 1000).toFixed(3)}\n`);
    }
  });
  // ssh exits without printing the marker (refused, reset): nothing is waiting on stdin any more.
  child.on('exit', () => child.stdin?.destroy());
  const r = await child;
  const code = r.exitCode ?? 255;
  const after = Date.now();
  const guest = Number.parseFloat((r.stdout ?? '').split('\n').at(-1) ?? '');
  const res: ClockResult = { code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (code === 0 && Number.isFinite(guest)) res.skewMs = Math.round(guest * 1000 - after);
  return res;
}
