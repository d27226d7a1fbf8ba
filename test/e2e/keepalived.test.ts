// The lvs-dr-keepalived lab for real on five VMs: keepalived's config is rendered and checked, up converges and a second
// up changes nothing, verify proves VRRP, a measured failover and the health checks, each break is diagnosed on the host
// where its cause is and its printed fix repairs it, a reboot keeps everything, and down stops keepalived as it found it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { CheckResult } from '../../src/verify/types.js';
import { bootLab, e2eInstance, failedOf, rebootThenVerify, runCli, sshOk, stopLab, verifyJson } from './harness.js';

const INSTANCE = e2eInstance('e2e-keepalived');
const LAB = ['lvs-dr-keepalived', '--instance', INSTANCE];

interface RecapJson {
  hosts: Record<string, { changed: number; tasks: { task: string; status: string }[] }>;
}

const verify = (...extra: string[]) => verifyJson(LAB, ...extra);
const find = (checks: CheckResult[], host: string, id: string) => checks.find((c) => c.host === host && c.id === id);

/** Polls a host until `test` holds (at most `seconds`); throws when it never does. */
async function until(inv: Inventory, host: string, test: string, seconds: number): Promise<void> {
  await sshOk(inv, host, `i=0; until ${test}; do i=$((i+1)); [ "$i" -gt ${seconds * 4} ] && exit 1; sleep 0.25; done`);
}

