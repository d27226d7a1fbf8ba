// Run the checks: one SSH connection per host, one round trip per host per attempt, retrying failures until --wait runs out.
import pLimit from 'p-limit';
import { RunError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { HostContext } from '../modules/types.js';
import type { Playbook } from '../playbook/schema.js';
import { connectHost } from '../run/connect.js';
import { factQuery } from '../run/facts.js';
import type { SshConnection } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';
import { observe } from './observe.js';
import { planVerify, type CheckDef, type HostView, type VerifyPlan } from './plan.js';
import { fail, type CheckResult, type Verdict } from './types.js';

export interface VerifyOptions {
  acceptNew?: boolean;
  /** Keep retrying failed checks for this long (ms); 0 = one attempt. */
  waitMs?: number;
  /** Pause between attempts (ms). */
  retryDelayMs?: number;
  /** Called after each attempt with the results so far. */
  onAttempt?: (attempt: number, results: CheckResult[]) => void;
}

export interface VerifyRun {
  results: CheckResult[];
  attempts: number;
  ms: number;
}

type Observation = { ok: true; view: HostView } | { ok: false; error: string };

function unreachable(c: CheckDef, error: string): Verdict {
  return fail(c.title, `could not look at ${c.host}: ${error}`, `lab verify reads each host over SSH; without ${c.host}, this check cannot run.`);
}

export function judgeAll(checks: CheckDef[], obs: Map<string, Observation>): CheckResult[] {
  const views = new Map<string, HostView>();
  for (const [h, o] of obs) if (o.ok) views.set(h, o.view);
  return checks.map((c) => {
    const o = obs.get(c.host);
    let v: Verdict;
    if (!o) v = unreachable(c, 'not observed');
    else if (!o.ok) v = unreachable(c, o.error);
    else {
      try {
        v = c.judge(o.view, views);
      } catch (e) {
        const msg = e instanceof RunError ? e.message.replace(`${c.host}: `, '') : (e as Error).message;
        v = fail(c.title, `cannot judge: ${msg}`, 'The host does not look the way the check expects; the message says what is missing.');
      }
    }
    return { check: c.check, id: c.id, host: c.host, title: c.title, ...v };
  });
}

class Hosts {
  private conns = new Map<string, SshConnection>();
  constructor(
    private lab: Lab,
    private playbook: Playbook,
    private inventory: Inventory,
    private plan: VerifyPlan,
    private acceptNew: boolean,
  ) {}

  async observe(host: string): Promise<Observation> {
    const target = this.inventory.hosts[host];
    if (!target) return { ok: false, error: `not in the inventory (${this.inventory.source})` };
    let conn = this.conns.get(host);
    if (!conn) {
      const reach = await connectHost(target, { acceptNew: this.acceptNew });
      if (!reach.ok) return { ok: false, error: reach.error };
      conn = reach.conn;
      this.conns.set(host, conn);
    }
    const need = this.plan.hosts.get(host)!;
    try {
      const { facts, probe } = await observe(conn, factQuery(this.lab, this.playbook, host, need.extra), need.probe);
      const ctx: HostContext = { lab: this.lab, hostName: host, host: this.lab.hosts[host]!, target, facts, os: facts.os! };
      return { ok: true, view: { ctx, probe } };
    } catch (e) {
      // A broken connection is opened afresh on the next attempt.
      conn.close();
      this.conns.delete(host);
      return { ok: false, error: e instanceof RunError ? e.message.replace(`${host}: `, '') : (e as Error).message };
    }
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

export async function runVerify(lab: Lab, playbook: Playbook, inventory: Inventory, opts: VerifyOptions = {}): Promise<VerifyRun> {
  const started = Date.now();
  const deadline = started + (opts.waitMs ?? 0);
  const plan = planVerify(lab, playbook);
  const hosts = new Hosts(lab, playbook, inventory, plan, !!opts.acceptNew);
  const limit = pLimit(32);
  const obs = new Map<string, Observation>();
  const look = async (names: string[]) => {
    const got = await Promise.all(names.map((h) => limit(async () => [h, await hosts.observe(h)] as const)));
    for (const [h, o] of got) obs.set(h, o);
  };
  try {
    await look([...plan.hosts.keys()]);
    let results = judgeAll(plan.checks, obs);
    let attempts = 1;
    opts.onAttempt?.(attempts, results);
    while (results.some((r) => r.status === 'fail') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(opts.retryDelayMs ?? 2000, Math.max(0, deadline - Date.now()))));
      const failing = [...new Set(results.filter((r) => r.status === 'fail').map((r) => r.host))];
      await look(failing);
      const again = judgeAll(plan.checks.filter((c) => failing.includes(c.host)), obs);
      results = results.map((r) => (failing.includes(r.host) ? again.find((a) => a.host === r.host && a.id === r.id && a.check === r.check)! : r));
      attempts++;
      opts.onAttempt?.(attempts, results);
    }
    return { results, attempts, ms: Date.now() - started };
  } finally {
    hosts.close();
  }
}
