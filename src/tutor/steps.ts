// Tutor mode's data: the playbook's steps, which checks prove each one, and the step judge (pure: check results in,
// each step's state and the next thing to do out).
import { UsageError } from '../errors.js';
import { pickText, t } from '../i18n/index.js';
import { formatOp, parseIpvsSave, serviceKey, serviceLabel } from '../ipvs/index.js';
import { desiredServices } from '../modules/ipvs.js';
import { bindTasks } from '../playbook/bind.js';
import type { Playbook, Step } from '../playbook/schema.js';
import type { Lab } from '../spec/schema.js';
import type { CheckDef } from '../verify/plan.js';
import { fail, isFailing, pass, type CheckResult } from '../verify/types.js';

/** The steps of a playbook, or a usage error naming the command that needs them. */
export function stepsOf(playbook: Playbook, what: string): Step[] {
  if (!playbook.steps || playbook.steps.length === 0) throw new UsageError(t('tutor.noSteps', { what, playbook: playbook.name }));
  return playbook.steps;
}

/** --until STEP: the ids of the steps up to and including STEP, in the playbook's order. */
export function stepsUntil(playbook: Playbook, until: string): string[] {
  const steps = stepsOf(playbook, '--until');
  const i = steps.findIndex((s) => s.id === until);
  if (i < 0) throw new UsageError(t('tutor.unknownStep', { step: until, steps: steps.map((s) => s.id).join(', ') }));
  return steps.slice(0, i + 1).map((s) => s.id);
}

export const checkKey = (c: { check: string; id: string; host: string }) => `${c.check}/${c.id}@${c.host}`;

