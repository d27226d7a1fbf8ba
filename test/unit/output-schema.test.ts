// One JSON shape: every `--json` output carries lab, command, version, ok and ms, and fits `lab schema output`
// (committed as schema/output.schema.json). Outputs here come from the built CLI (no VM needed: list, graph, and
// plan/verify/status/reset against hosts that refuse connections) and from the functions the commands print with;
// the e2e harness checks every `--json` run on the VMs the same way.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classroomJson } from '../../src/classroom/report.js';
import type { ClassroomResult } from '../../src/classroom/types.js';
import { recapJson } from '../../src/report/converge.js';
import { VERSION } from '../../src/report/envelope.js';
import { outputJsonSchema, outputProblems } from '../../src/report/output-schema.js';
import type { HostResult } from '../../src/run/types.js';
import { countingListener, lab } from './lab-cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

const HOST: HostResult = {
  host: 'web1',
  os: 'Debian GNU/Linux 12 (bookworm)',
  unreachable: false,
  ms: 812,
  tasks: [
    { label: 'package apache2', status: 'ok', changes: [] },
    { label: 'file /var/www/html/index.html', status: 'changed', changes: [{ title: 'write /var/www/html/index.html', commands: ["printf '%s\\n' 192.168.2.100 > /var/www/html/index.html"], record: { 'file./var/www/html/index.html': 'absent' }, diff: '+192.168.2.100' }] },
    { label: 'service apache2', status: 'failed', error: 'exit 5', changes: [{ title: 'start apache2', commands: ['systemctl enable --now apache2'] }] },
  ],
};
const DOWN: HostResult = { host: 'web2', unreachable: true, ms: 30_000, error: 'cannot connect to root@127.0.0.1:2222: connect ECONNREFUSED', tasks: [] };

describe('one JSON shape for every --json output', { timeout: 60_000 }, () => {
  it('schema/output.schema.json is up to date (regenerate: node bin/lab.js schema output > schema/output.schema.json)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'output.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(outputJsonSchema())));
  });

  it('the version is package.json\'s, and `lab --version` says it', async () => {
    expect(VERSION).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect((await lab(['--version'], ROOT)).stdout.trim()).toBe(VERSION);
  });

  it('plan/up/down: the envelope first, then hosts with their tasks and exact commands; record stays on the host', () => {
    const doc = JSON.parse(JSON.stringify(recapJson('up', 'lvs-nat', [HOST, DOWN], 31_000.4)));
    expect(Object.keys(doc).slice(0, 5)).toEqual(['lab', 'command', 'version', 'ok', 'ms']);
    expect(doc).toMatchObject({ lab: 'lvs-nat', command: 'up', version: VERSION, ok: false, ms: 31_000 });
    expect(doc.hosts.web2).toMatchObject({ unreachable: 1, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(doc)).not.toContain('record');
    expect(outputProblems(doc)).toEqual([]);
  });

  it('a --roster run: the same envelope, each student\'s hosts in the shape plan/up/down use', () => {
    const result: ClassroomResult = { kind: 'up', lab: 'lvs-nat', roster: 'roster.yaml', ok: false, ms: 40_000, students: [{ student: 'alice', status: 'failed', ms: 39_000, hosts: [HOST, DOWN], problem: 'web1: service apache2: exit 5' }] };
    const doc = JSON.parse(JSON.stringify(classroomJson(result)));
    expect(doc).toMatchObject({ lab: 'lvs-nat', command: 'up', version: VERSION, ok: false, roster: 'roster.yaml' });
    expect(doc.students[0].hosts.web1.tasks[1].changes[0].commands).toEqual(HOST.tasks[1]!.changes[0]!.commands);
    expect(outputProblems(doc)).toEqual([]);
  });

  it('refuses what breaks the shape: a missing version, a check id with a space, a status it does not know', () => {
    const doc = JSON.parse(JSON.stringify(recapJson('plan', 'lvs-nat', [HOST], 5)));
    delete doc.version;
    expect(outputProblems(doc).join('\n')).toMatch(/^version: /m);
    const check = { check: 'real-servers', id: 'web server', host: 'web1', title: 't', status: 'failed', expected: 'e', found: 'f' };
    const verify = { lab: 'lvs-nat', command: 'verify', version: VERSION, ok: false, ms: 1, attempts: 1, summary: { total: 1, passed: 0, failed: 1, skipped: 0, unreachable: 0 }, checks: [check] };
    const problems = outputProblems(verify).join('\n');
    expect(problems).toMatch(/^checks\.0\.id: a check id has no spaces$/m);
    expect(problems).toMatch(/^checks\.0\.status: /m);
  });

  it('lab list --json and lab graph -f json, as the CLI prints them', async () => {
    const list = await lab(['list', '--json'], ROOT);
    expect(list.code, list.stderr).toBe(0);
    expect(json(list.stdout)).toMatchObject({ lab: null, command: 'list', version: VERSION, ok: true });
    expect(outputProblems(json(list.stdout))).toEqual([]);
    for (const name of ['lvs-nat', 'lvs-dr', 'lvs-tun']) {
      const g = await lab(['graph', name, '-f', 'json'], ROOT);
      expect(g.code, g.stderr).toBe(0);
      expect(json(g.stdout)).toMatchObject({ lab: name, command: 'graph', ok: true });
      expect(outputProblems(json(g.stdout)), name).toEqual([]);
    }
  });

  describe('against hosts that refuse connections (nothing leaves 127.0.0.1)', () => {
    let dir = '';
    let listener: Awaited<ReturnType<typeof countingListener>>;
    beforeAll(async () => {
      listener = await countingListener();
      dir = mkdtempSync(join(tmpdir(), 'lab-output-'));
      const hosts = ['client', 'proxy', 'web1', 'web2'].map((h) => `  ${h}: { address: 127.0.0.1, port: ${listener.port} }`).join('\n');
      writeFileSync(join(dir, 'inv.yaml'), `lab: lvs-nat\nhosts:\n${hosts}\n`);
    });
    afterAll(() => {
      listener.server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const cmd of ['plan', 'verify', 'status', 'reset'])
      it(`${cmd} --json: exit 1, ok false, and the shape holds`, async () => {
        const r = await lab([cmd, 'lvs-nat', '--inventory', 'inv.yaml', '--json'], dir, { LAB_PERSIST: '0' });
        const said = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        expect(r.code, said).toBe(1);
        const doc = json(r.stdout);
        expect(doc, said).toMatchObject({ lab: 'lvs-nat', command: cmd, version: VERSION, ok: false });
        expect(outputProblems(doc), said).toEqual([]);
        if (cmd === 'verify') {
          // Checks that could not run say so: unreachable, not fail; counted apart.
          const checks = doc.checks as { status: string; host: string; found: string }[];
          expect(new Set(checks.map((c) => c.status)), said).toEqual(new Set(['unreachable']));
          expect(doc.summary, said).toMatchObject({ failed: 0, unreachable: checks.length });
        }
      });
  });
});
