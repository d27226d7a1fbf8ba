// The connection module against runtime drift, on facts recorded from a converged lvs-nat lab (test/fixtures/up/converged).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture } from '../../test/unit/recorded.js';
import { parseFacts } from '../facts/parse.js';
import type { Facts } from '../facts/types.js';
import type { HostTarget } from '../inventory/types.js';
import { playbookSchema, type Playbook } from '../playbook/schema.js';
import { factQuery } from '../run/facts.js';
import { planHost } from '../run/plan.js';
import { parseLab } from '../spec/load.js';
import { judgeDefaultRoutes } from '../verify/realservers.js';

const lab = parseLab('labs/lvs-nat.yaml', fixture('../../labs/lvs-nat.yaml')).lab;
const playbook: Playbook = playbookSchema.parse(parse(fixture('../../playbooks/lvs-nat.yaml')));

function facts(host: string): Facts {
  return parseFacts(fixture(`up/converged/${host}.facts.txt`), factQuery(lab, playbook, host));
}

const target = (name: string, interfaces: HostTarget['interfaces']): HostTarget => ({ name, address: '127.0.0.1', port: 22, user: 'root', interfaces });
const WEB1 = target('web1', { private: { device: 'ens3' } });
const PROXY = target('proxy', { public: { device: 'ens3' }, private: { device: 'ens4' } });

function connection(host: string, t: HostTarget, f: Facts) {
  return planHost('up', lab, playbook, host, t, f).find((p) => p.label === 'connection')!.changes;
}

describe('connection: the runtime state as well as the profile', () => {
  it('a converged host (recorded) has nothing to change', () => {
    expect(connection('web1', WEB1, facts('web1'))).toEqual([]);
    expect(connection('proxy', PROXY, facts('proxy'))).toEqual([]);
  });

  it('an address added with ip addr add: the device goes back to its profile', () => {
    const f = facts('web1');
    f.links.find((l) => l.name === 'ens3')!.addrs.push({ ip: '192.168.2.150', prefix: 24 });
    const [c, ...rest] = connection('web1', WEB1, f);
    expect(rest).toEqual([]);
    expect(c!.title).toBe('ens3 back to its profile Wired connection 2 at runtime (192.168.2.150/24 not in the profile)');
    expect(c!.commands).toEqual(['nmcli device reapply ens3']);
  });

  it('a stray default route on the lab link, and the gateway route deleted: both back by reapply', () => {
    const f = facts('web1');
    f.routes.unshift({ dst: 'default', gateway: '192.168.2.1', dev: 'ens3', metric: 50 });
    expect(connection('web1', WEB1, f).map((c) => c.title)).toEqual(['ens3 back to its profile Wired connection 2 at runtime (default via 192.168.2.1 dev ens3 metric 50 not in the profile)']);
    const g = facts('web1');
    g.routes = g.routes.filter((r) => r.dst !== 'default');
    expect(connection('web1', WEB1, g).map((c) => c.title)).toEqual(['ens3 back to its profile Wired connection 2 at runtime (no default route via 192.168.2.5)']);
  });

  it('a lab address deleted at runtime while the profile has it: reapply', () => {
    const f = facts('proxy');
    const ens4 = f.links.find((l) => l.name === 'ens4')!;
    ens4.addrs = [];
    // The profile is right and active; only the runtime lacks the address.
    expect(connection('proxy', PROXY, f).map((c) => c.title)).toEqual(['ens4 back to its profile Wired connection 3 at runtime (192.168.2.5/24 missing)']);
    expect(connection('proxy', PROXY, f).map((c) => c.commands)).toEqual([['nmcli device reapply ens4']]);
  });

  it('a default route by hand on the management NIC of a host with a lab gateway: removed in place; a non-NM link by ip route del', () => {
    const f = facts('web1');
    f.routes.unshift({ dst: 'default', gateway: '10.0.2.2', dev: 'ens2', metric: 20 });
    const [c] = connection('web1', WEB1, f);
    expect(c!.title).toBe("default via 10.0.2.2 dev ens2 metric 20: removed, the lab's gateway 192.168.2.5 is the only default route (no profile puts it there)");
    expect(c!.commands).toEqual(['nmcli device reapply ens2']);
    f.connections = f.connections.filter((x) => x.device !== 'ens2');
    expect(connection('web1', WEB1, f)[0]!.commands).toEqual(['ip route del default via 10.0.2.2 dev ens2 metric 20']);
  });

  it('never removes the default route that carries the SSH session from a peer it routes to', () => {
    const f = facts('web1');
    f.routes.unshift({ dst: 'default', gateway: '10.0.2.2', dev: 'ens2', metric: 20 });
    f.ssh = { clientIp: '198.51.100.7', serverIp: '10.0.2.15' };
    expect(() => connection('web1', WEB1, f)).toThrow(/carries this SSH session from 198\.51\.100\.7; removing it .* would cut the session/);
  });

  it('a host without a lab gateway keeps its other default routes (the director reaches the outside through them)', () => {
    const f = facts('proxy');
    f.routes.unshift({ dst: 'default', gateway: '10.0.2.3', dev: 'ens2', metric: 20 });
    expect(connection('proxy', PROXY, f)).toEqual([]);
  });
});

