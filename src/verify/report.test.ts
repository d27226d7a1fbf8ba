// The terminal report: one line per check, the explanation under failures only, no escape codes without color.
import { describe, expect, it } from 'vitest';
import { styler } from '../report/style.js';
import { junitXml } from '../report/junit.js';
import { formatResults, verifyJson } from '../report/verify.js';
import { parseReports } from '../commands/verify.js';
import { UsageError } from '../errors.js';
import type { CheckResult } from './types.js';

const results: CheckResult[] = [
  { check: 'director', id: 'ip_forward', host: 'proxy', title: 'net.ipv4.ip_forward = 1 now', status: 'pass', expected: 'net.ipv4.ip_forward = 1 now', found: 'net.ipv4.ip_forward = 1' },
  {
    check: 'real-servers',
    id: 'web-server',
    host: 'web2',
    title: 'web server (httpd) active and enabled',
    status: 'fail',
    expected: 'apache2 active and enabled',
    found: 'apache2 inactive, enabled',
    why: 'apache2 is not running on web2, so nothing listens on port 80.',
    fix: ['systemctl enable --now apache2'],
  },
  { check: 'path', id: 'selinux', host: 'web1', title: 'SELinux permissive', status: 'skip', expected: 'x', found: 'SELinux is not present' },
];

describe('formatResults', () => {
  it('draws the balancing distribution as one bar per real server under its check, other answers in their own bar', () => {
    const balancing: CheckResult = {
      check: 'balancing', id: 'balancing', host: 'client', title: '8 requests balanced', status: 'fail', expected: 'e', found: 'f', why: 'w',
      distribution: [{ host: 'web1', count: 4 }, { host: 'web2', count: 0 }, { host: null, count: 4 }],
    };
    const out = formatResults([balancing], styler(false), { ms: 1000, attempts: 1 }).split('\n');
    expect(out.slice(0, 5)).toEqual(['FAIL  client  8 requests balanced', '              web1  ████ 4', '              web2  · 0', '              other ████ 4', '              expected  e']);
    // Colors: server bars cyan, the other answers red.
    const colored = formatResults([balancing], styler(true), { ms: 1000, attempts: 1 });
    expect(colored).toContain('\x1b[31m████\x1b[');
    expect(colored).toContain('\x1b[36m████\x1b[');
  });

  it('lists every check, explains only failures, and ends with the counts', () => {
    const out = formatResults(results, styler(false), { ms: 2100, attempts: 1 });
    expect(out).not.toMatch(/\x1b\[/);
    expect(out.split('\n')).toEqual([
      'pass  proxy  net.ipv4.ip_forward = 1 now',
      'FAIL  web2   web server (httpd) active and enabled',
      '             expected  apache2 active and enabled',
      '             found     apache2 inactive, enabled',
      '             why       apache2 is not running on web2, so nothing listens on port 80.',
      '             fix       systemctl enable --now apache2',
      'skip  web1   SELinux permissive  (SELinux is not present)',
      '',
      '3 checks: 1 passed, 1 failed, 1 skipped (2.1s)',
      '',
    ]);
  });

  it('a check whose host could not be reached: unreachable, not FAIL; counted apart; ok false; a JUnit error', () => {
    const down: CheckResult = { check: 'director', id: 'ipvs', host: 'proxy', title: 'IPVS table equals the spec', status: 'unreachable', expected: 'IPVS table equals the spec', found: 'could not look at proxy: connect ECONNREFUSED', why: 'lab verify reads each host over SSH; without proxy, this check cannot run.', fix: [] };
    const out = formatResults([results[0]!, down], styler(false), { ms: 1000, attempts: 1, width: 200 }).split('\n');
    expect(out).toEqual([
      'pass         proxy  net.ipv4.ip_forward = 1 now',
      'unreachable  proxy  IPVS table equals the spec',
      '                    expected  IPVS table equals the spec',
      '                    found     could not look at proxy: connect ECONNREFUSED',
      '                    why       lab verify reads each host over SSH; without proxy, this check cannot run.',
      '',
      '2 checks: 1 passed, 0 failed, 1 unreachable (1.0s)',
      '',
    ]);
    expect(verifyJson('lvs-nat', [results[0]!, down], 1000, 1)).toMatchObject({ ok: false, summary: { total: 2, passed: 1, failed: 0, unreachable: 1, skipped: 0 } });
    const xml = junitXml([results[0]!, down], { lab: 'lvs-nat', seconds: 1 });
    expect(xml).toContain('tests="2" failures="0" errors="1" skipped="0"');
    expect(xml).toMatch(/<testcase classname="lvs-nat.proxy" name="director: ipvs: IPVS table equals the spec" time="0">\s*<error message="could not look at proxy: connect ECONNREFUSED" type="unreachable"\/>/);
  });

  it('colors only when asked', () => {
    expect(formatResults(results, styler(true), { ms: 1, attempts: 1 })).toMatch(/\x1b\[31mFAIL/);
  });

  it('summarizes for --json', () => {
    expect(verifyJson('lvs-nat', results, 2100, 2)).toMatchObject({ ok: false, attempts: 2, summary: { total: 3, passed: 1, failed: 1, skipped: 1 } });
  });
});

describe('parseReports', () => {
  it('takes junit:FILE and json:FILE, repeatable', () => {
    expect(parseReports(['junit:out/a.xml', 'json:b.json'])).toEqual([
      { kind: 'junit', file: 'out/a.xml' },
      { kind: 'json', file: 'b.json' },
    ]);
    expect(() => parseReports(['xml:a'])).toThrow(UsageError);
  });
});
