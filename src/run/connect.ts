// Open one SSH connection per host, in parallel, keeping failures per host instead of throwing.
import { RunError } from '../errors.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import { SshConnection, type ConnectOptions, type Remote } from '../ssh/connection.js';
import { openKept } from '../ssh/keeper/client.js';

export type Reach = { ok: true; conn: Remote } | { ok: false; error: string };

/** The host's connection: the one lab's connection keeper holds (LAB_PERSIST), else a direct one. */
export async function connectHost(target: HostTarget, opts: ConnectOptions): Promise<Reach> {
  try {
    return { ok: true, conn: (await openKept(target, opts)) ?? (await SshConnection.open(target, opts)) };
  } catch (e) {
    return { ok: false, error: e instanceof RunError ? e.message.replace(`${target.name}: `, '') : String(e) };
  }
}

export function targetFor(inventory: Inventory, host: string): HostTarget {
  const t = inventory.hosts[host];
  if (!t) throw new RunError(`the inventory has no entry for host ${host}`, host);
  return t;
}
