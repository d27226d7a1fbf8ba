// Specs that parse but could not work: addresses no host can hold, the same virtual service twice, a gateway that is
// the host itself, a NAT real server with no way back. Each refused at the value, file:line:col.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { broadcastOf, hostRange, reservedAddress } from './ipv4.js';
import { lineOf, specProblems } from '../../test/unit/spec.js';

const read = (lab: string) => readFileSync(new URL(`../../labs/${lab}.yaml`, import.meta.url), 'utf8');
const nat = read('lvs-nat');
const dr = read('lvs-dr');

const problems = specProblems;

describe('network and broadcast addresses', () => {
  it('ipv4: reservedAddress and hostRange by prefix; /31 and /32 have none', () => {
    expect(reservedAddress('192.168.2.0', '192.168.2.0/24')).toBe('network');
    expect(reservedAddress('192.168.2.255', '192.168.2.0/24')).toBe('broadcast');
    expect(reservedAddress('192.168.2.1', '192.168.2.0/24')).toBeUndefined();
    expect(reservedAddress('10.0.0.4', '10.0.0.4/30')).toBe('network');
    expect(reservedAddress('10.0.0.7', '10.0.0.4/30')).toBe('broadcast');
    expect(reservedAddress('10.0.0.8', '10.0.0.4/30')).toBeUndefined();
    expect(reservedAddress('10.0.0.4', '10.0.0.4/31')).toBeUndefined();
    expect(reservedAddress('10.0.0.5', '10.0.0.4/31')).toBeUndefined();
    expect(reservedAddress('10.0.0.4', '10.0.0.4/32')).toBeUndefined();
    expect(reservedAddress('255.255.255.255', '0.0.0.0/0')).toBe('broadcast');
    expect(broadcastOf('172.16.0.0/12')).toBe('172.31.255.255');
    expect(hostRange('192.168.2.0/24')).toEqual(['192.168.2.1', '192.168.2.254']);
  });

  it("a host's address", () => {
    const bcast = nat.replace('{ public: 192.168.4.10 }', '{ public: 192.168.4.255 }');
    expect(problems(bcast)).toEqual([
      `labs/x.yaml:${lineOf(bcast, '192.168.4.255')}:27: hosts.client.interfaces.public: 192.168.4.255 is the broadcast address of public (192.168.4.0/24), which no host can hold; use one from 192.168.4.1 to 192.168.4.254`,
    ]);
    const net = nat.replace('{ private: 192.168.2.200 }', '{ private: 192.168.2.0 }');
    expect(problems(net)).toEqual([
      `labs/x.yaml:${lineOf(net, '{ private: 192.168.2.0 }')}:28: hosts.web2.interfaces.private: 192.168.2.0 is the network address of private (192.168.2.0/24), which no host can hold; use one from 192.168.2.1 to 192.168.2.254`,
    ]);
  });

  it('a gateway', () => {
    const gw = nat.replace('gateway: 192.168.2.5\n  web2', 'gateway: 192.168.2.255\n  web2');
    expect(problems(gw)[0]).toBe(
      `labs/x.yaml:${lineOf(gw, '192.168.2.255')}:14: hosts.web1.gateway: 192.168.2.255 is the broadcast address of private (192.168.2.0/24), which no host can hold; use one from 192.168.2.1 to 192.168.2.254`,
    );
  });

  it('a VIP', () => {
    const vip = dr.replace('vip: 192.168.4.15', 'vip: 192.168.4.255');
    expect(problems(vip)).toEqual([
      `labs/x.yaml:${lineOf(vip, 'vip: 192.168.4.255')}:10: services.0.vip: 192.168.4.255 is the broadcast address of public (192.168.4.0/24), which no host can hold; use one from 192.168.4.1 to 192.168.4.254`,
    ]);
    expect(problems(dr.replace('vip: 192.168.4.15', 'vip: 192.168.4.0'))[0]).toMatch(/services.0.vip: 192.168.4.0 is the network address of public/);
  });

  it('a /31 network has no reserved addresses; a /30 has', () => {
    const p2p = nat
      .replace('private: 192.168.2.0/24', 'private: 192.168.2.0/31')
      .replace('private: 192.168.2.5 }', 'private: 192.168.2.0 }')
      .replace('{ private: 192.168.2.100 }\n    gateway: 192.168.2.5', '{ private: 192.168.2.1 }\n    gateway: 192.168.2.0')
      .replace(/ {2}web2:\n.*\n.*\n.*\n/, '')
      .replace(/ {6}- \{ host: web2, weight: 1 \}\n/, '');
    expect(problems(p2p)).toEqual([]);
    const slash30 = p2p.replace('192.168.2.0/31', '192.168.2.0/30');
    expect(problems(slash30)).toEqual(expect.arrayContaining([expect.stringMatching(/hosts.proxy.interfaces.private: 192.168.2.0 is the network address of private \(192.168.2.0\/30\)/)]));
  });
});

