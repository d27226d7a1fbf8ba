// Read a roster: YAML with positions, ${VAR} expansion, schema, then a check against the lab's hosts; one Inventory per student.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { HostTarget, Inventory } from '../inventory/types.js';
import type { Lab } from '../spec/schema.js';
import { nullProto } from '../spec/records.js';
import { issueLines, locate, parseYaml, type SourceDoc } from '../spec/yaml.js';
import { hostsAgainstLab, targetFileProblems, type Locate } from '../inventory/check.js';
import { expandEnv } from './env.js';
import { MIN_SECRET, Redactor } from './redact.js';
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
  /** Also check that key and known_hosts files are usable (loadRoster does; parsing text alone does not look at files). */
  checkFiles?: boolean;
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

/** Every student must say how to reach exactly the lab's hosts, on the hosts' own networks. */
function checkAgainstLab(src: SourceDoc, roster: RosterFile, lab: Lab): string[] {
  const problems: string[] = [];
  if (roster.lab !== undefined && roster.lab !== lab.name) problems.push(`${locate(src, ['lab'])}: lab: ${t('inventory.rosterWrongLab', { found: roster.lab, lab: lab.name })}`);
  const at: Locate = (path, atKey) => locate(src, path, atKey);
  for (const [name, student] of Object.entries(roster.students)) problems.push(...hostsAgainstLab(lab, student.hosts, at, ['students', name]));
  return problems;
}

/** Passwords too short to mask, and key or known_hosts files that cannot be used, at the key that set them. */
function accessProblems(src: SourceDoc, roster: RosterFile, students: Student[], checkFiles: boolean): string[] {
  const problems: string[] = [];
  const places = (student: string, host: string, key: string): string[][] => [
    ['students', student, 'hosts', host, key],
    ['students', student, key],
    ['defaults', key],
  ];
  const setAt = (student: string, host: string, key: 'password' | 'identity_file' | 'known_hosts') => {
    const s = roster.students[student]!;
    const path = s.hosts[host]?.[key] !== undefined ? places(student, host, key)[0]! : s[key] !== undefined ? places(student, host, key)[1]! : places(student, host, key)[2]!;
    return `${locate(src, path)}: ${path.join('.')}`;
  };
  const seen = new Set<string>();
  for (const st of students) {
    for (const host of Object.values(st.inventory.hosts)) {
      const once = (line: string) => {
        if (!seen.has(line)) problems.push(line);
        seen.add(line);
      };
      if (host.password !== undefined && host.password.length > 0 && host.password.length < MIN_SECRET && !host.password.includes('${'))
        once(`${setAt(st.name, host.name, 'password')}: ${t('inventory.passwordShort', { min: MIN_SECRET })}`);
      if (checkFiles) for (const p of targetFileProblems(host)) once(`${setAt(st.name, host.name, p.field)}: ${p.message}`);
    }
  }
  return problems;
}

export function parseRoster(file: string, text: string, lab: Lab, opts: RosterOptions = {}): Roster {
  const src = parseYaml(file, text);
  const env = expandEnv(src, text, opts.env ?? process.env);
  const redactor = new Redactor(env.secrets);
  try {
    // src.doc, not src.data: expandEnv rewrote the document's ${VAR} values after it was parsed.
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
        hosts: nullProto(Object.fromEntries(Object.entries(s.hosts).map(([h, host]) => [h, target(base, h, parsed.data.defaults, s, host)]))),
      },
    }));
    const access = accessProblems(src, parsed.data, students, opts.checkFiles ?? false);
    if (access.length > 0) throw new SpecError(access);
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
    throw new UsageError(t('inventory.cannotReadRoster', { file, why: (e as NodeJS.ErrnoException).code ?? String(e) }));
  }
  return parseRoster(file, text, lab, { checkFiles: true, ...opts });
}

/** --students a,b: keep those, in the roster's order; an unknown name is a usage error. */
export function pickStudents(roster: Roster, names: string | string[] | undefined): Student[] {
  if (names === undefined) return roster.students;
  const wanted = (Array.isArray(names) ? names : names.split(',')).map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 0) throw new UsageError(t('inventory.studentsEmpty'));
  const known = new Set(roster.students.map((s) => s.name));
  const unknown = wanted.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw roster.redactor.error(new UsageError(t('inventory.studentsUnknown', { count: unknown.length, names: unknown.join(', '), file: roster.file, students: [...known].join(', ') })));
  const set = new Set(wanted);
  return roster.students.filter((s) => set.has(s.name));
}
