// The connection keeper's shared parts: where its socket lives, how long it keeps connections, and its JSON lines.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StringDecoder } from 'node:string_decoder';
import type { HostTarget } from '../../inventory/types.js';
import type { KnownHostsFiles } from '../knownfiles.js';

/** Bumped when the messages change, so an older keeper is never asked in a language it does not speak. */
export const PROTOCOL = 2;

/**
 * Seconds an idle connection is kept after the last command that used it: $LAB_PERSIST, default 60 (as Ansible's
 * ControlPersist). 0 turns the keeper off: every run connects anew.
 */
export function persistSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.LAB_PERSIST;
  if (v === undefined || v === '') return 60;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : 60;
}

/**
 * The keeper's folder: $LAB_KEEPER_DIR, else $XDG_RUNTIME_DIR/lab, else /tmp/lab-UID. It must be ours, a real
 * folder and closed to others (0700): whoever can reach the socket can run commands on the kept hosts.
 */
export function keeperDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_KEEPER_DIR) return env.LAB_KEEPER_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'lab');
  return join(tmpdir(), `lab-${process.getuid?.() ?? 'user'}`);
}

/** Creates the folder if need be; undefined (no keeper) unless it is a folder of ours with mode 0700. */
export function safeKeeperDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = keeperDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) return undefined;
    if (process.getuid && st.uid !== process.getuid()) return undefined;
    if ((st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** One keeper per installed copy of lab and protocol: two checkouts never share a keeper running the other's code. */
export function keeperName(): string {
  // This file's folder (dist/ssh/keeper or src/ssh/keeper) names the copy; spec/load.js would load yaml and zod here.
  const copy = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return `keeper-${createHash('sha256').update(`${copy}\0${PROTOCOL}`).digest('hex').slice(0, 12)}`;
}

export function socketPath(dir: string): string {
  return join(dir, `${keeperName()}.sock`);
}

export function pidPath(dir: string): string {
  return join(dir, `${keeperName()}.pid`);
}

/**
 * What makes two runs' connections the same one: where, who, with which key, checked against which known_hosts
 * files (all of them, user and global, and the HostKeyAlias), sudo or not.
 */
export function keepKey(target: HostTarget, agentSocket: string | undefined, files?: KnownHostsFiles): string {
  const kh = files ? [files.user, files.global, files.alias ?? null] : (target.knownHosts ?? null);
  return JSON.stringify([target.address, target.port, target.user, target.identityFile ?? null, kh, agentSocket ?? null, !!target.recordNewKeys, target.sudo ?? null]);
}

export type ClientMessage =
  | { op: 'open'; protocol: number; target: HostTarget; agentSocket?: string; knownHostsFiles: KnownHostsFiles; acceptNew?: boolean; readyTimeoutMs?: number; persistMs: number }
  | { op: 'exec'; id: number; command: string; timeoutMs?: number; root?: boolean; prelude?: string; shell: boolean }
  | { op: 'hold'; id: number; command: string; ready: string; timeoutMs?: number }
  | { op: 'release'; id: number };

export type KeeperMessage =
  | { op: 'opened'; how: 'new' | 'kept' }
  | { op: 'error'; message: string }
  | { op: 'out'; id: number; data: string }
  | { op: 'exit'; id: number; code: number; stderr: string }
  | { op: 'fail'; id: number; message: string }
  | { op: 'held'; id: number }
  | { op: 'released'; id: number };

/** Splits a byte stream into JSON messages, one per line; a line may arrive in pieces. A line that is not JSON is skipped. */
export function lineReader<T>(onMessage: (m: T) => void): (chunk: Buffer | string) => void {
  let buf = '';
  const utf8 = new StringDecoder('utf8'); // a chunk may end inside a character
  return (chunk) => {
    buf += typeof chunk === 'string' ? chunk : utf8.write(chunk);
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      let m: T;
      try {
        m = JSON.parse(line) as T;
      } catch {
        continue; // not ours: nothing to act on
      }
      onMessage(m);
    }
  };
}

export function line(m: ClientMessage | KeeperMessage): string {
  return `${JSON.stringify(m)}\n`;
}
