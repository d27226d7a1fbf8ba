// The results table as an instructor sees it: one row per student, counts per command, the first problem named.
import { describe, expect, it } from 'vitest';
import { styler } from '../report/style.js';
import type { CheckResult } from '../verify/types.js';
import { firstFailure } from './status.js';
import { renderJunit } from './junit.js';
import { formatTable, summaryLine } from './table.js';
import type { StudentResult } from './types.js';

const plain = styler(false);
const task = (status: 'ok' | 'changed' | 'failed', label = 't', error?: string) => ({ label, status, changes: [], error });
const check = (check: string, id: string, host: string, status: 'pass' | 'fail', found = 'ok'): CheckResult => ({ check, id, host, title: id, status, expected: status === 'pass' ? found : '1', found });

describe('classroom table', () => {
  it('up: ok, changed, failed, unreachable per student', () => {
    const rows: StudentResult[] = [
      { student: 'alice', status: 'ok', ms: 41_200, hosts: [{ host: 'proxy', unreachable: false, ms: 1, tasks: [task('ok'), task('changed'), task('changed')] }] },
      { student: 'bob', status: 'unreachable', ms: 30_050, problem: 'client: cannot connect to root@10.0.2.10:22: connect ETIMEDOUT', hosts: ['client', 'proxy', 'web1', 'web2'].map((host) => ({ host, unreachable: true, ms: 1, tasks: [] })) },
      { student: 'carol', status: 'failed', ms: 12_000, problem: 'web1: package httpd: exit 100: E: Unable to locate package', hosts: [{ host: 'web1', unreachable: false, ms: 1, tasks: [task('ok'), task('failed', 'package httpd', 'exit 100')] }] },
    ];
    expect(formatTable('up', rows, plain)).toBe(
      [
        'student  result       ok  changed  failed  unreachable  time   first problem',
        'alice    ok           1   2        0       0            41.2s',
        'bob      UNREACHABLE  0   0        0       4            30.1s  client: cannot connect to root@10.0.2.10:22: connect ETIMEDOUT',
        'carol    FAILED       1   0        1       0            12.0s  web1: package httpd: exit 100: E: Unable to locate package',
      ].join('\n'),
    );
    expect(summaryLine('up', rows, 42_000)).toBe('up: 3 students: 1 ok, 1 failed, 1 unreachable, in 42.0s');
  });

  it('verify: passed and failed checks, the first failure named cause before symptom', () => {
    const checks = [check('balancing', 'balancing', 'client', 'fail', 'no answer'), check('director', 'vip', 'proxy', 'pass'), check('director', 'ip_forward', 'proxy', 'fail', '0')];
    expect(firstFailure(checks)?.id).toBe('ip_forward');
    const rows: StudentResult[] = [
      { student: 'alice', status: 'ok', ms: 9_000, checks: [check('director', 'vip', 'proxy', 'pass')] },
      { student: 'bob', status: 'failed', ms: 9_500, checks, problem: 'director ip_forward on proxy: expected 1, found 0' },
    ];
    expect(formatTable('verify', rows, plain)).toBe(
      [
        'student  result  passed  failed  skipped  time  first failure',
        'alice    pass    1       0       0        9.0s',
        'bob      FAIL    1       2       0        9.5s  director ip_forward on proxy: expected 1, found 0',
      ].join('\n'),
    );
  });

  it('clips a long problem to the width, and colours without breaking the columns', () => {
    const rows: StudentResult[] = [{ student: 'dave', status: 'failed', ms: 1, problem: 'x'.repeat(300), hosts: [] }];
    const line = formatTable('down', rows, plain, 100).split('\n')[1]!;
    expect(line.length).toBeLessThanOrEqual(100);
    expect(line.endsWith('…')).toBe(true);
    // eslint-disable-next-line no-control-regex
    const coloured = formatTable('down', rows, styler(true), 80).replace(/\x1b\[[0-9;]*m/g, '');
    expect(coloured).toBe(formatTable('down', rows, plain, 80));
  });

  it('progress: the step each student reached, steps done, and what is next; JUnit has one testcase per step', () => {
    const step = (id: string, status: 'done' | 'partial' | 'not-started' | 'waiting', extra: Partial<{ doneOn: string[]; todoOn: string[]; waitsFor: string[] }> = {}) => ({ id, title: `step ${id}`, status, doneOn: [], todoOn: [], waitsFor: [], ...extra });
    const rows: StudentResult[] = [
      { student: 'alice', status: 'ok', ms: 8_000, current: null, steps: [step('1.1', 'done'), step('2.1', 'done')] },
      {
        student: 'bob',
        status: 'failed',
        ms: 9_000,
        current: '1.1',
        steps: [step('1.1', 'partial', { doneOn: ['web1'], todoOn: ['web2'] }), step('2.1', 'waiting', { waitsFor: ['1.1'], todoOn: ['proxy'] })],
        problem: 'step 1.1 (set up the web servers) on web2: index page names web2: expected x, found y',
      },
    ];
    expect(formatTable('progress', rows, plain)).toBe(
      [
        'student  result   step      done  time  next',
        'alice    done     all done  2/2   8.0s',
        'bob      working  1.1       0/2   9.0s  step 1.1 (set up the web servers) on web2: index page names web2: expected x, found y',
      ].join('\n'),
    );
    expect(summaryLine('progress', rows, 9_000)).toBe('progress: 2 students: 1 done, 1 still working, 0 unreachable, in 9.0s');
    const xml = renderJunit({ kind: 'progress', lab: 'lvs-nat', roster: 'r.yaml', ok: false, ms: 9_000, students: rows });
    expect(xml).toContain('<testcase classname="alice" name="step 1.1: step 1.1"/>');
    expect(xml).toContain('<testcase classname="bob" name="step 1.1: step 1.1">\n      <failure message="partly done: done on web1; to do on web2"></failure>');
    expect(xml).toContain('<failure message="waits for step 1.1"></failure>');
    expect(xml).toMatch(/<testsuite name="bob" tests="2" failures="2"/);
  });
});
