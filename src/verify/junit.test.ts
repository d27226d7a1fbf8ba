// JUnit XML: counts match the results, failure text carries the explanation, and hostile text stays well-formed.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { junitXml, xmlEscape } from '../report/junit.js';
import { summarize } from '../report/verify.js';
import type { CheckResult } from './types.js';

const results: CheckResult[] = [
  { check: 'balancing', id: 'balancing', host: 'client', title: 'balancing of http://192.168.4.5/', status: 'pass', expected: 'e', found: 'f' },
  {
    check: 'real-servers',
    id: 'route',
    host: 'web1',
    title: 'replies to client go via proxy',
    status: 'fail',
    expected: 'ip route get 192.168.4.10: via 192.168.2.5',
    found: 'RTNETLINK answers: Network is unreachable',
    why: 'web1 has no default route via 192.168.2.5, so its replies <bypass> the director & "NAT" cannot rewrite them',
    fix: [`nmcli connection modify 'Wired connection 2' ipv4.gateway 192.168.2.5 && nmcli connection up 'Wired connection 2'`],
  },
  { check: 'path', id: 'selinux', host: 'web1', title: 'SELinux permissive', status: 'skip', expected: 'e', found: 'no getenforce' },
  { check: 'path', id: 'x', host: 'web2', title: 'control \u0001 chars and \uD800 lone surrogate', status: 'fail', expected: ']]>', found: '\u001b[31mred', why: 'w' },
];

/** Parse with Python's XML parser (an independent one) and return the counts it sees. */
function parse(xml: string): { tests: string; failures: string; skipped: string; cases: number; failureText: string } {
  const py = [
    'import sys, json, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.read())',
    'cases = root.findall(".//testcase")',
    'f = root.find(".//failure")',
    'print(json.dumps({"tests": root.get("tests"), "failures": root.get("failures"), "skipped": root.get("skipped"), "cases": len(cases), "failureText": f.text if f is not None else ""}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', py], { input: xml }).toString());
}

describe('junit', () => {
  it('escapes the five XML specials and drops characters XML cannot hold', () => {
    expect(xmlEscape(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlEscape('a\u0001b\u001bc\uD800d\uD83D\uDE00')).toBe('abcd\uD83D\uDE00');
  });

  it('writes one testcase per check and host, with counts that match the summary', () => {
    const xml = junitXml(results, { lab: 'lvs-nat', seconds: 1.234, timestamp: new Date('2026-01-01T00:00:00Z') });
    const parsed = parse(xml);
    const sum = summarize(results);
    expect(parsed).toMatchObject({ tests: String(sum.total), failures: String(sum.failed), skipped: String(sum.skipped), cases: results.length });
    expect(parsed.failureText).toContain('why:      web1 has no default route via 192.168.2.5, so its replies <bypass> the director & "NAT"');
    expect(parsed.failureText).toContain("nmcli connection modify 'Wired connection 2' ipv4.gateway 192.168.2.5");
    expect(xml).toContain('classname="lvs-nat.web1"');
  });
});
