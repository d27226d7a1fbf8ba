// Plans rendered for RHEL-family hosts from recorded real outputs: the course's commands, per OS, and nothing when converged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factOutput, fixture, nmList } from '../../test/unit/recorded.js';
import { parseFacts } from '../facts/parse.js';
import type { HostTarget } from '../inventory/types.js';
import { parseLab } from '../spec/load.js';
import type { Playbook } from '../playbook/schema.js';
import { playbookSchema } from '../playbook/schema.js';
import { parse } from 'yaml';
import { planHost } from './plan.js';
import type { HostResult } from './types.js';
import { formatPlan } from '../report/converge.js';
import { styler } from '../report/style.js';

const lab = parseLab('labs/lvs-nat.yaml', fixture('../../labs/lvs-nat.yaml')).lab;
const playbook: Playbook = playbookSchema.parse(parse(fixture('../../playbooks/lvs-nat.yaml')));

/** Composed following the recorded eth1 detail: the DHCP management profile the list view shows as active on eth0. */
const ETH0_DHCP = (name: string, uuid: string) =>
  [`connection.id:${name}`, `connection.uuid:${uuid}`, 'connection.type:802-3-ethernet', 'connection.interface-name:eth0', '802-3-ethernet.mac-address:', 'ipv4.method:auto', 'ipv4.addresses:', 'ipv4.gateway:', 'ipv4.never-default:no'].join('\n');

function rhelFacts(os: 'rocky9' | 'centos7', extra: Record<string, string> = {}, files: Record<string, [string, string]> = {}) {
  const list = fixture(`${os}/nmcli-con.txt`);
  const eth0 = list.split('\n')[0]!.split(':');
  const detail = fixture(`${os}/nmcli-con-detail.txt`).replace('connection.uuid:', 'connection.type:802-3-ethernet\nconnection.uuid:');
  const text = os === 'centos7';
  const out = factOutput(
    {
      ssh: '192.168.121.1 50022 192.168.121.45 22',
      os: fixture(`${os}/os-release`),
      addr: text ? fixture('centos7/ip-addr.txt') : fixture(`${os}/ip-addr.json`),
      route: text ? fixture('centos7/ip-route.txt') : fixture(`${os}/ip-route.json`),
      nmlist: nmList(list),
      [`nmconn ${eth0[1]}`]: ETH0_DHCP(eth0[0]!, eth0[1]!),
      [`nmconn x`]: detail,
      pkg: `rpm\n${fixture(`${os}/rpm-q.txt`)}`,
      // `systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState` for an installed, never started httpd.
      svc: 'Id=httpd.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n\nId=firewalld.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled',
      sysctl: 'net.ipv4.ip_forward = 0',
      fwzone: fixture(`${os}/firewall-default-zone.txt`),
      selinux: fixture(`${os}/getenforce.txt`),
      ...extra,
    },
    { '/etc/selinux/config': ['644', fixture(`${os}/selinux-config`)], ...files },
  );
  return parseFacts(out, { packages: ['httpd', 'apache2', 'ipvsadm'], stateFile: '/var/lib/lab/lvs-nat.state' });
}

const target = (name: string, device: string): HostTarget => ({ name, address: '192.0.2.1', port: 22, user: 'root', interfaces: { [name === 'proxy' ? 'public' : 'private']: { device } } });

function commands(plans: ReturnType<typeof planHost>): string[] {
  return plans.flatMap((p) => p.changes.flatMap((c) => c.commands));
}

