// One ssh2 connection per host, reused for every command: connect with checked host keys, exec with timeout and sudo.
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { RunError } from '../errors.js';
import type { HostTarget } from '../inventory/types.js';
import { allFiles, knownHostsFiles, type KnownHostsFiles } from './knownfiles.js';
import { authoritiesFor, fingerprint, knownHostName, knownTypes, loadHostKeys, revocationsFor, verifyKey } from './knownhosts.js';
import { judgeHostKey, type Trust } from './hostcheck.js';
import { quote } from './quote.js';
import { RemoteShell, ShellGone } from './shell.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface ExecOptions {
  /** Milliseconds before the command is abandoned; default 120 s. */
  timeoutMs?: number;
  /** Run as root through sudo when the login user is not root (default true). */
  root?: boolean;
  /** Called with stdout chunks as they arrive. */
  onStdout?: (chunk: string) => void;
  /** Shell text run as the login user before sudo (e.g. to read $SSH_CONNECTION, which sudo drops). */
  prelude?: string;
  /** Run in the connection's long-lived sh (default: unless LAB_SHELL=0; root logins only). */
  shell?: boolean;
}

/** Whether commands go through the long-lived sh: LAB_SHELL=0 turns it off. */
export function shellWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LAB_SHELL !== '0';
}

export interface ConnectOptions {
  /** Trust and record a host key that known_hosts does not have yet. */
  acceptNew?: boolean;
  readyTimeoutMs?: number;
  /** The agent to ask for keys; default $SSH_AUTH_SOCK (the keeper passes its client's). */
  agentSocket?: string;
  /** The known_hosts files to check against; default knownHostsFiles(target) (the keeper passes its client's). */
  knownHostsFiles?: KnownHostsFiles;
}

export interface HoldOptions {
  /** The line the command prints once it holds what it was started for (e.g. a lock); until then it may print others. */
  ready: string;
  /** Called with stdout chunks as they arrive (lines before `ready` say why it waits). */
  onStdout?: (chunk: string) => void;
  /** Bound for `ready` to appear (ms); the command is ended then. Default 120 s. */
  timeoutMs?: number;
}

/** A command that holds something on the host for as long as its stdin stays open (see Remote.hold). */
export type Hold = { held: true; release(): Promise<void> } | { held: false; result: ExecResult };

/** What every command runner offers: a direct connection, or one the keeper holds (src/ssh/keeper/). */
export interface Remote {
  readonly name: string;
  readonly target: HostTarget;
  /** 'new': connected for this run; 'kept': a connection kept from an earlier run, its host key checked again. */
  readonly how: 'new' | 'kept';
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Run `command` as root in a session of its own whose stdin stays open: it holds what it took (a lock on the host)
   * until release(), or until the connection ends however it ends, since the command then reads end-of-file. Resolves
   * once it prints the `ready` line, or with its result when it exits before that.
   */
  hold(command: string, opts: HoldOptions): Promise<Hold>;
  close(): void;
}

/** The command never started: no channel could be opened (e.g. the connection had died). Safe to retry. */
export class ChannelError extends RunError {}

/** Keys come from the agent when asked for, or when neither a key file nor a password is given. */
function usesAgent(target: HostTarget): boolean {
  return !!target.agent || (!target.identityFile && !target.password);
}

