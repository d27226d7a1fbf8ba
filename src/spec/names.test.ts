// Names that are also Object.prototype's (constructor, toString, …): accepted as ordinary names where the name rule
// allows them, refused with a position where it does not, and never confused with a built-in when absent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../errors.js';
import { parsePlaybook } from '../playbook/load.js';
import { parseRoster } from '../roster/load.js';
import { parseLab } from './load.js';

const seed = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');
const playbook = readFileSync(new URL('../../playbooks/lvs-nat.yaml', import.meta.url), 'utf8');
const BUILTINS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__proto__'];
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** The problems of a spec and its playbook, as `lab validate` checks them; [] when both pass. */
function problems(spec: string, book = playbook): string[] {
  try {
    parsePlaybook(parseLab('labs/x.yaml', spec), 'playbooks/x.yaml', book);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

/** Rename a host everywhere the seed names it. */
const renameHost = (from: string, to: string) => seed.replace(new RegExp(`\\b${from}\\b(?!\\.)`, 'g'), to);

describe('built-in names in a lab spec', () => {
  it('parses hosts, networks and interfaces into objects with no prototype', () => {
    const { lab } = parseLab('labs/x.yaml', seed);
    for (const record of [lab.hosts, lab.networks, lab.hosts.web1!.interfaces, lab.start!.sysctl!]) expect(Object.getPrototypeOf(record)).toBeNull();
    for (const n of BUILTINS) {
      expect(lab.hosts[n]).toBeUndefined();
      expect(lab.networks[n]).toBeUndefined();
      expect(lab.hosts.client!.interfaces[n]).toBeUndefined();
    }
  });

  it('accepts a host, a network and a role named constructor, and finds them', () => {
    const host = renameHost('client', 'constructor');
    expect(host).toContain('from: constructor');
    expect(problems(host, playbook.replace('  client:\n', '  constructor:\n').replace(/role: client/, 'role: constructor'))).toEqual([]);
    const spec = host.replace(/\bpublic\b/g, 'constructor').replace('role: constructor', 'role: constructor');
    const { lab } = parseLab('labs/x.yaml', spec);
    expect(Object.keys(lab.networks)).toEqual(['constructor', 'private']);
    expect(lab.hosts['constructor']!.interfaces['constructor']).toBe('192.168.4.10');
    expect(problems(spec.replace('role: client', 'role: constructor'), playbook.replace('  client:\n', '  constructor:\n'))).toEqual([]);
  });

  it('refuses a reference to an absent host or network named constructor, at the reference', () => {
    const rs = seed.replace('{ host: web2, weight: 1 }', '{ host: constructor, weight: 1 }');
    expect(problems(rs)).toEqual([`labs/x.yaml:${lineOf(rs, 'host: constructor')}:17: services.0.real_servers.1.host: unknown host "constructor" (hosts: client, proxy, web1, web2)`]);
    const from = seed.replace('{ check: path, from: client }', '{ check: path, from: constructor }');
    expect(problems(from)).toEqual([`labs/x.yaml:${lineOf(from, 'from: constructor')}:26: verify.3.from: unknown host "constructor"`]);
    const net = seed.replace('{ public: 192.168.4.10 }', '{ constructor: 192.168.4.10 }');
    expect(problems(net)).toEqual([`labs/x.yaml:${lineOf(net, 'constructor:')}:32: hosts.client.interfaces.constructor: unknown network "constructor" (networks: public, private)`]);
    const director = seed.replace('    port: 80', '    director: constructor\n    port: 80');
    expect(problems(director)).toEqual([`labs/x.yaml:${lineOf(director, 'director: constructor')}:15: services.0.director: unknown host "constructor" (hosts: client, proxy, web1, web2)`]);
  });

  it('refuses a role named constructor that the playbook does not have', () => {
    const spec = seed.replace('role: client', 'role: constructor');
    expect(problems(spec)).toEqual([`labs/x.yaml:${lineOf(spec, 'role: constructor')}:11: hosts.client.role: role "constructor" is not in playbooks/x.yaml (roles: real-server, director, client)`]);
  });

  for (const name of BUILTINS.filter((n) => n !== 'constructor')) {
    it(`refuses ${name} as a host, network, interface or role name, with a position`, () => {
      const cases: [string, RegExp][] = [
        [seed.replace('  client:\n', `  ${name}:\n`), new RegExp(`^labs/x.yaml:\\d+:3: hosts.${name}: `)],
        [seed.replace('  public: 192.168.4.0/24', `  ${name}: 192.168.4.0/24`), new RegExp(`^labs/x.yaml:\\d+:3: networks.${name}: `)],
        [seed.replace('{ public: 192.168.4.10 }', `{ ${name}: 192.168.4.10 }`), new RegExp(`^labs/x.yaml:\\d+:19: hosts.client.interfaces.${name}: `)],
        [seed.replace('role: client', `role: ${name}`), new RegExp(`^labs/x.yaml:\\d+:11: hosts.client.role: expected a name of lowercase letters`)],
        [seed.replace('{ host: web2, weight: 1 }', `{ host: ${name}, weight: 1 }`), new RegExp(`^labs/x.yaml:\\d+:17: services.0.real_servers.1.host: expected a name`)],
      ];
      for (const [spec, want] of cases) {
        const p = problems(spec);
        expect(p.length, p.join('\n')).toBeGreaterThan(0);
        expect(p[0]).toMatch(want);
        for (const line of p) expect(line).toMatch(/^labs\/x.yaml:\d+:\d+: /);
      }
    });
  }
});

describe('built-in names in a playbook', () => {
  it('parses roles into an object with no prototype: a spec role "constructor" is not found in a playbook without it', () => {
    const { lab } = parseLab('labs/x.yaml', seed);
    const book = parsePlaybook({ lab, file: 'labs/x.yaml', src: parseLab('labs/x.yaml', seed).src }, 'playbooks/x.yaml', playbook);
    expect(Object.getPrototypeOf(book.roles)).toBeNull();
    for (const n of BUILTINS) expect(book.roles[n]).toBeUndefined();
  });

  it('accepts roles named like built-ins, and refuses a __proto__ role at its key', () => {
    const extra = playbook.replace('roles:\n', 'roles:\n  toString: []\n  hasOwnProperty: [ { package: [curl], step: "3" } ]\n');
    expect(problems(seed, extra)).toEqual([]);
    const proto = playbook.replace('roles:\n', 'roles:\n  __proto__: []\n');
    expect(problems(seed, proto)).toEqual([`playbooks/x.yaml:${lineOf(proto, '__proto__')}:3: roles.__proto__: "__proto__" cannot be a key or a name; rename it`]);
  });
});

describe('built-in names in a roster', () => {
  const { lab } = parseLab('labs/lvs-nat.yaml', seed);
  const roster = (student: string, hostKey = 'client') => `students:
  ${student}:
    hosts:
      ${hostKey}: { address: 10.0.1.10 }
      proxy: { address: 10.0.1.5 }
      web1: { address: 10.0.1.100 }
      web2: { address: 10.0.1.200 }
`;
  const rosterProblems = (text: string) => {
    try {
      parseRoster('r.yaml', text, lab, { env: {} });
    } catch (e) {
      if (e instanceof SpecError) return e.problems;
      throw e;
    }
    return [];
  };

  it('accepts students named like built-ins, in objects with no prototype', () => {
    for (const name of BUILTINS.filter((n) => n !== '__proto__')) {
      const r = parseRoster('r.yaml', roster(name), lab, { env: {} });
      expect(r.students.map((s) => s.name)).toEqual([name]);
      expect(Object.getPrototypeOf(r.students[0]!.inventory.hosts)).toBeNull();
      expect(r.students[0]!.inventory.hosts.constructor).toBeUndefined();
    }
  });

  it('refuses a host the lab does not have, even one named like a built-in, at its key', () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const p = rosterProblems(roster('alice', name));
      expect(p.length, p.join('\n')).toBeGreaterThan(0);
      for (const line of p) expect(line).toMatch(/^r.yaml:\d+:\d+: students.alice.hosts/);
      expect(p.join('\n')).toContain(name);
    }
    expect(rosterProblems(roster('__proto__'))).toEqual(['r.yaml:2:3: students.__proto__: "__proto__" cannot be a key or a name; rename it']);
    expect(rosterProblems(roster('alice', '__proto__'))).toEqual(['r.yaml:4:7: students.alice.hosts.__proto__: "__proto__" cannot be a key or a name; rename it']);
  });
});
