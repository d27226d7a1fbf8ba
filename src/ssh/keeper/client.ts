// A run's side of the connection keeper (see daemon.ts): reach the keeper, starting it when none answers, and use the
// connection it holds for a host. Anything that goes wrong with the keeper itself falls back to a direct connection.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError } from '../../errors.js';
import type { HostTarget } from '../../inventory/types.js';
import { knownHostsFiles } from '../knownfiles.js';
import { shellWanted, SshConnection, type ConnectOptions, type ExecOptions, type ExecResult, type Hold, type HoldOptions, type Remote } from '../connection.js';
import { line, lineReader, persistSeconds, PROTOCOL, safeKeeperDir, socketPath, type ClientMessage, type KeeperMessage } from './common.js';

const DAEMON = join(dirname(fileURLToPath(import.meta.url)), 'daemon.js');

function trace(msg: string): void {
  if (process.env.LAB_TRACE) process.stderr.write(`trace - keeper: ${msg}\n`);
}

function dial(path: string): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      res(s);
    });
    s.once('error', rej);
  });
}

/** The start under way, shared by the hosts that found no keeper at the same time; cleared once it is over. */
let starting: Promise<boolean> | undefined;

/**
 * Start the keeper, detached so that it outlives this process, and wait until it answers (at most 5 s). A keeper that
 * exits later (it does once nothing is kept, e.g. after every connection failed) is started again by the next call:
 * `--wait` retries must not wait on a keeper that is gone.
 */
function startKeeper(dir: string): Promise<boolean> {
  starting ??= (async () => {
    rmSync(socketPath(dir), { force: true }); // a keeper that died left its socket
    const child = spawn(process.execPath, [DAEMON, dir], { detached: true, stdio: 'ignore' });
    child.unref();
    trace(`started pid ${child.pid}`);
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        (await dial(socketPath(dir))).destroy();
        return true;
      } catch {
        /* not listening yet */
      }
    }
    trace('did not answer within 5 s');
    return false;
  })().finally(() => {
    starting = undefined;
  });
  return starting;
}

/** A socket to the keeper, starting it when none answers; undefined when it cannot be had. */
async function reach(dir: string): Promise<Socket | undefined> {
  const path = socketPath(dir);
  try {
    return await dial(path);
  } catch {
    /* none yet, or it has exited */
  }
  if (!(await startKeeper(dir))) return undefined;
  try {
    return await dial(path);
  } catch {
    return undefined;
  }
}

/** A request waiting for the keeper's answer: an exec's output so far, or a hold waiting for `held`. */
interface Pending {
  out: string;
  opts: ExecOptions;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  onHeld?: () => void;
}

class KeptConnection implements Remote {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Releases asked for, by hold id: resolved when the keeper says the hold has ended. */
  private readonly releasing = new Map<number, () => void>();

  constructor(
    readonly target: HostTarget,
    readonly how: 'new' | 'kept',
    private readonly sock: Socket,
  ) {
    sock.on('data', lineReader<KeeperMessage>((m) => this.onMessage(m)));
    sock.on('close', () => this.failAll('lost the connection to lab\'s connection keeper; run again (LAB_PERSIST=0 connects directly)'));
  }

  get name(): string {
    return this.target.name;
  }

