// lab and real OpenSSH agree on host keys: a real sshd on 127.0.0.1 (a temp ed25519 host key with a host certificate
// from a temp CA), and for each known_hosts fixture of test/unit/knownhosts-cases.ts both
// `ssh -o StrictHostKeyChecking=yes` and lab's SshConnection.open, with the same user and global files, must accept
// or refuse, and as the fixture says. Also: recording with accept-new, the keeper's re-check, and files from ssh -G.
// Needs root and /usr/sbin/sshd (scripts/install-deps.sh installs openssh-server); no VM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostTarget } from '../../src/inventory/types.js';
import { SshConnection } from '../../src/ssh/connection.js';
import { knownHostsFiles, type KnownHostsFiles } from '../../src/ssh/knownfiles.js';
import { CASES, expand, type CaseKeys } from '../unit/knownhosts-cases.js';
import { ROOT } from './harness.js';

const SSHD = '/usr/sbin/sshd';
let dir = '';
let port = 0;
let sshd: ChildProcess | undefined;
let madeRunSshd = false;
let keys: CaseKeys;
let n = 0;

function pub(name: string): string {
  return readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

async function keygen(name: string, type: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', `lab-e2e-${name}`, '-f', join(dir, name)]);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function listening(p: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect(p, '127.0.0.1');
      c.once('connect', () => (c.destroy(), res(true)));
      c.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd did not listen on 127.0.0.1:${p} within ${ms} ms (log: ${join(dir, 'sshd.log')}: ${readFileSync(join(dir, 'sshd.log'), 'utf8').slice(-500)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('this test runs sshd and logs in as root: run it as root');
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: run scripts/install-deps.sh (it installs openssh-server)`);
  dir = mkdtempSync(join(tmpdir(), 'lab-e2e-knownhosts-'));
  await Promise.all([keygen('host', 'ed25519'), keygen('other', 'ed25519'), keygen('rsa', 'rsa'), keygen('ca', 'ed25519'), keygen('ca2', 'ed25519'), keygen('id', 'ed25519')]);
  // The host certificate: host key H signed by CA C, for the name ssh and lab connect to.
  await execa('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'lab-e2e-host', '-h', '-n', '127.0.0.1', '-V', 'always:forever', join(dir, 'host.pub')]);
  keys = { H: pub('host'), HB: pub('host').split(' ')[1]!, X: pub('other'), R: pub('rsa'), C: pub('ca'), C2: pub('ca2') };
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')), { mode: 0o600 });
  mkdirSync(join(dir, 'home'), { mode: 0o700 });
  port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `HostCertificate ${join(dir, 'host-cert.pub')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'UseDNS no',
      'PidFile none',
      'MaxStartups 100',
      'LogLevel VERBOSE',
      // A fresh HOME: this machine's /root/.bashrc is slow, and `true` runs through root's shell.
      `SetEnv HOME=${join(dir, 'home')}`,
      '',
    ].join('\n'),
  );
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    madeRunSshd = true;
  }
  sshd = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
  await listening(port, 10_000);
}, 60_000);

