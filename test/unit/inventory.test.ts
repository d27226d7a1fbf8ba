// Bad inventories, one row each: `lab up` exits 2 with the inventory's file:line:col in its own terms, and no host is contacted.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingListener, lab } from './lab-cli.js';

interface Row {
  name: string;
  /** Edits the good inventory text. */
  edit: (good: string) => string;
  /** Every line of stderr must match one of these, in order. */
  lines: RegExp[];
  /** The command line; default `up lvs-nat --inventory inv.yaml`. */
  args?: string[];
}

describe('bad inventories', { timeout: 60_000 }, () => {
  let server: Server;
  let port = 0;
  let count = () => 0;
  const dir = mkdtempSync(join(tmpdir(), 'lab-inv-'));
  const key = join(dir, 'id_ed25519');
  let good = '';

  beforeAll(async () => {
    // Every host of every inventory points here: it counts whether anything connects.
    ({ server, port, count } = await countingListener());
    // A real key, so that the good inventory really gets as far as connecting.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    mkdirSync(join(dir, 'a-folder'));
    const host = (h: string, nets: string) => `  ${h}:\n    address: 127.0.0.1\n    port: ${port}\n    identity_file: id_ed25519\n    interfaces: { ${nets} }\n`;
    good = `lab: lvs-nat\nknown_hosts: known_hosts\nhosts:\n${host('client', 'public: { device: ens4 }')}${host('proxy', 'public: { device: ens4 }, private: { device: ens5 }')}${host('web1', 'private: { device: ens4 }')}${host('web2', 'private: { device: ens4 }')}`;
  });
  afterAll(() => server.close());

  const rows: Row[] = [
    { name: 'written for another lab', edit: (g) => g.replace('lab: lvs-nat', 'lab: lvs-dr'), lines: [/^lab: inv\.yaml:1:6: lab: this inventory is for lab "lvs-dr", not "lvs-nat"; give the inventory written for lvs-nat$/] },
    {
      name: 'a host missing',
      edit: (g) => g.replace(/  web2:\n(    .*\n)+/, ''),
      lines: [/^lab: inv\.yaml:3:1: hosts: missing web2 \(lab lvs-nat has client, proxy, web1, web2\); add how to reach it$/],
    },
    {
      name: 'an extra host',
      edit: (g) => `${g}  web9:\n    address: 127.0.0.1\n    port: ${port}\n`,
      lines: [/^lab: inv\.yaml:\d+:3: hosts\.web9: lab lvs-nat has no host "web9" \(hosts: client, proxy, web1, web2\); remove it, or use a file written for lab lvs-nat$/],
    },
    {
      name: 'an unknown network name under interfaces',
      edit: (g) => g.replace('interfaces: { private: { device: ens4 } }', 'interfaces: { inside: { device: ens4 } }'),
      lines: [/^lab: inv\.yaml:\d+:19: hosts\.web1\.interfaces\.inside: lab lvs-nat has no network "inside" \(networks: public, private\)$/],
    },
    {
      name: 'a network the host is not on',
      edit: (g) => g.replace('interfaces: { public: { device: ens4 } }', 'interfaces: { private: { device: ens4 } }'),
      lines: [/^lab: inv\.yaml:\d+:19: hosts\.client\.interfaces\.private: client is not on network private in lab lvs-nat \(its networks: public\)$/],
    },
    {
      name: 'an unknown key, named with the keys an inventory allows',
      edit: (g) => g.replace('    identity_file: id_ed25519\n', '    identity: id_ed25519\n'),
      lines: [/^lab: inv\.yaml:\d+:5: hosts\.client\.identity: unknown key \(allowed: address, port, user, identity_file, password, agent, sudo, known_hosts, interfaces, management\)$/],
    },
    { name: 'a port that is not a number', edit: (g) => g.replace(`port: ${port}`, 'port: ssh'), lines: [/^lab: inv\.yaml:6:11: hosts\.client\.port: expected a port number$/] },
    {
      name: 'a bad MAC',
      edit: (g) => g.replace('public: { device: ens4 }', 'public: { mac: 52:54:00 }'),
      lines: [/^lab: inv\.yaml:\d+:\d+: hosts\.client\.interfaces\.public\.mac: expected a MAC address like 52:54:00:12:34:56$/],
    },
    {
      name: 'a key file that is a folder',
      edit: (g) => g.replace('identity_file: id_ed25519', 'identity_file: a-folder'),
      lines: [/^lab: inv\.yaml:7:20: hosts\.client\.identity_file: identity file \/.*\/a-folder is a folder, not a file; give the path of a private key file$/],
    },
    {
      name: 'a key file that does not exist',
      edit: (g) => g.replace('identity_file: id_ed25519', 'identity_file: no-such-key'),
      lines: [/^lab: inv\.yaml:7:20: hosts\.client\.identity_file: identity file \/.*\/no-such-key does not exist; give the path of a private key file$/],
    },
    {
      name: 'a known_hosts that is a folder',
      edit: (g) => g.replace('known_hosts: known_hosts', 'known_hosts: a-folder'),
      // One line per host that uses the shared file, each at the shared key.
      lines: Array(4).fill(/^(lab: |  )inv\.yaml:2:14: known_hosts: known_hosts file \/.*\/a-folder is a folder, not a file; give the path of a known_hosts file$/),
    },
    { name: 'a password too short to mask', edit: (g) => g.replace('    identity_file: id_ed25519\n', '    password: abc\n'), lines: [/^lab: inv\.yaml:7:15: hosts\.client\.password: shorter than 4 characters/] },
    { name: '--hosts with a host the lab does not have', edit: (g) => g, args: ['up', 'lvs-nat', '--inventory', 'inv.yaml', '--hosts', 'web1,web9'], lines: [/^lab: --hosts: lab lvs-nat has no host web9 \(hosts: client, proxy, web1, web2\)$/] },
    ...(['verify', 'reset', 'status', 'plan'] as const).map((cmd) => ({
      name: `${cmd} --hosts with a host the lab does not have`,
      edit: (g: string) => g,
      args: [cmd, 'lvs-nat', '--inventory', 'inv.yaml', '--hosts', 'web9'],
      lines: [/^lab: --hosts: lab lvs-nat has no host web9 \(hosts: client, proxy, web1, web2\)$/],
    })),
    { name: 'an inventory path that is a folder', edit: (g) => g, args: ['up', 'lvs-nat', '--inventory', 'a-folder'], lines: [/^lab: a-folder: cannot read the inventory \(it is a folder\); boot the lab with `lab vm up` or give --inventory FILE$/] },
  ];

  for (const row of rows) {
    it(`${row.name}: exit 2, the place and the cause, no connection`, async () => {
      writeFileSync(join(dir, 'inv.yaml'), row.edit(good));
      const before = count();
      const r = await lab(row.args ?? ['up', 'lvs-nat', '--inventory', 'inv.yaml'], dir, { LAB_PERSIST: '0' });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(row.lines.length);
      lines.forEach((l, i) => expect(l).toMatch(row.lines[i]!));
      expect(r.stdout).toBe('');
      expect(count() - before).toBe(0);
    });
  }

  for (const cmd of ['verify', 'plan', 'reset', 'status'])
    it(`${cmd} --hosts web1,web2 contacts those two hosts and no other`, async () => {
      writeFileSync(join(dir, 'inv.yaml'), good);
      const before = count();
      const r = await lab([cmd, 'lvs-nat', '--inventory', 'inv.yaml', '--hosts', 'web1,web2', '--json'], dir, { LAB_PERSIST: '0' });
      const said = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      expect(r.code, said).toBe(1);
      expect(count() - before, said).toBe(2);
      if (cmd === 'verify') {
        // Only the checks on those hosts ran, and each says it could not look at its host.
        const checks = (JSON.parse(r.stdout) as { checks: { host: string; found: string }[] }).checks;
        expect(checks.length, said).toBeGreaterThan(4);
        expect([...new Set(checks.map((c) => c.host))].sort(), said).toEqual(['web1', 'web2']);
        for (const c of checks) expect(c.found, said).toMatch(new RegExp(`^could not look at ${c.host}: `));
      }
    });

  it('the good inventory passes validation and is contacted (so the rows above fail for their own reason)', async () => {
    writeFileSync(join(dir, 'inv.yaml'), good);
    const before = count();
    const r = await lab(['plan', 'lvs-nat', '--inventory', 'inv.yaml'], dir, { LAB_PERSIST: '0' });
    expect(r.code).toBe(1);
    expect(count() - before).toBe(4);
  });
});
