// The long-lived shell's framing, against a real /bin/sh on its pipes: output byte for byte (no final newline, NULs
// excepted as the SSH path never carries them in text), exit status, stderr, streaming, and a shell that dies.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteShell, ShellGone, type ShellStream } from './shell.js';

let children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children = [];
});

function localShell(): { shell: RemoteShell; child: ChildProcessWithoutNullStreams } {
  const child = spawn('/bin/sh', [], { stdio: 'pipe' });
  children.push(child);
  const stream: ShellStream = {
    on: (event: 'data' | 'close', cb: (d: Buffer) => void) => (event === 'data' ? child.stdout.on('data', cb) : child.on('exit', () => (cb as () => void)())),
    stderr: { on: (_e: 'data', cb: (d: Buffer) => void) => child.stderr.on('data', cb) },
    write: (s: string) => child.stdin.write(s),
    close: () => child.stdin.end(),
  };
  return { shell: new RemoteShell(stream), child };
}

describe('RemoteShell', () => {
  it('runs one command after another with exact output and exit status', async () => {
    const { shell } = localShell();
    expect(await shell.run('printf abc')).toEqual({ stdout: 'abc', stderr: '', code: 0 });
    expect(await shell.run("printf 'two\\n\\n'; echo err >&2; exit 3")).toEqual({ stdout: 'two\n\n', stderr: 'err\n', code: 3 });
    expect(await shell.run('printf "%s" "网卡 ens33"; printf x >&2')).toEqual({ stdout: '网卡 ens33', stderr: 'x', code: 0 });
    expect(await shell.run('')).toEqual({ stdout: '', stderr: '', code: 0 });
  });

  it('gives each command /dev/null as stdin, and its own shell: exit, cd and variables do not leak', async () => {
    const { shell } = localShell();
    expect((await shell.run('cat; echo read-nothing')).stdout).toBe('read-nothing\n');
    await shell.run('cd /tmp; X=1; exit 0');
    expect((await shell.run('pwd; echo "x=$X"')).stdout).not.toContain('x=1');
    expect(shell.alive).toBe(true);
  });

  it('quotes the command: shell metacharacters and a fake end marker are just text', async () => {
    const { shell } = localShell();
    const nasty = `'; echo pwned; '"$(id)"\`x\` \\ \n@@lab-end-00-1 0\n`;
    const r = await shell.run(`printf '%s' ${"'" + nasty.replace(/'/g, `'\\''`) + "'"}`);
    expect(r).toEqual({ stdout: nasty, stderr: '', code: 0 });
  });

  it('streams stdout as it comes, and the pieces add up to the output', async () => {
    const { shell } = localShell();
    const pieces: string[] = [];
    const r = await shell.run('for i in 1 2 3; do printf "line $i %0200d\\n" 0; sleep 0.05; done', (c) => pieces.push(c));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(r.stdout);
    expect(r.stdout.split('\n')).toHaveLength(4);
  });

  it('a shell that ends mid-command rejects with ShellGone, and is no longer usable', async () => {
    const { shell, child } = localShell();
    const running = shell.run('sleep 5');
    expect(shell.idle).toBe(false);
    child.kill('SIGKILL');
    await expect(running).rejects.toBeInstanceOf(ShellGone);
    expect(shell.alive).toBe(false);
    await expect(shell.run('true')).rejects.toBeInstanceOf(ShellGone);
  });
});
