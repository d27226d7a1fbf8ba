// Run the checks: one SSH connection per host, one round trip per host per attempt, retrying failures until --wait runs out.
import pLimit from 'p-limit';
import { RunError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Inventory } from '../inventory/types.js';
import type { HostContext } from '../modules/types.js';
import type { Playbook } from '../playbook/schema.js';
import { connectHost } from '../run/connect.js';
import type { Remote } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';
import { fetchConnections, observe } from './observe.js';
import { planVerify, type ActionDef, type ActionIO, type CheckDef, type HostView, type VerifyPlan } from './plan.js';
import { fail, isFailing, skip, type CheckResult, type Verdict } from './types.js';

export interface VerifyOptions {
  acceptNew?: boolean;
  /** Keep retrying failed checks for this long (ms); 0 = one attempt. */
  waitMs?: number;
  /** Pause between attempts (ms). */
  retryDelayMs?: number;
  /** Called after each attempt with the results so far. */
  onAttempt?: (attempt: number, results: CheckResult[]) => void;
  /** --hosts: contact only these hosts and run only the checks on them (the others count as not looked at). */
  hosts?: string[];
  /** --read-only: the checks that change the lab while they run (failover, health) are skipped. */
  readOnly?: boolean;
  /** Change the plan before it runs (lab progress adds its checks and drops the active ones). */
  extend?: (plan: VerifyPlan) => VerifyPlan;
}

/** Where a host's time went, summed over attempts (ms). */
export interface HostTiming {
  connect: number;
  exec: number;
  execs: number;
}

export interface VerifyRun {
  results: CheckResult[];
  attempts: number;
  ms: number;
  timing: Record<string, HostTiming>;
}

type Observation = { ok: true; view: HostView } | { ok: false; error: string };

function unreachable(c: CheckDef, error: string): Verdict {
  return { status: 'unreachable', expected: c.title, found: t('runner.unreachable.found', { host: c.host, error }), why: t('runner.unreachable.why', { host: c.host }), fix: [] };
}

/** A result as reported (terminal, JSON, JUnit): without what only the judging needs (needsNm, lookAt). */
export function reported(r: CheckResult): CheckResult {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { needsNm, lookAt, ...rest } = r;
  return rest;
}

/**
 * Point a symptom's failure at the failed checks that cause it: those on the hosts its judge suspects (lookAt) first,
 * else any that failed. When none failed, say what lab looked at on those hosts and found right, so the reader knows
 * where the cause is not.
 */
export function linkCauses(checks: CheckDef[], results: CheckResult[], limited?: string[]): CheckResult[] {
  const causes = results.filter((r, i) => isFailing(r.status) && !checks[i]?.symptom);
  const titles = (rs: CheckResult[]) => rs.map((r) => `${r.host}: ${r.title}`);
  return results.map((r, i) => {
    if (r.status !== 'fail' || !checks[i]?.symptom) return r;
    const suspects = r.lookAt && r.lookAt.length > 0 ? r.lookAt : [...new Set(results.map((x) => x.host))];
    const near = causes.filter((c) => suspects.includes(c.host));
    const chosen = near.length > 0 ? near : causes;
    if (chosen.length > 0) {
      const shown = titles(chosen.slice(0, 4)).join('; ');
      const checks = chosen.length > 4 ? t('runner.andMore', { items: shown, more: chosen.length - 4 }) : shown;
      return { ...r, why: `${r.why ?? ''}${t('runner.causes.explained', { checks })}`.trim() };
    }
    const unseen = limited ? suspects.filter((h) => !limited.includes(h)) : [];
    if (unseen.length > 0)
      return {
        ...r,
        why: `${r.why ?? ''}${t('runner.causes.leftOut', { hosts: unseen.join(', '), all: [...limited!, ...unseen].join(',') })}`.trim(),
      };
    const looked = results.filter((x, j) => x.status === 'pass' && !checks[j]?.symptom && suspects.includes(x.host));
    const shown = looked.length > 6 ? t('runner.andMore', { items: titles(looked.slice(0, 6)).join('; '), more: looked.length - 6 }) : titles(looked).join('; ');
    const said = shown ? t('runner.causes.noneFailed', { hosts: suspects.join(', '), checks: shown }) : t('runner.causes.noneLooked', { hosts: suspects.join(', ') });
    return { ...r, why: `${r.why ?? ''}${said}`.trim() };
  });
}

