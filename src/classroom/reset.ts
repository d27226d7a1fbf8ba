// reset for one student's lab: down, then put the start's addresses in place (unrecorded, so down keeps them), then check the start.
import type { Facts } from '../facts/types.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/schema.js';
import type { Start } from '../spec/start.js';
import { connectHost } from '../run/connect.js';
import { converge } from '../run/converge.js';
import { factQuery, gatherFacts } from '../run/facts.js';
import { planHost } from '../run/plan.js';
import type { HostResult } from '../run/types.js';
import type { Remote } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';
import { checkStart } from './start-check.js';
import type { HostStart } from './types.js';

export interface ResetOptions {
  acceptNew?: boolean;
  phase?: (text: string) => void;
  /** --hosts: reset only these hosts. */
  hosts?: string[];
}

/** The playbook cut down to its connection tasks: what "addresses assigned" means. */
export function addressesOnly(playbook: Playbook): Playbook {
  return { ...playbook, roles: Object.fromEntries(Object.entries(playbook.roles).map(([role, tasks]) => [role, tasks.filter((t) => 'connection' in t)])) };
}

async function establish(conn: Remote, lab: Lab, playbook: Playbook, host: string, target: HostTarget, facts: Facts): Promise<string[]> {
  const changes = planHost('up', lab, addressesOnly(playbook), host, target, facts).flatMap((p) => p.changes);
  if (changes.length === 0) return [];
  // No `record` lines: these belong to the starting point, and a later `lab down` must leave them.
  const res = await conn.exec(['set -e', ...changes.flatMap((c) => c.commands)].join('\n'), { timeoutMs: 300_000 });
  if (res.code !== 0) throw new Error(`assigning the start's addresses failed (exit ${res.code}): ${(res.stderr.trim() || res.stdout.trim()).split('\n').slice(-2).join(' | ')}`);
  return changes.map((c) => c.title);
}

async function startHost(lab: Lab, playbook: Playbook, inventory: Inventory, host: string, start: Start, down: HostResult | undefined, opts: ResetOptions): Promise<HostStart> {
  const began = Date.now();
  const out: HostStart = { host, unreachable: false, established: [], findings: [], ms: 0 };
  const target = inventory.hosts[host];
  if (!target || down?.unreachable) return { ...out, unreachable: true, error: down?.error ?? 'not in the inventory', ms: 0 };
  const reach = await connectHost(target, { acceptNew: opts.acceptNew });
  if (!reach.ok) return { ...out, unreachable: true, error: reach.error, ms: Date.now() - began };
  const conn = reach.conn;
  try {
    // checkStart looks for the lab's virtual services on every host, not only where the playbook manages IPVS.
    const query = factQuery(lab, playbook, host, { sysctls: Object.keys(start.sysctl ?? {}), services: Object.keys(start.services ?? {}), ipvs: true });
    let facts = await gatherFacts(conn, query);
    if (start.addresses === 'assigned') {
      out.established = await establish(conn, lab, playbook, host, target, facts);
      if (out.established.length > 0) facts = await gatherFacts(conn, query);
    }
    out.findings = checkStart(lab, playbook, host, facts, start);
  } catch (e) {
    out.error = (e as Error).message.replace(`${host}: `, '');
  } finally {
    conn.close();
  }
  out.ms = Date.now() - began;
  return out;
}

export async function resetLab(lab: Lab, playbook: Playbook, inventory: Inventory, start: Start, opts: ResetOptions = {}): Promise<{ down: HostResult[]; start: HostStart[] }> {
  opts.phase?.('down');
  const down = await converge(lab, playbook, inventory, { mode: 'down', dryRun: false, acceptNew: opts.acceptNew, hosts: opts.hosts });
  opts.phase?.('start check');
  const hosts = opts.hosts ?? Object.keys(lab.hosts);
  const started = await Promise.all(hosts.map((h) => startHost(lab, playbook, inventory, h, start, down.find((d) => d.host === h), opts)));
  return { down, start: started };
}
