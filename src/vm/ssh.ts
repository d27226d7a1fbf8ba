// The system ssh client against a lab VM: checked host key from our known_hosts, the lab key, no prompts.
import { execa } from 'execa';

export interface SshTarget {
  port: number;
  identityFile: string;
  knownHosts: string;
  address?: string;
  user?: string;
}

/** ssh options that verify the host key against our known_hosts only, and never ask anything. */
export function sshArgs(t: SshTarget, connectTimeout = 10): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${t.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', `ConnectTimeout=${connectTimeout}`,
    '-o', 'LogLevel=ERROR',
    '-i', t.identityFile,
    '-p', String(t.port),
    `${t.user ?? 'root'}@${t.address ?? '127.0.0.1'}`,
  ];
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run one remote command (a shell string) and collect its output; `input` is its stdin (else /dev/null). */
export async function sshRun(t: SshTarget, command: string, timeoutMs = 60_000, input?: string): Promise<SshResult> {
  const stdin = input === undefined ? { stdin: 'ignore' as const } : { input };
  const r = await execa('ssh', [...sshArgs(t), command], { reject: false, timeout: timeoutMs, ...stdin });
  return { code: r.exitCode ?? 255, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
