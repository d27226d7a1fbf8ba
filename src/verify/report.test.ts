// The terminal report: one line per check, the explanation under failures only, no escape codes without color.
import { describe, expect, it } from 'vitest';
import { styler } from '../report/style.js';
import { junitXml } from '../report/junit.js';
import { columns, formatResults, verifyJson } from '../report/verify.js';
import { withLang } from '../i18n/index.js';
import { judgeRecorded, recordedLab } from '../../test/unit/recorded-verify.js';
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

describe('wrapping explanations that quote the course note in Chinese', () => {
  const quoted: CheckResult = {
    check: 'real-servers',
    id: 'route',
    host: 'web2',
    title: 'replies to client (192.168.4.10) go via proxy (192.168.2.5)',
    status: 'fail',
    expected: 'via proxy',
    found: 'dev net4',
    why: 'web2 holds 192.168.4.200 on net4, on the client\'s own network, so it answers 192.168.4.10 directly (the course: "如果有4网段IP地址，需要临时关闭和删除这个网卡上的地址"), and the client drops the answer.',
  };
  const flat = (x: string) => x.replace(/\s+/g, ' ');
  it('English breaks at spaces only, so the explanation reads whole once the lines are joined', () => {
    for (const width of [50, 60, 72, 80, 100]) expect(flat(formatResults([quoted], styler(false), { ms: 1000, attempts: 1, width }))).toContain(flat(quoted.why!));
  });
  it('the recorded web2-4net state: every failure\'s explanation reads whole in the terminal at any width', async () => {
    const checks = judgeRecorded(await recordedLab(), 'web2-4net').filter((c) => c.status === 'fail');
    expect(checks.find((c) => c.id === 'route')!.why).toContain('如果有4网段IP地址');
    for (const width of [80, 100, 120, 160]) {
      const out = flat(formatResults(checks, styler(false), { ms: 1000, attempts: 1, width }));
      for (const c of checks) expect(out).toContain(flat(c.why!));
    }
  });
  it('Chinese may break between characters, and no explanation line is wider than the terminal', () => {
    const zh = { ...quoted, why: '调度器 proxy 上没有开启路由转发：真实服务器发给客户端的回复到了它这里，却没有被改写成来自 VIP 再转发出去，而是被丢弃了。请求能送达，回复却回不来。' };
    const out = withLang('zh-CN', () => formatResults([zh], styler(false), { ms: 1000, attempts: 1, width: 100 }));
    // The check's own line (status, host, title) is not wrapped; the explanation under it is.
    const under = out.split('\n').filter((l) => /^\s+原因/.test(l) || /^\s{10,}\S/.test(l));
    expect(under.length).toBeGreaterThan(2);
    for (const line of under) expect(columns(line), line).toBeLessThanOrEqual(100);
    expect(out.replace(/\s+/g, '')).toContain(zh.why.replace(/\s+/g, ''));
  });
});
