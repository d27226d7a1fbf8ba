// known_hosts with OpenSSH's semantics: the fixture table (test/unit/knownhosts-cases.ts, also run against real ssh by
// test/e2e/knownhosts.test.ts), pattern matching, recording new keys, and reading ssh -G and ssh -v.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASES, expand, hashName, type CaseKeys } from '../../test/unit/knownhosts-cases.js';
import type { HostTarget } from '../inventory/types.js';
import { hostKeyAlgorithms } from './connection.js';
import { judgeHostKey } from './hostcheck.js';
import { parseSshG, type KnownHostsFiles } from './knownfiles.js';
import { appendKnownKey, blobType, fingerprint, knownHostName, loadHostKeys, parseKnownHosts, verifyKey } from './knownhosts.js';
import { matchHostname, matchPattern, matchPatternList } from './match.js';
import { algorithmsFor, opensshArgs, parseOpenSsh, type OpenSshVerdict } from './opensshcheck.js';

function blob(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const body = Buffer.alloc(36, seed);
  return Buffer.concat([len, t, body]);
}

const key = { H: blob('ssh-ed25519', 'h'), X: blob('ssh-ed25519', 'x'), R: blob('ssh-rsa', 'r'), C: blob('ssh-ed25519', 'c'), C2: blob('ssh-ed25519', 'd') };
const line = (k: Buffer) => `${blobType(k)} ${k.toString('base64')}`;
const KEYS: CaseKeys = { H: line(key.H), HB: key.H.toString('base64'), X: line(key.X), R: line(key.R), C: line(key.C), C2: line(key.C2) };
const PORT = 2222;

const base = mkdtempSync(join(tmpdir(), 'lab-knownhosts-unit-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function files(user: string, global = ''): KnownHostsFiles {
  const dir = join(base, String(n++));
  const u = `${dir}-user`;
  const g = `${dir}-global`;
  writeFileSync(u, user);
  writeFileSync(g, global);
  return { user: [u], global: [g] };
}
const target = (address = '127.0.0.1'): HostTarget => ({ name: 'web1', address, port: PORT, user: 'root' });

describe('OpenSSH pattern matching (match.c)', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    ['abc', 'a*', true],
    ['abc', '*c', true],
    ['abc', 'a?c', true],
    ['abc', 'a?', false],
    ['abc', '*', true],
    ['', '*', true],
    ['', '', true],
    ['a', '', false],
    ['a*c', 'a\\*c', false],
    ['[127.0.0.1]:2222', '[127.0.0.1]:22*', true],
    ['[127.0.0.1]:2222', '[127.0.0.?]:2222', true],
    ['aaa', '*a*a*a*', true],
    ['aa', '*a*a*a*', false],
  ])('%j against %j: %s', (s, p, want) => expect(matchPattern(s, p)).toBe(want));

  it('lists: a negation vetoes, a positive match needs a plain pattern, subpatterns of 1023+ characters never match', () => {
    expect(matchPatternList('web1', 'db,web*', false)).toBe(1);
    expect(matchPatternList('web1', 'web*,!web1', false)).toBe(-1);
    expect(matchPatternList('web1', '!web1,web*', false)).toBe(-1);
    expect(matchPatternList('web1', '!db', false)).toBe(0);
    expect(matchPatternList('web1', 'db', false)).toBe(0);
    expect(matchPatternList('web1', `${'x'.repeat(1023)},web1`, false)).toBe(0);
    expect(matchPatternList('web1', `${'x'.repeat(1022)},web1`, false)).toBe(1);
  });

  it('host names: both sides lowercased (ASCII only)', () => {
    expect(matchHostname('Web1.Example', 'WEB1.example')).toBe(1);
    expect(matchHostname('ÉCOLE', 'école')).toBe(0);
  });
});

describe('known_hosts lines (hostfile.c)', () => {
  it('names non-22 ports in brackets, lowercased', () => {
    expect(knownHostName('127.0.0.1', 22)).toBe('127.0.0.1');
    expect(knownHostName('Web1', 2201)).toBe('[web1]:2201');
  });

  it('gives file and line of each entry, with its marker', () => {
    const text = `# c\n[127.0.0.1]:2222 ${KEYS.H}\n@revoked * ${KEYS.X}\n@cert-authority *.lab ${KEYS.C}\n`;
    expect(parseKnownHosts(text, '[127.0.0.1]:2222', 'f').map((e) => [e.marker, e.line, e.file, e.key.equals(key.H) || e.key.equals(key.X)])).toEqual([
      ['none', 2, 'f', true],
      ['revoked', 3, 'f', true],
    ]);
    expect(parseKnownHosts(text, 'web1.lab', 'f').map((e) => e.marker)).toEqual(['revoked', 'ca']);
  });

  it('matches a hashed name only with its own salt and the exact name', () => {
    expect(parseKnownHosts(`${hashName('[127.0.0.1]:2222')} ${KEYS.H}`, '[127.0.0.1]:2222')).toHaveLength(1);
    expect(parseKnownHosts(`${hashName('[127.0.0.1]:2222')} ${KEYS.H}`, '[127.0.0.1]:2223')).toHaveLength(0);
    expect(parseKnownHosts(`${hashName('web1')} ${KEYS.H}`, 'WEB1')).toHaveLength(0); // lookups are lowercased before, by knownHostName
  });

  it('reads missing files as empty', () => {
    expect(loadHostKeys([join(base, 'nope')], 'web1')).toEqual([]);
  });
});

