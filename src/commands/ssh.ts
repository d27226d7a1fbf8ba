// `lab ssh LAB HOST [-- COMMAND]`: a shell, or one command, on a lab host through the system ssh client, reached the
// way lab reaches it: the same inventory (VMs, Vagrant, a file, a roster's student), user, key, known_hosts and sudo.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { resolveInventory, type TargetOptions } from '../inventory/file.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import { loadRoster, pickStudents } from '../roster/load.js';
import { quote } from '../ssh/quote.js';
import { loadLab, type LoadedLab } from '../spec/load.js';

export interface SshCliOptions extends TargetOptions {
  roster?: string;
  student?: string;
  acceptNew?: boolean;
}

export interface SshInvocation {
  args: string[];
  /** Environment for ssh: SSH_ASKPASS answering the inventory's password, never on the command line. */
  env: Record<string, string>;
  /** Written to the remote command's stdin first: the sudo password (`sudo -S`), when the inventory has one. */
  stdinPrefix?: string;
}

/**
 * The ssh command line for `target`: its host key checked against the known_hosts lab uses (the inventory's file, else
 * ssh's own), `accept-new` only where lab would record a new key; a remote command runs as lab runs its commands,
 * through sudo when the login is not root. An interactive shell is the login user's own.
 */
export function sshInvocation(target: HostTarget, command: string[], o: { acceptNew?: boolean; tty: boolean; askpass?: string }): SshInvocation {
  const args = ['-p', String(target.port), '-o', `StrictHostKeyChecking=${o.acceptNew || target.recordNewKeys ? 'accept-new' : 'yes'}`];
  if (target.knownHosts !== undefined) args.push('-o', `UserKnownHostsFile=${resolve(target.knownHosts)}`);
  if (target.identityFile !== undefined) args.push('-i', resolve(target.identityFile), '-o', 'IdentitiesOnly=yes');
  const env: Record<string, string> = {};
  if (target.password !== undefined && o.askpass) {
    // OpenSSH 8.4+ asks SSH_ASKPASS even with a terminal when SSH_ASKPASS_REQUIRE=force; the script prints the password
    // from the environment, so it is in no file and on no command line.
    Object.assign(env, { SSH_ASKPASS: o.askpass, SSH_ASKPASS_REQUIRE: 'force', LAB_SSH_PASSWORD: target.password });
    args.push('-o', 'PreferredAuthentications=publickey,password,keyboard-interactive', '-o', 'NumberOfPasswordPrompts=1');
  }
  // `--` before the destination: nothing from the inventory (a user or address starting with '-') is read as an option.
  const dest = ['--', `${target.user}@${target.address}`];
  if (command.length === 0) return { args: [...args, '-t', ...dest], env };
  // As ssh does: the words are joined with spaces and the remote shell reads them.
  const line = command.join(' ');
  const sudo = target.sudo ?? target.user !== 'root';
  const tty = o.tty ? ['-t'] : [];
  if (!sudo) return { args: [...args, ...tty, ...dest, line], env };
  if (target.password !== undefined) return { args: [...args, ...dest, `sudo -S -p '' -- sh -c ${quote(line)}`], env, stdinPrefix: `${target.password}\n` };
  return { args: [...args, ...tty, ...dest, `sudo -n -- sh -c ${quote(line)}`], env };
}

async function inventoryFor(loaded: LoadedLab, o: SshCliOptions): Promise<Inventory> {
  if (o.student !== undefined && !o.roster) throw new UsageError(t('usage.studentNeedsRoster'));
  if (!o.roster) return resolveInventory(loaded, o);
  if (o.student === undefined) throw new UsageError(t('usage.rosterNeedsStudent'));
  if (o.student.includes(',')) throw new UsageError(t('usage.oneStudent'));
  return pickStudents(await loadRoster(o.roster, loaded.lab), o.student)[0]!.inventory;
}

export async function sshCommand(labArg: string, host: string, command: string[], o: SshCliOptions): Promise<number> {
  const loaded = await loadLab(labArg);
  const lab = loaded.lab.name;
  const hosts = Object.keys(loaded.lab.hosts);
  if (!hosts.includes(host)) throw new UsageError(t('usage.sshNoHost', { host, lab, hosts: hosts.join(', ') }));
  const target = (await inventoryFor(loaded, o)).hosts[host];
  if (!target) throw new UsageError(t('usage.sshNotInInventory', { host, lab }));
  const dir = target.password !== undefined ? mkdtempSync(join(tmpdir(), 'lab-askpass-')) : undefined;
  try {
    const askpass = dir ? join(dir, 'askpass') : undefined;
    if (askpass) writeFileSync(askpass, '#!/bin/sh\nprintf \'%s\\n\' "$LAB_SSH_PASSWORD"\n', { mode: 0o700 });
    const inv = sshInvocation(target, command, { acceptNew: o.acceptNew, tty: process.stdin.isTTY === true, askpass });
    const child = execa('ssh', inv.args, {
      reject: false,
      stdout: 'inherit',
      stderr: 'inherit',
      stdin: inv.stdinPrefix !== undefined ? 'pipe' : 'inherit',
      env: inv.env,
    });
    if (inv.stdinPrefix !== undefined) {
      child.stdin!.write(inv.stdinPrefix);
      if (process.stdin.isTTY) child.stdin!.end();
      else process.stdin.pipe(child.stdin!);
    }
    const r = await child;
    if (inv.stdinPrefix !== undefined && !process.stdin.isTTY) {
      process.stdin.unpipe(child.stdin!);
      process.stdin.destroy();
    }
    if ((r as { code?: string }).code === 'ENOENT') throw new UsageError(t('usage.sshClientMissing'));
    // The remote command's exit code, as ssh gives it (255: ssh itself failed, and said why).
    return r.exitCode ?? 255;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
