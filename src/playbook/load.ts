// Find and validate the playbook of a lab, and check it against the spec: every role the spec uses, and an ipvs task
// for every host that directs a service. Problems point into the spec (or the playbook) with file:line:col.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SpecError } from '../errors.js';
import { t } from '../i18n/index.js';
import { PACKAGE_ROOT, type LoadedLab } from '../spec/load.js';
import { directorOf, vrrpOf } from '../spec/services.js';
import type { z } from 'zod';
import { capLines, dotted, issueLines, locate, nameList, parseYaml, readYaml, type SourceDoc } from '../spec/yaml.js';
import { playbookSchema, TASK_SCHEMAS, type Playbook, type TaskSpec } from './schema.js';

/** The module a director's role must run: it puts the spec's services into the kernel's IPVS table. */
const IPVS_TASK = 'ipvs';
/** The module each router of a VRRP group must run: keepalived holds the VIP and loads the IPVS table there. */
const KEEPALIVED_TASK = 'keepalived';

export function playbookPath(loaded: LoadedLab): string {
  const name = loaded.lab.playbook ?? loaded.lab.name;
  const candidates = [join(dirname(loaded.file), '..', 'playbooks', `${name}.yaml`), join(process.cwd(), 'playbooks', `${name}.yaml`), join(PACKAGE_ROOT, 'playbooks', `${name}.yaml`)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    const key = loaded.lab.playbook !== undefined ? 'playbook' : 'name';
    throw new SpecError([
      `${locate(loaded.src, [key])}: ${key}: ${t('playbook.noPlaybook', { name, path: `playbooks/${name}.yaml`, snippet: 'playbook: NAME' })}`,
    ]);
  }
  return relative(process.cwd(), found) || found;
}

export async function loadPlaybook(loaded: LoadedLab): Promise<Playbook> {
  return validatePlaybook(loaded, await readYaml(playbookPath(loaded)));
}

/** The same checks as loadPlaybook, on a playbook's text. */
export function parsePlaybook(loaded: LoadedLab, file: string, text: string): Playbook {
  return validatePlaybook(loaded, parseYaml(file, text));
}

/**
 * A task that matches no module, said precisely: an unknown module, several modules in one task, or what is wrong for
 * the module it names (a union of all modules would only say "Invalid input"). Undefined for other issues.
 */
function taskProblems(src: SourceDoc, issue: z.core.$ZodIssue): string[] | undefined {
  const [roles, role, index] = issue.path;
  if (roles !== 'roles' || issue.path.length !== 3 || (issue.code !== 'invalid_union' && issue.code !== 'unrecognized_keys')) return undefined;
  const path = [roles, role!, index!];
  const task = ((src.data as { roles: Record<string, unknown[]> }).roles[String(role)] ?? [])[Number(index)];
  const modules = [...TASK_SCHEMAS.keys()].join(', ');
  const form = '- MODULE: VALUE';
  if (!task || typeof task !== 'object' || Array.isArray(task)) return [`${locate(src, path)}: ${dotted(path)}: ${t('playbook.task.shape', { form, modules })}`];
  const keys = Object.keys(task).filter((k) => k !== 'step');
  if (keys.length !== 1)
    return [
      `${locate(src, path)}: ${dotted(path)}: ${keys.length === 0 ? t('playbook.task.empty', { form, modules }) : t('playbook.task.manyModules', { names: keys.join(', '), form, modules })}`,
    ];
  const schema = TASK_SCHEMAS.get(keys[0]!);
  if (!schema) return [`${locate(src, [...path, keys[0]!], true)}: ${dotted([...path, keys[0]!])}: ${t('playbook.task.unknownModule', { module: keys[0]!, modules })}`];
  const result = schema.safeParse(task);
  if (result.success) return undefined;
  return issueLines(src, result.error.issues.map((i) => ({ ...i, path: [...path, ...i.path] })), playbookSchema);
}

/**
 * Steps are the course's order: ids unique, `needs` naming earlier steps only, and, once a playbook has steps, every
 * task in one of them (a task outside every step would be done by no step and judged by none).
 */