describe('plan on Rocky 9 (recorded outputs)', () => {
  it('gives a real server the course steps with dnf, httpd and nmcli', () => {
    const facts = rhelFacts('rocky9');
    expect(facts.os?.family).toBe('rhel');
    const cmds = commands(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts));
    expect(cmds).toEqual([
      "printf '%s\\n' 192.168.2.100 > /var/www/html/index.html",
      'chmod 0644 /var/www/html/index.html',
      'systemctl enable --now httpd',
      'firewall-cmd --set-default-zone=trusted',
      'setenforce 0',
      "sed -i 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config",
      // The recorded eth1 profile has never-default yes, which would keep the lab's gateway off the routing table.
      'nmcli connection modify eth1 ipv4.method manual ipv4.addresses 192.168.2.100/24 ipv4.gateway 192.168.2.5 ipv4.never-default no',
      'nmcli connection up eth1 ifname eth1',
      'nmcli connection modify eth0 ipv4.never-default yes',
      'nmcli device reapply eth0',
    ]);
  });

  it('guards enable/start of a service whose package this run installs', () => {
    const facts = rhelFacts('rocky9', { svc: '' });
    const cmds = commands(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts));
    expect(cmds).toContain('systemctl is-enabled -q httpd || systemctl enable httpd');
    expect(cmds).toContain('systemctl is-active -q httpd || systemctl start httpd');
  });

  it('gives the director ipvsadm rules, ip_forward, and boot persistence in /etc/sysconfig/ipvsadm', () => {
    const facts = rhelFacts('rocky9');
    const t: HostTarget = { ...target('proxy', 'eth1'), interfaces: { public: { device: 'eth1' }, private: { device: 'eth1' } } };
    // The recorded director has only one lab NIC; give private its own device name to see the whole plan.
    facts.links.push({ name: 'eth2', mac: '52:54:00:00:00:02', up: true, addrs: [] });
    t.interfaces!.private = { device: 'eth2' };
    const cmds = commands(planHost('up', lab, playbook, 'proxy', t, facts));
    expect(cmds[0]).toBe('dnf -y install ipvsadm');
    expect(cmds).toContain('sysctl -w net.ipv4.ip_forward=1');
    expect(cmds).toContain('ipvsadm -A -t 192.168.4.5:80 -s wrr');
    expect(cmds).toContain('ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m');
    expect(cmds).toContain('ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.200:80 -w 1 -m');
    expect(cmds.some((c) => c.includes('> /etc/sysconfig/ipvsadm'))).toBe(true);
    expect(cmds).toContain('systemctl enable ipvsadm');
    expect(cmds.some((c) => /ipvsadm -C/.test(c))).toBe(false);
    // The director has no lab gateway: its management NIC keeps its default route.
    expect(cmds.some((c) => c.includes('never-default'))).toBe(false);
  });
});

