// The last `lab verify` result per lab and hosts, kept on this machine for `lab status` (verify stays read-only on the
// hosts). Its own module so that `lab verify` loads no more than this.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import { isFailing, type CheckResult } from '../verify/types.js';
import { labHome } from '../vm/paths.js';

/** What `lab verify` leaves for `lab status`: when, and per host how many checks passed, failed, were skipped. */
export interface VerifyRecord {
  lab: string;
  at: string;
  ok: boolean;
  /** Per host; `at` is when that host was last verified (a `--hosts` run updates only its hosts). */
  hosts: Record<string, { pass: number; fail: number; skip: number; failed: string[]; at?: string }>;
}

/** Which machines an inventory reaches, in 12 hex digits: the same lab on other machines is another record. */
export function inventoryId(inventory: Inventory): string {
  const who = Object.values(inventory.hosts)
    .map((t) => `${t.name} ${t.user}@${t.address}:${t.port}`)
    .sort()
    .join('\n');
  return createHash('sha256').update(who).digest('hex').slice(0, 12);
}

/** The hosts a record belongs to: the same lab on other machines (another instance, a roster's student) is another record. */
function recordFile(lab: string, inventory: Inventory): string {
  return join(labHome(), 'verify', `${lab}-${inventoryId(inventory)}.json`);
}

/**
 * The record of a verify run. With `only` (verify --hosts), the hosts it checked replace theirs in `previous` and the
 * other hosts keep what an earlier run found; `ok` is then over all the hosts the record holds.
 */
export function verifyRecord(lab: string, results: CheckResult[], at = new Date(), previous?: VerifyRecord, only?: string[]): VerifyRecord {
  const hosts: VerifyRecord['hosts'] = {};
  for (const r of results) {
    const h = (hosts[r.host] ??= { pass: 0, fail: 0, skip: 0, failed: [], at: at.toISOString() });
    // A check that could not run counts as failed: the record says whether the host passed, not why not.
    h[isFailing(r.status) ? 'fail' : r.status === 'pass' ? 'pass' : 'skip'] += 1;
    if (isFailing(r.status)) h.failed.push(r.id);
  }
  if (!only || !previous) return { lab, at: at.toISOString(), ok: results.every((r) => !isFailing(r.status)), hosts };
  const kept = Object.fromEntries(Object.entries(previous.hosts).filter(([h]) => !only.includes(h)).map(([h, v]) => [h, { ...v, at: v.at ?? previous.at }]));
  const merged = { ...kept, ...hosts };
  return { lab, at: at.toISOString(), ok: Object.values(merged).every((h) => h.fail === 0), hosts: merged };
}

/** Called by `lab verify`; a record that cannot be written never fails the verify. */
export function saveVerifyRecord(lab: string, inventory: Inventory, results: CheckResult[], only?: string[]): void {
  try {
    const file = recordFile(lab, inventory);
    mkdirSync(join(file, '..'), { recursive: true });
    const previous = only ? readVerifyRecord(lab, inventory) : undefined;
    writeFileSync(`${file}.tmp`, `${JSON.stringify(verifyRecord(lab, results, new Date(), previous, only), null, 2)}\n`);
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
