// The CLI's contract for bad input: one line with file:line:col, exit 2, and no host contacted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useColor } from '../../src/report/style.js';
import { countingListener, lab } from './lab-cli.js';

const seed = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');

describe('lab CLI on bad input', { timeout: 60_000 }, () => {
  let server: Server;
  let port = 0;
  let count = () => 0;
  const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));

  beforeAll(async () => {
    // A listener where every host of the inventory points: it counts whether anything connects.
    ({ server, port, count } = await countingListener());
    const hosts = ['client', 'proxy', 'web1', 'web2'].map((h) => `  ${h}: { address: 127.0.0.1, port: ${port}, user: root }`).join('\n');
    writeFileSync(join(dir, 'inventory.yaml'), `lab: lvs-nat\nhosts:\n${hosts}\n`);
  });
  afterAll(() => server.close());

  it('a malformed spec exits 2 with file:line:col and opens no connection', async () => {
    const bad = seed.replace('gateway: 192.168.2.5\n  web2', 'gateway: 192.168.2.300\n  web2');
    writeFileSync(join(dir, 'bad.yaml'), bad);
    for (const cmd of ['up', 'plan', 'down']) {
      const r = await lab([cmd, 'bad.yaml', '-i', 'inventory.yaml'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^lab: bad\.yaml:\d+:14: hosts\.web1\.gateway: expected an IPv4 address\n$/);
    }
    expect(count()).toBe(0);
  });

  it('tutor mode: bad --until, --lang, --hosts and --watch combinations are one line, exit 2, nothing contacted; in Chinese too', async () => {
    writeFileSync(join(dir, 'lvs-nat.yaml'), seed);
    const root = new URL('../..', import.meta.url).pathname;
    const cases: [string[], RegExp][] = [
      [['up', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--until', '9'], /^lab: --until 9: no such step; the steps are 1\.1, 1\.2, 1\.3, 2\.1, 2\.2, 2\.3, 2\.4, 3\n$/],
      [['progress', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--hosts', 'web1'], /^lab: --hosts: progress judges each step on every host it has checks on, so it takes no --hosts/],
      [['progress', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--watch', '--json'], /^lab: --watch redraws the steps in place; it does not combine with --json/],
      [['progress', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--every', '2s'], /^lab: --every and --for set how --watch repeats; add --watch\n$/],
      [['verify', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--lang', 'fr'], /^lab: --lang fr: unknown language; use en or zh-CN\n$/],
    ];
    for (const [args, want] of cases) {
      const r = await lab(args, root);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(want);
    }
    const zh = await lab(['up', 'lvs-nat', '-i', join(dir, 'inventory.yaml'), '--until', '9'], root, { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' });
    expect(zh.stderr).toBe('lab: --until 9：没有这个步骤；步骤有 1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 2.4, 3\n');
    expect(count()).toBe(0);
  });

  it('validate accepts the seed lab and reports its shape', async () => {
    const r = await lab(['validate', 'lvs-nat'], new URL('../..', import.meta.url).pathname);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok: lab lvs-nat, 4 hosts, 2 networks, 1 services/);
  });

  it('an unknown lab or a missing inventory is a usage error with what to do', async () => {
    expect(await lab(['up', 'nosuchlab'], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/no lab named "nosuchlab"/) });
    writeFileSync(join(dir, 'ok.yaml'), seed);
    const r = await lab(['up', 'ok.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no hosts for lvs-nat: boot VMs with `lab vm up lvs-nat`, or machines with `vagrant up` in .*vagrant, or give --inventory FILE/);
  });

  it('--provider takes vm or vagrant, and not with --inventory', async () => {
    writeFileSync(join(dir, 'ok.yaml'), seed);
    expect(await lab(['plan', 'ok.yaml', '--provider', 'docker'], dir)).toMatchObject({ code: 2, stderr: 'lab: --provider docker: expected vm or vagrant\n' });
    writeFileSync(join(dir, 'inv.yaml'), 'lab: lvs-nat\nhosts: {}\n');
    expect(await lab(['plan', 'ok.yaml', '--provider', 'vm', '-i', 'inv.yaml'], dir)).toMatchObject({ code: 2, stderr: 'lab: give either --inventory or --provider, not both\n' });
    const vm = await lab(['plan', 'ok.yaml', '--provider', 'vm'], dir);
    expect(vm).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lab: no inventory for lvs-nat: boot its VMs with `lab vm up lvs-nat`/) });
  });

  it('bad flags exit 2', async () => {
    expect((await lab(['up', '--no-such-flag'], dir)).code).toBe(2);
  });

  it('commander\'s own errors are one lab: line with where help is, for lab and lab vm alike', async () => {
    const cases: [string[], string][] = [
      [['nosuch'], "lab: unknown command 'nosuch'; see `lab --help`"],
      [['up'], "lab: missing required argument 'lab'; see `lab up --help`"],
      [['up', 'lvs-nat', '--bogus'], "lab: unknown option '--bogus'; see `lab up --help`"],
      [['vm', 'up'], "lab: missing required argument 'lab'; see `lab vm up --help`"],
      [['vm', 'nosuch'], "lab: unknown command 'nosuch'; see `lab vm --help`"],
      // Commander's suggestion stays on the one line.
      [['list', '--colour'], "lab: unknown option '--colour' (Did you mean --color?); see `lab list --help`"],
      [['verfy'], "lab: unknown command 'verfy' (Did you mean verify?); see `lab --help`"],
    ];
    for (const [args, line] of cases) expect(await lab(args, dir), args.join(' ')).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  it('--color and --no-color decide colors before the terminal does, as FORCE_COLOR; anywhere on the line', async () => {
    const bad = ['validate', 'no-such-lab'];
    const plain = await lab(bad, dir);
    expect(plain.code).toBe(2);
    expect(plain.stderr).not.toContain('\x1b[');
    for (const args of [['--color', ...bad], [...bad, '--no-color']]) {
      const r = await lab(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^lab: no lab named "no-such-lab"/);
    }
    // Accepted before and after a command (an unknown option would exit 2).
    for (const args of [['--color', 'list'], ['list', '--no-color']]) expect((await lab(args, dir)).code, args.join(' ')).toBe(0);
    expect(useColor({ isTTY: false } as NodeJS.WriteStream, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor({ isTTY: true } as NodeJS.WriteStream, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor({ isTTY: true } as NodeJS.WriteStream, {})).toBe(true);
    expect(useColor({ isTTY: true } as NodeJS.WriteStream, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });
});
