// One long-lived `sh` per connection that runs each command as its own `sh -c`: under emulation a new SSH session
// (sshd's fork, the login shell's start) costs about 0.2 s per command, a fork of sh from a running shell a tenth of it.
// Each command's end is a marker line with a per-session nonce and its exit status, on stdout and on stderr.
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Client } from 'ssh2';
import type { ExecResult } from './connection.js';
import { quote } from './quote.js';

/** The shell ended before the command did: it may have run, so it must not be retried. */
export class ShellGone extends Error {}

interface Running {
  end: string;
  out: string;
  err: string;
  code?: number;
  outDone: boolean;
  errDone: boolean;
  onStdout?: (chunk: string) => void;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

/** What the shell needs of an SSH channel (a child process's pipes serve in tests). */
export interface ShellStream {
  on(event: 'data', cb: (d: Buffer) => void): unknown;
  on(event: 'close', cb: () => void): unknown;
  stderr: { on(event: 'data', cb: (d: Buffer) => void): unknown };
  write(s: string): unknown;
  close(): unknown;
}

export class RemoteShell {
  private readonly nonce = randomBytes(12).toString('hex');
  private count = 0;
  private running: Running | undefined;
  private closed = false;
  private readonly outDec = new StringDecoder('utf8');
  private readonly errDec = new StringDecoder('utf8');
  /** Decoded stdout not yet handed out: it may end inside a marker. */
  private outBuf = '';
  private errBuf = '';

  constructor(private readonly stream: ShellStream) {
    stream.on('data', (d: Buffer) => this.onOut(this.outDec.write(d)));
    stream.stderr.on('data', (d: Buffer) => this.onErr(this.errDec.write(d)));
    stream.on('close', () => {
      this.closed = true;
      const r = this.running;
      this.running = undefined;
      r?.reject(new ShellGone('the remote shell ended before the command finished'));
    });
  }

  /** `exec sh` in a new session: the login shell replaces itself, so one process stays per connection. */
  static open(client: Client): Promise<RemoteShell> {
    return new Promise((resolve, reject) => {
      try {
        client.exec('exec /bin/sh', (err, stream) => (err ? reject(err) : resolve(new RemoteShell(stream))));
      } catch (e) {
        reject(e as Error);
      }
    });
  }

  /** Free for a command: open and not running one. */
  get idle(): boolean {
    return !this.closed && this.running === undefined;
  }

  get alive(): boolean {
    return !this.closed;
  }

  /**
   * Run `command` with `sh -c`, its stdin /dev/null, as a session of its own would. Resolves with its output and exit
   * status; rejects with ShellGone when the shell ends first.
   */
  run(command: string, onStdout?: (chunk: string) => void): Promise<ExecResult> {
    if (!this.idle) return Promise.reject(new ShellGone('the remote shell is busy or gone'));
    const end = `@@lab-end-${this.nonce}-${++this.count}`;
    return new Promise((resolve, reject) => {
      this.running = { end, out: '', err: '', outDone: false, errDone: false, onStdout, resolve, reject };
      // A newline before each marker, so that it starts a line whatever the output's last byte; the parser takes it off.
      this.stream.write(`sh -c ${quote(command)} </dev/null; printf '\\n%s %s\\n' ${end} "$?"; printf '\\n%s\\n' ${end} >&2\n`);
    });
  }

  /** Ends the shell (and with it a command that hangs). */
  close(): void {
    this.stream.close();
  }

  private onOut(text: string): void {
    const r = this.running;
    if (!r) return;
    this.outBuf += text;
    const m = new RegExp(`\\n${r.end} (\\d+)\\n`).exec(this.outBuf);
    if (m) {
      this.emit(r, this.outBuf.slice(0, m.index));
      this.outBuf = this.outBuf.slice(m.index + m[0].length);
      r.code = Number(m[1]);
      r.outDone = true;
      this.settle();
      return;
    }
    // Hand out all but what could be the start of the marker line.
    const keep = r.end.length + 16;
    if (this.outBuf.length > keep) {
      this.emit(r, this.outBuf.slice(0, this.outBuf.length - keep));
      this.outBuf = this.outBuf.slice(this.outBuf.length - keep);
    }
  }

  private emit(r: Running, s: string): void {
    if (!s) return;
    r.out += s;
    r.onStdout?.(s);
  }

  private onErr(text: string): void {
    const r = this.running;
    if (!r) return;
    this.errBuf += text;
    const i = this.errBuf.indexOf(`\n${r.end}\n`);
    if (i < 0) return;
    r.err = this.errBuf.slice(0, i);
    this.errBuf = this.errBuf.slice(i + r.end.length + 2);
    r.errDone = true;
    this.settle();
  }

  private settle(): void {
    const r = this.running;
    if (!r || !r.outDone || !r.errDone) return;
    this.running = undefined;
    r.resolve({ stdout: r.out, stderr: r.err, code: r.code ?? 255 });
  }
}
