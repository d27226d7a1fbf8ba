// A small QMP client over a VM's unix socket: commands (and HMP lines) one at a time, events skipped; power-down on top.
import { connect, type Socket } from 'node:net';

export class QmpError extends Error {}

export interface Qmp {
  /** Run one QMP command; resolves to its `return`, rejects with its `error.desc`. */
  execute(command: string, args?: Record<string, unknown>, ms?: number): Promise<unknown>;
  /** Run one human-monitor line (savevm, loadvm, …); resolves to what it printed ('' on success for most). */
  hmp(line: string, ms?: number): Promise<string>;
  close(): void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Connect and leave capabilities negotiation done; rejects within `ms` when the socket does not answer. */
export function openQmp(socketPath: string, ms = 5000): Promise<Qmp> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(socketPath);
    let buf = '';
    let greeted = false;
    const queue: Pending[] = [];
    const fail = (e: Error) => {
      for (const p of queue.splice(0)) {
        clearTimeout(p.timer);
        p.reject(e);
      }
    };
    const send = (command: string, args: Record<string, unknown> | undefined, timeoutMs: number) =>
      new Promise<unknown>((res, rej) => {
        const timer = setTimeout(() => {
          sock.destroy();
          fail(new QmpError(`QMP ${command} on ${socketPath} did not answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        queue.push({ resolve: res, reject: rej, timer });
        sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
      });
    const client: Qmp = {
      execute: (command, args, timeoutMs = 60_000) => send(command, args, timeoutMs),
      hmp: async (line, timeoutMs = 120_000) => String(await send('human-monitor-command', { 'command-line': line }, timeoutMs)),
      close: () => sock.destroy(),
    };
    const openTimer = setTimeout(() => {
      sock.destroy();
      reject(new QmpError(`QMP socket ${socketPath} did not greet within ${ms / 1000} s`));
    }, ms);
    sock.on('error', (e) => {
      clearTimeout(openTimer);
      reject(new QmpError(`QMP socket ${socketPath}: ${e.message}`));
      fail(new QmpError(`QMP socket ${socketPath}: ${e.message}`));
    });
    sock.on('close', () => fail(new QmpError(`QMP socket ${socketPath} closed`)));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        let msg: { QMP?: unknown; event?: string; return?: unknown; error?: { desc?: string } };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.QMP !== undefined && !greeted) {
          greeted = true;
          send('qmp_capabilities', undefined, ms).then(
            () => {
              clearTimeout(openTimer);
              resolve(client);
            },
            (e: Error) => {
              clearTimeout(openTimer);
              reject(e);
            },
          );
          continue;
        }
        if (msg.event !== undefined) continue;
        const p = queue.shift();
        if (!p) continue;
        clearTimeout(p.timer);
        if (msg.error) p.reject(new QmpError(msg.error.desc ?? 'QMP error'));
        else p.resolve(msg.return);
      }
    });
  });
}

/** Open, run fn, close: for one short conversation with a VM's qemu. */
export async function withQmp<T>(socketPath: string, fn: (q: Qmp) => Promise<T>): Promise<T> {
  const q = await openQmp(socketPath);
  try {
    return await fn(q);
  } finally {
    q.close();
  }
}

/** Resolve true when QMP accepted system_powerdown; false on any error or after `ms`. */
export async function qmpPowerdown(socketPath: string, ms = 3000): Promise<boolean> {
  try {
    await withQmp(socketPath, (q) => q.execute('system_powerdown', undefined, ms));
    return true;
  } catch {
    return false;
  }
}
