// The lvs-tun lab for real on five VMs: the director wraps each request in IP-in-IP to real servers on another
// network behind a router; they hold the VIP on tunl0 and reply to the client straight through the router. Plan shows
// the course's TUN commands, up converges, a second up changes nothing, each TUN break is diagnosed on the right host,
// a reboot keeps everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { bootLab, e2eInstance, failedOf, rebootThenVerify, runCli, sshOk, stopLab, verifyJson } from './harness.js';

const INSTANCE = e2eInstance('e2e-tun');
const LAB = ['lvs-tun', '--instance', INSTANCE];

interface RecapJson {
  hosts: Record<string, { changed: number; tasks: { task: string; status: string }[] }>;
}

const verify = (...extra: string[]) => verifyJson(LAB, ...extra);


/** What up changes and down must put back, per host, read the same way before up and after down. */
const STATE: Record<string, string> = {
  web1: "sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce; ip -o -4 addr show | grep -c '192\\.168\\.4\\.15/' || true; ls /etc/systemd/system | grep -c '^lab-' || true",
  router: 'sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.rp_filter; systemctl is-active firewalld || true; systemctl is-enabled firewalld || true',
  proxy: "ipvsadm -Sn | wc -l; ip -o -4 addr show | grep -c '192\\.168\\.4\\.15/' || true",
};

async function state(inv: Inventory): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(Object.entries(STATE).map(async ([h, cmd]) => [h, (await sshOk(inv, h, cmd)).trim()] as const)));
}

describe('lvs-tun on five VMs', () => {
  let inv: Inventory;
  let before: Record<string, string>;

  beforeAll(async () => {
    inv = await bootLab('lvs-tun', INSTANCE);
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it("plan on fresh VMs shows the course's TUN commands: -i, ipip, the VIP on tunl0, rp_filter relaxed", async () => {
    before = await state(inv);
    const r = await runCli(['plan', ...LAB]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ipvsadm -A -t 192.168.4.15:80 -s rr');
    expect(r.stdout).toContain('ipvsadm -a -t 192.168.4.15:80 -r 192.168.2.100:80 -w 1 -i');
    expect(r.stdout).toContain('modprobe -a ipip');
    expect(r.stdout).toContain('ip addr replace 192.168.4.15/32 dev tunl0');
    expect(r.stdout).toContain('nmcli device set tunl0 managed no');
    // Debian's all.rp_filter is 0 already (the kernel takes the max of all and the device): only tunl0's is set.
    expect(r.stdout).toContain('sysctl -w net.ipv4.conf.tunl0.rp_filter=0');
    expect(before.web1!.split('\n')[0]).toBe('0');
  });

  it('up converges; 8 separate curls from the client reach both real servers; verify passes and the replies bypass the director', async () => {
    const up = await runCli(['up', ...LAB]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const out = await sshOk(inv, 'client', 'for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 5 http://192.168.4.15/ || echo FAIL; done');
    expect(new Set(out.trim().split('\n'))).toEqual(new Set(['192.168.2.100', '192.168.2.200']));
    const v = await verify('--wait', '30s');
    expect(v.code, v.stdout).toBe(0);
    const ids = v.json.checks.map((c) => `${c.host} ${c.id} ${c.status}`);
    for (const want of ['web1 vip pass', 'web2 vip pass', 'web1 sysctls pass', 'web1 sysctls-at-boot pass', 'proxy replies-bypass pass', 'proxy reaches-web1 pass']) expect(ids).toContain(want);
    expect(v.stdout).not.toMatch(/\bNAT\b/);
  });

  it('a second up changes nothing', async () => {
    const r = await runCli(['up', ...LAB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(r.stdout) as RecapJson).hosts)) expect(h.changed, `${host}: ${h.tasks.filter((t) => t.status !== 'ok').map((t) => t.task).join(', ')}`).toBe(0);
  });

  const breaks = [
    { name: 'the tunnel device down on web1', host: 'web1', command: 'ip link set tunl0 down', failing: [{ host: 'web1', id: 'vip' }] },
    { name: 'the VIP gone from tunl0 on web2', host: 'web2', command: 'ip addr del 192.168.4.15/32 dev tunl0', failing: [{ host: 'web2', id: 'vip' }] },
    { name: 'strict reverse-path filtering on web1 drops the unwrapped packets', host: 'web1', command: 'sysctl -w net.ipv4.conf.tunl0.rp_filter=1', failing: [{ host: 'web1', id: 'sysctls' }] },
    { name: "web2's rule changed from -i to -m", host: 'proxy', command: 'ipvsadm -e -t 192.168.4.15:80 -r 192.168.2.200:80 -m -w 1', failing: [{ host: 'proxy', id: 'ipvs' }] },
  ];

  for (const b of breaks) {
    it(`${b.name}: verify exits 1 and explains it on the right host; its printed fix repairs it; broken again, lab up alone repairs it`, async () => {
      await sshOk(inv, b.host, b.command);
      const v = await verify();
      expect(v.code, v.stdout).toBe(1);
      const failed = v.json.checks.filter((c) => c.status === 'fail');
      for (const f of b.failing) {
        const hit = failed.find((c) => c.host === f.host && c.id === f.id);
        expect(hit, `failed: ${failedOf(v).join(', ')}`).toBeDefined();
        expect(hit!.fix?.length, hit!.why).toBeGreaterThan(0);
      }
      expect(v.stdout).not.toMatch(/\bNAT\b/);
      for (const c of failed) for (const cmd of c.fix ?? []) await sshOk(inv, c.host, cmd);
      expect((await verify('--wait', '60s')).code).toBe(0);
      await sshOk(inv, b.host, b.command);
      // -vv: each command of the repair as it starts, under its task, on the host that needed it.
      const up = await runCli(['up', ...LAB, '-vv']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(new RegExp(`^${b.host}: run {5}\\S.*\\n${b.host}: {3}\\$ \\S`, 'm'));
      const again = await verify('--wait', '60s');
      expect(again.code, again.stdout).toBe(0);
    });
  }

  it('after a reboot (vm down, vm up --boot; disks kept) verify passes without lab up', async () => {
    await rebootThenVerify(LAB);
  });

  it('down restores what up found; a second down changes nothing', async () => {
    const down = await runCli(['down', ...LAB]);
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    expect(await state(inv)).toEqual(before);
    const twice = await runCli(['down', ...LAB, '--json']);
    expect(twice.code, twice.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(twice.stdout) as RecapJson).hosts)) expect(h.changed, host).toBe(0);
  });
});
