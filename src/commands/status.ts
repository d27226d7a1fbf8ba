// `lab status LAB`: per host, reachable or not, its OS, what `lab up` would still change, and the last verify's result
// on it (recorded by `lab verify` on this machine, for this lab and these hosts).
import { pickHosts } from '../inventory/check.js';
import { resolveInventory, type TargetOptions } from '../inventory/file.js';
import { loadPlaybook } from '../playbook/load.js';
import { envelope } from '../report/envelope.js';
import { styler, table, useColor } from '../report/style.js';
import { converge } from '../run/converge.js';
import type { HostResult } from '../run/types.js';
import { loadLab } from '../spec/load.js';
import { readVerifyRecord, type VerifyRecord } from '../report/verify-record.js';

export interface StatusCliOptions extends TargetOptions {
  json?: boolean;
  acceptNew?: boolean;
  hosts?: string;
}

export interface HostStatus {
  host: string;
  status: 'reachable' | 'unreachable' | 'error';
  os?: string;
  /** Tasks `lab up` would change, with their change count; undefined when the host could not be planned. */
  pending?: { task: string; changes: number }[];
  error?: string;
  verify?: VerifyRecord['hosts'][string];
}

export function hostStatuses(results: HostResult[], record: VerifyRecord | undefined): HostStatus[] {
  return results.map((r) => {
    const base = { host: r.host, ...(record?.hosts[r.host] ? { verify: record.hosts[r.host] } : {}) };
    if (r.unreachable) return { ...base, status: 'unreachable' as const, error: r.error };
    if (r.error) return { ...base, status: 'error' as const, os: r.os, error: r.error };
    return { ...base, status: 'reachable' as const, os: r.os, pending: r.tasks.filter((t) => t.changes.length > 0).map((t) => ({ task: t.label, changes: t.changes.length })) };
  });
}

export function formatStatus(lab: string, hosts: HostStatus[], record: VerifyRecord | undefined, s: ReturnType<typeof styler>): string {
  const rows = [['HOST', 'REACHABLE', 'OS', 'UP WOULD CHANGE', 'LAST VERIFY']];
  for (const h of hosts) {
    const pending = h.pending === undefined ? '?' : h.pending.length === 0 ? 'nothing' : `${h.pending.length} task${h.pending.length === 1 ? '' : 's'}`;
    const v = h.verify ? (h.verify.fail > 0 ? `${h.verify.fail} failed (${h.verify.failed.join(', ')})` : `${h.verify.pass} passed`) : '-';
    rows.push([h.host, h.status === 'unreachable' ? 'no' : 'yes', h.os ?? '-', pending, v]);
  }
  const lines = table(rows).split('\n');
  const out = [s.bold(lines[0]!), ...lines.slice(1)];
  for (const h of hosts) if (h.error) out.push(s.red(`${h.host}: ${h.error}`));
  const planned = hosts.filter((h) => h.pending !== undefined);
  const todo = planned.filter((h) => h.pending!.length > 0);
  if (planned.length === hosts.length) out.push(todo.length === 0 ? s.green('converged: lab up has nothing to change') : s.yellow(`not converged: lab up would change ${todo.map((h) => h.host).join(', ')} (lab plan ${lab} shows the commands)`));
  out.push(record ? `last verify: ${record.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, ${record.ok ? s.green('passed') : s.red('failed')}` : 'last verify: none recorded here for these hosts');
  return `${out.join('\n')}\n`;
}

export async function statusCommand(labArg: string, o: StatusCliOptions): Promise<number> {
  const started = Date.now();
  const loaded = await loadLab(labArg);
  const playbook = await loadPlaybook(loaded);
  const hosts = pickHosts(loaded.lab, o.hosts);
  const inventory = await resolveInventory(loaded, o);
  const results = await converge(loaded.lab, playbook, inventory, { mode: 'up', dryRun: true, acceptNew: o.acceptNew, hosts });
  const record = readVerifyRecord(loaded.lab.name, inventory);
  const statuses = hostStatuses(results, record);
  const ok = statuses.every((h) => h.status === 'reachable');
  if (o.json) process.stdout.write(`${JSON.stringify(envelope('status', loaded.lab.name, ok, Date.now() - started, { converged: statuses.every((h) => h.pending?.length === 0), hosts: Object.fromEntries(statuses.map(({ host, ...h }) => [host, h])), lastVerify: record ?? null }), null, 2)}\n`);
  else process.stdout.write(formatStatus(loaded.lab.name, statuses, record, styler(useColor())));
  // A host that cannot be reached or read is a failure; a lab not (yet) converged is a state, not an error.
  return ok ? 0 : 1;
}
