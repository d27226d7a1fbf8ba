// Tutor mode's pure parts: which checks prove which step in every shipped lab, --until, selectors, the playbook rules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpecError, UsageError } from '../errors.js';
import { loadPlaybook, parsePlaybook } from '../playbook/load.js';
import { loadLab, parseLab } from '../spec/load.js';
import { planVerify } from '../verify/plan.js';
import { tutorPlan } from './progress.js';
import { checkKey, judgeSteps, selects, stepsUntil } from './steps.js';

const LABS = ['lvs-nat', 'lvs-dr', 'lvs-tun', 'lvs-dr-keepalived'];

describe('every shipped lab has the course steps, each proved by checks', () => {
  for (const name of LABS)
    it(`${name}: every step has a check, and every check one step`, async () => {
      const loaded = await loadLab(name);
      const playbook = await loadPlaybook(loaded);
      const { plan, assigned } = tutorPlan(loaded.lab, playbook, planVerify(loaded.lab, playbook));
      expect(plan.actions).toEqual([]);
      expect(plan.checks.map((c) => assigned.get(checkKey(c)))).not.toContain(undefined);
      const empty = playbook.steps!.filter((s) => !plan.checks.some((c) => assigned.get(checkKey(c)) === s.id)).map((s) => s.id);
      expect(empty).toEqual([]);
      // A step id named in verify that matches no check is a typo.
      for (const s of playbook.steps!) for (const sel of s.verify ?? []) expect(plan.checks.some((c) => selects(sel, c)), `${s.id}: ${sel}`).toBe(true);
    });

  it('lvs-nat: the checks land on the course note\'s steps', async () => {
    const loaded = await loadLab('lvs-nat');
    const playbook = await loadPlaybook(loaded);
    const { plan, assigned } = tutorPlan(loaded.lab, playbook, planVerify(loaded.lab, playbook));
    const at = (k: string) => assigned.get(k);
    expect(at('real-servers/web-server@web1')).toBe('1.1');
    expect(at('path/firewall@web1')).toBe('1.1');
    expect(at('director/reaches-web2@proxy')).toBe('1.2');
    expect(at('real-servers/route@web2')).toBe('1.3');
    expect(at('director/ip_forward@proxy')).toBe('2.1');
    expect(at('director/ip_forward-at-boot@proxy')).toBe('2.1');
    expect(at('director/ipvs-services@proxy')).toBe('2.2');
    expect(at('director/sysctl-net.ipv4.vs.conntrack@proxy')).toBe('2.2');
    // ipvs is desired by the services task (2.2) and the real servers task (2.3): the whole table passes only after 2.3.
    expect(at('director/ipvs@proxy')).toBe('2.3');
    expect(at('path/firewall@proxy')).toBe('2.4');
    expect(at('balancing/balancing@client') ?? at(checkKey(plan.checks.find((c) => c.check === 'balancing')!))).toBe('3');
  });
});

describe('the step judge', () => {
  const playbook = { name: 'x', roles: {}, steps: [{ id: '1', title: 'one' }, { id: '2', title: { en: 'two', 'zh-CN': '二' }, needs: ['1'] }] };
  const r = (host: string, status: 'pass' | 'fail', fix: string[] = []) => ({ check: 'c', id: host, host, title: `t ${host}`, status, expected: 'e', found: 'f', fix });
  it('a step is partly done on the hosts that pass, and the next thing is the first host that does not, its fixes once each', () => {
    const assigned = new Map([['c/a@a', '1'], ['c/b@b', '1'], ['c/c@c', '2']]);
    const p = judgeSteps(playbook, assigned, [r('a', 'pass'), { ...r('b', 'fail', ['x', 'y']) }, r('c', 'fail', ['z'])]);
    expect(p.steps.map((s) => [s.id, s.status, s.doneOn, s.todoOn, s.waitsFor])).toEqual([
      ['1', 'partial', ['a'], ['b'], []],
      ['2', 'waiting', [], ['c'], ['1']],
    ]);
    expect(p.next).toMatchObject({ step: '1', host: 'b', commands: ['x', 'y'] });
  });
  it('a later step done on its own says done, even while an earlier one is not', () => {
    const p = judgeSteps(playbook, new Map([['c/a@a', '1'], ['c/c@c', '2']]), [r('a', 'fail'), r('c', 'pass')]);
    expect(p.steps.map((s) => s.status)).toEqual(['not-started', 'done']);
  });
});

