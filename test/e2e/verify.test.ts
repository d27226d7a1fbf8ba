// `lab verify` for real on lvs-nat's four VMs: passes after `lab up`, and each broken state fails the right check with its cause.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { bootLab, e2eInstance, runCli, sshOk, stopLab, type CliResult } from './harness.js';

const LAB = 'lvs-nat';
const INSTANCE = e2eInstance('e2e-verify');

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
}

/** The terminal's last line: "23 checks: 20 passed, 0 failed, 3 skipped (2.1s)". */
function terminalCounts(stdout: string): Counts & { passed: number } {
  const m = /(\d+) checks: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(stdout);
  if (!m) throw new Error(`no summary line in:\n${stdout}`);
  return { tests: Number(m[1]), passed: Number(m[2]), failures: Number(m[3]), skipped: Number(m[4] ?? 0) };
}

/** Parse the JUnit file with Python's XML parser (independent of ours) and count what it holds. */
function junitCounts(xml: string): Counts & { cases: number; failureTexts: string[] } {
  const py = [
    'import sys, json, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.read())',
    'cases = root.findall(".//testcase")',
    'print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")), "skipped": int(root.get("skipped")),',
    '  "cases": len(cases), "failed": sum(1 for c in cases if c.find("failure") is not None), "skips": sum(1 for c in cases if c.find("skipped") is not None),',
    '  "failureTexts": [f.text or "" for f in root.iter("failure")]}))',
  ].join('\n');
  const out = JSON.parse(execFileSync('python3', ['-c', py], { input: xml }).toString());
  expect(out.failed).toBe(out.failures);
  expect(out.skips).toBe(out.skipped);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

describe('lab verify on lvs-nat', () => {
  let inv: Inventory;
  const dir = mkdtempSync(join(tmpdir(), 'lab-verify-e2e-'));
  let runs = 0;

  interface Verified {
    r: CliResult;
    json: VerifyJson;
    junit: Counts & { cases: number; failureTexts: string[] };
  }

  /** Run the CLI with both reports; check that the terminal, the JSON and the JUnit file agree. */
  async function verify(...extra: string[]): Promise<Verified> {
    const n = ++runs;
    const junitFile = join(dir, `verify-${n}.xml`);
    const jsonFile = join(dir, `verify-${n}.json`);
    const r = await runCli(['verify', LAB, '--instance', INSTANCE, '--report', `junit:${junitFile}`, '--report', `json:${jsonFile}`, ...extra]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`lab verify exited ${r.code}: ${r.stderr}`);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as VerifyJson;
    const junit = junitCounts(readFileSync(junitFile, 'utf8'));
    const term = terminalCounts(r.stdout);
    expect({ tests: junit.tests, failures: junit.failures, skipped: junit.skipped }).toEqual({ tests: term.tests, failures: term.failures, skipped: term.skipped });
    expect(junit.cases).toBe(term.tests);
    expect(json.summary).toEqual({ total: term.tests, passed: term.passed, failed: term.failures, skipped: term.skipped });
    expect(r.code).toBe(json.ok ? 0 : 1);
    return { r, json, junit };
  }

  beforeAll(async () => {
    inv = await bootLab(LAB, INSTANCE);
    const up = await runCli(['up', LAB, '--instance', INSTANCE]);
    if (up.code !== 0) throw new Error(`lab up failed (exit ${up.code}):\n${up.stdout}\n${up.stderr}`);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stopLab(INSTANCE);
  });

  it('passes after lab up and lists every check passed; median time of 3 runs', async () => {
    const seconds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = await verify();
      expect(v.r.code, v.r.stdout).toBe(0);
      expect(v.json.summary.failed).toBe(0);
      expect(v.r.stdout).not.toMatch(/^FAIL/m);
      for (const c of v.json.checks) expect(v.r.stdout).toContain(`${c.status === 'pass' ? 'pass' : 'skip'}  ${c.host.padEnd(6)}  ${c.title}`);
      seconds.push(v.r.seconds);
    }
    console.log(`lab verify ${LAB} on the 4 emulated VMs, all passing: ${seconds.map((s) => s.toFixed(2)).join(', ')} s; median ${median(seconds).toFixed(2)} s`);
    const j = await runCli(['verify', LAB, '--instance', INSTANCE, '--json']);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.stdout) as VerifyJson).ok).toBe(true);
  });

  interface Break {
    name: string;
    host: string;
    command: string;
    /** The check that must fail, and what its explanation must say. */
    failing: { host: string; id: string; why: RegExp };
    /** How the break is undone: the fix commands verify printed, or `lab up`. */
    undo: 'fix' | 'up';
  }

  const breaks: Break[] = [
    { name: "web1's default gateway removed", host: 'web1', command: 'ip route del default', failing: { host: 'web1', id: 'route', why: /web1 has no default route via 192\.168\.2\.5/ }, undo: 'fix' },
    { name: 'ip_forward 0 on the director', host: 'proxy', command: 'sysctl -w net.ipv4.ip_forward=0', failing: { host: 'proxy', id: 'ip_forward', why: /net\.ipv4\.ip_forward = 0, so it does not route/ }, undo: 'fix' },
    {
      // As classroom VMs often are: web2 also on the client's network (the course: "如果有4网段IP地址，需要临时关闭").
      name: 'web2 holds a 4-network address',
      host: 'web2',
      command: 'nmcli connection add type dummy ifname net4 con-name classroom-4net ipv4.method manual ipv4.addresses 192.168.4.200/24 && nmcli connection up classroom-4net',
      failing: { host: 'web2', id: 'route', why: /web2 holds 192\.168\.4\.200 on net4, on the client's own network/ },
      undo: 'fix',
    },
    { name: 'apache2 stopped on web2', host: 'web2', command: 'systemctl stop apache2', failing: { host: 'web2', id: 'web server', why: /apache2 is not running on web2/ }, undo: 'fix' },
    { name: 'the scheduler changed to rr', host: 'proxy', command: 'ipvsadm -E -t 192.168.4.5:80 -s rr', failing: { host: 'proxy', id: 'ipvs', why: /schedules with rr .*not wrr/ }, undo: 'fix' },
    { name: "firewalld's default zone public on web1", host: 'web1', command: 'firewall-cmd --set-default-zone=public', failing: { host: 'web1', id: 'firewall', why: /default zone on web1 is public/ }, undo: 'up' },
    {
      name: "web1's rule changed from -m to -g",
      host: 'proxy',
      command: 'ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.100:80 -g -w 1',
      failing: { host: 'proxy', id: 'ipvs', why: /web1 \(192\.168\.2\.100\) is reached with -g \(direct routing\) instead of -m \(NAT\)/ },
      undo: 'up',
    },
  ];

  for (const b of breaks) {
    it(`${b.name}: exits 1, the right check explains the cause; after ${b.undo === 'fix' ? 'its printed fix' : 'lab up'} it passes again`, async () => {
      await sshOk(inv, b.host, b.command);
      const v = await verify();
      expect(v.r.code, v.r.stdout).toBe(1);
      const failed = v.json.checks.filter((c) => c.status === 'fail');
      const hit = failed.find((c) => c.host === b.failing.host && c.id === b.failing.id);
      expect(hit, `failed: ${failed.map((c) => `${c.host} ${c.id}`).join(', ')}`).toBeDefined();
      expect(hit!.why).toMatch(b.failing.why);
      expect(hit!.fix?.length).toBeGreaterThan(0);
      // The terminal shows the failure with its explanation under it; the JUnit failure text carries it too.
      expect(v.r.stdout).toContain(`FAIL  ${hit!.host.padEnd(6)}  ${hit!.title}`);
      expect(v.r.stdout.replace(/\s+/g, ' ')).toContain(hit!.why!.replace(/\s+/g, ' '));
      expect(v.junit.failureTexts.some((t) => t.includes(hit!.why!))).toBe(true);
      // A symptom names its causes once, however many rounds the hosts were judged in.
      for (const c of failed) expect(c.why?.match(/Failed checks that explain it/g)?.length ?? 0, c.why).toBeLessThanOrEqual(1);

      if (b.undo === 'fix') {
        for (const c of failed) for (const cmd of c.fix ?? []) await sshOk(inv, c.host, cmd);
      } else {
        const up = await runCli(['up', LAB, '--instance', INSTANCE]);
        expect(up.code, up.stderr).toBe(0);
      }
      const again = await verify('--wait', '60s');
      expect(again.r.code, again.r.stdout).toBe(0);
    });
  }
});
