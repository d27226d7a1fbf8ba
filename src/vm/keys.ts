// Fresh SSH keys per lab instance: the client key pair, one ed25519 host key per VM, and known_hosts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { run } from './run.js';

async function keygen(path: string, comment: string): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** The lab instance's client key pair (private key at `path`, public at `path.pub`). */
export function ensureClientKey(path: string, instance: string): Promise<void> {
  return keygen(path, `lab-${instance}`);
}

/** A VM's host key pair, made on the host so its public half is known before the VM boots. */
export function ensureHostKey(path: string, host: string): Promise<void> {
  return keygen(path, `root@${host}`);
}

/** `[127.0.0.1]:PORT ssh-ed25519 AAAA…` for a host key's public file. */
export function knownHostsLine(port: number, publicKeyFile: string): string {
  const [type, blob] = readFileSync(publicKeyFile, 'utf8').trim().split(/\s+/);
  if (!type || !blob) throw new Error(`${publicKeyFile} is not an SSH public key`);
  return `[127.0.0.1]:${port} ${type} ${blob}`;
}

export function writeKnownHosts(path: string, entries: { port: number; publicKeyFile: string }[]): void {
  writeFileSync(path, entries.map((e) => `${knownHostsLine(e.port, e.publicKeyFile)}\n`).join(''), { mode: 0o644 });
}
