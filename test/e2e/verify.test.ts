// `lab verify` for real on lvs-nat's four VMs: passes after `lab up`, and each broken state fails the right check with its cause.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { esc } from '../../src/report/html.js';
import { outputProblems } from '../../src/report/output-schema.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { readInventoryFile } from '../../src/inventory/file.js';
import { instanceDir } from '../../src/vm/index.js';
import { bootLab, e2eInstance, runCli, sshOk, stopLab, type CliResult } from './harness.js';

const LAB = 'lvs-nat';
const INSTANCE = e2eInstance('e2e-verify');

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
  /** Checks that could not run (host unreachable): JUnit errors. */
  errors: number;
}

/** The terminal's last line: "23 checks: 20 passed, 0 failed, 3 skipped (2.1s)" (", 4 unreachable" after failed). */
function terminalCounts(stdout: string): Counts & { passed: number } {
  const m = /(\d+) checks: (\d+) passed, (\d+) failed(?:, (\d+) unreachable)?(?:, (\d+) skipped)?/.exec(stdout);
  if (!m) throw new Error(`no summary line in:\n${stdout}`);
  return { tests: Number(m[1]), passed: Number(m[2]), failures: Number(m[3]), errors: Number(m[4] ?? 0), skipped: Number(m[5] ?? 0) };
}