describe('lvs-dr-keepalived on five VMs', () => {
  let inv: Inventory;

  beforeAll(async () => {
    inv = await bootLab('lvs-dr-keepalived', INSTANCE);
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it("plan shows each director's keepalived.conf with its own state, priority and real interface, checked by keepalived -t before it goes live", async () => {
    const r = await runCli(['plan', ...LAB]);
    expect(r.code, r.stderr).toBe(0);
    const proxy2 = r.stdout.slice(r.stdout.indexOf('\nproxy2 '));
    expect(proxy2).toMatch(/state BACKUP\n\s+interface ens\d\n\s+virtual_router_id 51\n\s+priority 50\n/);
    expect(r.stdout).toMatch(/state MASTER\n\s+interface ens\d\n\s+virtual_router_id 51\n\s+priority 100\n/);
    expect(r.stdout).toContain('if ! keepalived -t -f /etc/keepalived/keepalived.conf.lab-new');
    expect(r.stdout).toContain('real_server 192.168.4.100 80 {');
    // The directors' profiles never hold the VIP: keepalived adds it on the master only.
    expect(r.stdout).not.toContain('192.168.4.15/24');
  });

  it('up converges; verify passes: vrrp on both directors, balancing, a measured failover within its bound, the health check', async () => {
    const up = await runCli(['up', ...LAB]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const v = await verify('--wait', '30s');
    expect(v.code, v.stdout).toBe(0);
    const ids = v.json.checks.map((c) => `${c.host} ${c.id} ${c.status}`);
    for (const want of ['proxy1 state pass', 'proxy2 state pass', 'proxy1 ipvs pass', 'proxy2 ipvs pass', 'proxy1 keepalived-conf pass', 'client balancing pass', 'proxy1 failover pass', 'proxy1 health pass'])
      expect(ids).toContain(want);
    const failover = find(v.json.checks, 'proxy1', 'failover')!;
    // The figures this machine measured, for the record in the CI log.
    console.log(`failover: ${failover.found}\nhealth: ${find(v.json.checks, 'proxy1', 'health')!.found}`);
    expect(failover.measured!.takeover_s).toBeGreaterThanOrEqual(0);
    expect(failover.measured!.takeover_s).toBeLessThanOrEqual(5);
    expect(failover.measured!.outage_s).toBeLessThanOrEqual(5);
    expect(find(v.json.checks, 'proxy1', 'health')!.measured!.removed_s).toBeLessThanOrEqual(8);
    // The terminal shows what failover measured on a pass.
    const text = await runCli(['verify', ...LAB]);
    expect(text.code, text.stdout).toBe(0);
    // Wrapped to the terminal's width: any run of spaces and newlines between words.
    expect(text.stdout).toMatch(/measured\s+proxy2\s+held\s+the\s+VIP\s+\d+\.\d\s+s\s+after\s+`systemctl\s+stop\s+keepalived`\s+began\s+on\s+proxy1/);
    // Afterwards the lab is as it was: proxy1 holds the VIP again, web2 is back in its table.
    expect(await sshOk(inv, 'proxy1', 'ip -o -4 addr show to 192.168.4.15/32 | wc -l')).toBe('1');
    expect(await sshOk(inv, 'proxy2', 'ip -o -4 addr show to 192.168.4.15/32 | wc -l')).toBe('0');
  });

  it('a second up changes nothing', async () => {
    const r = await runCli(['up', ...LAB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(r.stdout) as RecapJson).hosts)) expect(h.changed, `${host}: ${h.tasks.filter((t) => t.status !== 'ok').map((t) => t.task).join(', ')}`).toBe(0);
  });

  const breaks = [
    {
      name: 'VRRP dropped by a firewalld rule on proxy2 (split brain)',
      apply: async () => {
        await sshOk(inv, 'proxy2', `firewall-cmd --zone=trusted --add-rich-rule='rule protocol value="vrrp" drop'`);
        await until(inv, 'proxy2', '[ -n "$(ip -o -4 addr show to 192.168.4.15/32)" ]', 20);
      },
      failing: [
        { host: 'proxy2', id: 'state', why: /Split brain: proxy2 and proxy1 each hold 192\.168\.4\.15.*proxy2 has a rule that drops VRRP: "rule protocol value="vrrp" drop" \(firewalld zone trusted/ },
        { host: 'proxy1', id: 'state', why: /Split brain/ },
      ],
    },
    {
      name: "proxy2's keepalived.conf edited to priority 100, like proxy1's",
      apply: async () => {
        await sshOk(inv, 'proxy2', `sed -i 's/priority 50/priority 100/' /etc/keepalived/keepalived.conf && systemctl reload keepalived`);
      },
      failing: [{ host: 'proxy2', id: 'keepalived-conf', why: /keepalived runs what this file says, and it is not the lab's/, found: /"priority 100" where the spec renders "priority 50"/ }],
    },
    {
      name: 'keepalived stopped on both directors',
      apply: async () => {
        await sshOk(inv, 'proxy1', 'systemctl stop keepalived');
        await sshOk(inv, 'proxy2', 'systemctl stop keepalived');
      },
      failing: [
        { host: 'proxy1', id: 'keepalived', why: /keepalived is not running on proxy1, so it neither holds the VIP nor stands by/ },
        { host: 'proxy2', id: 'keepalived', why: /keepalived is not running on proxy2/ },
        { host: 'client', id: 'balancing', why: /./ },
      ],
    },
    {
      name: "proxy1's health checks pointed at port 8080 (every real server out of its table)",
      apply: async () => {
        await sshOk(inv, 'proxy1', `sed -i 's/^\\( *\\)connect_timeout/\\1connect_port 8080\\n\\1connect_timeout/' /etc/keepalived/keepalived.conf && systemctl reload keepalived`);
        await until(inv, 'proxy1', `! ipvsadm -Ln -t 192.168.4.15:80 | grep -q -- '->.*Route'`, 30);
      },
      failing: [
        { host: 'proxy1', id: 'ipvs', why: /the checks look in the wrong place: web1's check in \/etc\/keepalived\/keepalived\.conf asks HTTP_GET on port 8080 for \/, where the spec checks port 80/ },
        { host: 'proxy1', id: 'keepalived-conf', why: /not the lab's/ },
      ],
    },
  ];

  for (const b of breaks) {
    it(`${b.name}: verify exits 1 and explains it on the right host; its printed fixes repair it`, async () => {
      await b.apply();
      const v = await verify();
      expect(v.code, v.stdout).toBe(1);
      const failed = v.json.checks.filter((c) => c.status === 'fail');
      for (const f of b.failing) {
        const hit = find(failed, f.host, f.id);
        expect(hit, `failed: ${failedOf(v).join(', ')}`).toBeDefined();
        expect(hit!.why).toMatch(f.why);
        if ('found' in f && f.found) expect(hit!.found).toMatch(f.found);
      }
      // The active checks do not run on a broken lab: they would measure nothing.
      expect(find(v.json.checks, 'proxy1', 'failover')?.status).toBe('skip');
      const fixes = failed.filter((c) => (c.fix ?? []).length > 0);
      expect(fixes.length).toBeGreaterThan(0);
      for (const c of fixes) for (const cmd of c.fix!) await sshOk(inv, c.host, cmd);
      // Read-only: the repaired lab's failover and health are proven by the reboot case below, which runs them all.
      const again = await verify('--wait', '60s', '--read-only');
      expect(again.code, again.stdout).toBe(0);
      expect(find(again.json.checks, 'proxy1', 'failover')).toMatchObject({ status: 'skip', found: 'not run: --read-only (it changes the lab while it runs)' });
    });
  }

  it('after a reboot of every host (vm down, vm up --boot; disks kept) verify passes, failover included, without lab up', async () => {
    await rebootThenVerify(LAB);
  });

  it('down stops and disables keepalived and removes its config; the VIP and the table go with it; a second down changes nothing', async () => {
    const down = await runCli(['down', ...LAB]);
    expect(down.code, down.stderr).toBe(0);
    for (const d of ['proxy1', 'proxy2']) {
      expect(await sshOk(inv, d, 'systemctl is-active keepalived || true; systemctl is-enabled keepalived || true; [ -e /etc/keepalived/keepalived.conf ] && echo conf || echo no-conf')).toBe('inactive\ndisabled\nno-conf');
      expect(await sshOk(inv, d, 'ip -o -4 addr show to 192.168.4.15/32 | wc -l; ipvsadm -Sn | wc -l')).toBe('0\n0');
    }
    const twice = await runCli(['down', ...LAB, '--json']);
    expect(twice.code, twice.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(twice.stdout) as RecapJson).hosts)) expect(h.changed, host).toBe(0);
  });
});
