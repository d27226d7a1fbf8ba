// What verify judges, lab up converges: every shipped lab's cause checks against its playbook's desired properties.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { playbookSchema, type Playbook } from '../../src/playbook/schema.js';
import { parseLab } from '../../src/spec/load.js';
import { uncovered } from '../../src/verify/coverage.js';
import { planVerify } from '../../src/verify/plan.js';
import { judgeAll } from '../../src/verify/runner.js';

const labs = readdirSync('labs').filter((f) => f.endsWith('.yaml'));

function load(file: string): { lab: ReturnType<typeof parseLab>['lab']; playbook: Playbook } {
  const lab = parseLab(`labs/${file}`, readFileSync(`labs/${file}`, 'utf8')).lab;
  const playbook = playbookSchema.parse(parse(readFileSync(`playbooks/${lab.playbook ?? lab.name}.yaml`, 'utf8'))) as Playbook;
  return { lab, playbook };
}

describe('every property verify judges has a module behind it', () => {
  it.each(labs)('%s: each cause check judges only what its host\'s tasks converge', (file) => {
    const { lab, playbook } = load(file);
    const plan = planVerify(lab, playbook);
    expect(plan.checks.filter((c) => !c.symptom).length).toBeGreaterThan(5);
    expect(uncovered(lab, playbook, plan.checks)).toEqual([]);
  });

  it('fails when the playbook stops converging a judged property (ip_forward gone from the director\'s sysctl task)', () => {
    const { lab, playbook } = load('lvs-nat.yaml');
    const cut = structuredClone(playbook);
    cut.roles.director = cut.roles.director!.map((t) => ('sysctl' in t ? { sysctl: { 'net.ipv4.vs.conntrack': 1 } } : t)) as Playbook['roles'][string];
    const problems = uncovered(lab, cut, planVerify(lab, cut).checks);
    expect(problems).toContain(
      'proxy director/ip_forward: judges sysctl:net.ipv4.ip_forward=1 on proxy, which no task of proxy (role director) converges; it desires package:ipvsadm, kmod:ip_vs, firewall:trusted, selinux:permissive, addresses, routes, sysctl:net.ipv4.vs.conntrack=1, ipvs',
    );
  });

  it('fails when a new check declares nothing, and accepts one that says lab up does not manage it', () => {
    const { lab, playbook } = load('lvs-nat.yaml');
    const plan = planVerify(lab, playbook);
    const judge = () => ({ status: 'fail' as const, expected: 'x', found: 'y', why: 'It is wrong.' });
    const bare = { check: 'director', id: 'new', host: 'proxy', title: 'a new check', judge };
    expect(uncovered(lab, playbook, [...plan.checks, bare])).toEqual(['proxy director/new: judges no declared property (give it judges, or unmanaged with the reason)']);
    const manual = { ...bare, unmanaged: 'the course sets it by hand' };
    expect(uncovered(lab, playbook, [...plan.checks, manual])).toEqual([]);
    // And its failure says so, where the student reads it.
    const [r] = judgeAll([manual], new Map([['proxy', { ok: true, view: {} as never }]]));
    expect(r!.why).toBe('It is wrong. `lab up` does not manage this (the course sets it by hand): fix it by hand.');
  });
});