describe('a real server that also holds an address on the client network (the course: "如果有4网段IP地址，需要临时关闭")', () => {
  // The recorded host's eth1 holds 192.168.4.5 on the public network; as web1 its lab network is private, on eth2.
  const web1 = (facts: ReturnType<typeof rhelFacts>): HostTarget => {
    facts.links.push({ name: 'eth2', mac: '52:54:00:00:00:02', up: true, addrs: [] });
    return target('web1', 'eth2');
  };
  const eth1 = (facts: ReturnType<typeof rhelFacts>) => facts.connections.find((c) => c.device === 'eth1')!;

  it('takes that profile down, now and at boot, and gives it no never-default', () => {
    const facts = rhelFacts('rocky9');
    const plans = planHost('up', lab, playbook, 'web1', web1(facts), facts);
    const conn = plans.find((p) => p.label === 'connection')!;
    const down = conn.changes.find((c) => c.commands.includes('nmcli connection down eth1'))!;
    expect(down.title).toBe('eth1 on eth1: down, and not at boot (it holds 192.168.4.5, 192.168.4.15 on the lab\'s public network, so replies to clients there would bypass the gateway 192.168.2.5)');
    expect(down.commands).toEqual(['nmcli connection modify eth1 connection.autoconnect no', 'nmcli connection down eth1']);
    expect(down.record).toEqual({ [`conn.${eth1(facts).uuid}.down`]: 'yes' });
    expect(commands(plans).filter((c) => c.includes('never-default'))).toEqual(['nmcli connection modify eth0 ipv4.never-default yes']);
  });

  it('only downs a profile that does not autoconnect', () => {
    const facts = rhelFacts('rocky9');
    eth1(facts).autoconnect = false;
    const conn = planHost('up', lab, playbook, 'web1', web1(facts), facts).find((p) => p.label === 'connection')!;
    expect(conn.changes.find((c) => c.commands.includes('nmcli connection down eth1'))!.commands).toEqual(['nmcli connection down eth1']);
  });

  it('refuses when that interface carries the SSH session', () => {
    const facts = rhelFacts('rocky9', { ssh: '192.168.4.10 50022 192.168.4.5 22' });
    expect(() => planHost('up', lab, playbook, 'web1', web1(facts), facts)).toThrow(/eth1 carries this SSH session \(from 192.168.4.10\) and it holds 192.168.4.5, 192.168.4.15 on the lab's public network/);
  });

  it('leaves the director, which is on both networks, alone', () => {
    const facts = rhelFacts('rocky9');
    facts.links.push({ name: 'eth2', mac: '52:54:00:00:00:02', up: true, addrs: [] });
    const t: HostTarget = { ...target('proxy', 'eth1'), interfaces: { public: { device: 'eth1' }, private: { device: 'eth2' } } };
    expect(commands(planHost('up', lab, playbook, 'proxy', t, facts)).some((c) => c.includes('connection down'))).toBe(false);
  });

  it('down brings it back as it was found: up, and autoconnect on again', () => {
    const facts = rhelFacts('rocky9');
    const c = eth1(facts);
    c.device = '';
    c.autoconnect = false;
    facts.state.set(`conn.${c.uuid}.down`, 'yes');
    const conn = planHost('down', lab, playbook, 'web1', web1(facts), facts).find((p) => p.label === 'connection')!;
    expect(conn.changes.flatMap((x) => x.commands)).toEqual([`nmcli connection modify ${c.uuid} connection.autoconnect yes`, `nmcli connection up ${c.uuid}`]);
    c.device = 'eth1';
    c.autoconnect = true;
    expect(planHost('down', lab, playbook, 'web1', web1(facts), facts).find((p) => p.label === 'connection')!.changes).toEqual([]);
  });
});

describe('plan on CentOS 7 (recorded outputs, iproute2 without -j)', () => {
  it('uses yum and finds interfaces from the text output of ip addr', () => {
    const facts = rhelFacts('centos7');
    expect(facts.links.map((l) => l.name)).toEqual(['lo', 'eth0', 'eth1']);
    expect(facts.links[2]).toEqual({ name: 'eth1', mac: '52:54:00:5e:1a:07', up: true, addrs: [{ ip: '192.168.4.5', prefix: 24 }] });
    facts.links.push({ name: 'eth2', mac: '52:54:00:00:00:02', up: true, addrs: [] });
    const plans = planHost('up', lab, playbook, 'proxy', { ...target('proxy', 'eth1'), interfaces: { public: { mac: '52:54:00:5E:1A:07' }, private: { device: 'eth2' } } }, facts);
    expect(commands(plans)[0]).toBe('yum -y install ipvsadm');
  });

  it('refuses to re-address the interface that carries the SSH session', () => {
    const facts = rhelFacts('centos7');
    expect(() => planHost('up', lab, playbook, 'web1', target('web1', 'eth0'), facts)).toThrow(/eth0 carries this SSH session \(from 192.168.121.1\)/);
  });
});

describe('a lab interface whose profile binds it to another firewalld zone (an installer\'s ZONE=public)', () => {
  /** The recorded eth1 profile, with the zone line nmcli -t prints for a bound profile. */
  const bound = (zone: string) => rhelFacts('rocky9', { 'nmconn x': `${fixture('rocky9/nmcli-con-detail.txt').replace('connection.uuid:', 'connection.type:802-3-ethernet\nconnection.uuid:')}\nconnection.zone:${zone}` });
  const firewall = (plans: ReturnType<typeof planHost>) => plans.find((p) => p.label === 'firewall zone trusted')!;

  it('moves the profile back to the default zone, which set-default-zone alone would not reach, and records the zone', () => {
    const facts = bound('public');
    const eth1 = facts.connections.find((c) => c.device === 'eth1')!;
    expect(eth1.zone).toBe('public');
    const fw = firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts));
    expect(fw.changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --set-default-zone=trusted', "nmcli connection modify eth1 connection.zone ''"]);
    expect(fw.changes[1]!.title).toBe('eth1 on eth1: in the default zone (its profile binds it to zone public, which the default zone does not override)');
    expect(fw.changes[1]!.record).toEqual({ [`conn.${eth1.uuid}.zone`]: 'public' });
  });

  it('leaves alone a profile bound to the wanted zone, an unbound one, and a non-lab interface bound elsewhere', () => {
    expect(firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), bound('trusted'))).changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --set-default-zone=trusted']);
    expect(firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), bound(''))).changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --set-default-zone=trusted']);
    // eth1 is not web1's lab interface here: eth2 is.
    const facts = bound('public');
    facts.links.push({ name: 'eth2', mac: '52:54:00:00:00:02', up: true, addrs: [] });
    expect(firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth2'), facts)).changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --set-default-zone=trusted']);
  });

  it('does nothing where firewalld does not run', () => {
    const facts = bound('public');
    facts.firewallZone = undefined;
    expect(firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts)).changes).toEqual([]);
  });

  it('down binds it to the recorded zone again, once', () => {
    const facts = bound('');
    const eth1 = facts.connections.find((c) => c.device === 'eth1')!;
    facts.state.set(`conn.${eth1.uuid}.zone`, 'public');
    expect(firewall(planHost('down', lab, playbook, 'web1', target('web1', 'eth1'), facts)).changes.flatMap((c) => c.commands)).toEqual([`nmcli connection modify ${eth1.uuid} connection.zone public`]);
    eth1.zone = 'public';
    expect(firewall(planHost('down', lab, playbook, 'web1', target('web1', 'eth1'), facts)).changes).toEqual([]);
  });
});