describe('connection: runtime repairs never cut the SSH session', () => {
  it('refuses to reapply a lab link when the session arrived at an address its profile does not give', () => {
    const f = facts('web1');
    f.links.find((l) => l.name === 'ens3')!.addrs.push({ ip: '192.168.2.150', prefix: 24 });
    f.ssh = { clientIp: '192.168.2.9', serverIp: '192.168.2.150' };
    expect(() => connection('web1', WEB1, f)).toThrow(/ens3 carries this SSH session \(from 192\.168\.2\.9\); lab will not remove 192\.168\.2\.150 \(not in its profile\) from it/);
  });

  it('reapplies a lab link that carries the session from an on-link peer', () => {
    const f = facts('web1');
    f.routes.unshift({ dst: 'default', gateway: '192.168.2.1', dev: 'ens3', metric: 50 });
    f.ssh = { clientIp: '192.168.2.9', serverIp: '192.168.2.100' };
    expect(connection('web1', WEB1, f).map((c) => c.commands)).toEqual([['nmcli device reapply ens3']]);
  });
});

describe('connection: a lab profile kept from the default route', () => {
  it('never-default yes on the profile that carries the gateway: lifted, with the gateway, and the profile brought up', () => {
    const f = facts('web1');
    f.connections.find((c) => c.device === 'ens3')!.neverDefault = true;
    f.routes = f.routes.filter((r) => r.dst !== 'default');
    expect(connection('web1', WEB1, f).flatMap((c) => c.commands)).toEqual([
      "nmcli connection modify 'Wired connection 2' ipv4.method manual ipv4.addresses 192.168.2.100/24 ipv4.gateway 192.168.2.5 ipv4.never-default no",
      "nmcli connection up 'Wired connection 2' ifname ens3",
    ]);
  });
});

describe('verify: the fix for a second default route', () => {
  const ctx = (f: Facts) => ({ lab, hostName: 'web1', host: lab.hosts.web1!, target: WEB1, facts: f, os: f.os! });
  const story = { client: { name: 'client', ip: '192.168.4.10' }, director: { name: 'proxy', ip: '192.168.2.5' }, own: { ip: '192.168.2.100', network: 'private', cidr: '192.168.2.0/24' } };

  it('on the lab interface, added by hand: back to the profile (never never-default on the profile that holds the gateway)', () => {
    const f = facts('web1');
    f.routes.unshift({ dst: 'default', gateway: '192.168.2.1', dev: 'ens3', metric: 50 });
    expect(judgeDefaultRoutes(ctx(f), story).fix).toEqual(['nmcli device reapply ens3']);
  });

  it('on the management NIC whose DHCP profile hands it out: never-default there', () => {
    const f = facts('web1');
    const mgmt = f.connections.find((c) => c.device === 'ens2')!;
    mgmt.neverDefault = false;
    f.routes.unshift({ dst: 'default', gateway: '10.0.2.2', dev: 'ens2', metric: 100 });
    expect(judgeDefaultRoutes(ctx(f), story).fix).toEqual(["nmcli connection modify 'Wired connection 1' ipv4.never-default yes && nmcli device reapply ens2"]);
  });
});
