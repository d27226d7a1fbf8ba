// The connection keeper: a small background process that holds each host's SSH connection between runs of lab, as
// Ansible's ControlPersist does, so that a second `lab up` or `lab verify` skips the handshake (about 0.6 s of guest
// CPU per host under emulation). Started by the first run that wants it (client.ts); ends on its own once no
// connection has been used for the persist time. Clients reach it over a unix socket in a 0700 folder of their own.
import { createServer, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { RunError } from '../../errors.js';
import { ChannelError, SshConnection } from '../connection.js';
import { keepKey, line, lineReader, pidPath, PROTOCOL, socketPath, type ClientMessage, type KeeperMessage } from './common.js';

interface Kept {
  conn?: SshConnection;
  pending?: Promise<SshConnection>;
  /** Clients using it now. */
  users: number;
  persistMs: number;
  idle?: NodeJS.Timeout;
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: daemon.js DIR (started by lab itself)\n');
  process.exit(2);
}
const kept = new Map<string, Kept>();
let clients = 0;
let exitTimer: NodeJS.Timeout | undefined;
/**
 * How long the keeper stays with nothing kept and nobody connected: the last client's persist time, at most 10 s. A
 * run whose connections all failed (`lab verify --wait` on hosts still booting) then finds it again on its next
 * attempt instead of starting a new one each time.
 */
let lingerMs = 1_000;

/** Ends the keeper when nothing is kept and nobody is connected, after `ms`. */
function exitWhenIdle(ms: number): void {
  clearTimeout(exitTimer);
  if (clients > 0 || kept.size > 0) return;
  exitTimer = setTimeout(shutdown, ms);
}

function shutdown(): void {
  for (const k of kept.values()) k.conn?.close();
  server.close();
  rmSync(pidPath(dir!), { force: true });
  process.exit(0);
}

function reason(e: unknown): string {
  if (e instanceof RunError && e.host) return e.message.slice(e.host.length + 2);
  return (e as Error).message ?? String(e);
}

function forget(key: string, conn: SshConnection): void {
  const k = kept.get(key);
  if (k?.conn !== conn) return;
  clearTimeout(k.idle);
  kept.delete(key);
  exitWhenIdle(lingerMs);
}

/** A live connection for `key`: the kept one if its transport is up and known_hosts still has its key, else a new one. */
async function connection(key: string, m: Extract<ClientMessage, { op: 'open' }>, fresh = false): Promise<{ conn: SshConnection; how: 'new' | 'kept' }> {
  let k = kept.get(key);
  if (k?.conn && !fresh && k.conn.alive && k.conn.stillTrusted()) return { conn: k.conn, how: 'kept' };
  if (k?.pending && !fresh) return { conn: await k.pending, how: 'new' };
  if (k?.conn) {
    const old = k.conn;
    k.conn = undefined;
    old.close();
  }
  if (!k) kept.set(key, (k = { users: 0, persistMs: m.persistMs }));
  const entry = k;
  entry.pending = SshConnection.open(m.target, { acceptNew: m.acceptNew, readyTimeoutMs: m.readyTimeoutMs, agentSocket: m.agentSocket ?? '', knownHostsFiles: m.knownHostsFiles }); // '' = no agent: never the keeper's own
  try {
    const conn = await entry.pending;
    entry.conn = conn;
    conn.onClose(() => forget(key, conn));
    return { conn, how: 'new' };
  } catch (e) {
    if (kept.get(key) === entry && entry.users === 0) kept.delete(key);
    throw e;
  } finally {
    entry.pending = undefined;
  }
}

function serve(sock: Socket): void {
  clients++;
  clearTimeout(exitTimer);
  const send = (m: KeeperMessage) => {
    if (!sock.destroyed) sock.write(line(m));
  };
  let bound: { key: string; open: Extract<ClientMessage, { op: 'open' }>; conn: SshConnection; how: 'new' | 'kept' } | undefined;

  /** Run on the bound connection; a kept connection that died unnoticed (no channel opened) is replaced once. */
  const onBound = async <T>(run: (conn: SshConnection) => Promise<T>): Promise<T> => {
    if (!bound) throw new RunError('no connection is open');
    try {
      return await run(bound.conn);
    } catch (e) {
      if (!(e instanceof ChannelError) || bound.how !== 'kept') throw e;
      const again = await connection(bound.key, bound.open, true);
      bound = { ...bound, ...again };
      // The dead connection's entry may have gone with it: this client uses the new one.
      const k = kept.get(bound.key);
      if (k && k.users < 1) k.users = 1;
      return run(bound.conn);
    }
  };

  const exec = async (m: Extract<ClientMessage, { op: 'exec' }>) => {
    try {
      const res = await onBound((conn) => conn.exec(m.command, { timeoutMs: m.timeoutMs, root: m.root, prelude: m.prelude, shell: m.shell, onStdout: (data) => send({ op: 'out', id: m.id, data }) }));
      send({ op: 'exit', id: m.id, code: res.code, stderr: res.stderr });
    } catch (e) {
      send({ op: 'fail', id: m.id, message: reason(e) });
    }
  };

  /** What this client holds on its hosts (locks): released on request, and all of them when the client goes away. */
  const holds = new Map<number, () => Promise<void>>();
  const hold = async (m: Extract<ClientMessage, { op: 'hold' }>) => {
    try {
      const h = await onBound((conn) => conn.hold(m.command, { ready: m.ready, timeoutMs: m.timeoutMs, onStdout: (data) => send({ op: 'out', id: m.id, data }) }));
      if (!h.held) return send({ op: 'exit', id: m.id, code: h.result.code, stderr: h.result.stderr });
      if (sock.destroyed) return void h.release();
      holds.set(m.id, h.release);
      send({ op: 'held', id: m.id });
    } catch (e) {
      send({ op: 'fail', id: m.id, message: reason(e) });
    }
  };
  const release = async (id: number) => {
    const r = holds.get(id);
    holds.delete(id);
    await r?.();
    send({ op: 'released', id });
  };

  const onMessage = async (m: ClientMessage) => {
    if (m.op === 'open') {
      if (m.protocol !== PROTOCOL) return send({ op: 'error', message: `keeper protocol ${PROTOCOL}, client ${m.protocol}` });
      const key = keepKey(m.target, m.agentSocket, m.knownHostsFiles);
      lingerMs = Math.min(m.persistMs, 10_000);
      try {
        const got = await connection(key, m);
        const k = kept.get(key);
        if (!k || k.conn !== got.conn) return send({ op: 'error', message: 'the connection closed as soon as it opened' });
        k.users++;
        k.persistMs = m.persistMs;
        clearTimeout(k.idle);
        bound = { key, open: m, ...got };
        send({ op: 'opened', how: got.how });
      } catch (e) {
        send({ op: 'error', message: reason(e) });
      }
    } else if (m.op === 'exec') void exec(m);
    else if (m.op === 'hold') void hold(m);
    else if (m.op === 'release') void release(m.id);
  };

  sock.on(
    'data',
    lineReader<ClientMessage>((m) =>
      onMessage(m).catch((e: unknown) => {
        // Never let one client's surprise end the keeper that other runs are using.
        if (m.op === 'exec' || m.op === 'hold') send({ op: 'fail', id: m.id, message: reason(e) });
        else send({ op: 'error', message: reason(e) });
      }),
    ),
  );
  sock.on('error', () => {
    /* the client went away; 'close' follows */
  });
  sock.on('close', () => {
    clients--;
    for (const r of holds.values()) void r();
    holds.clear();
    const k = bound && kept.get(bound.key);
    if (k && bound && k.conn === bound.conn) {
      k.users--;
      if (k.users <= 0) {
        const { key, conn } = bound;
        k.idle = setTimeout(() => {
          conn.close();
          forget(key, conn);
        }, k.persistMs);
      }
    }
    exitWhenIdle(lingerMs);
  });
}

process.umask(0o077);
const server = createServer(serve);
server.on('error', () => process.exit(1));
server.listen(socketPath(dir), () => {
  writeFileSync(pidPath(dir), `${process.pid}\n`);
  // Nobody came (a client that gave up waiting): do not linger.
  exitWhenIdle(10_000);
});
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
