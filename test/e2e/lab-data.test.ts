// A lab is data: a lab written here, not in labs/, that differs from the shipped ones only in names, addresses, the
// number of real servers, weights, scheduler and mode, validates, boots, converges and verifies with no code change.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { instanceDir, readInventoryFile } from '../../src/vm/index.js';
import { e2eInstance, FROM_SCRATCH, runCli, sshOk, stopLab } from './harness.js';

const INSTANCE = e2eInstance('e2e-data');
const NAME = 'farm-dr';

/** Five hosts: a desk, a balancer and three weighted app servers on 10.20.30.0/24, in DR mode with wrr. */
const SPEC = `name: ${NAME}
networks:
  floor: 10.20.30.0/24
hosts:
  desk: { role: user, interfaces: { floor: 10.20.30.40 } }
  lb: { role: balancer, interfaces: { floor: 10.20.30.2 } }
  app1: { role: backend, interfaces: { floor: 10.20.30.101 } }
  app2: { role: backend, interfaces: { floor: 10.20.30.102 } }
  app3: { role: backend, interfaces: { floor: 10.20.30.103 } }
services:
  - vip: 10.20.30.80
    director: lb
    port: 80
    scheduler: wrr
    forwarding: dr
    real_servers:
      - { host: app1, weight: 1 }
      - { host: app2, weight: 2 }
      - { host: app3, weight: 3 }
verify:
  - { check: balancing, from: desk, requests: 12 }
  - { check: director }
  - { check: real-servers }
  - { check: path, from: desk }
`;

const PLAYBOOK = `name: ${NAME}
roles:
  backend:
    - package: [httpd]
    - file: { path: "{docroot}/index.html", content: "{host} {address}\\n", mode: "0644" }
    - service: { name: httpd }
    - firewall: { default_zone: trusted }
    - connection: {}
    - forwarding: {}
  balancer:
    - package: [ipvsadm]
    - firewall: { default_zone: trusted }
    - connection: {}
    - ipvs: {}
  user:
    - package: [curl]
    - connection: {}
`;

describe('a lab written as data only (five hosts, three weighted DR real servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-data-'));
  const spec = join(dir, 'labs', `${NAME}.yaml`);
  const LAB = [spec, '--instance', INSTANCE];
  let inv: Inventory;

  beforeAll(() => {
    mkdirSync(join(dir, 'labs'));
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(spec, SPEC);
    writeFileSync(join(dir, 'playbooks', `${NAME}.yaml`), PLAYBOOK);
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates', async () => {
    const r = await runCli(['validate', spec]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('5 hosts, 1 networks, 1 services, 4 checks');
  });

  it('boots with lab vm up PATH', async () => {
    const r = await runCli(['vm', 'up', ...LAB, ...(FROM_SCRATCH ? ['--boot'] : []), '--timeout', '900']);
    expect(r.code, r.stderr).toBe(0);
    inv = readInventoryFile(join(instanceDir(INSTANCE), 'inventory.yaml'));
    expect(Object.keys(inv.hosts).sort()).toEqual(['app1', 'app2', 'app3', 'desk', 'lb']);
  });

  it('converges, and a second up changes nothing', async () => {
    const up = await runCli(['up', ...LAB]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const again = await runCli(['up', ...LAB, '--json']);
    expect(again.code, again.stderr).toBe(0);
    for (const [host, h] of Object.entries((JSON.parse(again.stdout) as { hosts: Record<string, { changed: number }> }).hosts)) expect(h.changed, host).toBe(0);
  });

  it('verifies: 12 requests split 2:4:6 by weight, only lb answers ARP for the VIP', async () => {
    const r = await runCli(['verify', ...LAB, '--json', '--wait', '30s']);
    const json = JSON.parse(r.stdout) as VerifyJson;
    expect(r.code, json.checks.filter((c) => c.status === 'fail').map((c) => `${c.host} ${c.id}: ${c.why}`).join('\n')).toBe(0);
    const ids = json.checks.map((c) => `${c.host} ${c.id} ${c.status}`);
    for (const want of ['desk balancing pass', 'desk arp pass', 'app1 vip pass', 'app2 vip pass', 'app3 vip pass', 'lb ipvs pass']) expect(ids).toContain(want);
    const seen = (await sshOk(inv, 'desk', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do curl -s --max-time 5 http://10.20.30.80/ || echo FAIL; done')).trim().split('\n');
    const count = (h: string) => seen.filter((l) => l.startsWith(`${h} `)).length;
    expect([count('app1'), count('app2'), count('app3')], seen.join(' | ')).toEqual([2, 4, 6]);
  });
});