/** `balancing`, `director/ipvs`, `director/reaches-*`: a step's `verify` entry against one check. */
export function selects(selector: string, c: { check: string; id: string }): boolean {
  const [kind, id] = selector.split('/');
  if (kind !== c.check) return false;
  if (id === undefined) return true;
  const re = new RegExp(`^${id.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(c.id);
}

/** The ids in the course's order, so `1.10` comes after `1.9`. */
function stepIndex(steps: Step[]): Map<string, number> {
  return new Map(steps.map((s, i) => [s.id, i]));
}

/**
 * Which step each check proves: the step whose `verify` names it, else the last of the steps whose tasks (on the
 * check's host, or the host it names) make true a property it judges (a check passes only once all of them hold),
 * else the last step. Tasks say which step does what, and checks say which properties they judge (modules' desired()):
 * the same words `lab up` and `lab verify` agree on.
 */
export function assignSteps(lab: Lab, playbook: Playbook, checks: Pick<CheckDef, 'check' | 'id' | 'host' | 'judges'>[]): Map<string, string> {
  const steps = stepsOf(playbook, 'lab progress');
  const index = stepIndex(steps);
  const byHost = new Map<string, Map<string, string>>();
  const propertiesOf = (host: string) => {
    if (!byHost.has(host)) {
      const m = new Map<string, string>();
      if (lab.hosts[host])
        for (const task of bindTasks(playbook, lab, host, '/var/www/html'))
          for (const p of task.module.desired(task.task as never)) {
            const prev = m.get(p);
            if (task.step !== undefined && (prev === undefined || index.get(task.step)! > index.get(prev)!)) m.set(p, task.step);
          }
      byHost.set(host, m);
    }
    return byHost.get(host)!;
  };
  const out = new Map<string, string>();
  for (const c of checks) {
    const named = steps.find((s) => (s.verify ?? []).some((sel) => selects(sel, c)));
    let step = named?.id;
    if (!step) {
      const found = (c.judges ?? []).map((j) => propertiesOf(j.host ?? c.host).get(j.property)).filter((s): s is string => s !== undefined);
      step = found.sort((a, b) => index.get(a)! - index.get(b)!).pop();
    }
    out.set(checkKey(c), step ?? steps[steps.length - 1]!.id);
  }
  return out;
}

/**
 * Checks tutor mode adds to verify's, for steps the course splits finer than a verify check: with an `ipvs` task of
 * scope `services`, "the virtual service exists with its scheduler" (`ipvsadm -A`) before its real servers (`-a`).
 */
export function tutorChecks(lab: Lab, playbook: Playbook): CheckDef[] {
  const out: CheckDef[] = [];
  for (const host of Object.keys(lab.hosts)) {
    const tasks = playbook.roles[lab.hosts[host]!.role] ?? [];
    if (!tasks.some((task) => (task.ipvs as { scope?: string } | undefined)?.scope === 'services')) continue;
    const desired = desiredServices(lab, host);
    if (desired.length === 0) continue;
    out.push({
      check: 'director',
      id: 'ipvs-services',
      host,
      judges: [{ property: 'ipvs' }],
      title: t('tutor.ipvsServices.title', { services: desired.map((d) => `${serviceLabel(d)} (${d.scheduler})`).join(', ') }),
      judge: ({ ctx }) => {
        const expected = t('tutor.ipvsServices.expected', { services: desired.map((d) => `${serviceLabel(d)} -s ${d.scheduler}`).join(', ') });
        const live = ctx.facts.ipvs.installed ? parseIpvsSave(ctx.facts.ipvs.save) : [];
        const wrong = desired.filter((d) => {
          const l = live.find((x) => serviceKey(x) === serviceKey(d));
          return !l || l.scheduler !== d.scheduler || l.persistence !== d.persistence;
        });
        if (wrong.length === 0) return pass(expected, t('tutor.ipvsServices.found', { count: desired.length }));
        const commands = wrong.map((d) => {
          const l = live.find((x) => serviceKey(x) === serviceKey(d));
          return formatOp(l ? { op: 'edit-service', service: { ...d, reals: l.reals }, from: l } : { op: 'add-service', service: { ...d, reals: [] } });
        });
        const found = ctx.facts.ipvs.installed ? t('tutor.ipvsServices.missing', { services: wrong.map(serviceLabel).join(', ') }) : t('tutor.ipvsServices.noIpvsadm');
        return fail(expected, found, t('tutor.ipvsServices.why', { host }), [...(ctx.facts.ipvs.installed ? [] : [ctx.os.install(['ipvsadm'].map((p) => ctx.os.packages[p] ?? p))]), ...commands]);
      },
    });
  }
  return out;
}

export type StepStatus = 'done' | 'partial' | 'not-started' | 'waiting';

export interface StepState {
  id: string;
  title: string;
  status: StepStatus;
  /** Hosts with checks of this step, all passing / some not. */
  doneOn: string[];
  todoOn: string[];
  /** Earlier steps it needs that are not done (status waiting). */
  waitsFor: string[];
  checks: CheckResult[];
}

export interface NextThing {
  step: string;
  title: string;
  host: string;
  /** The step's failing checks on that host, in the step's order. */
  checks: CheckResult[];
  /** Their fixes, in order, each once: the exact commands for that host. */
  commands: string[];
  /** The host could not be looked at: the commands are unknown until it can. */
  unreachable: boolean;
}

export interface Progress {
  steps: StepState[];
  /** The first step not done (its id), or undefined when every step is. */
  current?: string;
  next?: NextThing;
}

/** The steps' states from verify's results (every check assigned a step by assignSteps), in the playbook's order. */
export function judgeSteps(playbook: Playbook, assigned: Map<string, string>, results: CheckResult[]): Progress {
  const steps = stepsOf(playbook, 'lab progress');
  const states: StepState[] = [];
  for (const s of steps) {
    const explicit = s.verify ?? [];
    const mine = results.filter((r) => assigned.get(checkKey(r)) === s.id);
    // A step's checks in its `verify` order first (the order its fix commands must run in), then as verify plans them.
    const rank = (r: CheckResult) => {
      const i = explicit.findIndex((sel) => selects(sel, r));
      return i < 0 ? explicit.length : i;
    };
    const ordered = mine.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
    const hosts = [...new Set(ordered.map((r) => r.host))];
    const doneOn = hosts.filter((h) => ordered.every((r) => r.host !== h || !isFailing(r.status)));
    const todoOn = hosts.filter((h) => !doneOn.includes(h));
    const done = todoOn.length === 0;
    const waitsFor = done ? [] : (s.needs ?? []).filter((n) => states.find((x) => x.id === n)?.status !== 'done');
    const status: StepStatus = done ? 'done' : waitsFor.length > 0 ? 'waiting' : doneOn.length > 0 ? 'partial' : 'not-started';
    states.push({ id: s.id, title: pickText(s.title), status, doneOn, todoOn, waitsFor, checks: ordered });
  }
  const first = states.find((s) => s.status !== 'done');
  if (!first) return { steps: states };
  const host = first.todoOn[0]!;
  const failing = first.checks.filter((r) => r.host === host && isFailing(r.status));
  const commands = [...new Set(failing.flatMap((r) => r.fix ?? []))];
  return {
    steps: states,
    current: first.id,
    next: { step: first.id, title: first.title, host, checks: failing, commands, unreachable: failing.some((r) => r.status === 'unreachable') },
  };
}
