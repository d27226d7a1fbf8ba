// Roster loading: defaults and per-host overrides, ${VAR} expansion, and every error at file:line:col.
import { describe, expect, it } from 'vitest';
import { SpecError, UsageError } from '../errors.js';
import { parseLab } from '../spec/load.js';
import { readFileSync } from 'node:fs';
import { parseRoster, pickStudents } from './load.js';

const { lab } = parseLab('labs/lvs-nat.yaml', readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8'));

const ROSTER = `lab: lvs-nat
defaults:
  user: student
  identity_file: keys/class_ed25519
  known_hosts: known_hosts
  password: \${LAB_PASSWORD}
  sudo: true
students:
  alice:
    hosts:
      client: { address: 10.0.1.10 }
      proxy:  { address: 10.0.1.5, port: 2222 }
      web1:   { address: 10.0.1.100, interfaces: { private: { mac: "52:54:00:00:01:64" } } }
      web2:   { address: 10.0.1.200, user: root, password: "$\${literal}" }
  bob:
    port: 2200
    hosts:
      client: { address: 10.0.2.10 }
      proxy:  { address: 10.0.2.5 }
      web1:   { address: 10.0.2.100 }
      web2:   { address: 10.0.2.200 }
`;

const env = { LAB_PASSWORD: 's3cret-Pa55' };

function problems(text: string, e: NodeJS.ProcessEnv = env): string[] {
  try {
    parseRoster('class/roster.yaml', text, lab, { env: e });
  } catch (err) {
    if (err instanceof SpecError) return err.problems;
    throw err;
  }
  return [];
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('roster loader', () => {
  it('merges defaults, student and host settings into one inventory per student', () => {
    const r = parseRoster('class/roster.yaml', ROSTER, lab, { env });
    expect(r.students.map((s) => s.name)).toEqual(['alice', 'bob']);
    const alice = r.students[0]!.inventory;
    expect(alice).toMatchObject({ lab: 'lvs-nat', source: 'roster' });
    expect(alice.hosts.proxy).toMatchObject({ name: 'proxy', address: '10.0.1.5', port: 2222, user: 'student', password: 's3cret-Pa55', sudo: true });
    expect(alice.hosts.proxy!.identityFile).toMatch(/\/class\/keys\/class_ed25519$/);
    expect(alice.hosts.proxy!.knownHosts).toMatch(/\/class\/known_hosts$/);
    expect(alice.hosts.web1!.interfaces).toEqual({ private: { mac: '52:54:00:00:01:64' } });
    expect(alice.hosts.web2).toMatchObject({ user: 'root', password: '${literal}' });
    expect(r.students[1]!.inventory.hosts.web2).toMatchObject({ port: 2200, user: 'student' });
    expect(r.redactor.text('pw s3cret-Pa55 and ${literal}')).toBe('pw *** and ***');
  });

  it('points at an unset ${VAR} itself', () => {
    expect(problems(ROSTER, {})).toEqual([`class/roster.yaml:${lineOf(ROSTER, 'LAB_PASSWORD')}:13: \${LAB_PASSWORD} is not set in the environment`]);
    const bad = ROSTER.replace('address: 10.0.2.5 }', 'address: "10.0.2.${OCTET}" }');
    expect(problems(bad)).toEqual([`class/roster.yaml:${lineOf(bad, 'OCTET')}:34: \${OCTET} is not set in the environment`]);
    expect(problems(ROSTER.replace('${LAB_PASSWORD}', '${LAB-PASSWORD}'))[0]).toMatch(/^class\/roster.yaml:6:13: bad reference \$\{LAB-PASSWORD\}/);
  });

  it('points at bad values and unknown keys with file:line:col', () => {
    const port = ROSTER.replace('port: 2222', 'port: 99999');
    expect(problems(port)).toEqual([`class/roster.yaml:${lineOf(port, '99999')}:42: students.alice.hosts.proxy.port: expected a port from 1 to 65535`]);
    const key = ROSTER.replace('  sudo: true\n', '  sudo: true\n  pasword: x\n');
    expect(problems(key)[0]).toMatch(new RegExp(`^class/roster.yaml:${lineOf(key, 'pasword')}:3: defaults.pasword: unknown key`));
    const mac = ROSTER.replace('52:54:00:00:01:64', '52:54:00:00:01');
    expect(problems(mac)[0]).toMatch(new RegExp(`^class/roster.yaml:${lineOf(mac, '52:54:00:00:01"')}:\\d+: students.alice.hosts.web1.interfaces.private.mac: expected a MAC`));
    expect(problems('students: [x\n')[0]).toMatch(/^class\/roster.yaml:\d+:\d+: /);
  });

  it('checks each student against the lab: missing and unknown hosts, another lab', () => {
    const missing = ROSTER.replace('      web2:   { address: 10.0.2.200 }\n', '');
    const bobHosts = lineOf(missing, '  bob:') + 2;
    expect(problems(missing)).toEqual([`class/roster.yaml:${bobHosts}:5: students.bob.hosts: missing web2 (lab lvs-nat has client, proxy, web1, web2); add how to reach it`]);
    const extra = ROSTER.replace('      client: { address: 10.0.2.10 }', '      client: { address: 10.0.2.10 }\n      db: { address: 10.0.2.11 }');
    expect(problems(extra)).toEqual([`class/roster.yaml:${lineOf(extra, 'db:')}:7: students.bob.hosts.db: lab lvs-nat has no host "db" (hosts: client, proxy, web1, web2); remove it, or use a file written for lab lvs-nat`]);
    expect(problems(ROSTER.replace('lab: lvs-nat', 'lab: lvs-dr'))).toEqual(['class/roster.yaml:1:6: lab: this roster is for lab "lvs-dr", not "lvs-nat"']);
  });

  it('never puts a secret into an error message', () => {
    const text = ROSTER.replace('port: 2222', 'port: "${LAB_PASSWORD}"');
    let message = '';
    try {
      parseRoster('class/roster.yaml', text, lab, { env });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/students.alice.hosts.proxy.port/);
    expect(message).not.toContain('s3cret-Pa55');
  });

  it('refuses a secret too short to mask, at the reference or the key that gave it, without showing it', () => {
    const short = (text: string, e: NodeJS.ProcessEnv) => {
      try {
        parseRoster('class/roster.yaml', text, lab, { env: e });
      } catch (err) {
        expect(err).toBeInstanceOf(SpecError);
        return (err as SpecError).problems;
      }
      return [];
    };
    expect(short(ROSTER, { LAB_PASSWORD: '1' })).toEqual([`class/roster.yaml:${lineOf(ROSTER, 'password: ${LAB_PASSWORD}')}:13: \${LAB_PASSWORD} is shorter than 4 characters: it could not be masked in output without mangling other text; use a longer secret`]);
    const literal = ROSTER.replace('password: "$${literal}"', 'password: "abc"');
    expect(short(literal, env)).toEqual([`class/roster.yaml:${lineOf(literal, 'password: "abc"')}:60: students.alice.hosts.web2.password: shorter than 4 characters: it could not be masked in output without mangling other text; use a longer password`]);
  });

  it('--students picks some, in roster order, and names unknown ones', () => {
    const r = parseRoster('class/roster.yaml', ROSTER, lab, { env });
    expect(pickStudents(r, 'bob,alice').map((s) => s.name)).toEqual(['alice', 'bob']);
    expect(pickStudents(r, undefined)).toHaveLength(2);
    expect(() => pickStudents(r, 'carol')).toThrow(UsageError);
    expect(() => pickStudents(r, 'carol')).toThrow(/carol is not in class\/roster.yaml \(students: alice, bob\)/);
  });
});

describe('the sample roster in docs/classroom.md', () => {
  it('loads as written', () => {
    const doc = readFileSync(new URL('../../docs/classroom.md', import.meta.url), 'utf8');
    const sample = /```yaml\n(# roster\.yaml\n[\s\S]*?)```/.exec(doc)?.[1];
    expect(sample).toBeDefined();
    const r = parseRoster('docs/roster.yaml', sample!, lab, { env: { LAB_PASSWORD: 'class-pw', BOB_PASSWORD: 'bob-pw' } });
    expect(r.students.map((s) => s.name)).toEqual(['alice', 'bob']);
    expect(r.students[1]!.inventory.hosts.web2).toMatchObject({ user: 'root', sudo: false, port: 2202, password: 'bob-pw' });
    expect(r.students[1]!.inventory.hosts.proxy!.interfaces).toEqual({ public: { mac: '52:54:00:2a:00:05' } });
  });
});
