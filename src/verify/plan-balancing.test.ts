// How the plan asks the client for the balancing check: plain fresh requests, or connections held open first (lc & co).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';
import { loadLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { planVerify } from './plan.js';

let lab: Lab;
let playbook: Playbook;

beforeAll(async () => {
  const loaded = await loadLab('lvs-nat');
  lab = loaded.lab;
  playbook = await loadPlaybook(loaded);
});

function clientProbe(scheduler: Lab['services'][number]['scheduler'], weights = [1, 1]) {
  const spec = structuredClone(lab);
  spec.services[0]!.scheduler = scheduler;
  spec.services[0]!.real_servers.forEach((r, i) => (r.weight = weights[i]!));
  const plan = planVerify(spec, playbook);
  return { probe: plan.hosts.get('client')!.probe, title: plan.checks.find((c) => c.check === 'balancing')!.title };
}

describe('the balancing probe in the plan', () => {
  it('sends plain fresh requests for wrr (the path check shares them)', () => {
    const { probe, title } = clientProbe('wrr');
    expect(probe.requests.get('http://192.168.4.5/')).toBe(8);
    expect(probe.holds.size).toBe(0);
    expect(title).toBe('balancing of http://192.168.4.5/ (wrr, 8 requests)');
  });

  it('holds connections for lc and ovf, the path check keeping its own single request', () => {
    const lc = clientProbe('lc');
    expect(lc.probe.holds.get('http://192.168.4.5/')).toEqual({ vip: '192.168.4.5', port: 80, path: '/', hold: 1, fresh: 8 });
    expect(lc.probe.requests.get('http://192.168.4.5/')).toBe(1);
    expect(lc.title).toBe('balancing of http://192.168.4.5/ (lc, 1 held open, then 8 requests)');
    expect(clientProbe('ovf', [1, 3]).probe.holds.get('http://192.168.4.5/')?.hold).toBe(4);
  });

  it('holds nothing for a persistent lc service: persistence pins', () => {
    const spec = structuredClone(lab);
    spec.services[0]!.scheduler = 'lc';
    spec.services[0]!.persistence = 60;
    expect(planVerify(spec, playbook).hosts.get('client')!.probe.holds.size).toBe(0);
  });
});