function stepProblems(src: SourceDoc, playbook: Playbook): void {
  const problems: string[] = [];
  const steps = playbook.steps;
  const seen: string[] = [];
  steps?.forEach((st, i) => {
    if (seen.includes(st.id)) problems.push(`${locate(src, ['steps', i, 'id'], true)}: steps.${i}.id: ${t('playbook.step.listedTwice', { id: st.id })}`);
    (st.needs ?? []).forEach((n, j) => {
      if (!seen.includes(n))
        problems.push(
          `${locate(src, ['steps', i, 'needs', j], true)}: steps.${i}.needs.${j}: ${seen.length > 0 ? t('playbook.step.needsNotBeforeSome', { need: n, id: st.id, steps: seen.join(', ') }) : t('playbook.step.needsNotBefore', { need: n, id: st.id })}`,
        );
    });
    seen.push(st.id);
  });
  for (const [role, tasks] of Object.entries(playbook.roles))
    tasks.forEach((task, i) => {
      const step = task.step as string | undefined;
      if (step !== undefined && !steps)
        problems.push(`${locate(src, ['roles', role, i, 'step'], true)}: roles.${role}.${i}.step: ${t('playbook.step.noSteps', { key: 'steps:' })}`);
      else if (step !== undefined && !seen.includes(step))
        problems.push(`${locate(src, ['roles', role, i, 'step'], true)}: roles.${role}.${i}.step: ${t('playbook.step.unknown', { step, steps: seen.join(', ') })}`);
      else if (step === undefined && steps)
        problems.push(`${locate(src, ['roles', role, i], true)}: roles.${role}.${i}: ${t('playbook.step.taskInNoStep', { snippet: 'step: ID', steps: seen.join(', ') })}`);
    });
  for (const [role, tasks] of Object.entries(playbook.roles)) {
    const scopes = tasks.map((task) => (task.ipvs as { scope?: string } | undefined)?.scope ?? (task.ipvs ? 'all' : undefined));
    const order = (id: unknown) => (playbook.steps ?? []).findIndex((st) => st.id === id);
    scopes.forEach((sc, i) => {
      const before = scopes.slice(0, i).lastIndexOf('services');
      if (sc === 'reals' && before < 0)
        problems.push(`${locate(src, ['roles', role, i, 'ipvs', 'scope'])}: roles.${role}.${i}.ipvs.scope: ${t('playbook.step.realsFirst', { snippet: '- ipvs: { scope: services }' })}`);
      // lab up --until runs the steps up to one: the services' step must not come after their real servers'.
      else if (sc === 'reals' && order(tasks[before]!.step) > order(tasks[i]!.step))
        problems.push(
          `${locate(src, ['roles', role, i, 'step'])}: roles.${role}.${i}.step: ${t('playbook.step.realsBeforeServices', { realsStep: String(tasks[i]!.step), servicesStep: String(tasks[before]!.step) })}`,
        );
    });
  }
  if (problems.length > 0) throw new SpecError(capLines(problems));
}

const hasTask = (tasks: readonly TaskSpec[], key: string) => tasks.some((t) => Object.hasOwn(t, key));

function validatePlaybook(loaded: LoadedLab, src: SourceDoc): Playbook {
  const parsed = playbookSchema.safeParse(src.data);
  if (!parsed.success) throw new SpecError(capLines(parsed.error.issues.flatMap((issue) => taskProblems(src, issue) ?? issueLines(src, [issue], playbookSchema))));
  const { roles } = parsed.data;
  const { lab } = loaded;
  stepProblems(src, parsed.data);
  const missing = Object.entries(lab.hosts).filter(([, h]) => !roles[h.role]);
  if (missing.length > 0)
    throw new SpecError(
      capLines(
        missing.map(([name, h]) => () => `${locate(loaded.src, ['hosts', name, 'role'])}: hosts.${name}.role: ${t('playbook.role.missing', { role: h.role, file: src.file, roles: nameList(Object.keys(roles)) })}`),
      ),
    );
  // The host that holds a VIP must run IPVS for it: roles are names the author chooses, so the playbook says which run it.
  const problems: string[] = [];
  const reported = new Set<string>();
  const withIpvs = Object.keys(roles).filter((r) => hasTask(roles[r]!, IPVS_TASK));
  const withKeepalived = Object.keys(roles).filter((r) => hasTask(roles[r]!, KEEPALIVED_TASK));
  lab.vrrp.forEach((g, i) => {
    for (const [j, r] of g.routers.entries()) {
      const host = lab.hosts[r.host];
      if (!host || reported.has(r.host) || hasTask(roles[host.role] ?? [], KEEPALIVED_TASK)) continue;
      reported.add(r.host);
      const fix =
        withKeepalived.length > 0
          ? t('playbook.role.giveRole', { host: r.host, roles: nameList(withKeepalived) })
          : t('playbook.role.addTask', { snippet: `- ${KEEPALIVED_TASK}: {}`, role: host.role });
      problems.push(
        `${locate(loaded.src, ['vrrp', i, 'routers', j, 'host'])}: vrrp.${i}.routers.${j}.host: ` +
          t('playbook.role.routerWithout', { host: r.host, group: g.name, vip: g.vip, role: host.role, task: KEEPALIVED_TASK, file: src.file, fix }),
      );
    }
  });
  lab.services.forEach((svc, i) => {
    if (vrrpOf(lab, svc.vip)) return; // keepalived loads its table on every router (checked above)
    const director = directorOf(lab, svc);
    const host = director === undefined ? undefined : lab.hosts[director];
    if (!director || !host || reported.has(director) || hasTask(roles[host.role] ?? [], IPVS_TASK)) return;
    reported.add(director);
    const fix =
      withIpvs.length > 0 ? t('playbook.role.giveRole', { host: director, roles: nameList(withIpvs) }) : t('playbook.role.addTask', { snippet: `- ${IPVS_TASK}: {}`, role: host.role });
    problems.push(
      `${locate(loaded.src, ['hosts', director, 'role'])}: hosts.${director}.role: ` +
        t('playbook.role.directorWithout', {
          director,
          index: i,
          service: `${svc.protocol} ${svc.vip}:${svc.port}`,
          role: host.role,
          task: IPVS_TASK,
          file: src.file,
          fix,
        }),
    );
  });
  if (problems.length > 0) throw new SpecError(capLines(problems));
  return parsed.data;
}
