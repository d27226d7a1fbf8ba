// The host lock's command, run for real in /bin/sh with util-linux flock: one holder at a time, the next one told who
// holds it, a bounded wait, and the lock gone the moment the holder's stdin ends.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holderIn, lockCommand, lockOwner } from './lock.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-lock-'));
const started: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  /** Resolves with the first stdout line matching `re`. */
  line: (re: RegExp) => Promise<string>;
  exit: Promise<number>;
}

function run(owner: string, waitSec: number): Run {
  const child = spawn('/bin/sh', ['-c', lockCommand('lab 1', owner, waitSec, join(dir, 'var lib'))]);
  started.push(child);
  let out = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const l = out.split('\n').find((x) => w.re.test(x));
      if (l !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  const exit = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  return { child, out: () => out, line: (re) => new Promise((resolve) => waiters.push({ re, resolve })), exit };
}

describe('host lock command', { timeout: 20_000 }, () => {
  it('lets one run hold it; the next is told who, waits the bound, and exits 75; once released the next takes it at once', async () => {
    const owner = lockOwner('up', new Date('2026-12-01T10:00:00.123Z'));
    expect(owner).toMatch(/^.+@.+ pid \d+ since 2026-12-01T10:00:00Z \(lab up\)$/);
    const first = run(`${owner} 'quoted' $(not run)`, 5);
    expect(await first.line(/^LAB-LOCKED$/)).toBe('LAB-LOCKED');
    expect(readFileSync(join(dir, 'var lib', 'lab 1.lock'), 'utf8')).toBe(`${owner} 'quoted' $(not run)\n`);

    const t0 = Date.now();
    const second = run('second', 1);
    expect(await second.exit).toBe(75);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(holderIn(second.out(), 'LAB-BUSY')).toBe(`${owner} 'quoted' $(not run)`);
    expect(holderIn(second.out(), 'LAB-HELD')).toBe(`${owner} 'quoted' $(not run)`);
    expect(second.out()).not.toMatch(/LAB-LOCKED/);

    const third = run('third', 10);
    await third.line(/^LAB-BUSY /);
    first.child.stdin.end(); // the run ends (or its connection drops): the holder reads end-of-file
    expect(await first.exit).toBe(0);
    expect(await third.line(/^LAB-LOCKED$/)).toBe('LAB-LOCKED');
    expect(readFileSync(join(dir, 'var lib', 'lab 1.lock'), 'utf8')).toBe('third\n');
    third.child.stdin.end();
    expect(await third.exit).toBe(0);

    const fourth = run('fourth', 0);
    expect(await fourth.line(/^LAB-LOCKED$/)).toBe('LAB-LOCKED');
    expect(fourth.out()).not.toMatch(/LAB-BUSY/);
    fourth.child.kill('SIGKILL'); // a holder that dies releases the lock too
    await fourth.exit;
    const fifth = run('fifth', 0);
    expect(await fifth.line(/^LAB-LOCKED$/)).toBe('LAB-LOCKED');
    fifth.child.stdin.end();
    await fifth.exit;
  });
});
