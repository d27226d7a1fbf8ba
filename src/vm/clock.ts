// Prove SSH works and set a restored guest's clock from the host's in the same command: the guest was frozen at its save.
import { execa } from 'execa';
import { sshArgs, type SshResult, type SshTarget } from './ssh.js';

const READY = 'lab-clock-ready';

/**
 * The guest runs `date` once (so its code is translated before the time matters), prints a marker, then for each host
 * time it reads sets its clock and answers with it. The time is sent after the handshake, so the error is a slirp round
 * trip and one `date` start, not the ~1 s an SSH login costs here; when the answer shows the guest still behind (a
 * starved guest started `date` slowly), the host sends its time again, up to ROUNDS times.
 */
const REMOTE = `date >/dev/null; echo ${READY}; while read t; do date -u -s "@$t" >/dev/null; date -u +%s.%N; done`;
const ROUNDS = 3;
const GOOD_MS = 300;

export interface ClockResult extends SshResult {
  /** Guest clock minus host clock at the last answer, in ms (undefined when the command failed). */
  skewMs?: number;
}

export async function sshSetClock(t: SshTarget, timeoutMs: number): Promise<ClockResult> {
  const child = execa('ssh', [...sshArgs(t), REMOTE], { reject: false, timeout: timeoutMs, stdin: 'pipe', buffer: true });
  let seen = '';
  let rounds = 0;
  let skewMs: number | undefined;
  const sendTime = () => {
    rounds++;
    child.stdin?.write(`${(Date.now() / 1000).toFixed(3)}\n`);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    let nl: number;
    while ((nl = seen.indexOf('\n')) >= 0) {
      const line = seen.slice(0, nl).trim();
      seen = seen.slice(nl + 1);
      if (line === READY) {
        sendTime();
        continue;
      }
      const guest = Number.parseFloat(line);
      if (!Number.isFinite(guest)) continue;
      skewMs = Math.round(guest * 1000 - Date.now());
      if (Math.abs(skewMs) > GOOD_MS && rounds < ROUNDS) sendTime();
      else child.stdin?.end();
    }
  });
  // ssh exits without printing the marker (refused, reset): nothing is waiting on stdin any more.
  child.on('exit', () => child.stdin?.destroy());
  const r = await child;
  const code = r.exitCode ?? 255;
  const res: ClockResult = { code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (code === 0 && skewMs !== undefined) res.skewMs = skewMs;
  else if (code === 0) res.code = 255;
  return res;
}
