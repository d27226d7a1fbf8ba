// Spec validation: the seed lab loads; every kind of mistake names file:line:col and the path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLab } from './load.js';
import { specProblems } from '../../test/unit/spec.js';

const seed = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');

const problems = specProblems;

describe('lab spec', () => {
  it('loads the seed lab with defaults filled', () => {
    const { lab } = parseLab('labs/lvs-nat.yaml', seed);
    expect(Object.keys(lab.hosts)).toEqual(['client', 'proxy', 'web1', 'web2']);
    expect(lab.services[0]).toMatchObject({ vip: '192.168.4.5', port: 80, protocol: 'tcp', scheduler: 'wrr', forwarding: 'nat' });
    expect(lab.hosts.web1!.gateway).toBe('192.168.2.5');
  });

  it('points at the bad value with file:line:col', () => {
    const bad = seed.replace('gateway: 192.168.2.5\n  web2', 'gateway: 192.168.2.500\n  web2');
    const line = bad.split('\n').findIndex((l) => l.includes('192.168.2.500')) + 1;
    expect(problems(bad)).toEqual([`labs/x.yaml:${line}:14: hosts.web1.gateway: expected an IPv4 address`]);
  });

  it('rejects unknown keys at the key', () => {
    const bad = seed.replace('    role: client\n', '    role: client\n    rol: x\n');
    const line = bad.split('\n').findIndex((l) => l.includes('rol: x')) + 1;
    expect(problems(bad)[0]).toMatch(new RegExp(`^labs/x.yaml:${line}:5: hosts.client.rol: unknown key`));
  });

  it('rejects bad prefixes, unknown networks and addresses outside them', () => {
    expect(problems(seed.replace('192.168.4.0/24', '192.168.4.0/33'))[0]).toMatch(/:9:11: networks.public: expected an IPv4 prefix/);
    expect(problems(seed.replace('{ private: 192.168.2.100 }', '{ privat: 192.168.2.100 }'))[0]).toMatch(/hosts.web1.interfaces.privat: unknown network "privat"/);
    expect(problems(seed.replace('{ private: 192.168.2.100 }', '{ private: 192.168.3.100 }'))[0]).toMatch(/hosts.web1.interfaces.private: 192.168.3.100 is outside network private/);
  });

  it('checks references: a VIP no host holds, unknown real servers, real servers off the director\'s networks', () => {
    expect(problems(seed.replace('vip: 192.168.4.5', 'vip: 192.168.4.6'))[0]).toMatch(/services.0.vip: no host holds the VIP 192.168.4.6/);
    expect(problems(seed.replace('{ host: web2, weight: 1 }', '{ host: web3, weight: 1 }'))[0]).toMatch(/services.0.real_servers.1.host: unknown host "web3"/);
    const isolated = seed.replace('interfaces: { public: 192.168.4.5, private: 192.168.2.5 }', 'interfaces: { public: 192.168.4.5 }').replace(/ {4}gateway: 192.168.2.5\n/g, '');
    expect(problems(isolated)).toEqual(
      expect.arrayContaining([expect.stringMatching(/services.0.real_servers.0.host: web1 shares no network with the director proxy/)]),
    );
  });

  it('reports YAML syntax errors with a position', () => {
    expect(problems('name: [x\n')[0]).toMatch(/^labs\/x.yaml:\d+:\d+: /);
  });
});
