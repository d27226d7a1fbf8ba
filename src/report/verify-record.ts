// The last `lab verify` result per lab and hosts, kept on this machine for `lab status` (verify stays read-only on the
// hosts). Its own module so that `lab verify` loads no more than this.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import type { CheckResult } from '../verify/types.js';
import { labHome } from '../vm/paths.js';

/** What `lab verify` leaves for `lab status`: when, and per host how many checks passed, failed, were skipped. */
export interface VerifyRecord {
  lab: string;
  at: string;
  ok: boolean;
  hosts: Record<string, { pass: number; fail: number; skip: number; failed: string[] }>;
}

/** The hosts a record belongs to: the same lab on other machines (another instance, a roster's student) is another record. */
function recordFile(lab: string, inventory: Inventory): string {
  const who = Object.values(inventory.hosts)
    .map((t) => `${t.name} ${t.user}@${t.address}:${t.port}`)
    .sort()
    .join('\n');
  return join(labHome(), 'verify', `${lab}-${createHash('sha256').update(who).digest('hex').slice(0, 12)}.json`);
}

export function verifyRecord(lab: string, results: CheckResult[], at = new Date()): VerifyRecord {
  const hosts: VerifyRecord['hosts'] = {};
  for (const r of results) {
    const h = (hosts[r.host] ??= { pass: 0, fail: 0, skip: 0, failed: [] });
    h[r.status] += 1;
    if (r.status === 'fail') h.failed.push(r.id);
  }
  return { lab, at: at.toISOString(), ok: results.every((r) => r.status !== 'fail'), hosts };
}

/** Called by `lab verify`; a record that cannot be written never fails the verify. */
export function saveVerifyRecord(lab: string, inventory: Inventory, results: CheckResult[]): void {
  try {
    const file = recordFile(lab, inventory);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(verifyRecord(lab, results), null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  } catch {
    // Read-only working directory: status then says no verify is recorded.
  }
}

export function readVerifyRecord(lab: string, inventory: Inventory): VerifyRecord | undefined {
  const file = recordFile(lab, inventory);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VerifyRecord;
  } catch {
    return undefined;
  }
}
