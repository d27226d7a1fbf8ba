// A student's verdict and first problem, from host results, check results or start findings.
import type { HostResult } from '../run/types.js';
import { isFailing, type CheckResult } from '../verify/types.js';
import type { Progress } from '../tutor/steps.js';
import type { HostStart, StudentStatus } from './types.js';

export interface Verdict {
  status: StudentStatus;
  problem?: string;
}

const OK: Verdict = { status: 'ok' };

export function fromHosts(hosts: HostResult[]): Verdict {
  const down = hosts.find((h) => h.unreachable);
  if (down) return { status: 'unreachable', problem: `${down.host}: ${down.error ?? 'unreachable'}` };
  for (const h of hosts) {
    const t = h.tasks.find((x) => x.status === 'failed');
    if (t) return { status: 'failed', problem: `${h.host}: ${t.label}: ${t.error ?? 'failed'}` };
    if (h.error) return { status: 'failed', problem: `${h.host}: ${h.error}` };
  }
  return OK;
}

export function checkName(c: CheckResult): string {
  return `${c.check} ${c.id} on ${c.host}`;
}

/** Causes before symptoms: a host's own state explains a failed end-to-end check, not the other way round. */
const CAUSE_FIRST = ['director', 'real-servers', 'path', 'balancing'];

export function firstFailure(checks: CheckResult[]): CheckResult | undefined {
  const rank = (c: CheckResult) => {
    const i = CAUSE_FIRST.indexOf(c.check);
    return i < 0 ? 2 : i;
  };
  return checks.filter((c) => isFailing(c.status)).sort((a, b) => rank(a) - rank(b))[0];
}

export function fromChecks(checks: CheckResult[], unreachable: { host: string; error: string }[] = []): Verdict {
  const down = unreachable[0];
  if (down) return { status: 'unreachable', problem: `${down.host}: ${down.error}` };
  const f = firstFailure(checks);
  if (f) return { status: 'failed', problem: `${checkName(f)}: expected ${f.expected}, found ${f.found}` };
  if (checks.length === 0) return { status: 'failed', problem: 'no check ran' };
  return OK;
}

/** Tutor mode: ok when every step is done; else the step reached and what is next there. */
export function fromProgress(p: Progress): Verdict {
  const down = p.next?.checks.find((c) => c.status === 'unreachable');
  if (down) return { status: 'unreachable', problem: `${down.host}: ${down.found}` };
  if (!p.next) return OK;
  const c = p.next.checks[0];
  return { status: 'failed', problem: `step ${p.next.step} (${p.next.title}) on ${p.next.host}${c ? `: ${c.title}: expected ${c.expected}, found ${c.found}` : ''}` };
}

export function fromReset(down: HostResult[], start: HostStart[]): Verdict {
  const d = fromHosts(down);
  if (d.status !== 'ok') return { status: d.status, problem: `down: ${d.problem}` };
  const u = start.find((s) => s.unreachable);
  if (u) return { status: 'unreachable', problem: `${u.host}: ${u.error ?? 'unreachable'}` };
  const e = start.find((s) => s.error);
  if (e) return { status: 'failed', problem: `${e.host}: ${e.error}` };
  for (const s of start) {
    const f = s.findings.find((x) => !x.ok);
    if (f) return { status: 'failed', problem: `${s.host}: not at the start: ${f.what}: expected ${f.expected}, found ${f.found}` };
  }
  return OK;
}
