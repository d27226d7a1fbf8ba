// known_hosts lookups: plain, bracketed ports, hashed names, markers.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobType, findKnownKeys, fingerprint, knownHostName } from './knownhosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}

describe('known_hosts', () => {
  const k1 = blob('ssh-ed25519', 'one');
  const k2 = blob('ssh-ed25519', 'two');
  const salt = Buffer.from('0123456789abcdef0123');
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64')}`;
  const text = [
    '# comment',
    `web1,10.0.0.1 ssh-ed25519 ${k1.toString('base64')}`,
    `[127.0.0.1]:2201 ssh-ed25519 ${k2.toString('base64')}`,
    `${hashed} ssh-ed25519 ${k2.toString('base64')}`,
    `@revoked [127.0.0.1]:2201 ssh-ed25519 ${k1.toString('base64')}`,
  ].join('\n');

  it('names non-22 ports in brackets', () => {
    expect(knownHostName('127.0.0.1', 22)).toBe('127.0.0.1');
    expect(knownHostName('127.0.0.1', 2201)).toBe('[127.0.0.1]:2201');
  });
  it('finds plain, comma-listed and hashed names', () => {
    expect(findKnownKeys(text, '10.0.0.1').map((k) => k.key)).toEqual([k1]);
    expect(findKnownKeys(text, '[127.0.0.1]:2201').map((k) => k.key)).toEqual([k2]);
    expect(findKnownKeys(text, '[127.0.0.1]:2222').map((k) => k.key)).toEqual([k2]);
    expect(findKnownKeys(text, '[127.0.0.1]:2223')).toEqual([]);
  });
  it('reads the type from a blob and fingerprints like OpenSSH', () => {
    expect(blobType(k1)).toBe('ssh-ed25519');
    expect(fingerprint(k1)).toMatch(/^SHA256:[A-Za-z0-9+/]+$/);
  });
});