describe('the fixture table: lab decides as ssh -o StrictHostKeyChecking=yes', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const f = files(expand(c.user, KEYS, PORT), expand(c.global ?? '', KEYS, PORT));
    const t = target(c.address);
    const v = verifyKey([...f.user, ...f.global], t.address, t.port, key.H);
    expect(v.status).toBe(c.plain);
    let asked = false;
    const ask = async (): Promise<OpenSshVerdict> => {
      asked = true;
      if (!c.openssh) throw new Error('lab asked OpenSSH where its own port decides');
      return { ...c.openssh, revoked: !!c.openssh.revoked, keyFp: fingerprint(key.H), caFp: c.openssh.how === 'certificate' ? fingerprint(key.C) : undefined, message: 'ssh says no' };
    };
    const before = readFileSync(f.user[0]!, 'utf8');
    const j = await judgeHostKey(t, f, { host: t.address, port: t.port }, key.H, { acceptNew: false, timeoutMs: 5_000, ask });
    expect(asked).toBe(!!c.openssh);
    expect(j.ok ? 'accept' : 'refuse').toBe(c.expect);
    if (c.revoked) expect(!j.ok && j.refusal).toMatch(/REVOKED/);
    if (!j.ok && c.plain === 'revoked') expect(j.refusal).toMatch(/ in \/\S+-(user|global):\d+;/); // the file:line that revokes it
    expect(readFileSync(f.user[0]!, 'utf8')).toBe(before);
  });
});

describe('recording new keys (accept-new, Vagrant first contact)', () => {
  const opts = { acceptNew: true, timeoutMs: 5_000, ask: async (): Promise<OpenSshVerdict> => ({ ok: false, revoked: false, message: 'no CA' }) };

  it('appends on a line of its own even when the file lacks its final newline, and finds it again', async () => {
    const f = files(`web9 ${KEYS.X}`);
    const j = await judgeHostKey(target(), f, { host: '127.0.0.1', port: PORT }, key.H, opts);
    expect(j.ok).toBe(true);
    expect(readFileSync(f.user[0]!, 'utf8')).toBe(`web9 ${KEYS.X}\n[127.0.0.1]:${PORT} ${KEYS.H}\n`);
    expect(verifyKey(f.user, '127.0.0.1', PORT, key.H).status).toBe('ok');
    expect(verifyKey(f.user, 'web9', 22, key.X).status).toBe('ok');
  });

  it('never records a revoked key, whichever name revokes it', async () => {
    for (const text of [`@revoked * ${KEYS.H}`, `@revoked 127.0.0.1 ${KEYS.H}`, `@revoked ${hashName(`[127.0.0.1]:${PORT}`)} ${KEYS.H}`]) {
      const f = files(text);
      const j = await judgeHostKey(target(), f, { host: '127.0.0.1', port: PORT }, key.H, opts);
      expect(j.ok).toBe(false);
      expect(!j.ok && j.refusal).toMatch(new RegExp(`REVOKED.*${f.user[0]}:1`));
      expect(readFileSync(f.user[0]!, 'utf8')).toBe(text);
    }
  });

  it('never records over a changed key, nor under a name with wildcards', async () => {
    const f = files(`[127.0.0.1]:${PORT} ${KEYS.X}\n`);
    const j = await judgeHostKey(target(), f, { host: '127.0.0.1', port: PORT }, key.H, opts);
    // The form test/e2e/converge.test.ts reads: both fingerprints, the file:line, and the command that removes the old key.
    expect(!j.ok && j.refusal).toMatch(/^host key CHANGED for \[127\.0\.0\.1\]:2222: known_hosts \(\S+-user:1\) has ssh-ed25519 SHA256:\S+, the host offers ssh-ed25519 SHA256:\S+\. .*ssh-keygen -f .* -R '\[127\.0\.0\.1\]:2222'$/);
    const g = files('');
    expect((await judgeHostKey(target('web*'), g, { host: 'web*', port: PORT }, key.H, opts)).ok).toBe(false);
    expect(readFileSync(g.user[0]!, 'utf8')).toBe('');
  });

  it('hashes the name when the ssh config says HashKnownHosts', async () => {
    const f = files('');
    const j = await judgeHostKey(target(), { ...f, hash: true }, { host: '127.0.0.1', port: PORT }, key.H, opts);
    expect(j.ok).toBe(true);
    const text = readFileSync(f.user[0]!, 'utf8');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 \S+\n$/);
    expect(verifyKey(f.user, '127.0.0.1', PORT, key.H).status).toBe('ok');
  });

  it('records in the first user file, never in a global one', async () => {
    const f = files('');
    const j = await judgeHostKey(target(), { user: [...f.user, join(base, 'second')], global: f.global }, { host: '127.0.0.1', port: PORT }, key.H, opts);
    expect(j.ok && j.recorded).toBe(f.user[0]);
    expect(readFileSync(f.global[0]!, 'utf8')).toBe('');
  });
});