/** ssh2's host key algorithms in OpenSSH's order of preference (ssh2 1.17 has no certificate algorithms). */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function algorithmsOf(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

/**
 * The order OpenSSH asks for host key algorithms in (sshconnect2.c order_hostkeyalgs): as is when the best one's
 * type is known for the host, else the known types first. The server then offers the key ssh would be offered.
 */
export function hostKeyAlgorithms(known: string[]): string[] {
  if (known.includes(HOST_KEY_ALGORITHMS[0]!)) return HOST_KEY_ALGORITHMS;
  const first = HOST_KEY_ALGORITHMS.filter((a) => known.some((t) => algorithmsOf(t).includes(a)));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

/** Where keys are looked up: the HostKeyAlias, else the address and port. */
export function lookupOf(target: HostTarget, files: KnownHostsFiles): { host: string; port: number } {
  return files.alias ? { host: files.alias, port: 22 } : { host: target.address, port: target.port };
}

/** Fingerprints of the @revoked lines for the host (the trust of a kept connection holds while no new one appears). */
export function revokedFps(files: KnownHostsFiles, at: { host: string; port: number }): Set<string> {
  return new Set(revocationsFor(allFiles(files), at.host, at.port).map((e) => fingerprint(e.key)));
}

export class SshConnection implements Remote {
  readonly how = 'new';
  private closed = false;
  /** The long-lived `sh` that runs commands (root logins; see shell.ts), once opened. */
  private shell: Promise<RemoteShell | undefined> | undefined;

  private constructor(
    readonly target: HostTarget,
    private readonly client: Client,
    /** The host key this connection was verified with. */
    private readonly hostKey: Buffer | undefined,
    private readonly files: KnownHostsFiles,
    private readonly trust: Trust,
    /** The @revoked fingerprints for the host when it was checked. */
    private readonly revokedSeen: Set<string>,
  ) {
    client.on('close', () => {
      this.closed = true;
    });
  }

  /** False once the transport has closed. */
  get alive(): boolean {
    return !this.closed;
  }

  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.client.once('close', cb);
  }

  /**
   * Whether known_hosts still trusts the key this connection was verified with (checked before a kept connection is
   * reused; pure, no subprocess): the key, or its CA, is still listed, and no @revoked line has appeared for the host.
   */
  stillTrusted(): boolean {
    const key = this.hostKey;
    if (!key) return false;
    const at = lookupOf(this.target, this.files);
    const files = allFiles(this.files);
    const v = verifyKey(files, at.host, at.port, key);
    if (v.status === 'revoked') return false;
    if ([...revokedFps(this.files, at)].some((fp) => !this.revokedSeen.has(fp))) return false;
    if (this.trust.by === 'key') return v.status === this.trust.status && (v.status === 'ok' || !!v.bareOk);
    const ca = this.trust.caFp;
    return authoritiesFor(files, at.host, at.port).some((e) => e.marker === 'ca' && fingerprint(e.key) === ca);
  }

  get name(): string {
    return this.target.name;
  }

  static async open(target: HostTarget, opts: ConnectOptions = {}): Promise<SshConnection> {
    const files = opts.knownHostsFiles ?? (await knownHostsFiles(target));
    const at = lookupOf(target, files);
    const known = knownTypes(loadHostKeys(allFiles(files), knownHostName(at.host, at.port)));
    const readyTimeout = opts.readyTimeoutMs ?? 30_000;
    let refusal: string | undefined;
    let accepted: { key: Buffer; trust: Trust; revokedSeen: Set<string> } | undefined;
    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout,
      keepaliveInterval: 15_000,
      algorithms: { serverHostKey: hostKeyAlgorithms(known) as never },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        // A question to OpenSSH (certificates) must end before ssh2 gives up on the handshake.
        const check = { acceptNew: !!opts.acceptNew || !!target.recordNewKeys, timeoutMs: Math.round(readyTimeout * 0.8) };
        judgeHostKey(target, files, at, key, check).then(
          (j) => {
            if (j.ok) accepted = { key, trust: j.trust, revokedSeen: revokedFps(files, at) };
            else refusal = j.refusal;
            verify(j.ok);
          },
          (e: Error) => {
            refusal = `cannot check the host key: ${e.message}`;
            verify(false);
          },
        );
      },
    };
    if (target.identityFile) {
      try {
        config.privateKey = readFileSync(target.identityFile);
      } catch {
        throw new RunError(`cannot read identity file ${target.identityFile}`, target.name);
      }
    }
    if (target.password) config.password = target.password;
    if (usesAgent(target)) config.agent = opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
    // Loaded here, not at the top: a run whose connections the keeper holds never needs ssh2 (~0.1 s to load).
    const client = new (await import('ssh2')).Client();
    // Always one listener: ssh2 may emit a second error while connecting (ECONNRESET, then "Connection lost before
    // handshake"), and an error with no listener ends the process with a stack trace. Later transport errors surface
    // through the exec that is running.
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error & { level?: string }) => {
        if (refusal) return reject(new RunError(refusal, target.name));
        const how = err.level === 'client-authentication' ? 'authentication failed (check key, agent or password)' : err.message;
        reject(new RunError(`cannot connect to ${target.user}@${target.address}:${target.port}: ${how}`, target.name));
      });
      client.connect(config);
    });
    if (!accepted) throw new RunError(refusal ?? 'the host key was not checked', target.name);
    return new SshConnection(target, client, accepted.key, files, accepted.trust, accepted.revokedSeen);
  }

  private get needsSudo(): boolean {
    return this.target.sudo ?? this.target.user !== 'root';
  }

  /** Run a shell command; resolves with its exit code (stderr output alone is not a failure). */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const root = opts.root ?? true;
    const sudo = root && this.needsSudo;
    const timeoutMs = opts.timeoutMs ?? 120_000;
    // Root logins run commands through one long-lived sh (sudo would need a password or a shell of root's per command).
    if (!sudo && (opts.shell ?? shellWanted())) {
      const sh = await this.idleShell();
      // Checked again here, in the same tick as the run that claims it: two commands at once on one connection (an
      // active check's watcher and its action) both saw the shell idle while awaiting it; the second takes a session.
      if (sh?.idle) return this.inShell(sh, (opts.prelude ?? '') + command, command, timeoutMs, opts.onStdout);
    }
    return this.inSession(command, opts, sudo, timeoutMs);
  }

  /** The connection's shell if it is free, opening it on first use; undefined means: use a session of its own. */
  private async idleShell(): Promise<RemoteShell | undefined> {
    let sh = await this.shell;
    if (!sh?.alive && !this.closed) {
      this.shell = RemoteShell.open(this.client).catch(() => undefined);
      sh = await this.shell;
    }
    return sh?.idle ? sh : undefined;
  }

  private inShell(sh: RemoteShell, line: string, command: string, timeoutMs: number, onStdout?: (chunk: string) => void): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sh.close();
        reject(new RunError(`command timed out after ${Math.round(timeoutMs / 1000)} s: ${firstLine(command)}`, this.name));
      }, timeoutMs);
      sh.run(line, onStdout).then(
        (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        (e: Error) => {
          clearTimeout(timer);
          reject(e instanceof ShellGone ? new RunError(`the connection ended while a command ran: ${firstLine(command)}`, this.name) : e);
        },
      );
    });
  }

  /** The command line for a session of its own: through sudo when the login needs it (the password, if any, on stdin). */
  private sessionLine(command: string, sudo: boolean, prelude = ''): { line: string; withPassword: boolean } {
    const withPassword = sudo && this.target.password !== undefined;
    return { line: prelude + (sudo ? `sudo ${withPassword ? "-S -p ''" : '-n'} -- sh -c ${quote(command)}` : command), withPassword };
  }

  /** A session channel running `line`; a ChannelError when none can be opened (the command never started: safe to retry). */
  private channel(line: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new ChannelError('cannot run a command: the connection has closed', this.name));
      try {
        this.client.exec(line, (err, stream) => (err ? reject(new ChannelError(`cannot run a command: ${err.message}`, this.name)) : resolve(stream)));
      } catch (e) {
        // ssh2 throws 'Not connected' when the transport is gone.
        reject(new ChannelError(`cannot run a command: ${(e as Error).message}`, this.name));
      }
    });
  }

  async hold(command: string, opts: HoldOptions): Promise<Hold> {
    const { line, withPassword } = this.sessionLine(command, this.needsSudo);
    const stream = await this.channel(line);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let held = false;
      const out = new StringDecoder('utf8');
      const err8 = new StringDecoder('utf8');
      const closed = new Promise<void>((r) => stream.once('close', () => r()));
      const timer = setTimeout(() => {
        stream.close();
        reject(new RunError(`no answer within ${Math.round(timeoutMs / 1000)} s: ${firstLine(command)}`, this.name));
      }, timeoutMs);
      stream.on('data', (d: Buffer) => {
        const s = out.write(d);
        stdout += s;
        if (s) opts.onStdout?.(s);
        if (held || !stdout.split('\n').slice(0, -1).includes(opts.ready)) return;
        held = true;
        clearTimeout(timer);
        resolve({
          held: true,
          // End of stdin ends the command, and with it what it held; wait (bounded) until the session has closed.
          release: () => {
            stream.end();
            return Promise.race([closed, new Promise<void>((r) => setTimeout(r, 5_000).unref())]);
          },
        });
      });
      stream.stderr.on('data', (d: Buffer) => {
        stderr += err8.write(d);
      });
      stream.on('close', (code: number | null, signal?: string) => {
        clearTimeout(timer);
        if (!held) resolve({ held: false, result: { stdout: stdout + out.end(), stderr: stderr + err8.end(), code: code ?? (signal ? 128 : 255) } });
      });
      if (withPassword) stream.write(`${this.target.password}\n`);
    });
  }

  private async inSession(command: string, opts: ExecOptions, sudo: boolean, timeoutMs: number): Promise<ExecResult> {
    const { line, withPassword } = this.sessionLine(command, sudo, opts.prelude);
    const stream = await this.channel(line);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      // Chunks may end inside a UTF-8 character (nmcli prints profile names such as 网卡).
      const out = new StringDecoder('utf8');
      const err8 = new StringDecoder('utf8');
      const timer = setTimeout(() => {
        stream.close();
        reject(new RunError(`command timed out after ${Math.round(timeoutMs / 1000)} s: ${firstLine(command)}`, this.name));
      }, timeoutMs);
      stream.on('data', (d: Buffer) => {
        const s = out.write(d);
        stdout += s;
        if (s) opts.onStdout?.(s);
      });
      stream.stderr.on('data', (d: Buffer) => {
        stderr += err8.write(d);
      });
      stream.on('close', (code: number | null, signal?: string) => {
        clearTimeout(timer);
        const rest = out.end();
        stdout += rest;
        if (rest) opts.onStdout?.(rest);
        stderr += err8.end();
        resolve({ stdout, stderr, code: code ?? (signal ? 128 : 255) });
      });
      if (withPassword) stream.write(`${this.target.password}\n`);
      stream.end();
    });
  }

  close(): void {
    this.client.end();
  }

  /** The agent socket this target would use, if any: part of what makes a kept connection the same. */
  static agentFor(target: HostTarget): string | undefined {
    return usesAgent(target) ? process.env.SSH_AUTH_SOCK : undefined;
  }
}

function firstLine(s: string): string {
  const l = s.trim().split('\n')[0] ?? '';
  return l.length > 80 ? `${l.slice(0, 77)}...` : l;
}
