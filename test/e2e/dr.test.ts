// The lvs-dr lab for real on four VMs: plan shows the course's DR commands, up converges, verify knows DR, a second
// up changes nothing, each DR break is diagnosed on the right host, a reboot keeps everything, down restores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { bootLab, e2eInstance, failedOf, rebootThenVerify, runCli, sshOk, stopLab, verifyJson } from './harness.js';

const INSTANCE = e2eInstance('e2e-dr');
const LAB = ['lvs-dr', '--instance', INSTANCE];

interface RecapJson {
  ok: boolean;
  hosts: Record<string, { changed: number; failed: number; tasks: { task: string; status: string; changes: { commands: string[] }[] }[] }>;
}

const verify = (...extra: string[]) => verifyJson(LAB, ...extra);


/** Eight separate curl processes from the client: eight new TCP connections to the VIP. */
async function answers(inv: Inventory): Promise<string[]> {
  const out = await sshOk(inv, 'client', 'for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 5 http://192.168.4.15/ || echo FAIL; done');
  return out.trim().split('\n');
}

describe('lvs-dr on four VMs', () => {
  let inv: Inventory;

  beforeAll(async () => {
    inv = await bootLab('lvs-dr', INSTANCE);
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it("plan on fresh VMs shows the course's DR commands: -g, the VIP beside the director's address, the VIP /32, the ARP sysctls", async () => {
    const r = await runCli(['plan', ...LAB]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ipvsadm -A -t 192.168.4.15:80 -s rr');
    expect(r.stdout).toContain('ipvsadm -a -t 192.168.4.15:80 -r 192.168.4.100:80 -w 1 -g');
    expect(r.stdout).toContain('ipvsadm -a -t 192.168.4.15:80 -r 192.168.4.200:80 -w 1 -g');
    expect(r.stdout).toContain("ipv4.addresses '192.168.4.5/24, 192.168.4.15/24'");
    expect(r.stdout).toContain('nmcli connection add type dummy ifname lab-vip con-name lab-vip ipv4.method manual ipv4.addresses 192.168.4.15/32');
    for (const s of ['net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2', 'net.ipv4.conf.lab-vip.arp_ignore=1', 'net.ipv4.conf.lab-vip.arp_announce=2'])
      expect(r.stdout).toContain(`sysctl -w ${s}`);
    expect(r.stdout).not.toMatch(/ip_forward|-m\b/);
  });

  it('up converges; 8 separate curls from the client alternate between web1 and web2; verify passes', async () => {
    const up = await runCli(['up', ...LAB]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const seq = await answers(inv);
    expect(new Set(seq)).toEqual(new Set(['192.168.4.100', '192.168.4.200']));
    for (let i = 1; i < seq.length; i++) expect(seq[i], seq.join(' ')).not.toBe(seq[i - 1]);
    const v = await verify();
    expect(v.code, v.stdout).toBe(0);
    const ids = v.json.checks.map((c) => `${c.host} ${c.id} ${c.status}`);
    for (const want of ['web1 vip pass', 'web2 vip pass', 'web1 sysctls pass', 'web1 sysctls-at-boot pass', 'client arp pass', 'proxy replies-bypass pass']) expect(ids).toContain(want);
    // Nothing in a DR lab's checks speaks of NAT.
    expect(v.stdout).not.toMatch(/\bNAT\b/);
  });

  it('a second up changes nothing', async () => {
    const r = await runCli(['up', ...LAB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const recap = JSON.parse(r.stdout) as RecapJson;
    for (const [host, h] of Object.entries(recap.hosts)) expect(h.changed, `${host}: ${h.tasks.filter((t) => t.status !== 'ok').map((t) => t.task).join(', ')}`).toBe(0);
  });

  const breaks = [
    {
      name: 'web1 answers ARP for the VIP (arp_ignore 0)',
      host: 'web1',
      command: 'sysctl -w net.ipv4.conf.all.arp_ignore=0',
      failing: [
        { host: 'web1', id: 'sysctls', why: /arp_ignore below 1, web1 answers ARP requests/ },
        { host: 'client', id: 'arp', why: /web1 also answers ARP for the VIP 192\.168\.4\.15/ },
      ],
    },
    { name: 'the VIP missing on web2', host: 'web2', command: 'nmcli connection down lab-vip', failing: [{ host: 'web2', id: 'vip', why: /web2 does not hold 192\.168\.4\.15, so it drops the requests proxy sends it/ }] },
    {
      name: "web1's rule changed from -g to -m",
      host: 'proxy',
      command: 'ipvsadm -e -t 192.168.4.15:80 -r 192.168.4.100:80 -m -w 1',
      failing: [{ host: 'proxy', id: 'ipvs', why: /web1 \(192\.168\.4\.100\) is reached with -m \(masquerading\) instead of -g \(direct routing\)/ }],
    },
  ];

  for (const b of breaks) {
    it(`${b.name}: verify exits 1 and explains it on the right host; its printed fix repairs it`, async () => {
      await sshOk(inv, b.host, b.command);
      const v = await verify();
      expect(v.code, v.stdout).toBe(1);
      const failed = v.json.checks.filter((c) => c.status === 'fail');
      for (const f of b.failing) {
        const hit = failed.find((c) => c.host === f.host && c.id === f.id);
        expect(hit, `failed: ${failedOf(v).join(', ')}`).toBeDefined();
        expect(hit!.why).toMatch(f.why);
      }
      expect(v.stdout).not.toMatch(/\bNAT\b/);
      const fixes = failed.filter((c) => (c.fix ?? []).length > 0);
      expect(fixes.length).toBeGreaterThan(0);
      for (const c of fixes) for (const cmd of c.fix!) await sshOk(inv, c.host, cmd);
      const again = await verify('--wait', '60s');
      expect(again.code, again.stdout).toBe(0);
    });
  }

  it('after a reboot (vm down, vm up --boot; disks kept) verify passes without lab up', async () => {
    await rebootThenVerify(LAB);
  });

  it('down restores what up found; a second down changes nothing', async () => {
    const down = await runCli(['down', ...LAB]);
    expect(down.code, down.stderr).toBe(0);
    expect(await sshOk(inv, 'web1', 'sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce; nmcli -t -f NAME connection show | grep -cx lab-vip || true')).toBe('0\n0\n0');
    expect(await sshOk(inv, 'proxy', 'ip -4 -o addr show | grep -c 192.168.4.15 || true')).toBe('0');
    expect(await sshOk(inv, 'proxy', 'ipvsadm -Sn | wc -l')).toBe('0');
    const twice = await runCli(['down', ...LAB, '--json']);
    expect(twice.code, twice.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(twice.stdout) as RecapJson).hosts)) expect(h.changed, host).toBe(0);
  });
});
