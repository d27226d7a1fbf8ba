// Gather a host's facts in one round trip, with the query derived from its tasks.
import { RunError } from '../errors.js';
import { FACT_PRELUDE, factScript } from '../facts/script.js';
import { parseFacts } from '../facts/parse.js';
import type { FactQuery, FactSection, Facts } from '../facts/types.js';
import { allNames } from '../os/families.js';
import { bindTasks, namesUsed } from '../playbook/bind.js';
import type { Playbook } from '../playbook/schema.js';
import { stateFile } from '../modules/types.js';
import type { Remote } from '../ssh/connection.js';
import type { Lab } from '../spec/schema.js';

/** Every docroot a supported OS may have; the query cannot know the OS yet. */
const DOCROOTS = ['/var/www/html'];

/** What a host's tasks read, plus `extra` (names are added; a section flag set there is asked for too). */
export function factQuery(lab: Lab, playbook: Playbook, hostName: string, extra: Partial<FactQuery> = {}): FactQuery {
  const tasks = DOCROOTS.flatMap((d) => bindTasks(playbook, lab, hostName, d));
  const used = namesUsed(tasks);
  const files = new Set<string>();
  const exists = new Set<string>(extra.exists ?? []);
  for (const t of tasks) {
    for (const f of t.module.files?.(t.task, lab) ?? []) files.add(f);
    for (const p of t.module.exists?.(t.task, lab) ?? []) exists.add(p);
  }
  const wants = (s: FactSection) => !!extra[s] || tasks.some((t) => t.module.facts?.includes(s));
  return {
    packages: allNames('packages', [...used.packages, ...(extra.packages ?? [])]),
    services: allNames('services', [...used.services, ...(extra.services ?? [])]),
    sysctls: [...new Set([...used.sysctls, ...(extra.sysctls ?? [])])],
    files: [...files, ...(extra.files ?? [])],
    exists: [...exists],
    stateFile: stateFile(lab),
    nm: wants('nm'),
    firewallZone: wants('firewallZone'),
    selinux: wants('selinux'),
    ipvs: wants('ipvs'),
  };
}

export async function gatherFacts(conn: Remote, query: FactQuery): Promise<Facts> {
  const res = await conn.exec(factScript(query), { prelude: FACT_PRELUDE, timeoutMs: 60_000 });
  if (res.code !== 0) throw new RunError(`the fact command failed (exit ${res.code}): ${res.stderr.trim().split('\n').pop() ?? ''}`, conn.name);
  const facts = parseFacts(res.stdout, query);
  if (!facts.os) {
    const pretty = /^PRETTY_NAME="?([^"\n]*)/m.exec(facts.osRelease)?.[1] ?? 'an unknown OS';
    throw new RunError(`unsupported OS ${pretty}: lab supports RHEL/CentOS 7, Rocky/Alma 8 and 9, Debian 12 and Ubuntu`, conn.name);
  }
  return facts;
}
