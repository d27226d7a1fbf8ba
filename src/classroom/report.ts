// --report junit:FILE | json:FILE: parse the option up front, write the files masked at the end.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Redactor } from '../roster/redact.js';
import { labGraph } from '../graph/model.js';
import { renderDot } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { classHtml } from '../report/html.js';
import type { Lab } from '../spec/schema.js';
import { renderJunit } from './junit.js';
import type { ClassroomKind, ClassroomResult } from './types.js';
import { hostJson } from '../report/converge.js';
import { envelope } from '../report/envelope.js';

export interface ReportTarget {
  format: 'junit' | 'json' | 'html';
  file: string;
}

/** html is a class's verify: the grid of students × checks. */
export function parseReports(specs: string | string[] | undefined, kind?: ClassroomKind): ReportTarget[] {
  const list = specs === undefined ? [] : Array.isArray(specs) ? specs : [specs];
  return list.map((spec) => {
    const m = /^(junit|json|html):(.+)$/.exec(spec);
    if (!m) throw new UsageError(t('vm.reportKind', { spec }));
    if (m[1] === 'html' && kind !== undefined && kind !== 'verify') throw new UsageError(t('vm.reportHtml', { spec, kind }));
    return { format: m[1] as ReportTarget['format'], file: m[2]! };
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

export async function renderReport(target: ReportTarget, result: ClassroomResult, redactor: Redactor, lab?: Lab): Promise<string> {
  if (target.format === 'json') return renderJson(result, redactor);
  if (target.format === 'junit') return redactor.text(renderJunit(redactor.deep(result)));
  const svg = lab ? await renderSvg(renderDot(labGraph(lab))) : undefined;
  const masked = redactor.deep(result);
  return redactor.text(classHtml({ lab: masked.lab, roster: masked.roster, students: masked.students, ms: masked.ms, svg, when: new Date() }));
}

export async function writeReports(targets: ReportTarget[], result: ClassroomResult, redactor: Redactor, lab?: Lab): Promise<void> {
  for (const target of targets) {
    await mkdir(dirname(target.file), { recursive: true });
    await writeFile(target.file, await renderReport(target, result, redactor, lab));
  }
}