/** Parse the JUnit file with Python's XML parser (independent of ours) and count what it holds. */
function junitCounts(xml: string): Counts & { cases: number; failureTexts: string[] } {
  const py = [
    'import sys, json, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.read())',
    'cases = root.findall(".//testcase")',
    'print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")), "skipped": int(root.get("skipped")), "errors": int(root.get("errors")),',
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

  /** Run the CLI with the three reports; check that the terminal, the JSON, the JUnit file and the HTML page agree. */
  async function verify(...extra: string[]): Promise<Verified> {
    const n = ++runs;
    const junitFile = join(dir, `verify-${n}.xml`);
    const jsonFile = join(dir, `verify-${n}.json`);
    const htmlFile = join(dir, `verify-${n}.html`);
    const r = await runCli(['verify', LAB, '--instance', INSTANCE, '--report', `junit:${junitFile}`, '--report', `json:${jsonFile}`, '--report', `html:${htmlFile}`, ...extra]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`lab verify exited ${r.code}: ${r.stderr}`);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as VerifyJson;
    expect(outputProblems(json), 'the --report json file fits schema/output.schema.json').toEqual([]);
    const junit = junitCounts(readFileSync(junitFile, 'utf8'));
    const term = terminalCounts(r.stdout);
    expect({ tests: junit.tests, failures: junit.failures, errors: junit.errors, skipped: junit.skipped }).toEqual({ tests: term.tests, failures: term.failures, errors: term.errors, skipped: term.skipped });
    expect(junit.cases).toBe(term.tests);
    expect(json.summary).toEqual({ total: term.tests, passed: term.passed, failed: term.failures, unreachable: term.errors, skipped: term.skipped });
    expect(r.code).toBe(json.ok ? 0 : 1);
    // The page: each check in order with its status, a failure's fix commands as text, the topology inline.
    const html = readFileSync(htmlFile, 'utf8');
    expect([...html.matchAll(/<li class="check (\w+)"/g)].map((m) => m[1])).toEqual(json.checks.map((c) => c.status));
    for (const c of json.checks) for (const f of c.fix ?? []) expect(html).toContain(esc(f));
    expect(html).toMatch(/<figure><svg /);
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
      // wrr 1:1 over 8 fresh connections: a bar of 4 per real server under the balancing check, as the JSON counts.
      const balancing = v.json.checks.find((c) => c.check === 'balancing')!;
      expect(balancing.distribution).toEqual([{ host: 'web1', count: 4 }, { host: 'web2', count: 4 }]);
      for (const web of ['web1', 'web2']) expect(v.r.stdout).toMatch(new RegExp(`^ +${web} +████ 4$`, 'm'));
      seconds.push(v.r.seconds);
    }
    console.log(`lab verify ${LAB} on the 4 emulated VMs, all passing: ${seconds.map((s) => s.toFixed(2)).join(', ')} s; median ${median(seconds).toFixed(2)} s`);
    const j = await runCli(['verify', LAB, '--instance', INSTANCE, '--json']);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.stdout) as VerifyJson).ok).toBe(true);
  });

  interface TraceJson {
    ok: boolean;
    requests: { httpCode: number; page: string; realServer?: string; complete: boolean }[];
    walk: { complete: boolean; steps: { n: number; host: string; dir: string; iface: string; src: string; dst: string; packet: string; changed?: string[] }[]; stop?: { after: number; why: string; check?: { check: string; id: string; host: string } } };
  }

  it('lab trace walks one request through the course note\'s steps, with the real addresses, and leaves no capture running', async () => {
    const r = await runCli(['trace', LAB, '--instance', INSTANCE]);
    console.log(r.stdout);
    expect(r.code, r.stderr).toBe(0);
    const j = await runCli(['trace', LAB, '--instance', INSTANCE, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const tj = JSON.parse(j.stdout) as TraceJson;
    expect(outputProblems(tj)).toEqual([]);
    const steps = tj.walk.steps;
    const web = steps[3]!.host;
    const rip = web === 'web1' ? '192.168.2.100' : '192.168.2.200';
    const port = steps[0]!.src.split(':')[1];
    const c = `192.168.4.10:${port}`;
    expect(steps.map((st) => `${st.host} ${st.dir} ${st.src} → ${st.dst} ${st.packet}`)).toEqual([
      `client out ${c} → 192.168.4.5:80 SYN`,
      `proxy in ${c} → 192.168.4.5:80 SYN`,
      `proxy out ${c} → ${rip}:80 SYN`,
      `${web} in ${c} → ${rip}:80 SYN`,
      `${web} out ${rip}:80 → ${c} SYN-ACK`,
      `proxy in ${rip}:80 → ${c} SYN-ACK`,
      `proxy out 192.168.4.5:80 → ${c} SYN-ACK`,
      `client in 192.168.4.5:80 → ${c} SYN-ACK`,
    ]);
    expect(steps[2]!.changed).toEqual([`dst 192.168.4.5:80 → ${rip}:80`]);
    expect(steps[6]!.changed).toEqual([`src ${rip}:80 → 192.168.4.5:80`]);
    expect(tj.walk.complete).toBe(true);
    // One request per real server: wrr with equal weights sends the second to the other one.
    expect(tj.requests.map((q) => [q.complete, q.httpCode])).toEqual([[true, 200], [true, 200]]);
    expect(new Set(tj.requests.map((q) => q.realServer))).toEqual(new Set(['web1', 'web2']));
    // Nothing of the captures is left on any host: no tcpdump, no capture folder.
    for (const h of ['client', 'proxy', 'web1', 'web2']) expect(await sshOk(inv, h, 'pgrep -x tcpdump || true; ls -d /tmp/lab-trace.* 2>/dev/null || true'), h).toBe('');
  });

  it('lab graph --live labels every link with the interface that holds its address on the host, as ip shows it', async () => {
    const r = await runCli(['graph', LAB, '--instance', INSTANCE, '--live', '-f', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout) as { graph: { hosts: { name: string; links: { address: string; iface?: string | null }[] }[] } };
    expect(outputProblems(g)).toEqual([]);
    for (const h of g.graph.hosts) {
      for (const l of h.links) {
        const dev = (await sshOk(inv, h.name, `ip -o -4 addr show to ${l.address} | awk '{print $2}'`)).trim();
        expect(dev, `${h.name} ${l.address}`).not.toBe('');
        expect(l.iface, `${h.name} ${l.address}`).toBe(dev);
      }
    }
  });

  interface Break {
    name: string;
    host: string;
    command: string;
    /** How the break is made again after the fix undid it, when `command` cannot simply run twice. */
    again?: string;
    /** The check that must fail, and what its explanation must say. */
    failing: { host: string; id: string; why: RegExp };
    /** `lab trace` on the broken lab: the last step its walk reaches, and the check it names for the stop. */
    trace?: { after: number; check: string };
  }

  const breaks: Break[] = [
    {
      name: "web1's default gateway removed",
      host: 'web1',
      command: 'ip route del default',
      failing: { host: 'web1', id: 'route', why: /web1 has no default route via 192\.168\.2\.5/ },
      // web1 gets the SYN (step 4) and has no way back to 192.168.4.10.
      trace: { after: 4, check: 'real-servers/route@web1' },
    },
    {
      name: 'ip_forward 0 on the director',
      host: 'proxy',
      command: 'sysctl -w net.ipv4.ip_forward=0',
      failing: { host: 'proxy', id: 'ip_forward', why: /net\.ipv4\.ip_forward = 0, so it does not route/ },
      // IPVS still sends the request on, but the reply is a routed packet: it reaches the director (step 6) and stops.
      trace: { after: 6, check: 'director/ip_forward@proxy' },
    },
    {
      // As classroom VMs often are: web2 also on the client's network (the course: "如果有4网段IP地址，需要临时关闭").
      name: 'web2 holds a 4-network address',
      host: 'web2',
      command: 'nmcli connection add type dummy ifname net4 con-name classroom-4net ipv4.method manual ipv4.addresses 192.168.4.200/24 && nmcli connection up classroom-4net',
      again: 'nmcli connection up classroom-4net',
      failing: { host: 'web2', id: 'route', why: /web2 holds 192\.168\.4\.200 on net4, on the client's own network/ },
    },
    { name: 'apache2 stopped on web2', host: 'web2', command: 'systemctl stop apache2', failing: { host: 'web2', id: 'web-server', why: /apache2 is not running on web2/ } },
    { name: 'the scheduler changed to rr', host: 'proxy', command: 'ipvsadm -E -t 192.168.4.5:80 -s rr', failing: { host: 'proxy', id: 'ipvs', why: /schedules with rr .*not wrr/ } },
    { name: "firewalld's default zone public on web1", host: 'web1', command: 'firewall-cmd --set-default-zone=public', failing: { host: 'web1', id: 'firewall', why: /default zone on web1 is public/ } },
    {
      name: "web1's rule changed from -m to -g",
      host: 'proxy',
      command: 'ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.100:80 -g -w 1',
      failing: { host: 'proxy', id: 'ipvs', why: /web1 \(192\.168\.2\.100\) is reached with -g \(direct routing\) instead of -m \(NAT\)/ },
    },
    // Runtime state no profile holds: lab up compares the live routes and addresses too.
    {
      name: 'a second default route added by hand on web1 (ip route add)',
      host: 'web1',
      command: 'ip route add default via 192.168.2.1 dev ens3 metric 50',
      failing: { host: 'web1', id: 'default-routes', why: /A second default route \(default via 192\.168\.2\.1 dev ens3 metric 50\)/ },
    },
    {
      name: 'a 4-network address added by hand on web1\'s lab interface (ip addr add)',
      host: 'web1',
      command: 'ip addr add 192.168.4.100/24 dev ens3',
      failing: { host: 'web1', id: 'route', why: /web1 holds 192\.168\.4\.100 on its lab interface ens3/ },
    },
    // A cause no check looked at before: the director's own address, the web server's port.
    {
      name: 'the director loses its inside address',
      host: 'proxy',
      command: 'ip addr del 192.168.2.5/24 dev ens4',
      failing: { host: 'proxy', id: 'addresses', why: /proxy does not hold 192\.168\.2\.5\/24, its address on the private network in the spec, so web1 and web2 \(their gateway\)/ },
    },
    {
      name: "web2's web server moved to port 8080",
      host: 'web2',
      command: "sed -i 's/^Listen 80$/Listen 8080/' /etc/apache2/ports.conf && systemctl restart apache2",
      failing: { host: 'web2', id: 'web-server', why: /apache2 runs on web2 but does not listen on 192\.168\.2\.200:80.*\/etc\/apache2\/ports\.conf says `Listen 8080` \(line 5\)/ },
    },
    {
      // What firewalld 1.3 leaves after a reset and a reboot (set-default-zone moves every second interface only).
      name: "web1's lab interface held in zone public at runtime only",
      host: 'web1',
      command: 'firewall-cmd --zone=public --change-interface=ens3',
      failing: { host: 'web1', id: 'firewall', why: /ens3, which takes the lab's requests, is in firewalld zone public.*runtime state/ },
    },
  ];

  for (const b of breaks) {
    it(`${b.name}: exits 1, the right check explains the cause; its printed fix repairs it; broken again, lab up alone repairs it`, async () => {
      await sshOk(inv, b.host, b.command);
      const v = await verify();
      expect(v.r.code, v.r.stdout).toBe(1);
      if (b.trace) {
        const t = await runCli(['trace', LAB, '--instance', INSTANCE, '--json']);
        const tj = JSON.parse(t.stdout) as TraceJson;
        console.log(`lab trace ${LAB} with ${b.name}:\n${tj.walk.steps.map((st) => `${st.n} ${st.host} ${st.dir} ${st.iface} ${st.src} → ${st.dst} ${st.packet}`).join('\n')}\nstop: ${tj.walk.stop?.why}`);
        expect(t.code, t.stderr).toBe(1);
        expect(outputProblems(tj)).toEqual([]);
        expect(tj.walk.complete).toBe(false);
        expect(tj.walk.steps.map((st) => st.n).at(-1)).toBe(b.trace.after);
        expect(tj.walk.stop?.after).toBe(b.trace.after);
        const c = tj.walk.stop?.check;
        expect(c && `${c.check}/${c.id}@${c.host}`).toBe(b.trace.check);
      }
      const failed = v.json.checks.filter((c) => c.status === 'fail');
      const hit = failed.find((c) => c.host === b.failing.host && c.id === b.failing.id);
      expect(hit, `failed: ${failed.map((c) => `${c.host} ${c.id}`).join(', ')}`).toBeDefined();
      expect(hit!.why).toMatch(b.failing.why);
      expect(hit!.fix?.length).toBeGreaterThan(0);
      // The terminal shows the failure with its explanation under it; the JUnit failure text carries it too.
      expect(v.r.stdout).toContain(`FAIL  ${hit!.host.padEnd(6)}  ${hit!.title}`);
      expect(v.r.stdout.replace(/\s+/g, ' ')).toContain(hit!.why!.replace(/\s+/g, ' '));
      expect(v.junit.failureTexts.some((t) => t.includes(hit!.why!))).toBe(true);
      // A symptom names its causes once, however many rounds the hosts were judged in, and only checks that failed.
      for (const c of failed) expect(c.why?.match(/Failed checks that explain it/g)?.length ?? 0, c.why).toBeLessThanOrEqual(1);
      for (const c of failed) expect(c.why, `${c.host} ${c.id}`).not.toMatch(/No check on .* failed/);

      // Verify's own fix, as printed, on the host of each failed check (not lab up).
      for (const c of failed) for (const cmd of c.fix ?? []) await sshOk(inv, c.host, cmd);
      const fixed = await verify('--wait', '60s');
      expect(fixed.r.code, fixed.r.stdout).toBe(0);

      // The same break again: lab up alone repairs it, and says it changed something.
      await sshOk(inv, b.host, b.again ?? b.command);
      const up = await runCli(['up', LAB, '--instance', INSTANCE, '--json']);
      expect(up.code, up.stderr).toBe(0);
      const recap = JSON.parse(up.stdout) as { hosts: Record<string, { changed: number }> };
      expect(recap.hosts[b.host]!.changed, up.stdout).toBeGreaterThan(0);
      const again = await verify('--wait', '60s');
      expect(again.r.code, again.r.stdout).toBe(0);
    });
  }

  it("the instructor's reset, the students' reboot, their converge: lab reset, vm down, vm up --boot, lab up, and verify passes", async () => {
    const reset = await runCli(['reset', LAB, '--instance', INSTANCE]);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const down = await runCli(['vm', 'down', LAB, '--instance', INSTANCE, '--force']);
    expect(down.code, down.stderr).toBe(0);
    const boot = await runCli(['vm', 'up', LAB, '--instance', INSTANCE, '--boot', '--timeout', '600']);
    expect(boot.code, boot.stderr).toBe(0);
    inv = readInventoryFile(join(instanceDir(INSTANCE), 'inventory.yaml'));
    const up = await runCli(['up', LAB, '--instance', INSTANCE]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const v = await verify('--wait', '60s');
    expect(v.r.code, v.r.stdout).toBe(0);
    // A second up has nothing left to do: the runtime zones are converged too.
    const plan = await runCli(['plan', LAB, '--instance', INSTANCE]);
    expect(plan.stdout.match(/nothing to do/g), plan.stdout).toHaveLength(4);
  });
});