describe('a lab interface firewalld holds in another zone at runtime only (set-default-zone left it behind)', () => {
  // Recorded on web1 after `lab reset`, a reboot and `lab up`: busctl's default zone, then its active zones (ens3 left in public).
  const recorded = `${fixture('debian12/busctl-fw-default-zone.txt')}${fixture('debian12/busctl-fw-active-zones.txt')}`;
  const firewall = (plans: ReturnType<typeof planHost>) => plans.find((p) => p.label === 'firewall zone trusted')!;
  const renamed = (text: string) => text.replace(/"ens3"/, '"eth1"');

  it('reads the runtime bindings from busctl and from firewall-cmd alike', () => {
    expect([...parseFacts(factOutput({ fwzone: recorded }), { packages: [] }).firewallBindings]).toEqual([['ens3', 'public'], ['ens2', 'trusted']]);
    const text = `trusted\n${fixture('debian12/firewall-cmd-active-zones.txt')}`;
    const f = parseFacts(factOutput({ fwzone: text }), { packages: [] });
    expect(f.firewallZone).toBe('trusted');
    expect([...f.firewallBindings]).toEqual([['ens3', 'public'], ['ens2', 'trusted']]);
  });

  it('takes the lab interface out of the stray zone, so the default zone filters it; nothing for a non-lab interface', () => {
    const facts = rhelFacts('rocky9', { fwzone: renamed(recorded) });
    expect(facts.firewallZone).toBe('trusted');
    const fw = firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts));
    expect(fw.changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --zone=public --remove-interface=eth1 || ! firewall-cmd -q --zone=public --query-interface=eth1']);
    expect(fw.changes[0]!.title).toBe('eth1: out of zone public, so that the default zone trusted filters it (firewalld bound it to public at runtime)');
    // The recorded ens2 binding (trusted) and any binding of a non-lab link are left alone.
    expect(firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), rhelFacts('rocky9', { fwzone: recorded }))).changes).toEqual([]);
  });

  it('with the default zone still to change, removes the binding before set-default-zone (which may move the interface)', () => {
    const facts = rhelFacts('rocky9', { fwzone: renamed(recorded).replace('s "trusted"', 's "public"') });
    const fw = firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts));
    expect(fw.changes.flatMap((c) => c.commands)).toEqual(['firewall-cmd --zone=public --remove-interface=eth1 || ! firewall-cmd -q --zone=public --query-interface=eth1', 'firewall-cmd --set-default-zone=trusted']);
  });

  // The facts are minutes old when the task runs: a lab NIC that NetworkManager gave up on (DHCP) has left the zone.
  // Run under /bin/sh with a firewall-cmd that answers as firewalld 1.3 does (UNKNOWN_INTERFACE is exit 17).
  it.each([
    ['still bound: removed', 'public', 0, ['remove', 'done']],
    ['no longer in the zone (NetworkManager deactivated it): the goal is met', '', 0, ['remove', 'query']],
    ['still bound and the removal failed: the task fails', 'public-stuck', 1, ['remove', 'query']],
  ] as const)('the removal is judged by where the interface is when it runs: %s', (_name, zoneNow, code, calls) => {
    const facts = rhelFacts('rocky9', { fwzone: renamed(recorded) });
    const cmd = firewall(planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts)).changes[0]!.commands[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'lab-fw-'));
    try {
      const log = join(dir, 'log');
      writeFileSync(
        join(dir, 'firewall-cmd'),
        [
          '#!/bin/sh',
          `now=${zoneNow}`,
          'case "$*" in',
          `  *--remove-interface=eth1) echo remove >> ${log}; [ "$now" = public ] && { echo done >> ${log}; exit 0; }; [ -z "$now" ] && { echo "Error: UNKNOWN_INTERFACE: 'eth1' is not in any zone" >&2; exit 17; }; exit 13 ;;`,
          `  *--query-interface=eth1) echo query >> ${log}; [ -n "$now" ] ;;`,
          '  *) exit 2 ;;',
          'esac',
        ].join('\n'),
        { mode: 0o755 },
      );
      const r = spawnSync('/bin/sh', ['-c', cmd], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' });
      expect(r.status).toBe(code);
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(calls);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the script of a task', () => {
  it('ends with sync: a task reported changed is on disk, even if the VM is powered off right after', async () => {
    const { taskScript } = await import('./plan.js');
    const script = taskScript(lab, [{ title: 'x', commands: ["printf '%s\\n' x > /etc/x"], record: { 'x.was': '' } }]).split('\n');
    expect(script[0]).toBe('set -e');
    expect(script.at(-2)).toBe("printf '%s\\n' x > /etc/x");
    expect(script.at(-1)).toBe('sync');
  });
});

