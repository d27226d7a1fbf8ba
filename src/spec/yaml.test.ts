// YAML-level refusals: size, syntax, aliases, duplicate and special keys; each one line with file:line:col.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpecError } from '../errors.js';
import { labSchema } from './schema.js';
import { allowedKeysAt, MAX_ALIASES, MAX_PROBLEMS, MAX_YAML_BYTES, parseYaml, readYaml } from './yaml.js';
import { lineOf, specProblems } from '../../test/unit/spec.js';

const seed = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');

const problems = specProblems;

const dir = mkdtempSync(join(tmpdir(), 'lab-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('YAML errors', () => {
  it('refuses a file over 1 MiB before parsing it, in one line with the size and the limit', async () => {
    const big = `${seed}#${'x'.repeat(5 * 1024 * 1024)}\n`;
    const file = join(dir, 'big.yaml');
    writeFileSync(file, big);
    const err = await readYaml(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).exitCode).toBe(2);
    const size = Buffer.byteLength(big);
    expect((err as SpecError).problems).toEqual([
      `${file}:1:1: the file is ${size} bytes, more than the ${MAX_YAML_BYTES} bytes (1 MiB) a lab file may have; check that this is the right file (a lab spec is a few KiB)`,
    ]);
    expect(problems(big)).toHaveLength(1);
    expect(problems(big)[0]).toMatch(/^labs\/x.yaml:1:1: the file is \d+ bytes, more than the 1048576 bytes/);
  });

  it('accepts a file of exactly 1 MiB', () => {
    const padded = seed + '#'.repeat(MAX_YAML_BYTES - Buffer.byteLength(seed) - 1) + '\n';
    expect(Buffer.byteLength(padded)).toBe(MAX_YAML_BYTES);
    expect(problems(padded)).toEqual([]);
  });

  it('gives one line for one indentation mistake, at the first error', () => {
    const bad = seed.replace('\nname: lvs-nat', '\n name: lvs-nat');
    const p = problems(bad);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^labs\/x.yaml:\d+:\d+: .*indentation.*fix this first: the \d+ YAML errors after it may follow from it\)$/);
    const dedent = seed.replace('    port: 80', '  port: 80');
    expect(problems(dedent)).toEqual([
      `labs/x.yaml:${lineOf(dedent, '  port: 80')}:1: All mapping items must start at the same column; indent this line like the other keys of its mapping (fix this first: the 8 YAML errors after it may follow from it)`,
    ]);
    const tab = seed.replace('    role: director', '\trole: director');
    expect(problems(tab)).toHaveLength(1);
    expect(problems(tab)[0]).toMatch(new RegExp(`^labs/x.yaml:${lineOf(tab, '\trole')}:1: .*indent with spaces, not tabs`));
  });

  it('names a duplicate key at its second occurrence, one line each', () => {
    const bad = seed.replace('  proxy:\n', '  client:\n');
    expect(problems(bad)).toEqual([`labs/x.yaml:${lineOf(bad, 'role: director') - 1}:3: key "client" appears twice in this mapping; keep one`]);
  });

  it('positions an unknown alias at the alias', () => {
    const bad = seed.replace('port: 80', 'port: *http');
    expect(problems(bad)).toEqual([`labs/x.yaml:${lineOf(bad, '*http')}:11: unknown alias *http: no anchor &http before it; define the anchor first or write the value out`]);
    const late = seed.replace('port: 80', 'port: *http').replace('requests: 8', 'requests: &http 8');
    expect(problems(late)[0]).toMatch(new RegExp(`^labs/x.yaml:${lineOf(late, '*http')}:11: unknown alias \\*http`));
  });

  it('positions an alias bomb at the alias that crosses the limit', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const err = (() => {
      try {
        parseYaml('bomb.yaml', bomb);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toEqual(['bomb.yaml:4:9: aliases expand to more than 100 nodes here; write the values out instead of nesting aliases']);
  });

  it('refuses more than MAX_ALIASES aliases at the first one past the limit', () => {
    const many = `${seed}x:\n${'  - *n\n'.repeat(MAX_ALIASES + 5)}`.replace('name: lvs-nat', 'name: &n lvs-nat');
    const firstAlias = lineOf(many, '  - *n');
    expect(problems(many)).toEqual([`labs/x.yaml:${firstAlias + MAX_ALIASES}:5: more than ${MAX_ALIASES} aliases in one file; write the values out instead`]);
  });

  // Its time, linear in the size, is measured by `npm run bench:spec`.
  it('a large file of 60000 keys, all duplicates or all unknown: capped problem lists that say how many were left out', () => {
    const dups = `${Array.from({ length: 60000 }, (_, i) => `k: ${i}`).join('\n')}\n`;
    const p = problems(dups);
    expect(p).toHaveLength(MAX_PROBLEMS);
    expect(p[0]).toBe('labs/x.yaml:2:1: key "k" appears twice in this mapping; keep one');
    expect(p[MAX_PROBLEMS - 1]).toBe(`labs/x.yaml:${MAX_PROBLEMS + 1}:1: key "k" appears twice in this mapping; keep one (and ${59999 - MAX_PROBLEMS} more problems not shown)`);
    const unknown = `${seed}${Array.from({ length: 60000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
    const u = problems(unknown);
    expect(u).toHaveLength(MAX_PROBLEMS);
    expect(u[0]).toMatch(new RegExp(`^labs/x.yaml:${lineOf(unknown, 'k0: 1')}:1: k0: unknown key \\(allowed: `));
    expect(u[MAX_PROBLEMS - 1]).toMatch(new RegExp(`k${MAX_PROBLEMS - 1}: unknown key .*\\) \\(and ${60000 - MAX_PROBLEMS} more problems not shown\\)$`));
  }, 120_000); // a correctness test on a large input: under load (VMs beside it) it can take more than the 5 s default

  it('accepts ordinary aliases and positions errors inside them', () => {
    const aliased = seed.replace('gateway: 192.168.2.5\n  web2', 'gateway: &gw 192.168.2.5\n  web2').replace(/gateway: 192.168.2.5\n(?!\s+web2)/, 'gateway: *gw\n');
    expect(aliased).toContain('*gw');
    expect(problems(aliased)).toEqual([]);
  });

  it('refuses a __proto__ key anywhere, at the key', () => {
    const host = seed.replace('  client:\n', '  __proto__:\n');
    expect(problems(host)).toEqual([`labs/x.yaml:${lineOf(host, '__proto__')}:3: hosts.__proto__: "__proto__" cannot be a key or a name; rename it`]);
    const net = seed.replace('{ public: 192.168.4.10 }', '{ __proto__: 192.168.4.10 }');
    expect(problems(net)).toEqual([`labs/x.yaml:${lineOf(net, '__proto__')}:19: hosts.client.interfaces.__proto__: "__proto__" cannot be a key or a name; rename it`]);
    const inSeq = seed.replace('{ host: web2, weight: 1 }', '{ host: web2, __proto__: 1 }');
    expect(problems(inSeq)[0]).toMatch(/:\d+:\d+: services.0.real_servers.1.__proto__: "__proto__" cannot be/);
  });

  it('refuses a second document and unknown tags with a position', () => {
    const two = `${seed}---\nname: other\n`;
    expect(problems(two)).toEqual([`labs/x.yaml:${lineOf(two, '---')}:1: a second YAML document starts here; a lab file is one document: remove the "---" line and merge or drop what follows`]);
    const tag = seed.replace('port: 80', 'port: !weird 80');
    expect(problems(tag)).toEqual([`labs/x.yaml:${lineOf(tag, '!weird')}:11: Unresolved tag: !weird; remove the tag: lab files use plain YAML values`]);
  });
});

describe('unknown keys name the keys allowed there', () => {
  it('at the top, in a host, a service, a real server, start', () => {
    expect(problems(seed.replace('networks:', 'network: {}\nnetworks:'))[0]).toMatch(
      /: network: unknown key \(allowed: \$schema, name, description, playbook, networks, hosts, services, vrrp, verify, start\)$/,
    );
    expect(problems(seed.replace('    role: client\n', '    role: client\n    rol: x\n'))[0]).toMatch(/hosts.client.rol: unknown key \(allowed: role, interfaces, gateway, memory, cpus\)$/);
    expect(problems(seed.replace('    port: 80', '    port: 80\n    ports: 81'))[0]).toMatch(
      /services.0.ports: unknown key \(allowed: vip, director, port, protocol, scheduler, forwarding, persistence, real_servers, health\)$/,
    );
    expect(problems(seed.replace('{ host: web1, weight: 1 }', '{ host: web1, wieght: 1 }'))[0]).toMatch(/services.0.real_servers.0.wieght: unknown key \(allowed: host, weight, port\)$/);
    expect(problems(seed.replace('  addresses: assigned', '  adresses: assigned'))[0]).toMatch(/start.adresses: unknown key \(allowed: description, addresses, sysctl, services\)$/);
  });

  it('in a check, by its kind', () => {
    expect(problems(seed.replace('{ check: balancing, from: client, requests: 8 }', '{ check: balancing, from: client, request: 8 }'))[0]).toMatch(
      /verify.0.request: unknown key \(allowed: check, from, requests, path\)$/,
    );
    expect(problems(seed.replace('{ check: director }', '{ check: director, from: client }'))[0]).toMatch(/verify.1.from: unknown key \(allowed: check\)$/);
  });

  it('allowedKeysAt follows records, arrays and defaults, and gives up on a path it cannot follow', () => {
    expect(allowedKeysAt(labSchema, {}, ['hosts', 'anything'])).toEqual(['role', 'interfaces', 'gateway', 'memory', 'cpus']);
    expect(allowedKeysAt(labSchema, {}, ['services', 3, 'real_servers', 0])).toEqual(['host', 'weight', 'port']);
    expect(allowedKeysAt(labSchema, { verify: [{ check: 'path' }] }, ['verify', 0])).toEqual(['check', 'from']);
    expect(allowedKeysAt(labSchema, { verify: [{ check: 'nope' }] }, ['verify', 0])).toBeUndefined();
    expect(allowedKeysAt(labSchema, {}, ['name', 'x'])).toBeUndefined();
    expect(allowedKeysAt(labSchema, {}, ['constructor'])).toBeUndefined();
  });
});
