// Classroom for real: two students, each with their own four lvs-nat VMs; up, break one, verify, reset, one student's VMs stopped.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classroomCommand, type ClassroomCliOptions, type ClassroomKind } from '../../src/commands/classroom.js';
import { outputProblems } from '../../src/report/output-schema.js';
import type { Inventory } from '../../src/inventory/types.js';
import { bootLab, e2eInstance, sshOk, stopLab } from './harness.js';

const STUDENTS = { alice: e2eInstance('e2e-alice'), bob: e2eInstance('e2e-bob') } as const;
const SECRET = `pw-${process.pid}-${Date.now()}-never-shown`;

const dir = mkdtempSync(join(tmpdir(), 'lab-classroom-'));
const rosterFile = join(dir, 'roster.yaml');
const inv: Record<string, Inventory> = {};

/** The roster a teacher would write for these VMs: shared defaults, then each student's four hosts. */
function writeRoster(): void {
  const students: Record<string, unknown> = {};
  for (const name of Object.keys(STUDENTS)) {
    const hosts: Record<string, unknown> = {};
    for (const [h, t] of Object.entries(inv[name]!.hosts)) {
      hosts[h] = { address: t.address, port: t.port, identity_file: t.identityFile, known_hosts: t.knownHosts, interfaces: t.interfaces, management: t.management };
    }
    students[name] = { hosts };
  }
  // The password is never needed (the key logs in) but must never be shown either.
  writeFileSync(rosterFile, stringify({ lab: 'lvs-nat', defaults: { user: 'root', password: '${LAB_E2E_PASSWORD}' }, students }));
}

interface Run {
  code: number;
  out: string;
  err: string;
  json: { students: { student: string; status: string; problem?: string; checks?: { check: string; id: string; host: string; status: string }[] }[] };
  junit: string;
}