export function judgeAll(checks: CheckDef[], obs: Map<string, Observation>): CheckResult[] {
  const views = new Map<string, HostView>();
  for (const [h, o] of obs) if (o.ok) views.set(h, o.view);
  return checks.map((c) => {
    const o = obs.get(c.host);
    let v: Verdict;
    if (!o) v = unreachable(c, t('runner.unreachable.notObserved'));
    else if (!o.ok) v = unreachable(c, o.error);
    else {
      try {
        v = c.judge(o.view, views);
      } catch (e) {
        const msg = e instanceof RunError ? e.message.replace(`${c.host}: `, '') : (e as Error).message;
        v = fail(c.title, t('runner.cannotJudge.found', { error: msg }), t('runner.cannotJudge.why'));
      }
    }
    // What lab up does not converge, it says so where the failure is read.
    if (v.status === 'fail' && c.unmanaged) v = { ...v, why: `${v.why ?? ''}${t('runner.unmanaged', { what: c.unmanaged })}`.trim() };
    return { check: c.check, id: c.id, host: c.host, title: c.title, ...v };
  });
}

/** Judge again the checks of some hosts, keeping the other verdicts (all of them as judged, before linkCauses). */
function rejudge(checks: CheckDef[], judged: CheckResult[], hosts: string[], obs: Map<string, Observation>): CheckResult[] {
  const again = judgeAll(checks, obs);
  return judged.map((r, i) => (hosts.includes(r.host) ? again[i]! : r));
}

/**
 * --hosts: the other hosts are not contacted and their checks are not run; checks here that read them see them as not
 * observed (as an unreachable host), and a symptom whose cause may be there says so (linkCauses).
 */
export function limitPlan(plan: VerifyPlan, only: string[] | undefined): VerifyPlan {
  if (!only) return plan;
  return {
    ...plan,
    checks: plan.checks.filter((c) => only.includes(c.host)),
    actions: plan.actions.filter((a) => only.includes(a.host)),
    hosts: new Map([...plan.hosts].filter(([h]) => only.includes(h))),
  };
}

class Hosts {
  private conns = new Map<string, Remote>();
  readonly timing: Record<string, HostTiming> = {};

  private time(host: string, what: 'connect' | 'exec', since: number): void {
    const t = (this.timing[host] ??= { connect: 0, exec: 0, execs: 0 });
    t[what] += Date.now() - since;
    if (what === 'exec') t.execs++;
  }

  constructor(
    private lab: Lab,
    private inventory: Inventory,
    private plan: VerifyPlan,
    private acceptNew: boolean,
  ) {}

  async observe(host: string): Promise<Observation> {
    const target = this.inventory.hosts[host];
    if (!target) return { ok: false, error: t('runner.unreachable.notInInventory', { source: this.inventory.source }) };
    let conn = this.conns.get(host);
    if (!conn) {
      const t0 = Date.now();
      const reach = await connectHost(target, { acceptNew: this.acceptNew });
      this.time(host, 'connect', t0);
      if (!reach.ok) return { ok: false, error: reach.error };
      conn = reach.conn;
      this.conns.set(host, conn);
    }
    const need = this.plan.hosts.get(host)!;
    try {
      const t0 = Date.now();
      const { facts, probe } = await observe(conn, need.facts, need.probe);
      this.time(host, 'exec', t0);
      const ctx: HostContext = { lab: this.lab, hostName: host, host: this.lab.hosts[host]!, target, facts, os: facts.os! };
      return { ok: true, view: { ctx, probe } };
    } catch (e) {
      // A broken connection is opened afresh on the next attempt.
      conn.close();
      this.conns.delete(host);
      return { ok: false, error: e instanceof RunError ? e.message.replace(`${host}: `, '') : (e as Error).message };
    }
  }

  /** The second round trip, for a host with failures: NetworkManager's profiles, so fixes name the real connection. */
  async withConnections(host: string, o: Observation): Promise<Observation> {
    const conn = this.conns.get(host);
    if (!o.ok || !conn) return o;
    try {
      const t0 = Date.now();
      const facts = await fetchConnections(conn, o.view.ctx.facts);
      this.time(host, 'exec', t0);
      return { ok: true, view: { ...o.view, ctx: { ...o.view.ctx, facts } } };
    } catch {
      return o;
    }
  }

