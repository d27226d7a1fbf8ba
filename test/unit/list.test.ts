// `lab list` from the built CLI: the shipped labs with their mode, scheduler and host count; a lab of the working
// directory beside them (and over a shipped one of the same name, as `lab up NAME` finds it); one that does not
// validate is listed with its file:line:col and the exit code is 2.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lab } from './lab-cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const shipped = (name: string) => readFileSync(join(ROOT, 'labs', `${name}.yaml`), 'utf8');
const playbook = (name: string) => readFileSync(join(ROOT, 'playbooks', `${name}.yaml`), 'utf8');

// Each case starts the built CLI (node and three labs validated): seconds when VMs share the cores.
describe('lab list', { timeout: 60_000 }, () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  function here(labs: Record<string, [spec: string, playbook: string]>): string {
    dir = mkdtempSync(join(tmpdir(), 'lab-list-'));
    mkdirSync(join(dir, 'labs'));
    mkdirSync(join(dir, 'playbooks'));
    for (const [name, [s, p]] of Object.entries(labs)) {
      writeFileSync(join(dir, 'labs', `${name}.yaml`), s);
      writeFileSync(join(dir, 'playbooks', `${name}.yaml`), p);
    }
    return dir;
  }

  it('lists the shipped labs: mode, scheduler, hosts and the first sentence of the description', async () => {
    const r = await lab(['list'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      'LAB                MODE  SCHEDULER  HOSTS  WHAT IT IS',
      'lvs-dr-keepalived  dr    rr         5      LVS-DR with two directors made redundant by keepalived.',
      'lvs-dr             dr    rr         4      LVS in direct-routing mode.',
      'lvs-nat            nat   wrr        4      LVS in NAT mode.',
      'lvs-tun            tun   rr         5      LVS in IP-tunnelling mode.',
    ]);
  });

  it('--json carries each lab whole, with its file as `lab up` would find it', async () => {
    const r = await lab(['list', '--json'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { command: string; ok: boolean; labs: { name: string; file: string; hosts: string[]; services: string[]; modes: string[] }[] };
    expect(j).toMatchObject({ command: 'list', ok: true });
    expect(j.labs.find((l) => l.name === 'lvs-tun')).toMatchObject({ file: 'labs/lvs-tun.yaml', hosts: ['client', 'proxy', 'router', 'web1', 'web2'], services: ['tcp 192.168.4.15:80'], modes: ['tun'] });
  });

  it("a lab of the working directory is listed beside the shipped ones, and over a shipped one's name", async () => {
    const mine = shipped('lvs-dr').replace('name: lvs-dr', 'name: my-dr').replace('scheduler: rr', 'scheduler: sh');
    const nat = shipped('lvs-nat').replace(/description: >-\n[\s\S]*?\nnetworks:/, 'description: My own NAT lab. Two web servers.\nnetworks:');
    const r = await lab(['list'], here({ 'my-dr': [mine, playbook('lvs-dr').replace('name: lvs-dr', 'name: my-dr')], 'lvs-nat': [nat, playbook('lvs-nat')] }));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    // Columns are as wide as the longest name (the shipped lvs-dr-keepalived).
    expect(lines).toContainEqual(expect.stringMatching(/^my-dr {14}dr {4}sh {9}4 {6}LVS in direct-routing mode\.$/));
    expect(lines).toContainEqual(expect.stringMatching(/^lvs-nat {12}nat {3}wrr {8}4 {6}My own NAT lab\.$/));
    expect(lines.filter((l) => l.startsWith('lvs-nat '))).toHaveLength(1);
    expect(lines.filter((l) => /^lvs-(dr|tun) /.test(l))).toHaveLength(2);
  });

  it('a lab that does not validate is listed with where and why, the others still are, and the exit code is 2', async () => {
    const bad = shipped('lvs-dr').replace('name: lvs-dr', 'name: broken').replace('scheduler: rr', 'scheduler: fastest');
    const r = await lab(['list'], here({ broken: [bad, playbook('lvs-dr').replace('name: lvs-dr', 'name: broken')] }));
    expect(r.code).toBe(2);
    const line = r.stdout.split('\n').find((l) => l.startsWith('broken '));
    expect(line).toMatch(/^broken\s+-\s+-\s+-\s+does not validate: labs\/broken\.yaml:\d+:\d+: .*scheduler/);
    expect(r.stdout).toMatch(/^lvs-nat /m);
    expect(r.stderr).toBe('lab: a lab does not validate (broken); `lab validate labs/broken.yaml` lists every problem\n');
  });
});
