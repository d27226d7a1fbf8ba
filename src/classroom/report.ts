// --report junit:FILE | json:FILE: parse the option up front, write the files masked at the end.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import type { Redactor } from '../roster/redact.js';
import { renderJunit } from './junit.js';
import type { ClassroomResult } from './types.js';
import { hostJson } from '../report/converge.js';
import { envelope } from '../report/envelope.js';

export interface ReportTarget {
  format: 'junit' | 'json';
  file: string;
}

export function parseReports(specs: string | string[] | undefined): ReportTarget[] {
  const list = specs === undefined ? [] : Array.isArray(specs) ? specs : [specs];
  return list.map((spec) => {
    const m = /^(junit|json):(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--report ${spec}: expected junit:FILE or json:FILE`);
    return { format: m[1] as 'junit' | 'json', file: m[2]! };
  });
}

/** The envelope of every --json output, then the roster and each student's result (under `students`). */
export function classroomJson(result: ClassroomResult) {
  const { kind, lab, ok, ms, roster, students } = result;
  // Each student's hosts as plan/up/down give them for one lab: keyed by host, tasks with their commands.
  const json = students.map(({ hosts, ...s }) => ({ ...s, ...(hosts ? { hosts: Object.fromEntries(hosts.map((h) => [h.host, hostJson(h)])) } : {}) }));
  return envelope(kind, lab, ok, ms, { roster, students: json });
}

/** The whole result as JSON, every string masked before escaping could disguise a secret. */
export function renderJson(result: ClassroomResult, redactor: Redactor): string {
  return redactor.text(`${JSON.stringify(redactor.deep(classroomJson(result)), null, 2)}\n`);
}

export function renderReport(target: ReportTarget, result: ClassroomResult, redactor: Redactor): string {
  return target.format === 'json' ? renderJson(result, redactor) : redactor.text(renderJunit(redactor.deep(result)));
}

export async function writeReports(targets: ReportTarget[], result: ClassroomResult, redactor: Redactor): Promise<void> {
  for (const t of targets) {
    await mkdir(dirname(t.file), { recursive: true });
    await writeFile(t.file, renderReport(t, result, redactor));
  }
}