describe('plan --diff (Rocky 9, recorded outputs)', () => {
  const facts = rhelFacts('rocky9');
  const tasks = planHost('up', lab, playbook, 'web1', target('web1', 'eth1'), facts);
  const host: HostResult = { host: 'web1', os: 'Rocky Linux 9', ms: 0, unreachable: false, tasks: tasks.map((t) => ({ ...t, status: 'pending' as const })) };

  it('shows a new file from /dev/null, values as old → new, each under its change and above its commands', () => {
    const text = formatPlan([host], styler(false), { diff: true });
    const block = (title: string) => text.slice(text.indexOf(title)).split('\n  ~ ')[0]!;
    expect(block('create /var/www/html/index.html')).toBe(
      [
        'create /var/www/html/index.html',
        '    --- /dev/null',
        '    +++ /var/www/html/index.html',
        '    @@ -0,0 +1,1 @@',
        '    +192.168.2.100',
        "      printf '%s\\n' 192.168.2.100 > /var/www/html/index.html",
      ].join('\n'),
    );
    expect(block('default zone trusted')).toContain('\n    firewalld default zone: public → trusted\n      firewall-cmd --set-default-zone=trusted');
    expect(block('permissive now')).toContain('\n    SELinux mode (getenforce): Enforcing → Permissive\n      setenforce 0');
    expect(block('eth1 on eth1')).toContain(
      ['    eth1 ipv4.addresses: 192.168.4.5/24, 192.168.4.15/24 → 192.168.2.100/24', '    eth1 ipv4.gateway: (none) → 192.168.2.5', '    eth1 ipv4.never-default: yes → no'].join('\n'),
    );
    expect(block('never the default route')).toContain('\n    eth0 ipv4.never-default: no → yes\n');
  });

  it('without --diff the plan is as before: titles and commands only', () => {
    const plain = formatPlan([host], styler(false));
    expect(plain).not.toContain('→');
    expect(plain).not.toContain('+++');
    // --diff only inserts lines: the plain plan is the diff plan with each change's diff lines taken out.
    const withDiff = formatPlan([host], styler(false), { diff: true }).split('\n');
    const diffs = host.tasks.flatMap((t) => t.changes).flatMap((c) => (c.diff ? c.diff.split('\n').map((l) => `    ${l}`) : []));
    expect(diffs.length).toBeGreaterThan(10);
    const left = [...withDiff];
    for (const d of diffs) left.splice(left.indexOf(d), 1);
    expect(left.join('\n')).toBe(plain);
  });

  it("the SELinux config diff is what the plan's own sed does to the recorded file", () => {
    const change = tasks.flatMap((t) => t.changes).find((c) => c.title.startsWith('permissive at boot'))!;
    const dir = mkdtempSync(join(tmpdir(), 'lab-selinux-'));
    try {
      const file = join(dir, 'config');
      const before = fixture('rocky9/selinux-config');
      writeFileSync(file, before);
      expect(spawnSync('/bin/sh', ['-c', change.commands[0]!.replace('/etc/selinux/config', file)]).status).toBe(0);
      const after = readFileSync(file, 'utf8');
      const removed = change.diff!.split('\n').filter((l) => /^-[^-]/.test(l)).map((l) => l.slice(1));
      const added = change.diff!.split('\n').filter((l) => /^\+[^+]/.test(l)).map((l) => l.slice(1));
      expect(removed).toEqual(before.split('\n').filter((l) => !after.split('\n').includes(l)));
      expect(added).toEqual(after.split('\n').filter((l) => !before.split('\n').includes(l)));
      expect(added).toEqual(['SELINUX=permissive']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
