// `lab list`: the labs this checkout has (labs/*.yaml here, then the package's own), each validated with its playbook.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadPlaybook } from '../playbook/load.js';
import { envelope } from '../report/envelope.js';
import { table } from '../report/style.js';
import { loadLab, PACKAGE_ROOT } from '../spec/load.js';

export interface ListedLab {
  name: string;
  file: string;
  /** The description's first sentence ('' without one). */
  summary: string;
  description: string;
  modes: string[];
  schedulers: string[];
  hosts: string[];
  services: string[];
  /** Set when the spec or its playbook does not validate: the first problem, with file:line:col. */
  problem?: string;
}

/** labs/*.yaml of the working directory, then of the package, a name listed once (the working directory's wins, as `lab up NAME` finds it). */
export function labFiles(): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  for (const dir of [process.cwd(), PACKAGE_ROOT]) {
    const labs = join(dir, 'labs');
    if (!existsSync(labs)) continue;
    for (const f of readdirSync(labs).filter((n) => n.endsWith('.yaml')).sort()) {
      const name = f.slice(0, -'.yaml'.length);
      if (seen.has(name)) continue;
      seen.add(name);
      const rel = relative(process.cwd(), join(labs, f));
      files.push(rel.startsWith('..') ? join(labs, f) : rel);
    }
  }
  return files;
}

const uniq = (xs: string[]) => [...new Set(xs)];

export async function listLabs(): Promise<ListedLab[]> {
  const out: ListedLab[] = [];
  for (const file of labFiles()) {
    const name = file.replace(/^.*\//, '').replace(/\.yaml$/, '');
    try {
      const loaded = await loadLab(file);
      await loadPlaybook(loaded);
      const { lab } = loaded;
      const description = (lab.description ?? '').trim();
      out.push({
        name: lab.name,
        file,
        summary: /^.*?[.!?](?=\s|$)/s.exec(description)?.[0] ?? description,
        description,
        modes: uniq(lab.services.map((s) => s.forwarding)),
        schedulers: uniq(lab.services.map((s) => s.scheduler)),
        hosts: Object.keys(lab.hosts),
        services: lab.services.map((s) => `${s.protocol} ${s.vip}:${s.port}`),
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      out.push({ name, file, summary: '', description: '', modes: [], schedulers: [], hosts: [], services: [], problem: msg });
    }
  }
  return out;
}

/** The table: one lab a line, and a line under it for a lab that does not validate. */
export function renderList(labs: ListedLab[]): string {
  if (labs.length === 0) return 'no labs here: a lab is labs/NAME.yaml with playbooks/NAME.yaml (README: "Write your own lab")\n';
  const rows = [['LAB', 'MODE', 'SCHEDULER', 'HOSTS', 'WHAT IT IS'], ...labs.map((l) => [l.name, l.modes.join(',') || '-', l.schedulers.join(',') || '-', l.problem ? '-' : String(l.hosts.length), l.problem ? `does not validate: ${l.problem}` : l.summary])];
  return `${table(rows)}\n`;
}

export async function listCommand(o: { json?: boolean }): Promise<number> {
  const started = Date.now();
  const labs = await listLabs();
  const ok = labs.every((l) => !l.problem);
  if (o.json) process.stdout.write(`${JSON.stringify(envelope('list', null, ok, Date.now() - started, { labs }), null, 2)}\n`);
  else process.stdout.write(renderList(labs));
  // A spec in labs/ that does not validate is bad input: exit 2, after listing the others.
  const bad = labs.filter((l) => l.problem);
  if (bad.length > 0) process.stderr.write(`lab: ${bad.length === 1 ? 'a lab does' : `${bad.length} labs do`} not validate (${bad.map((l) => l.name).join(', ')}); \`lab validate ${bad[0]!.file}\` lists every problem\n`);
  return ok ? 0 : 2;
}
