// The playbook against its spec: roles the spec uses, an ipvs task for every director, and tasks said precisely.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpecError } from '../errors.js';
import { parseLab } from '../spec/load.js';
import { loadPlaybook, parsePlaybook } from './load.js';
import { TASK_SCHEMAS } from './schema.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function problems(spec: string, book: string, lab = 'lvs-nat'): string[] {
  try {
    parsePlaybook(parseLab(`labs/${lab}.yaml`, spec), `playbooks/${lab}.yaml`, book);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

const swapRoles = (spec: string) => spec.replace('role: client', 'role: SWAP').replace('role: director', 'role: client').replace('role: SWAP', 'role: director');

describe('the director of a service runs ipvs', () => {
  for (const lab of ['lvs-nat', 'lvs-dr', 'lvs-tun']) {
    it(`${lab} and its playbook pass`, () => {
      expect(problems(read(`labs/${lab}.yaml`), read(`playbooks/${lab}.yaml`), lab)).toEqual([]);
    });
  }

  for (const lab of ['lvs-nat', 'lvs-dr', 'lvs-tun']) {
    it(`${lab} with the roles of client and proxy swapped is refused at the director's role`, () => {
      const spec = swapRoles(read(`labs/${lab}.yaml`));
      const vip = /vip: (\S+)/.exec(spec)![1]!;
      expect(problems(spec, read(`playbooks/${lab}.yaml`), lab)).toEqual([
        `labs/${lab}.yaml:${lineOf(spec, 'role: client')}:11: hosts.proxy.role: proxy directs services.0 (tcp ${vip}:80), but its role "client" has no ipvs task in playbooks/${lab}.yaml; give proxy a role that has one (director)`,
      ]);
    });
  }

  it('says to add the task when no role of the playbook has one', () => {
    // Every ipvs task (the course splits the table in two steps: services, then real servers), with its step line.
    const book = read('playbooks/lvs-nat.yaml').replace(/\n\s+- ipvs:[^\n]*\n\s+step:[^\n]*/g, '');
    expect(book).not.toContain('ipvs:');
    const spec = read('labs/lvs-nat.yaml');
    expect(problems(spec, book)).toEqual([
      `labs/lvs-nat.yaml:${lineOf(spec, 'role: director')}:11: hosts.proxy.role: proxy directs services.0 (tcp 192.168.4.5:80), but its role "director" has no ipvs task in playbooks/lvs-nat.yaml; add "- ipvs: {}" to role director`,
    ]);
  });

  it('names each director once, whatever the number of its services', () => {
    const spec = swapRoles(read('labs/lvs-nat.yaml')).replace('verify:', '  - { vip: 192.168.4.5, port: 443, scheduler: rr, forwarding: nat, real_servers: [{ host: web1 }] }\nverify:');
    const p = problems(spec, read('playbooks/lvs-nat.yaml'));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('hosts.proxy.role: proxy directs services.0');
  });
});

describe('playbook tasks', () => {
  const spec = read('labs/lvs-nat.yaml');
  // A playbook of its own, so that these lines and indexes do not move with the shipped playbooks.
  const book = `name: lvs-nat
roles:
  real-server:
    - package: [httpd]
    - file: { path: "{docroot}/index.html", content: "{address}\\n" }
    - service: { name: httpd }
    - connection: {}
  director:
    - package: [ipvsadm]
    - connection: {}
    - ipvs: {}
  client:
    - package: [curl]
    - connection: {}
`;
  const at = (text: string, needle: string, col: number) => `playbooks/lvs-nat.yaml:${lineOf(text, needle)}:${col}`;
  const MODULES = [...TASK_SCHEMAS.keys()].join(', ');

  it('the playbook of these tests passes', () => {
    expect(problems(spec, book)).toEqual([]);
    expect(MODULES).toMatch(/^package, file, service, .*ipvs/);
  });

  it('an unknown module, at its key, with the modules', () => {
    const bad = book.replace('- package: [curl]', '- pakage: [curl]');
    expect(problems(spec, bad)).toEqual([`${at(bad, 'pakage', 7)}: roles.client.0.pakage: unknown module "pakage" (modules: ${MODULES})`]);
  });

  it('two modules in one task, an empty task, a task that is not a mapping', () => {
    const two = book.replace('- package: [curl]', '- package: [curl]\n      service: { name: x }');
    expect(problems(spec, two)).toEqual([`${at(two, 'package: [curl]', 7)}: roles.client.0: a task names one module, this one names package, service; write "- MODULE: VALUE" (modules: ${MODULES})`]);
    const empty = book.replace('- package: [curl]', '- {}');
    expect(problems(spec, empty)).toEqual([`${at(empty, '- {}', 7)}: roles.client.0: an empty task; write "- MODULE: VALUE" (modules: ${MODULES})`]);
    const scalar = book.replace('- package: [curl]', '- curl');
    expect(problems(spec, scalar)).toEqual([`${at(scalar, '- curl', 7)}: roles.client.0: a task is "- MODULE: VALUE" (modules: ${MODULES})`]);
  });

  it("what is wrong for the module named, with the module's keys", () => {
    const key = book.replace('- service: { name: httpd }', '- service: { nme: httpd }');
    expect(problems(spec, key)).toEqual([
      `${at(key, 'nme: httpd', 16)}: roles.real-server.2.service.name: missing; this key is required (expected string)`,
      `${at(key, 'nme: httpd', 18)}: roles.real-server.2.service.nme: unknown key (allowed: name, started, enabled)`,
    ]);
    const type = book.replace('- service: { name: httpd }', '- service: { name: 5 }');
    expect(problems(spec, type)).toEqual([`${at(type, 'name: 5', 24)}: roles.real-server.2.service.name: Invalid input: expected string, received number`]);
  });
});

describe('finding the playbook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-playbook-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a playbook that is not there is a spec error at the key that names it', async () => {
    mkdirSync(join(dir, 'labs'));
    const spec = read('labs/lvs-nat.yaml').replace('name: lvs-nat', 'name: lvs-nowhere');
    const file = join(dir, 'labs', 'lvs-nowhere.yaml');
    writeFileSync(file, spec);
    const err = await loadPlaybook(parseLab(file, spec)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toEqual([
      `${file}:${lineOf(spec, 'name: lvs-nowhere')}:7: name: no playbook "lvs-nowhere": expected playbooks/lvs-nowhere.yaml beside the spec's folder, here or in the package; write it, or name another with playbook: NAME`,
    ]);
    const named = spec.replace('name: lvs-nowhere', 'name: lvs-nowhere\nplaybook: gone');
    const err2 = await loadPlaybook(parseLab(file, named)).catch((e: unknown) => e);
    expect((err2 as SpecError).problems[0]).toMatch(new RegExp(`^${file}:${lineOf(named, 'playbook: gone')}:11: playbook: no playbook "gone"`));
  });
});
