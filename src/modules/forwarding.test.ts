// The forwarding module on DR and TUN real servers: the course's commands on a fresh host, nothing once converged,
// the ARP sysctls before the VIP appears, and down undoing it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Facts, Link, NmConnection } from '../facts/types.js';
import { detectOs } from '../os/families.js';
import { parseLab } from '../spec/load.js';
import { forwardingModule, forwardingSysctlFile, forwardingTask, tunnelNmContent, tunnelNmFile, tunnelUnitContent, tunnelUnitFile } from './forwarding.js';
import { sysctlContent } from './sysctl.js';
import type { HostContext } from './types.js';

const load = (name: string) => parseLab(`labs/${name}.yaml`, readFileSync(new URL(`../../labs/${name}.yaml`, import.meta.url), 'utf8')).lab;
const os = detectOs('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')!;

function facts(over: Partial<Facts>): Facts {
  return {
    osRelease: '',
    os,
    ssh: { clientIp: '10.0.2.2', serverIp: '10.0.2.15' },
    links: [],
    routes: [],
    nm: true,
    connections: [],
    packages: new Map(),
    services: new Map(),
    sysctl: new Map(),
    exists: new Map(),
    files: new Map(),
    firewallZone: undefined,
    firewallBindings: new Map(),
    selinux: undefined,
    ipvs: { installed: false, save: '' },
    state: new Map(),
    ...over,
  };
}

function ctxFor(lab: ReturnType<typeof load>, host: string, f: Facts): HostContext {
  return { lab, hostName: host, host: lab.hosts[host]!, target: { name: host, address: '127.0.0.1', port: 22, user: 'root' }, facts: f, os };
}

const cmds = (cs: { commands: string[] }[]) => cs.flatMap((c) => c.commands);
const link = (name: string, addrs: string[] = []): Link => ({ name, mac: '', up: true, addrs: addrs.map((a) => ({ ip: a.split('/')[0]!, prefix: Number(a.split('/')[1]) })) });
const profile = (name: string, addresses: string[], device: string): NmConnection => ({ uuid: `u-${name}`, name, type: 'dummy', interfaceName: name, mac: '', method: 'manual', addresses, gateway: '', neverDefault: false, autoconnect: true, zone: '', device });

describe('forwarding on a DR real server', () => {
  const lab = load('lvs-dr');
  const task = forwardingTask(lab, 'web1');

  it('fresh: the ARP sysctls, then the VIP /32 on a dummy profile, then the device\'s own sysctls and the file', () => {
    const plan = forwardingModule.plan(task, ctxFor(lab, 'web1', facts({ sysctl: new Map([['net.ipv4.conf.all.arp_ignore', '0'], ['net.ipv4.conf.all.arp_announce', '0']]) })));
    const c = cmds(plan);
    expect(c.slice(0, 5)).toEqual([
      'sysctl -w net.ipv4.conf.all.arp_ignore=1',
      'sysctl -w net.ipv4.conf.all.arp_announce=2',
      'nmcli connection add type dummy ifname lab-vip con-name lab-vip ipv4.method manual ipv4.addresses 192.168.4.15/32 ipv6.method ignore',
      'nmcli connection up lab-vip',
      'sysctl -w net.ipv4.conf.lab-vip.arp_ignore=1',
    ]);
    expect(c[6]).toContain('/etc/sysctl.d/zz-lab-lvs-dr-forwarding.conf');
    expect(plan.find((p) => p.title.startsWith('create lab-vip'))?.record).toEqual({ 'vip.created.lab-vip': 'lab-vip' });
  });

  it('converged: nothing to do', () => {
    const sys = new Map(Object.entries(task.needs.sysctls));
    const file = forwardingSysctlFile(lab);
    const f = facts({
      sysctl: sys,
      links: [link('lab-vip', ['192.168.4.15/32'])],
      connections: [profile('lab-vip', ['192.168.4.15/32'], 'lab-vip')],
      files: new Map([[file, { mode: '0644', content: Buffer.from(sysctlContent(task.needs.sysctls)) }]]),
    });
    expect(forwardingModule.plan(task, ctxFor(lab, 'web1', f))).toEqual([]);
  });

  it('down: the sysctls back as found, the profile it created deleted, its file removed', () => {
    const file = forwardingSysctlFile(lab);
    const f = facts({
      sysctl: new Map(Object.entries(task.needs.sysctls)),
      connections: [profile('lab-vip', ['192.168.4.15/32'], 'lab-vip')],
      files: new Map([[file, { mode: '0644', content: Buffer.from('x') }]]),
      state: new Map([['sysctl.net.ipv4.conf.all.arp_ignore', '0'], ['sysctl.net.ipv4.conf.lab-vip.arp_ignore', ''], ['vip.created.lab-vip', 'lab-vip']]),
    });
    expect(cmds(forwardingModule.down(task, ctxFor(lab, 'web1', f)))).toEqual(['sysctl -w net.ipv4.conf.all.arp_ignore=0', `rm -f ${file}`, 'nmcli connection delete lab-vip']);
  });

  it('the director and the client get nothing from it', () => {
    expect(forwardingModule.plan(forwardingTask(lab, 'proxy'), ctxFor(lab, 'proxy', facts({})))).toEqual([]);
  });
});

