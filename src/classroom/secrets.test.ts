// ${VAR} secrets never appear in any output: table, progress lines, live view, JUnit, JSON, errors; rendered for real.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classroomCommand } from '../commands/classroom.js';
import { styler } from '../report/style.js';
import { MASK, Redactor } from '../roster/redact.js';
import { doneLine, LiveClassroom, plainLines, type Sink } from './live.js';
import { renderReport } from './report.js';
import { formatTable } from './table.js';
import type { ClassroomKind, ClassroomResult, StudentResult } from './types.js';

const SECRET = 'Tr0ub4dor&3"<x>';

function leaky(kind: ClassroomKind): ClassroomResult {
  const s = (what: string) => `${what} ${SECRET}`;
  const student: StudentResult = {
    student: 'alice',
    status: 'failed',
    ms: 1200,
    problem: s('problem'),
    hosts: [
      { host: 'proxy', unreachable: false, ms: 10, os: s('os'), error: s('host error'), tasks: [{ label: s('task'), status: 'failed', error: s('task error'), changes: [{ title: s('title'), commands: [s('echo')], record: { [s('k')]: s('v') } }] }] },
      { host: 'web1', unreachable: true, ms: 10, error: s('cannot connect'), tasks: [] },
    ],
    checks: [{ check: 'director', id: 'ip_forward', host: 'proxy', title: s('title'), status: 'fail', expected: s('expected'), found: s('found'), why: s('why'), fix: [s('fix')] }],
    unreachable: [{ host: 'web1', error: s('unreachable') }],
    start: [{ host: 'web2', unreachable: false, error: s('start error'), established: [s('established')], findings: [{ what: s('what'), ok: false, expected: s('e'), found: s('f') }], ms: 5 }],
  };
  return { kind, lab: 'lvs-nat', roster: 'roster.yaml', ok: false, ms: 1300, students: [student, { ...student, student: 'bob', status: 'unreachable' }] };
}

function collect(redactor: Redactor): Sink & { text: string } {
  const sink = { text: '', columns: 300, write: (t: string) => void (sink.text += redactor.text(t)) };
  return sink;
}

describe('secrets never appear in any output', () => {
  const redactor = new Redactor([SECRET]);

  for (const kind of ['plan', 'up', 'down', 'verify', 'reset'] as const) {
    it(`${kind}: table, progress lines, live view, JUnit, JSON${kind === 'verify' ? ' and HTML' : ''} are masked`, async () => {
      const result = leaky(kind);
      const outputs: string[] = [];
      const sink = collect(redactor);
      sink.write(formatTable(kind, result.students, styler(false), 1000));
      sink.write(formatTable(kind, result.students, styler(true), 1000));
      const plain = plainLines(2, kind, sink, styler(false));
      for (const r of result.students) {
        plain({ type: 'start', student: r.student });
        plain({ type: 'phase', student: r.student, text: SECRET });
        plain({ type: 'done', student: r.student, result: r });
        sink.write(doneLine(r, styler(true)));
      }
      const live = new LiveClassroom(2, `lab ${kind}`, sink);
      live.onEvent({ type: 'start', student: 'alice' });
      live.onEvent({ type: 'phase', student: 'alice', text: SECRET });
      live.onEvent({ type: 'done', student: 'bob', result: result.students[1]! });
      live.stop();
      outputs.push(sink.text);
      for (const format of ['json', 'junit', ...(kind === 'verify' ? (['html'] as const) : [])] as const) outputs.push(await renderReport({ format, file: 'x' }, result, redactor));
      for (const out of outputs) {
        expect(out).not.toContain(SECRET);
        // Nor in the forms escaping gives it.
        expect(out).not.toContain('Tr0ub4dor&amp;3');
        expect(out).not.toContain('Tr0ub4dor&3\\"');
        expect(out).toContain(MASK);
      }
    });
  }

  it('a whole run over a roster whose hosts refuse connections: stdout, stderr and both reports', async () => {
    // A port nothing listens on: every host is refused at once.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'lab-secrets-'));
    const roster = join(dir, 'roster.yaml');
    const hosts = ['client', 'proxy', 'web1', 'web2'].map((h) => `      ${h}: { address: "\${LAB_ADDR}", port: ${port} }`).join('\n');
    writeFileSync(roster, `defaults:\n  password: \${LAB_SECRET}\n  user: "\${LAB_USER}"\nstudents:\n  alice:\n    hosts:\n${hosts}\n  bob:\n    hosts:\n${hosts}\n`);
    // The address and user are secrets too: they come from the environment, and the refusal message would carry both.
    const env = { LAB_SECRET: SECRET, LAB_ADDR: '127.0.0.1', LAB_USER: 'teacher-x9' };
    for (const kind of ['plan', 'up', 'down', 'verify', 'reset'] as const) {
      let text = '';
      const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 200 } as unknown as NodeJS.WriteStream;
      const files = { json: join(dir, `${kind}.json`), junit: join(dir, `${kind}.xml`) };
      const code = await classroomCommand(kind, 'lvs-nat', { roster, report: [`json:${files.json}`, `junit:${files.junit}`] }, { stdout: stream, stderr: stream, env });
      expect(code).toBe(1);
      const all = [text, readFileSync(files.json, 'utf8'), readFileSync(files.junit, 'utf8')];
      expect(text).toMatch(/alice\s+UNREACHABLE/);
      for (const out of all) for (const secret of Object.values(env)) expect(out).not.toContain(secret);
      expect(readFileSync(files.json, 'utf8')).toContain(`***:${port}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