async function run(kind: ClassroomKind, extra: ClassroomCliOptions = {}): Promise<Run> {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) => ({ write: (s: string) => (add(s), true), isTTY: false, columns: 200 }) as unknown as NodeJS.WriteStream;
  const json = join(dir, `${kind}.json`);
  const junit = join(dir, `${kind}.xml`);
  // A class's HTML page is verify's.
  const html = join(dir, `${kind}.html`);
  const code = await classroomCommand(
    kind,
    'lvs-nat',
    { roster: rosterFile, report: [`json:${json}`, `junit:${junit}`, ...(kind === 'verify' ? [`html:${html}`] : [])], ...extra },
    { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: { ...process.env, LAB_E2E_PASSWORD: SECRET } },
  );
  const r: Run = { code, out, err, json: JSON.parse(readFileSync(json, 'utf8')) as Run['json'], junit: readFileSync(junit, 'utf8') };
  console.log(`lab ${kind} --roster: exit ${code}\n${out}`);
  const page = kind === 'verify' ? readFileSync(html, 'utf8') : '';
  for (const text of [out, err, readFileSync(json, 'utf8'), r.junit, page]) expect(text).not.toContain(SECRET);
  if (kind === 'verify') {
    // A grid row per student, with the status the JSON gives; a cell per check (and host) any student has.
    const columns = new Set(r.json.students.flatMap((x) => (x.checks ?? []).map((c) => `${c.check}/${c.id}@${c.host}`)));
    for (const s of r.json.students) {
      expect(page).toContain(`data-student="${s.student}"`);
      const row = new RegExp(`<tr class="r-(ok|bad)" data-student="${s.student}">(.*?)</tr>`).exec(page)!;
      expect(row[1]).toBe(s.status === 'ok' ? 'ok' : 'bad');
      expect(row[2]!.match(/<td class="cell /g)?.length ?? 0).toBe(columns.size);
    }
  }
  expect(outputProblems(r.json), 'the --report json file fits schema/output.schema.json').toEqual([]);
  return r;
}

const statusOf = (r: Run) => Object.fromEntries(r.json.students.map((s) => [s.student, s.status]));
const rowOf = (r: Run, student: string) => r.out.split('\n').find((l) => l.startsWith(`${student} `)) ?? '';

describe('classroom on two students\' lvs-nat VMs', () => {
  beforeAll(async () => {
    const booted = await Promise.all(Object.values(STUDENTS).map((instance) => bootLab('lvs-nat', instance)));
    Object.keys(STUDENTS).forEach((name, i) => (inv[name] = booted[i]!));
    writeRoster();
  });

  afterAll(async () => {
    const stops = await Promise.allSettled(Object.values(STUDENTS).map((instance) => stopLab(instance)));
    rmSync(dir, { recursive: true, force: true });
    const bad = stops.find((s) => s.status === 'rejected');
    if (bad) throw (bad as PromiseRejectedResult).reason;
  });

  it('up --roster converges both students', async () => {
    const r = await run('up');
    expect(statusOf(r), r.out + r.err).toEqual({ alice: 'ok', bob: 'ok' });
    expect(r.code).toBe(0);
    expect(r.junit).toContain('<testsuite name="alice"');
    expect(r.junit).toContain('<testsuite name="bob"');
  });

  it('verify --roster: one passing, one failing with the broken check named, exit 1', async () => {
    await sshOk(inv.bob!, 'proxy', 'sysctl -w net.ipv4.ip_forward=0');
    const r = await run('verify');
    expect(statusOf(r), r.out).toEqual({ alice: 'ok', bob: 'failed' });
    expect(r.code).toBe(1);
    expect(rowOf(r, 'alice')).toMatch(/^alice\s+pass\s/);
    expect(rowOf(r, 'bob')).toMatch(/^bob\s+FAIL\s.*director ip_forward on proxy: expected/);
    const failed = r.json.students.find((s) => s.student === 'bob')!.checks!.filter((c) => c.status === 'fail');
    expect(failed.map((c) => `${c.check}/${c.id}`)).toContain('director/ip_forward');
    expect(r.junit).toMatch(/<testcase classname="bob.proxy" name="director ip_forward on proxy: [^"]*">\s*<failure/);
  });

  it('reset --roster brings both back to the starting point: addresses assigned, nothing else', async () => {
    const r = await run('reset');
    expect(statusOf(r), r.out + r.err).toEqual({ alice: 'ok', bob: 'ok' });
    expect(r.code).toBe(0);
    for (const name of Object.keys(STUDENTS)) {
      const i = inv[name]!;
      expect(await sshOk(i, 'web1', 'ip -br addr; ip route show default')).toMatch(/192\.168\.2\.100\/24[\s\S]*default via 192\.168\.2\.5/);
      expect(await sshOk(i, 'web1', 'systemctl is-active apache2 || true; test -e /var/www/html/index.html && echo page || echo no-page')).toMatch(/inactive\s+no-page/);
      expect(await sshOk(i, 'proxy', 'ipvsadm -Sn | wc -l; sysctl -n net.ipv4.ip_forward; test -e /var/lib/lab/lvs-nat.state && echo state || echo clean')).toMatch(/^0\s+0\s+clean/);
    }
    // A second reset finds nothing to undo: the start is stable.
    const again = await run('reset');
    expect(statusOf(again)).toEqual({ alice: 'ok', bob: 'ok' });
  });

  it('a student whose VMs are stopped is unreachable, and the other still completes', async () => {
    await stopLab(STUDENTS.bob);
    const r = await run('up');
    expect(statusOf(r), r.out + r.err).toEqual({ alice: 'ok', bob: 'unreachable' });
    expect(r.code).toBe(1);
    expect(rowOf(r, 'bob')).toMatch(/^bob\s+UNREACHABLE\s+0\s+0\s+0\s+4\s/);
    expect(rowOf(r, 'alice')).toMatch(/^alice\s+ok\s/);
    expect(r.junit).toMatch(/<testcase classname="bob.client" name="up: connect">\s*<error message="unreachable: /);
  });
});
