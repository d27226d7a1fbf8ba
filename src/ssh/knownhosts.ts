// known_hosts: find a host's keys (plain or hashed names), compare, fingerprint, append.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownKey {
  type: string;
  key: Buffer;
}

/** The name OpenSSH writes for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return pattern.split(',').some((p) => p === name);
}

/** Keys recorded for `name` in known_hosts text; @revoked and @cert-authority lines are not host keys. */
export function findKnownKeys(text: string, name: string): KnownKey[] {
  const keys: KnownKey[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('@')) continue;
    const [names, type, b64] = t.split(/\s+/);
    if (!names || !type || !b64) continue;
    if (nameMatches(names, name)) keys.push({ type, key: Buffer.from(b64, 'base64') });
  }
  return keys;
}

export function readKnownKeys(file: string, name: string): KnownKey[] {
  return existsSync(file) ? findKnownKeys(readFileSync(file, 'utf8'), name) : [];
}

/** The key type named inside an SSH public key blob (string at offset 0). */
export function blobType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's SHA256 fingerprint: `SHA256:` + unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function appendKnownKey(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${name} ${blobType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
