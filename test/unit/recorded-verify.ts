// lab verify's results on a state recorded from the lab's VMs (test/fixtures/verify/STATE), judged as `lab verify`
// judges them: the plan's checks over each host's recorded output, causes linked. For tests of the judges and of the
// reports that show their results.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readInventoryFile } from '../../src/inventory/file.js';
import type { Inventory } from '../../src/inventory/types.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Playbook } from '../../src/playbook/schema.js';
import { loadLab } from '../../src/spec/load.js';
import type { Lab } from '../../src/spec/schema.js';
import { splitOutput, withConnections } from '../../src/verify/observe.js';
import { planVerify, type VerifyPlan } from '../../src/verify/plan.js';
import { judgeAll, linkCauses } from '../../src/verify/runner.js';
import type { StudentResult } from '../../src/classroom/types.js';
import type { CheckResult } from '../../src/verify/types.js';

export const VERIFY_FIXTURES = fileURLToPath(new URL('../fixtures/verify/', import.meta.url));

export interface RecordedLab {
  lab: Lab;
  playbook: Playbook;
  inventory: Inventory;
}

/** lvs-nat with its playbook, and the inventory of the VMs the states were recorded on. */
export async function recordedLab(): Promise<RecordedLab> {
  const loaded = await loadLab('lvs-nat');
  return { lab: loaded.lab, playbook: await loadPlaybook(loaded), inventory: readInventoryFile(`${VERIFY_FIXTURES}inventory.yaml`) };
}

/**
 * Judge a recorded state; hosts not recorded in it are taken from the good lab. `edit` changes the spec first; `nm`
 * false judges without the NetworkManager profiles (read only for failing hosts).
 */
export function judgeRecorded(r: RecordedLab, state: string, edit: (l: Lab) => Lab = (l) => l, nm = true): CheckResult[] {
  const spec = edit(structuredClone(r.lab));
  const plan = planVerify(spec, r.playbook);
  return judgeFolder(r, spec, plan, (host) => `${VERIFY_FIXTURES}${existsSync(`${VERIFY_FIXTURES}${state}/${host}.txt`) ? state : 'good'}/${host}`, nm);
}

/** Judge `plan`'s checks over the recordings `file(host)`.txt (and .nm.txt) of each host, causes linked. */
export function judgeFolder(r: RecordedLab, spec: Lab, plan: VerifyPlan, file: (host: string) => string, nm = true): CheckResult[] {
  const obs = new Map<string, { ok: true; view: ReturnType<typeof view> }>();
  function view(host: string) {
    const need = plan.hosts.get(host)!;
    const out = splitOutput(readFileSync(`${file(host)}.txt`, 'utf8'), need.facts, need.probe);
    const facts = nm ? withConnections(out.facts, readFileSync(`${file(host)}.nm.txt`, 'utf8')) : out.facts;
    return { ctx: { lab: spec, hostName: host, host: spec.hosts[host]!, target: r.inventory.hosts[host]!, facts, os: facts.os! }, probe: out.probe };
  }
  for (const h of plan.hosts.keys()) obs.set(h, { ok: true, view: view(h) });
  return linkCauses(plan.checks, judgeAll(plan.checks, obs));
}

/** A roster student's verify result from judged checks, as the classroom runner reports it: failed when a check failed. */
export function studentOf(name: string, checks: CheckResult[]): StudentResult {
  const failing = checks.filter((c) => c.status === 'fail');
  return { student: name, status: failing.length > 0 ? 'failed' : 'ok', ms: 1000, checks, ...(failing[0] ? { problem: `${failing[0].host}: ${failing[0].title}` } : {}) };
}