describe('forwarding on a TUN real server', () => {
  const lab = load('lvs-tun');
  const task = forwardingTask(lab, 'web1');

  it('fresh: ipip now and at boot, rp_filter and ARP sysctls, the VIP on tunl0 now and by a unit at boot', () => {
    const c = cmds(forwardingModule.plan(task, ctxFor(lab, 'web1', facts({}))));
    expect(c.slice(0, 2)).toEqual(['modprobe -a ipip', "printf '%s\\n' ipip > /etc/modules-load.d/lab-lvs-tun-forwarding.conf"]);
    expect(c).toContain('ip link set tunl0 up');
    expect(c).toContain('ip addr replace 192.168.4.15/32 dev tunl0');
    expect(c).toContain('sysctl -w net.ipv4.conf.tunl0.rp_filter=0');
    expect(c).toContain('systemctl enable lab-lvs-tun-tunl0');
    expect(c.indexOf('sysctl -w net.ipv4.conf.all.rp_filter=0')).toBeLessThan(c.indexOf('ip link set tunl0 up'));
    // NetworkManager is told to leave tunl0 alone (now and at boot) before the VIP goes on it.
    expect(c).toContain("cat > /etc/NetworkManager/conf.d/lab-lvs-tun-tunl0.conf <<'LAB_EOF'\n# lab: NetworkManager leaves tunl0 to lab-lvs-tun-tunl0.service (else it flushes the VIP at boot)\n[keyfile]\nunmanaged-devices+=interface-name:tunl0\nLAB_EOF");
    expect(c.indexOf('nmcli device set tunl0 managed no')).toBeLessThan(c.indexOf('ip link set tunl0 up'));
  });

  it('converged: nothing to do', () => {
    const dev = task.needs.vip!;
    const f = facts({
      sysctl: new Map(Object.entries(task.needs.sysctls)),
      exists: new Map([['/sys/module/ipip', true]]),
      links: [link('tunl0', ['192.168.4.15/32'])],
      services: new Map([['lab-lvs-tun-tunl0', { loaded: true, active: true, enabled: true }]]),
      files: new Map([
        [forwardingSysctlFile(lab), { mode: '0644', content: Buffer.from(sysctlContent(task.needs.sysctls)) }],
        ['/etc/modules-load.d/lab-lvs-tun-forwarding.conf', { mode: '0644', content: Buffer.from('ipip\n') }],
        [tunnelUnitFile(lab, dev), { mode: '0644', content: Buffer.from(tunnelUnitContent(dev, ['192.168.4.15'])) }],
        [tunnelNmFile(lab, dev), { mode: '0644', content: Buffer.from(tunnelNmContent(lab, dev)) }],
      ]),
    });
    expect(forwardingModule.plan(task, ctxFor(lab, 'web1', f))).toEqual([]);
    // Converged before NetworkManager was left out of it (the VIP is held now, but a boot would flush it): the conf.d
    // file and `managed no`, then the VIP again, since unmanaging may flush it.
    f.files.delete(tunnelNmFile(lab, dev));
    expect(cmds(forwardingModule.plan(task, ctxFor(lab, 'web1', f))).slice(1)).toEqual(['nmcli device set tunl0 managed no', 'ip link set tunl0 up', 'ip addr replace 192.168.4.15/32 dev tunl0']);
    // down gives tunl0 back to NetworkManager.
    f.files.set(tunnelNmFile(lab, dev), { mode: '0644', content: Buffer.from(tunnelNmContent(lab, dev)) });
    expect(cmds(forwardingModule.down!(task, ctxFor(lab, 'web1', f)))).toEqual(expect.arrayContaining(['rm -f /etc/NetworkManager/conf.d/lab-lvs-tun-tunl0.conf', 'nmcli device set tunl0 managed yes']));
  });
});
