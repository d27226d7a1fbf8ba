// `lab verify --wait` on hosts that refuse: each retry finds a keeper (restarting it when it has exited), so no
// attempt waits on a keeper that is gone. Hosts are a closed port on 127.0.0.1; the keeper gets a folder of its own.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/lab.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lab-keeper-retry-'));

function verify(persist: string, keeperDir: string): Promise<{ attempts: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [BIN, 'verify', 'lvs-nat', '--inventory', join(dir, 'inv.yaml'), '--wait', '7s', '--json'],
      { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', LAB_PERSIST: persist, LAB_TRACE: '1', LAB_KEEPER_DIR: keeperDir } },
      (_err, stdout, stderr) => resolve({ attempts: (JSON.parse(stdout) as { attempts: number }).attempts, stderr }),
    );
  });
}

/** Stop a keeper left in the folder, by the PID it wrote. */
function stopKeeperIn(keeperDir: string): void {
  for (const f of existsSync(keeperDir) ? readdirSync(keeperDir) : []) {
    if (!f.endsWith('.pid')) continue;
    try {
      process.kill(Number(readFileSync(join(keeperDir, f), 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

afterAll(() => {
  for (const d of ['k1', 'k60']) stopKeeperIn(join(dir, d));
  rmSync(dir, { recursive: true, force: true });
});

describe('verify --wait with the connection keeper', { timeout: 60_000 }, () => {
  it('restarts the keeper when it has exited, and never waits for one that is gone', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r())); // nothing listens there now: every connect is refused
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    const hosts = ['client', 'proxy', 'web1', 'web2'].map((h) => `  ${h}: { address: 127.0.0.1, port: ${port}, identity_file: key, known_hosts: kh }`);
    writeFileSync(join(dir, 'inv.yaml'), `lab: lvs-nat\nhosts:\n${hosts.join('\n')}\n`);
    // LAB_PERSIST=1: the keeper exits about 1 s after each failed attempt, before the next one (2 s later).
    const short = await verify('1', join(dir, 'k1'));
    const starts = short.stderr.split('\n').filter((l) => /keeper: started pid/.test(l)).length;
    expect(short.stderr).not.toMatch(/did not answer within 5 s/);
    // At least one attempt found the keeper gone and started it again (a loaded machine may keep it alive past one gap).
    expect(starts, short.stderr).toBeGreaterThanOrEqual(2);
    expect(starts).toBeLessThanOrEqual(short.attempts);
    // LAB_PERSIST=60: one keeper serves every attempt.
    const long = await verify('60', join(dir, 'k60'));
    expect(long.stderr.split('\n').filter((l) => /keeper: started pid/.test(l))).toHaveLength(1);
  });
});
