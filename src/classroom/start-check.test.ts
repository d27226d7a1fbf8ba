// The start-point check over facts: addresses assigned or absent, default route, and nothing of `lab up` left.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture } from '../../test/unit/recorded.js';
import type { Facts } from '../facts/types.js';
import { detectOs } from '../os/families.js';
import { playbookSchema } from '../playbook/schema.js';
import { startSchema, startOf, DEFAULT_START } from '../spec/start.js';
import { parseLab } from '../spec/load.js';
import { checkStart } from './start-check.js';

const lab = parseLab('labs/lvs-nat.yaml', fixture('../../labs/lvs-nat.yaml')).lab;
const playbook = playbookSchema.parse(parse(fixture('../../playbooks/lvs-nat.yaml')));
const osRelease = fixture('debian12/os-release');

function facts(over: Partial<Facts> = {}): Facts {
  return {
    osRelease,
    os: detectOs(osRelease),
    ssh: { clientIp: '10.0.2.2', serverIp: '10.0.2.15' },
    links: [
      { name: 'ens3', mac: '52:54:00:00:00:01', up: true, addrs: [{ ip: '10.0.2.15', prefix: 24 }] },
      { name: 'ens4', mac: '52:54:00:00:00:02', up: true, addrs: [{ ip: '192.168.2.100', prefix: 24 }] },
    ],
    routes: [
      { dst: 'default', gateway: '192.168.2.5', dev: 'ens4', metric: 100 },
      { dst: '192.168.2.0/24', dev: 'ens4' },
    ],
    nm: true,
    connections: [],
    packages: new Map([['apache2', true]]),
    services: new Map([['apache2', { loaded: true, active: false, enabled: false }]]),
    sysctl: new Map([['net.ipv4.ip_forward', '0']]),
    exists: new Map(),
    files: new Map([['/var/www/html/index.html', null]]),
    firewallZone: 'public',
    firewallBindings: new Map(),
    selinux: undefined,
    ipvs: { installed: false, save: '' },
    state: new Map(),
    ...over,
  };
}

const START = startSchema.parse({ description: 'addresses assigned, nothing else', addresses: 'assigned', sysctl: { 'net.ipv4.ip_forward': 0 } });
const bad = (f: Facts, host = 'web1', start = START) => checkStart(lab, playbook, host, f, start).filter((x) => !x.ok);

describe('start check', () => {
  it('passes a real server with its address and gateway and nothing else', () => {
    const all = checkStart(lab, playbook, 'web1', facts(), START);
    expect(all.map((f) => f.what)).toEqual([
      'address 192.168.2.100/24',
      'default route',
      'lab state /var/lib/lab/lvs-nat.state',
      'virtual services',
      'file /var/www/html/index.html',
      'service apache2',
      'sysctl net.ipv4.ip_forward',
    ]);
    expect(all.every((f) => f.ok)).toBe(true);
  });

  it('names what `lab up` left behind', () => {
    const left = facts({
      services: new Map([['apache2', { loaded: true, active: true, enabled: true }]]),
      files: new Map<string, { mode: string; content: Buffer } | null>([
        ['/var/www/html/index.html', { mode: '644', content: Buffer.from('192.168.2.100\n') }],
        ['/var/lib/lab/lvs-nat.state', { mode: '644', content: Buffer.from('service.apache2=disabled\n') }],
      ]),
      state: new Map([['service.apache2', 'disabled']]),
    });
    expect(bad(left).map((f) => `${f.what}: ${f.found}`)).toEqual(['lab state /var/lib/lab/lvs-nat.state: present (1 records)', 'file /var/www/html/index.html: present', 'service apache2: running']);
  });

  it('sees a director\'s leftover virtual service and forwarding', () => {
    const proxy = facts({
      links: [{ name: 'ens4', mac: 'x', up: true, addrs: [{ ip: '192.168.4.5', prefix: 24 }, { ip: '192.168.2.5', prefix: 24 }] }],
      routes: [],
      sysctl: new Map([['net.ipv4.ip_forward', '1']]),
      ipvs: { installed: true, save: '-A -t 192.168.4.5:80 -s wrr\n-a -t 192.168.4.5:80 -r 192.168.2.100:80 -m -w 1\n' },
    });
    expect(bad(proxy, 'proxy').map((f) => `${f.what}: expected ${f.expected}, found ${f.found}`)).toEqual([
      "virtual services: expected none of the lab's, found tcp 192.168.4.5:80",
      'sysctl net.ipv4.ip_forward: expected 0, found 1',
    ]);
  });

  it('addresses: assigned wants the address with the network\'s prefix and the gateway as the route in use', () => {
    const none = facts({ links: [facts().links[0]!], routes: [{ dst: 'default', gateway: '10.0.2.2', dev: 'ens3', metric: 100 }] });
    expect(bad(none).map((f) => `${f.what}: ${f.found}`)).toEqual(['address 192.168.2.100/24: not assigned', 'default route: via 10.0.2.2']);
    const twoDefaults = facts({ routes: [{ dst: 'default', gateway: '10.0.2.2', dev: 'ens3', metric: 50 }, ...facts().routes] });
    expect(bad(twoDefaults).map((f) => f.what)).toEqual(['default route']);
  });

  it('addresses: absent wants none of them; the default start checks only that nothing is left', () => {
    expect(bad(facts(), 'web1', { ...START, addresses: 'absent' }).map((f) => f.what)).toEqual(['address 192.168.2.100']);
    expect(checkStart(lab, playbook, 'web1', facts(), DEFAULT_START).map((f) => f.what)).not.toContain('address 192.168.2.100/24');
    expect(startOf({})).toEqual(DEFAULT_START);
    expect(startOf({ start: { addresses: 'assigned' } })).toEqual({ addresses: 'assigned' });
    // The seed lab declares the course's starting point: addresses assigned, forwarding off.
    expect(startOf(lab)).toMatchObject({ addresses: 'assigned', sysctl: { 'net.ipv4.ip_forward': '0' } });
  });
});