describe('the same virtual service twice', () => {
  const twice = (extra: string) => nat.replace('verify:', `${extra}\nverify:`);

  it('is refused at the second one, protocol defaulted or written', () => {
    const again = twice('  - { vip: 192.168.4.5, port: 80, scheduler: rr, forwarding: nat, real_servers: [{ host: web1 }] }');
    expect(problems(again)).toEqual([
      `labs/x.yaml:${lineOf(again, "port: 80, scheduler: rr")}:31: services.1.port: tcp 192.168.4.5:80 is services.0 already; a virtual service is one protocol, VIP and port: change one, or put these real servers into services.0`,
    ]);
  });

  it('another port or protocol is another service', () => {
    expect(problems(twice('  - { vip: 192.168.4.5, port: 80, protocol: udp, scheduler: rr, forwarding: nat, real_servers: [{ host: web1 }] }'))).toEqual([]);
    expect(problems(twice('  - { vip: 192.168.4.5, port: 8080, scheduler: rr, forwarding: nat, real_servers: [{ host: web1 }] }'))).toEqual([]);
  });
});

describe('gateways', () => {
  it("a host's own address is not its gateway (DR: the only problem)", () => {
    const own = dr.replace('{ public: 192.168.4.100 }', '{ public: 192.168.4.100 }\n    gateway: 192.168.4.100');
    expect(problems(own)).toEqual([
      `labs/x.yaml:${lineOf(own, 'gateway: 192.168.4.100')}:14: hosts.web1.gateway: 192.168.4.100 is web1's own address; a gateway is another host's address on web1's network (for a NAT real server, the director's)`,
    ]);
  });

  it("a host's own address is not its gateway (NAT: the mode says which it should be, at the real server)", () => {
    const own = nat.replace('gateway: 192.168.2.5\n  web2', 'gateway: 192.168.2.100\n  web2');
    expect(problems(own)).toEqual([
      `labs/x.yaml:${lineOf(own, 'gateway: 192.168.2.100')}:14: hosts.web1.gateway: 192.168.2.100 is web1's own address; a gateway is another host's address on web1's network (for a NAT real server, the director's)`,
      `labs/x.yaml:${lineOf(own, '{ host: web1, weight: 1 }')}:17: services.0.real_servers.0.host: in NAT mode web1's replies must go back through the director: give it gateway: 192.168.2.5 (proxy on private), not 192.168.2.100`,
    ]);
  });

  it('a NAT real server with no gateway is refused at the real server', () => {
    const none = nat.replace('    gateway: 192.168.2.5\n  web2', '  web2');
    expect(problems(none)).toEqual([
      `labs/x.yaml:${lineOf(none, '{ host: web1, weight: 1 }')}:17: services.0.real_servers.0.host: in NAT mode web1's replies must go back through the director: give it gateway: 192.168.2.5 (proxy on private)`,
    ]);
  });

  it('the seed labs pass', () => {
    for (const lab of ['lvs-nat', 'lvs-dr', 'lvs-tun']) expect(problems(read(lab)), lab).toEqual([]);
  });
});

// How long this takes, and that it grows linearly with the size, is measured by `npm run bench:spec`.
describe('a large spec is checked to the last rule', () => {
  it('4000 hosts in 360 KiB: the rules run to the end and name the last bad value', () => {
    const hosts = Array.from({ length: 2000 }, (_, i) => `  h${i}:\n    role: real-server\n    interfaces: { private: 10.${(i >> 8) & 255}.${i & 255}.${10} }\n    gateway: 10.${(i >> 8) & 255}.${i & 255}.1\n`);
    const gws = Array.from({ length: 2000 }, (_, i) => `  g${i}:\n    role: director\n    interfaces: { private: 10.${(i >> 8) & 255}.${i & 255}.1, public: 192.168.${i >> 8}.${(i & 255) + 0} }\n`);
    const text = `name: big\nnetworks:\n  private: 10.0.0.0/8\n  public: 192.168.0.0/16\nhosts:\n${hosts.join('')}${gws.join('')}services: []\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(350 * 1024);
    const p = problems(text);
    expect(p.length).toBeGreaterThan(0); // 192.168.0.0 is the network address of public: the rules ran to the end
    expect(p[0]).toMatch(/hosts.g0.interfaces.public: 192.168.0.0 is the network address of public/);
  }, 120_000); // a correctness test on a large input: under load (VMs beside it) it can take more than the 5 s default
});