/** PIDs whose parent is `pid` (sshd's per-connection children). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

afterAll(async () => {
  // The sshd we started, by PID, and then any connection it still serves; wait for the listener to be gone.
  const pid = sshd?.pid;
  if (pid && sshd!.exitCode === null) {
    const kids = childrenOf(pid);
    const gone = new Promise((r) => sshd!.once('exit', r));
    process.kill(pid, 'SIGTERM');
    for (const k of kids) {
      try {
        process.kill(k, 'SIGTERM');
      } catch {
        /* already ended */
      }
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
  }
  if (madeRunSshd) {
    try {
      rmdirSync('/run/sshd');
    } catch {
      /* someone else's sshd uses it now */
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function files(user: string, global = ''): KnownHostsFiles {
  const base = join(dir, `case${n++}`);
  writeFileSync(`${base}-user`, user);
  writeFileSync(`${base}-global`, global);
  return { user: [`${base}-user`], global: [`${base}-global`] };
}

async function viaSsh(address: string, f: KnownHostsFiles): Promise<{ ok: boolean; stderr: string }> {
  const r = await execa(
    'ssh',
    ['-F', '/dev/null', '-i', join(dir, 'id'), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${f.user.join(' ')}`, '-o', `GlobalKnownHostsFile=${f.global.join(' ')}`,
      '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-p', String(port), `root@${address}`, 'true'],
    { reject: false, stdin: 'ignore', timeout: 20_000 },
  );
  return { ok: r.exitCode === 0, stderr: String(r.stderr) };
}

function target(address = '127.0.0.1'): HostTarget {
  return { name: 'kh', address, port, user: 'root', identityFile: join(dir, 'id') };
}

async function viaLab(address: string, f: KnownHostsFiles, acceptNew = false): Promise<{ ok: boolean; error: string; conn?: SshConnection }> {
  try {
    const conn = await SshConnection.open(target(address), { knownHostsFiles: f, acceptNew, readyTimeoutMs: 20_000 });
    return { ok: true, error: '', conn };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

describe('lab and OpenSSH agree on every known_hosts fixture', () => {
  // Five at a time (vitest's maxConcurrency): each is two SSH handshakes, mostly waiting.
  it.concurrent.for(CASES.map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
    const f = files(expand(c.user, keys, port), expand(c.global ?? '', keys, port));
    const address = c.address ?? '127.0.0.1';
    const [ssh, lab] = await Promise.all([viaSsh(address, f), viaLab(address, f)]);
    lab.conn?.close();
    const said = `ssh: ${ssh.stderr.trim().split('\n').slice(-2).join(' | ') || 'ok'}; lab: ${lab.error || 'ok'}`;
    expect(ssh.ok ? 'accept' : 'refuse', `OpenSSH (${said})`).toBe(c.expect);
    expect(lab.ok ? 'accept' : 'refuse', `lab (${said})`).toBe(c.expect);
    if (c.revoked) expect(lab.error).toMatch(/REVOKED/);
  });
});

describe('recording and re-checking', () => {
  it('accept-new records the key on a line of its own, and OpenSSH then accepts that file', async () => {
    const f = files('# written by hand, no final newline');
    const lab = await viaLab('127.0.0.1', f, true);
    lab.conn?.close();
    expect(lab.ok, lab.error).toBe(true);
    expect(readFileSync(f.user[0]!, 'utf8')).toBe(`# written by hand, no final newline\n[127.0.0.1]:${port} ${keys.H}\n`);
    expect((await viaSsh('127.0.0.1', f)).ok).toBe(true);

    const g = files('');
    const hashed = await viaLab('127.0.0.1', { ...g, hash: true }, true);
    hashed.conn?.close();
    expect(hashed.ok, hashed.error).toBe(true);
    expect(readFileSync(g.user[0]!, 'utf8')).toMatch(/^\|1\|\S+ ssh-ed25519 \S+\n$/);
    expect((await viaSsh('127.0.0.1', g)).ok).toBe(true);
  });

  it('accept-new never records a revoked key', async () => {
    const text = `@revoked 127.0.0.1 ${keys.H}\n`;
    const f = files(text);
    const lab = await viaLab('127.0.0.1', f, true);
    expect(lab.ok).toBe(false);
    expect(lab.error).toMatch(new RegExp(`REVOKED.*${f.user[0]}:1`));
    expect(readFileSync(f.user[0]!, 'utf8')).toBe(text);
  });

  it('a kept connection is trusted until its key is revoked, or its CA line goes', async () => {
    const f = files(`[127.0.0.1]:${port} ${keys.H}\n`);
    const plain = await viaLab('127.0.0.1', f);
    expect(plain.ok, plain.error).toBe(true);
    expect(plain.conn!.stillTrusted()).toBe(true);
    appendFileSync(f.user[0]!, `@revoked * ${keys.H}\n`);
    expect(plain.conn!.stillTrusted()).toBe(false);
    plain.conn!.close();

    const g = files(`@cert-authority * ${keys.C}\n`);
    const byCa = await viaLab('127.0.0.1', g);
    expect(byCa.ok, byCa.error).toBe(true);
    expect(byCa.conn!.stillTrusted()).toBe(true);
    writeFileSync(g.user[0]!, `@cert-authority * ${keys.C2}\n`);
    expect(byCa.conn!.stillTrusted()).toBe(false);
    byCa.conn!.close();
  });

  it('the keeper (built dist/) reuses a connection only while its files trust the key', async () => {
    // Loaded from dist/: the keeper runs the built daemon.js; test/e2e/keeper-setup.ts gives it a folder and stops it.
    const { openKept } = (await import(join(ROOT, 'dist', 'ssh', 'keeper', 'client.js'))) as typeof import('../../src/ssh/keeper/client.js');
    const f = files(`[127.0.0.1]:${port} ${keys.H}\n`);
    const t = { ...target(), knownHosts: f.user[0]! };
    const first = await openKept(t);
    expect(first?.how).toBe('new');
    expect((await first!.exec('true')).code).toBe(0);
    first!.close();
    const second = await openKept(t);
    expect(second?.how).toBe('kept');
    second!.close();
    appendFileSync(f.user[0]!, `@revoked [127.0.0.1]:* ${keys.H}\n`);
    await expect(openKept(t)).rejects.toThrow(new RegExp(`REVOKED.*${f.user[0]}:2`));
  });

  it('without known_hosts in the inventory, the files come from the ssh config (ssh -G)', async () => {
    const f = files('', `[127.0.0.1]:${port} ${keys.H}\n`);
    const config = join(dir, 'ssh_config');
    writeFileSync(config, `Host 127.0.0.1\n  UserKnownHostsFile ${f.user[0]}\n  GlobalKnownHostsFile ${f.global[0]}\n`);
    const got = await knownHostsFiles(target(), { sshConfig: config });
    expect({ user: got.user, global: got.global }).toEqual(f);
    const conn = await SshConnection.open(target(), { knownHostsFiles: got, readyTimeoutMs: 20_000 });
    conn.close();
  });
});