  /** An active check's command on a host whose connection the observation opened. */
  async exec(host: string, script: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    const conn = this.conns.get(host);
    if (!conn) throw new RunError(t('runner.unreachable.noConnection'), host);
    const t0 = Date.now();
    try {
      const r = await conn.exec(script, { timeoutMs });
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    } finally {
      this.time(host, 'exec', t0);
    }
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

/** An active check: skipped when a host it needs was not looked at, or a check it builds on did not pass. */
export async function runAction(a: ActionDef, io: ActionIO, views: Map<string, HostView>, results: CheckResult[], only?: string[]): Promise<CheckResult> {
  const head = { check: a.check, id: a.id, host: a.host, title: a.title };
  const left = a.hosts.filter((h) => !views.has(h) || (only && !only.includes(h)));
  if (left.length > 0) return { ...head, ...skip(a.title, t(only ? 'runner.notRun.leftOut' : 'runner.notRun.notReached', { hosts: left.join(', ') })) };
  const blocking = results.filter((r) => r.status !== 'pass' && r.status !== 'skip' && a.needs.some((n) => n.check === r.check && n.host === r.host));
  if (blocking.length > 0) {
    const shown = blocking.slice(0, 3).map((r) => `${r.host}: ${r.title}`).join('; ');
    return { ...head, ...skip(a.title, t('runner.notRun.blocked', { checks: blocking.length > 3 ? t('runner.andMore', { items: shown, more: blocking.length - 3 }) : shown })) };
  }
  try {
    return { ...head, ...(await a.run(io, views)) };
  } catch (e) {
    const msg = e instanceof RunError ? e.message : (e as Error).message;
    return { ...head, ...fail(a.title, t('runner.couldNotRun.found', { error: msg }), t('runner.couldNotRun.why')) };
  }
}

export async function runVerify(lab: Lab, playbook: Playbook, inventory: Inventory, opts: VerifyOptions = {}): Promise<VerifyRun> {
  const started = Date.now();
  if (process.env.LAB_TRACE) process.stderr.write(`trace - start ${Math.round(performance.now())} ms\n`);
  const deadline = started + (opts.waitMs ?? 0);
  const only = opts.hosts;
  const planned = planVerify(lab, playbook);
  const plan = limitPlan(opts.extend ? opts.extend(planned) : planned, only);
  const hosts = new Hosts(lab, inventory, plan, !!opts.acceptNew);
  const limit = pLimit(32);
  const obs = new Map<string, Observation>();
  const look = async (names: string[]) => {
    const got = await Promise.all(names.map((h) => limit(async () => [h, await hosts.observe(h)] as const)));
    for (const [h, o] of got) obs.set(h, o);
  };
  try {
    await look([...plan.hosts.keys()]);
    // Verdicts as judged; causes are linked into the symptoms' explanations only for reporting, so a verdict kept from
    // an earlier attempt is never linked twice.
    let judged = judgeAll(plan.checks, obs);
    let attempts = 1;
    opts.onAttempt?.(attempts, linkCauses(plan.checks, judged, only));
    while (judged.some((r) => isFailing(r.status)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(opts.retryDelayMs ?? 2000, Math.max(0, deadline - Date.now()))));
      const failing = [...new Set(judged.filter((r) => isFailing(r.status)).map((r) => r.host))];
      await look(failing);
      judged = rejudge(plan.checks, judged, failing, obs);
      attempts++;
      opts.onAttempt?.(attempts, linkCauses(plan.checks, judged, only));
    }
    const failing = [...new Set(judged.filter((r) => r.needsNm).map((r) => r.host))].filter((h) => obs.get(h)?.ok);
    if (failing.length > 0) {
      await Promise.all(failing.map(async (h) => obs.set(h, await hosts.withConnections(h, obs.get(h)!))));
      judged = rejudge(plan.checks, judged, failing, obs);
    }
    let final = linkCauses(plan.checks, judged, only).map(reported);
    if (plan.actions.length > 0) {
      const views = new Map<string, HostView>();
      for (const [h, o] of obs) if (o.ok) views.set(h, o.view);
      const io: ActionIO = { exec: (h, script, ms) => hosts.exec(h, script, ms) };
      const acted: CheckResult[] = [];
      for (const a of plan.actions) {
        if (opts.readOnly) {
          acted.push({ check: a.check, id: a.id, host: a.host, title: a.title, ...skip(a.title, t('runner.notRun.readOnly')) });
          continue;
        }
        acted.push(await runAction(a, io, views, final, only));
        opts.onAttempt?.(attempts, [...final, ...acted]);
      }
      final = [...final, ...acted.map(reported)];
    }
    return { results: final, attempts, ms: Date.now() - started, timing: hosts.timing };
  } finally {
    hosts.close();
  }
}
