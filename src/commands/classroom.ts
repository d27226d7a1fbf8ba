// `lab plan|up|down|verify|reset --roster FILE`: one lab command for every student, in parallel, with a results table and reports.
import { UsageError } from '../errors.js';
import { jobFor } from '../classroom/jobs.js';
import { LiveClassroom, plainLines, type Sink } from '../classroom/live.js';
import { DEFAULT_CONCURRENCY, runStudents } from '../classroom/pool.js';
import { parseReports, renderJson, writeReports } from '../classroom/report.js';
import { formatTable, summaryLine } from '../classroom/table.js';
import type { ClassroomKind, ClassroomResult } from '../classroom/types.js';
import { pickHosts } from '../inventory/check.js';
import { resolveInventory } from '../inventory/file.js';
import { loadPlaybook } from '../playbook/load.js';
import { columnsOf, styler, useColor } from '../report/style.js';
import { loadRoster, pickStudents, type Student } from '../roster/load.js';
import { Redactor } from '../roster/redact.js';
import { startOf, type Start } from '../spec/start.js';
import { loadLab, type LoadedLab } from '../spec/load.js';
import { parseDuration } from '../verify/duration.js';
import { stepsOf, stepsUntil } from '../tutor/steps.js';

export type { ClassroomKind } from '../classroom/types.js';

export interface ClassroomCliOptions {
  /** --provider vm|vagrant: where the hosts are (detected when not given). */
  provider?: string;
  /** --roster FILE; without it, the one lab of --inventory / --instance is the only "student". */
  roster?: string;
  /** --students a,b,c */
  students?: string;
  /** --concurrency N: students at once (default 8). */
  concurrency?: string | number;
  /** --report junit:FILE | json:FILE, repeatable. */
  report?: string | string[];
  acceptNew?: boolean;
  json?: boolean;
  inventory?: string;
  instance?: string;
  /** verify: keep retrying failing checks this long (30s, 2m; a bare number is seconds). */
  wait?: string | number;
  /** --hosts a,b: only these hosts of each student. */
  hosts?: string;
  /** verify --read-only: skip the checks that change the lab (failover, health). */
  readOnly?: boolean;
  /** plan/up --until STEP: only the tasks of the playbook's steps up to STEP. */
  until?: string;
}

/** What the CLI does not set: streams, environment, and (for tests) a starting point other than the spec's. */
export interface ClassroomIo {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
  start?: Start;
}

function intOption(name: string, v: string | number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function sink(stream: NodeJS.WriteStream, redactor: Redactor): Sink {
  return {
    write: (t) => void stream.write(redactor.text(t)),
    get columns() {
      return stream.columns;
    },
  };
}

async function studentsOf(loaded: LoadedLab, o: ClassroomCliOptions, io: ClassroomIo): Promise<{ file: string; students: Student[]; redactor: Redactor }> {
  if (o.roster) {
    const roster = await loadRoster(o.roster, loaded.lab, { env: io.env });
    return { file: roster.file, students: pickStudents(roster, o.students), redactor: roster.redactor };
  }
  if (o.students) throw new UsageError('--students needs --roster FILE');
  const labName = loaded.lab.name;
  const inventory = await resolveInventory(loaded, o);
  const passwords = Object.values(inventory.hosts).flatMap((h) => (h.password ? [h.password] : []));
  return { file: o.inventory ?? `instance ${o.instance ?? labName}`, students: [{ name: o.instance ?? labName, inventory }], redactor: new Redactor(passwords) };
}

export async function classroomCommand(kind: ClassroomKind, labArg: string, o: ClassroomCliOptions, io: ClassroomIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let redactor = new Redactor();
  try {
    const began = Date.now();
    // Everything the user wrote is checked before any host is contacted.
    const concurrency = intOption('--concurrency', o.concurrency, 1, 256) ?? DEFAULT_CONCURRENCY;
    const waitMs = o.wait === undefined ? 0 : parseDuration(String(o.wait));
    const reports = parseReports(o.report, kind);
    const loaded = await loadLab(labArg);
    const playbook = await loadPlaybook(loaded);
    const hosts = pickHosts(loaded.lab, o.hosts);
    const who = await studentsOf(loaded, o, io);
    redactor = who.redactor;
    const start = io.start ?? startOf(loaded.lab);
    const out = sink(stdout, redactor);
    const err = sink(stderr, redactor);
    const live = !o.json && useColor(stderr) ? new LiveClassroom(who.students.length, `lab ${kind} ${loaded.lab.name}`, err) : undefined;
    const onEvent = live?.onEvent ?? (o.json ? undefined : plainLines(who.students.length, kind, err, styler(false)));
    const steps = o.until !== undefined ? stepsUntil(playbook, o.until) : undefined;
    if (kind === 'progress') stepsOf(playbook, 'lab progress');
    const job = jobFor(kind, loaded.lab, playbook, { acceptNew: o.acceptNew, start, waitMs, hosts, readOnly: !!o.readOnly, ...(steps ? { steps } : {}) });
    let students;
    try {
      students = await runStudents(who.students, concurrency, job, onEvent);
    } finally {
      live?.stop();
    }
    const result: ClassroomResult = { kind, lab: loaded.lab.name, roster: who.file, ok: students.every((s) => s.status === 'ok'), ms: Date.now() - began, students };
    if (o.json) out.write(renderJson(result, redactor));
    else {
      const s = styler(useColor(stdout));
      out.write(`\n${formatTable(kind, students, s, columnsOf(stdout, 160))}\n${s.dim(summaryLine(kind, students, result.ms))}\n`);
    }
    await writeReports(reports, result, redactor, loaded.lab);
    return result.ok ? 0 : 1;
  } catch (e) {
    throw redactor.error(e);
  }
}