  private onMessage(m: KeeperMessage): void {
    if (!('id' in m)) return;
    if (m.op === 'released') {
      this.releasing.get(m.id)?.();
      this.releasing.delete(m.id);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.op === 'out') {
      p.out += m.data;
      p.opts.onStdout?.(m.data);
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(m.id);
    if (m.op === 'held') p.onHeld?.();
    else if (m.op === 'exit') p.resolve({ stdout: p.out, stderr: m.stderr, code: m.code });
    else if (m.op === 'fail') p.reject(new RunError(m.message, this.name));
  }

  private failAll(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new RunError(message, this.name));
    }
  }

  /** Send a request and wait for its answer; the timer only guards against a keeper that stopped answering. */
  private request(m: Extract<ClientMessage, { op: 'exec' | 'hold' }>, timeoutMs: number, entry: Omit<Pending, 'timer'>): void {
    const timer = setTimeout(() => {
      this.pending.delete(m.id);
      entry.reject(new RunError(`no answer from lab's connection keeper within ${Math.round(timeoutMs / 1000) + 10} s`, this.name));
    }, timeoutMs + 10_000);
    this.pending.set(m.id, { ...entry, timer });
    this.sock.write(line(m));
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? 120_000;
    // The keeper enforces the timeout itself.
    return new Promise((resolve, reject) =>
      this.request({ op: 'exec', id, command, timeoutMs, root: opts.root, prelude: opts.prelude, shell: opts.shell ?? shellWanted() }, timeoutMs, { out: '', opts, resolve, reject }),
    );
  }

  hold(command: string, opts: HoldOptions): Promise<Hold> {
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const release = () =>
      new Promise<void>((done) => {
        const t = setTimeout(done, 5_000);
        this.releasing.set(id, () => {
          clearTimeout(t);
          done();
        });
        if (this.sock.destroyed) done();
        else this.sock.write(line({ op: 'release', id }));
      });
    return new Promise((resolve, reject) =>
      this.request({ op: 'hold', id, command, ready: opts.ready, timeoutMs }, timeoutMs, {
        out: '',
        opts: { onStdout: opts.onStdout },
        resolve: (result) => resolve({ held: false, result }),
        reject,
        onHeld: () => resolve({ held: true, release }),
      }),
    );
  }

  close(): void {
    this.sock.end();
  }
}

/**
 * The host's connection through the keeper, or undefined to connect directly: the keeper is off (LAB_PERSIST=0), the
 * target logs in with a password (never handed to another process), or the keeper cannot be reached. A refusal by the
 * host (key changed, authentication failed) throws, as a direct connection would.
 */
export async function openKept(target: HostTarget, opts: ConnectOptions = {}): Promise<Remote | undefined> {
  const persist = persistSeconds();
  if (persist === 0 || target.password !== undefined) return undefined;
  const dir = safeKeeperDir();
  if (!dir) {
    trace('no private folder for the socket; connecting directly');
    return undefined;
  }
  // The files are resolved here, in the run (its ssh config, once per host), and are part of what the keeper keeps by.
  const files = opts.knownHostsFiles ?? (await knownHostsFiles(target));
  const sock = await reach(dir);
  if (!sock) return undefined;
  sock.on('error', () => {
    /* a keeper that goes away: 'close' follows, and answers for it */
  });
  // The keeper runs elsewhere: give it absolute paths and this run's agent.
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  const sent: HostTarget = { ...target, identityFile: abs(target.identityFile), knownHosts: abs(target.knownHosts) };
  const open: ClientMessage = { op: 'open', protocol: PROTOCOL, target: sent, agentSocket: SshConnection.agentFor(target), knownHostsFiles: files, acceptNew: opts.acceptNew, readyTimeoutMs: opts.readyTimeoutMs, persistMs: persist * 1000 };
  const answer = await new Promise<KeeperMessage | undefined>((res) => {
    const read = lineReader<KeeperMessage>((m) => {
      sock.off('data', read);
      sock.off('close', gone);
      res(m);
    });
    const gone = () => res(undefined);
    sock.on('data', read);
    sock.once('close', gone);
    sock.write(line(open));
  });
  if (answer?.op === 'opened') return new KeptConnection(target, answer.how, sock);
  sock.destroy();
  if (answer?.op === 'error' && !answer.message.startsWith('keeper protocol')) throw new RunError(answer.message, target.name);
  trace(answer ? answer.op === 'error' ? answer.message : `unexpected ${answer.op}` : 'closed before answering');
  return undefined;
}