describe('host key algorithms in OpenSSH order', () => {
  it('as is when ed25519 is known, else the known types first', () => {
    expect(hostKeyAlgorithms(['ssh-ed25519', 'ssh-rsa'])[1]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });
  it('asks OpenSSH for the certificate of the very key type lab was offered', () => {
    expect(algorithmsFor('ssh-ed25519')).toBe('ssh-ed25519-cert-v01@openssh.com,ssh-ed25519');
    expect(algorithmsFor('ssh-rsa')).toMatch(/^rsa-sha2-512-cert-v01@openssh\.com,.*,rsa-sha2-256$/);
    const args = opensshArgs({ address: 'h', port: 2222, user: 'root' }, { user: ['/a b/kh'], global: [] }, 'ssh-ed25519', 5);
    expect(args).toContain('UserKnownHostsFile="/a b/kh"');
    expect(args).toContain('GlobalKnownHostsFile=none');
    expect(args.slice(-3)).toEqual(['--', 'h', 'true']);
  });
});

describe('ssh -G', () => {
  it('gives the user and global files, none, and HostKeyAlias', () => {
    const g = parseSshG('user root\nhashknownhosts yes\nuserknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2\nglobalknownhostsfile none\nhostkeyalias web1\n');
    expect(g).toEqual({ user: ['/root/.ssh/known_hosts', '/root/.ssh/known_hosts2'], global: [], alias: 'web1', hash: true });
  });
});

describe('ssh -v on a host key check', () => {
  // Captured from OpenSSH_9.2p1 Debian-2+deb12u10 against sshd with a host certificate (kex lines left out).
  const cert = 'debug1: Server host certificate: ssh-ed25519-cert-v01@openssh.com SHA256:MqwTIT/6Oz9GqyMN1TPDrx6ChxdHQRbB8Kz1Ha98tgw, serial 0 ID "t" CA ssh-ed25519 SHA256:hmNm8OdPtl38cVEm3aD0J4Q5j6HkCRkZPFVClUPzOYY valid forever';
  it('an accepted certificate', () => {
    const out = [
      'OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026',
      cert,
      "debug1: Host '[127.0.0.1]:42999' is known and matches the ED25519-CERT host certificate.",
      'debug1: Found CA key in /tmp/kh-man/kh:1',
      'debug1: SSH2_MSG_NEWKEYS sent',
      'debug1: SSH2_MSG_NEWKEYS received',
      'debug1: Authentications that can continue: publickey,password,keyboard-interactive',
      'root@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).',
    ].join('\n');
    expect(parseOpenSsh(out)).toMatchObject({ ok: true, how: 'certificate', keyFp: 'SHA256:MqwTIT/6Oz9GqyMN1TPDrx6ChxdHQRbB8Kz1Ha98tgw', caFp: 'SHA256:hmNm8OdPtl38cVEm3aD0J4Q5j6HkCRkZPFVClUPzOYY' });
  });
  it('a CA that matches, on a certificate that does not name the host', () => {
    const out = [
      cert,
      "debug1: Host '[localhost]:42999' is known and matches the ED25519-CERT host certificate.",
      'debug1: Found CA key in /tmp/kh-man/kh:1',
      'Certificate invalid: name is not a listed principal',
      'debug1: No matching CA found. Retry with plain key',
      'debug1: checking without port identifier',
      'No ED25519 host key is known for [localhost]:42999 and you have requested strict checking.',
      'Host key verification failed.',
    ].join('\n');
    expect(parseOpenSsh(out)).toMatchObject({ ok: false, revoked: false, message: 'Certificate invalid: name is not a listed principal; No ED25519 host key is known for [localhost]:42999 and you have requested strict checking.' });
  });
  it('a revoked CA', () => {
    const out = [
      cert,
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@       WARNING: REVOKED HOST KEY DETECTED!               @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      'The ED25519-CERT host key for [127.0.0.1]:42999 is marked as revoked.',
      'This could mean that a stolen key is being used to',
      'impersonate this host.',
      'ED25519-CERT host key for [127.0.0.1]:42999 was revoked and you have requested strict checking.',
      'Host key verification failed.',
    ].join('\n');
    const v = parseOpenSsh(out);
    expect(v).toMatchObject({ ok: false, revoked: true });
    expect(v.message).toBe('The ED25519-CERT host key for [127.0.0.1]:42999 is marked as revoked.');
  });
});
