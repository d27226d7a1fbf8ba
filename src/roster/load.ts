// Read a roster: YAML with positions, ${VAR} expansion, schema, then a check against the lab's hosts; one Inventory per student.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import type { Lab } from '../spec/schema.js';
import { issueLines, locate, parseYaml, type SourceDoc } from '../spec/yaml.js';
import { expandEnv } from './env.js';
import { Redactor } from './redact.js';
import { allowedKeysAt, rosterSchema, type RosterFile, type RosterHost, type RosterStudent } from './schema.js';

export interface Student {
  name: string;
  inventory: Inventory;
}

export interface Roster {
  file: string;
  students: Student[];
  /** Masks every ${VAR} value and every password in anything shown or written. */
  redactor: Redactor;
}

export interface RosterOptions {
  /** Where ${VAR} comes from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

function pathFrom(base: string, p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

function target(base: string, name: string, defaults: RosterFile['defaults'], student: RosterStudent, host: RosterHost): HostTarget {
  const pick = <K extends 'port' | 'user' | 'identity_file' | 'password' | 'agent' | 'sudo' | 'known_hosts'>(k: K) => host[k] ?? student[k] ?? defaults?.[k];
  const t: HostTarget = { name, address: host.address, port: pick('port') ?? 22, user: pick('user') ?? 'root' };
  const identityFile = pathFrom(base, pick('identity_file'));
  const knownHosts = pathFrom(base, pick('known_hosts'));
  if (identityFile !== undefined) t.identityFile = identityFile;
  if (knownHosts !== undefined) t.knownHosts = knownHosts;
  const password = pick('password');
  if (password !== undefined) t.password = password;
  const agent = pick('agent');
  if (agent !== undefined) t.agent = agent;
  const sudo = pick('sudo');
  if (sudo !== undefined) t.sudo = sudo;
  if (host.interfaces) t.interfaces = host.interfaces;
  if (host.management) t.management = host.management;
  return t;
}

/** Unknown-key issues name the keys allowed at that place in a roster. */
function withAllowedKeys(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((i) => (i.code === 'unrecognized_keys' ? ({ ...i, allowed: allowedKeysAt(i.path) } as z.core.$ZodIssue) : i));
}

/** Every student must say how to reach exactly the lab's hosts. */
function checkAgainstLab(src: SourceDoc, roster: RosterFile, lab: Lab): string[] {
  const problems: string[] = [];
  if (roster.lab !== undefined && roster.lab !== lab.name) problems.push(`${locate(src, ['lab'])}: lab: this roster is for lab "${roster.lab}", not "${lab.name}"`);
  const wanted = Object.keys(lab.hosts);
  for (const [name, student] of Object.entries(roster.students)) {
    for (const host of Object.keys(student.hosts))
      if (!lab.hosts[host]) problems.push(`${locate(src, ['students', name, 'hosts', host], true)}: students.${name}.hosts.${host}: lab ${lab.name} has no host "${host}" (hosts: ${wanted.join(', ')})`);
    const missing = wanted.filter((h) => !student.hosts[h]);
    if (missing.length > 0) problems.push(`${locate(src, ['students', name, 'hosts'], true)}: students.${name}.hosts: missing ${missing.join(', ')} (lab ${lab.name} has ${wanted.join(', ')})`);
  }
  return problems;
}

export function parseRoster(file: string, text: string, lab: Lab, opts: RosterOptions = {}): Roster {
  const src = parseYaml(file, text);
  const env = expandEnv(src, text, opts.env ?? process.env);
  const redactor = new Redactor(env.secrets);
  try {
    const parsed = rosterSchema.safeParse(src.doc.toJS());
    if (!parsed.success) throw new SpecError([...env.problems, ...issueLines(src, withAllowedKeys(parsed.error.issues))]);
    const problems = [...env.problems, ...checkAgainstLab(src, parsed.data, lab)];
    if (problems.length > 0) throw new SpecError(problems);
    const base = dirname(resolve(file));
    const students = Object.entries(parsed.data.students).map(([name, s]) => ({
      name,
      inventory: {
        lab: lab.name,
        source: 'roster' as const,
        hosts: Object.fromEntries(Object.entries(s.hosts).map(([h, host]) => [h, target(base, h, parsed.data.defaults, s, host)])),
      },
    }));
    const passwords = students.flatMap((st) => Object.values(st.inventory.hosts).flatMap((t) => (t.password ? [t.password] : [])));
    return { file, students, redactor: new Redactor([...env.secrets, ...passwords]) };
  } catch (e) {
    throw redactor.error(e);
  }
}

export async function loadRoster(file: string, lab: Lab, opts: RosterOptions = {}): Promise<Roster> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the roster: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseRoster(file, text, lab, opts);
}

/** --students a,b: keep those, in the roster's order; an unknown name is a usage error. */
export function pickStudents(roster: Roster, names: string | string[] | undefined): Student[] {
  if (names === undefined) return roster.students;
  const wanted = (Array.isArray(names) ? names : names.split(',')).map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 0) throw new UsageError('--students: give one or more student names, comma separated');
  const known = new Set(roster.students.map((s) => s.name));
  const unknown = wanted.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw roster.redactor.error(new UsageError(`--students: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in ${roster.file} (students: ${[...known].join(', ')})`));
  const set = new Set(wanted);
  return roster.students.filter((s) => set.has(s.name));
}
