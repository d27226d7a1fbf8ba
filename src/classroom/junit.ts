// JUnit XML for a classroom run: one testsuite per student, testcases per task, check or start condition.
import { explanation, xmlEscape } from '../report/junit.js';
import type { HostResult } from '../run/types.js';
import { checkName } from './status.js';
import type { ClassroomResult, HostStart, StudentResult } from './types.js';

interface Case {
  classname: string;
  name: string;
  time?: number;
  failure?: { message: string; body?: string };
  error?: { message: string };
  skipped?: boolean;
}

function hostCases(student: string, hosts: HostResult[], phase: string): Case[] {
  const out: Case[] = [];
  for (const h of hosts) {
    const classname = `${student}.${h.host}`;
    if (h.unreachable) {
      out.push({ classname, name: `${phase}: connect`, error: { message: `unreachable: ${h.error ?? ''}` } });
      continue;
    }
    if (h.error && !h.tasks.some((t) => t.status === 'failed')) out.push({ classname, name: `${phase}: host`, error: { message: h.error } });
    for (const t of h.tasks) {
      const c: Case = { classname, name: `${phase}: ${t.label}`, time: (t.ms ?? 0) / 1000 };
      if (t.status === 'failed') c.failure = { message: t.error ?? 'failed', body: t.changes.flatMap((ch) => ch.commands).join('\n') };
      if (t.status === 'pending') c.skipped = true;
      out.push(c);
    }
  }
  return out;
}

function startCases(student: string, start: HostStart[]): Case[] {
  return start.flatMap((h): Case[] => {
    const classname = `${student}.${h.host}`;
    if (h.unreachable) return [{ classname, name: 'start: connect', error: { message: `unreachable: ${h.error ?? ''}` } }];
    const cases: Case[] = h.findings.map((f) => ({ classname, name: `start: ${f.what}`, ...(f.ok ? {} : { failure: { message: `expected ${f.expected}, found ${f.found}` } }) }));
    if (h.error) cases.push({ classname, name: 'start: host', error: { message: h.error } });
    return cases;
  });
}

function studentCases(r: StudentResult, kind: ClassroomResult['kind']): Case[] {
  const cases: Case[] = [];
  if (r.hosts) cases.push(...hostCases(r.student, r.hosts, kind === 'reset' ? 'down' : kind));
  if (r.start) cases.push(...startCases(r.student, r.start));
  // Tutor mode: one testcase per step, failing until it is done.
  for (const st of r.steps ?? []) {
    const k: Case = { classname: r.student, name: `step ${st.id}: ${st.title}` };
    if (st.status === 'partial') k.failure = { message: `partly done: done on ${st.doneOn.join(', ')}; to do on ${st.todoOn.join(', ')}` };
    if (st.status === 'not-started') k.failure = { message: `not started${st.todoOn.length > 0 ? ` (to do on ${st.todoOn.join(', ')})` : ''}` };
    if (st.status === 'waiting') k.failure = { message: `waits for step ${st.waitsFor.join(', ')}` };
    cases.push(k);
  }
  for (const c of r.checks ?? []) {
    const k: Case = { classname: `${r.student}.${c.host}`, name: `${checkName(c)}: ${c.title}` };
    if (c.status === 'fail') k.failure = { message: `expected ${c.expected}, found ${c.found}`, body: explanation(c) };
    if (c.status === 'unreachable') k.error = { message: `unreachable: ${c.found}` };
    if (c.status === 'skip') k.skipped = true;
    cases.push(k);
  }
  // A student who failed before any result (e.g. an internal error) still gets a failing testcase.
  if (cases.length === 0 && r.status !== 'ok') cases.push({ classname: r.student, name: kind, error: { message: r.problem ?? r.status } });
  return cases;
}

function caseXml(c: Case): string {
  const attrs = `classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"${c.time !== undefined ? ` time="${c.time.toFixed(3)}"` : ''}`;
  const inner: string[] = [];
  if (c.failure) inner.push(`      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.body ?? '')}</failure>`);
  if (c.error) inner.push(`      <error message="${xmlEscape(c.error.message)}"/>`);
  if (c.skipped) inner.push('      <skipped/>');
  return inner.length ? `    <testcase ${attrs}>\n${inner.join('\n')}\n    </testcase>` : `    <testcase ${attrs}/>`;
}

export function renderJunit(result: ClassroomResult): string {
  const suites = result.students.map((r) => {
    const cases = studentCases(r, result.kind);
    const n = (p: (c: Case) => boolean) => cases.filter(p).length;
    return (
      `  <testsuite name="${xmlEscape(r.student)}" tests="${cases.length}" failures="${n((c) => !!c.failure)}" errors="${n((c) => !!c.error)}" skipped="${n((c) => !!c.skipped)}" time="${(r.ms / 1000).toFixed(3)}">\n` +
      `${cases.map(caseXml).join('\n')}\n  </testsuite>`
    );
  });
  const total = (attr: string) => suites.reduce((a, sx) => a + Number(new RegExp(`${attr}="(\\d+)"`).exec(sx)![1]), 0);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="lab ${xmlEscape(result.kind)} ${xmlEscape(result.lab)}" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" time="${(result.ms / 1000).toFixed(3)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