describe('--until and selectors', () => {
  const pb = { name: 'lvs-nat', roles: {}, steps: [{ id: '1.1', title: 'a' }, { id: '1.2', title: 'b' }, { id: '2', title: 'c' }] };
  it('--until takes the steps up to and including the one named', () => {
    expect(stepsUntil(pb, '1.2')).toEqual(['1.1', '1.2']);
    expect(() => stepsUntil(pb, '9')).toThrow(new UsageError('--until 9: no such step; the steps are 1.1, 1.2, 2'));
    expect(() => stepsUntil({ name: 'p', roles: {} }, '1')).toThrow(/playbook p has none: list them under steps:/);
  });
  it('a selector names a kind, a kind/id, or ids by a * pattern', () => {
    expect(selects('balancing', { check: 'balancing', id: 'balancing' })).toBe(true);
    expect(selects('director/reaches-*', { check: 'director', id: 'reaches-web1' })).toBe(true);
    expect(selects('director/reaches-*', { check: 'director', id: 'ipvs' })).toBe(false);
    expect(selects('director/sysctl-net.ipv4.vs.conntrack*', { check: 'director', id: 'sysctl-net.ipv4.vs.conntrack-at-boot' })).toBe(true);
    expect(selects('director/sysctl-net.ipv4.vs.conntrack*', { check: 'director', id: 'sysctl-net_ipv4_vs_conntrack' })).toBe(false);
  });
});

describe('the playbook rules for steps (file:line:col)', () => {
  const spec = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');
  const book = readFileSync(new URL('../../playbooks/lvs-nat.yaml', import.meta.url), 'utf8');
  const loaded = parseLab('labs/lvs-nat.yaml', spec);
  const problems = (text: string) => {
    try {
      parsePlaybook(loaded, 'playbooks/lvs-nat.yaml', text);
      return [];
    } catch (e) {
      if (e instanceof SpecError) return e.problems;
      throw e;
    }
  };
  const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
  it('ships valid', () => expect(problems(book)).toEqual([]));
  it('refuses a task in a step that is not listed, and a task in no step', () => {
    const bad = book.replace('- package: [curl]\n      step: "3"', '- package: [curl]\n      step: "4"');
    expect(problems(bad)).toEqual([`playbooks/lvs-nat.yaml:${lineOf(bad, 'step: "4"')}:7: roles.client.0.step: no step "4" under steps: (steps: 1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 2.4, 3)`]);
    const none = book.replace('- package: [curl]\n      step: "3"', '- package: [curl]');
    expect(problems(none)[0]).toMatch(/^playbooks\/lvs-nat\.yaml:\d+:\d+: roles\.client\.0: this task is in no step; add "step: ID"/);
  });
  it('refuses a step that waits for a later one, and one listed twice', () => {
    const later = book.replace('needs: ["1.1"]', 'needs: ["2.1"]');
    expect(problems(later)[0]).toMatch(/steps\.1\.needs\.0: "2\.1" is not a step before 1\.2 \(earlier steps: 1\.1\); a step can only wait for one the student does first$/);
    const twice = book.replace('- id: "1.2"', '- id: "1.1"');
    expect(problems(twice)[0]).toMatch(/steps\.1\.id: step "1\.1" is listed twice/);
  });
  it('refuses real servers in a step before their services\' step (lab up --until would add them to nothing)', () => {
    const bad = book.replace('- ipvs: { scope: services }        # ipvsadm -A -t 192.168.4.5:80 -s wrr\n      step: "2.2"', '- ipvs: { scope: services }        # ipvsadm -A -t 192.168.4.5:80 -s wrr\n      step: "2.4"');
    expect(problems(bad)).toEqual([`playbooks/lvs-nat.yaml:${lineOf(bad, 'step: "2.3"')}:13: roles.director.7.step: the real servers' step 2.3 comes before step 2.4, which adds their services; give the services an earlier step`]);
  });
  it('refuses real servers added before their service', () => {
    const bad = book.replace('    - ipvs: { scope: services }        # ipvsadm -A -t 192.168.4.5:80 -s wrr\n      step: "2.2"\n', '');
    expect(problems(bad)[0]).toMatch(/roles\.director\.\d+\.ipvs\.scope: "reals" adds real servers to services a task before it adds: put "- ipvs: \{ scope: services \}" before it/);
  });
});
