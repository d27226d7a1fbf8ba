// Vagrant for real: a local box from the `lab vm` image, four lvs-nat machines under vagrant-libvirt (qemu driver,
// isolated management and lab networks, all inside a network namespace this test makes), then `lab up` and
// `lab verify` through `vagrant ssh-config`, and `vagrant destroy` leaving nothing behind.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSshConfig } from '../../src/vagrant/sshconfig.js';
import { checkOutputShape, ROOT, stopKeeper } from './harness.js';
import { domains, inNs, must, networks, pidsInNs, startLibvirtBed, stopLibvirtBed, type LibvirtBed } from './libvirt-bed.js';

const LAB = 'lvs-nat';
const HOSTS = ['client', 'proxy', 'web1', 'web2'];
let bed: LibvirtBed | undefined;
let upSeconds = 0;
let labHome = '';

/** The built CLI, inside the namespace, with the bed's Vagrant settings (lab runs `vagrant ssh-config` itself). */
async function lab(args: string[], timeoutMs = 1_200_000) {
  const r = await inNs(bed!, 'node', [join(ROOT, 'bin', 'lab.js'), ...args], { cwd: ROOT, timeoutMs, env: { LAB_HOME: labHome, LAB_VAGRANT_DIR: join(ROOT, 'vagrant'), NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (args.includes('--json')) checkOutputShape(args, r.stdout);
  return r;
}

function vagrant(args: string[], timeoutMs = 1_800_000) {
  return inNs(bed!, 'vagrant', args, { cwd: join(ROOT, 'vagrant'), timeoutMs, env: { LAB: LAB } });
}

describe('lab with Vagrant (vagrant-libvirt, qemu driver)', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    labHome = mkdtempSync('/var/tmp/lab-vagrant-home-');
    bed = await startLibvirtBed();
    // The box, from the same cached image `lab vm` uses, added to this test's own VAGRANT_HOME.
    const box = await inNs(bed, 'node', [join(ROOT, 'bin', 'lab.js'), 'vm', 'box', '--add', '--out', join(bed.base, 'lab.box')], { cwd: ROOT, timeoutMs: 1_800_000 });
    if (box.code !== 0) throw new Error(`lab vm box --add failed:\n${box.out.slice(-2000)}`);
    const t = Date.now();
    const up = await vagrant(['up', '--provider', 'libvirt']);
    upSeconds = (Date.now() - t) / 1000;
    if (up.code !== 0) {
      // Vagrant ends with a Ruby backtrace; the message is above it.
      const lines = up.out.split('\n').filter((l) => !/^\s+from \//.test(l));
      throw new Error(`vagrant up failed (exit ${up.code}):\n${lines.slice(-30).join('\n')}`);
    }
    process.stderr.write(`vagrant up of ${HOSTS.length} machines took ${upSeconds.toFixed(0)} s\n`);
  });

  afterAll(async () => {
    if (!bed) return;
    const destroy = await vagrant(['destroy', '-f'], 600_000).catch((e: Error) => ({ code: 1, out: e.message }));
    const leftDomains = await domains().catch(() => ['(virsh failed)']);
    const leftNets = (await networks().catch(() => [])).filter((n) => n.name !== 'default').map((n) => n.name);
    // lab's connection keeper ran inside the namespace too: it is ours, stopped by PID before the namespace's check.
    await stopKeeper();
    const forced = await stopLibvirtBed(bed);
    bed = undefined;
    rmSync(labHome, { recursive: true, force: true });
    // Checked after the teardown so that a failure here still leaves no VM, network or daemon behind.
    expect(destroy.code, destroy.out.slice(-1500)).toBe(0);
    expect(leftDomains).toEqual([]);
    expect(leftNets).toEqual([]);
    expect(forced).toEqual([]);
  });

  it('keeps every libvirt network isolated: no forward mode but none, and the default NAT network never started', async () => {
    const nets = await networks();
    const ours = nets.filter((n) => n.name !== 'default');
    // The management network and one per lab network.
    expect(ours.map((n) => n.name).sort()).toEqual(['lab-lvs-nat-private', 'lab-lvs-nat-public', 'vagrant-libvirt']);
    for (const n of ours) {
      const mode = /<forward[^>]*mode=['"]([^'"]+)['"]/.exec(n.xml)?.[1] ?? 'none';
      expect(mode, `${n.name} forward mode`).toBe('none');
    }
    // The lab networks are pure segments: no host address, no DHCP.
    for (const n of ours.filter((x) => x.name.startsWith('lab-'))) expect(n.xml, n.name).not.toMatch(/<ip\b|<dhcp/);
    const dflt = nets.find((n) => n.name === 'default');
    if (dflt) expect(dflt.active, 'libvirt default network active').toBe(false);
  });

  it('puts the guests only in the namespace: none of their qemu runs outside it', async () => {
    const inside = new Set(await pidsInNs(bed!.ns));
    const qemus = (await must('sh', ['-c', "for p in /proc/[0-9]*; do if tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^/usr/bin/qemu-system.*guest=vagrant_'; then echo ${p#/proc/}; fi; done"])).split('\n').filter(Boolean).map(Number);
    expect(qemus.length).toBe(HOSTS.length);
    for (const pid of qemus) expect(inside.has(pid), `qemu ${pid} in ${bed!.ns}`).toBe(true);
  });

  it('finds the machines from `vagrant ssh-config`, with quoted key paths', async () => {
    const r = await vagrant(['ssh-config', ...HOSTS], 300_000);
    expect(r.code, r.out).toBe(0);
    const entries = parseSshConfig(r.stdout);
    expect(entries.map((e) => e.host)).toEqual(HOSTS);
    for (const e of entries) {
      expect(e.user).toBe('vagrant');
      expect(e.hostName).toMatch(/^192\.168\.121\.\d+$/);
      expect(e.identityFiles[0]).toContain('/dot dir/machines/');
      expect(existsSync(e.identityFiles[0]!)).toBe(true);
    }
  });

  it('under the qemu driver the lab/ box boots with norandmaps, as lab vm does', async () => {
    const r = await vagrant(['ssh', 'web1', '-c', 'cat /proc/sys/kernel/randomize_va_space; cat /proc/cmdline'], 300_000);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.split('\n')[0]!.trim()).toBe('0');
    expect(r.stdout).toMatch(/\bnorandmaps\b/);
  });

  it('lab up --provider vagrant converges the lab; lab verify (provider detected) proves it from the client', async () => {
    const up = await lab(['up', LAB, '--provider', 'vagrant', '--json']);
    expect(up.code, up.out.slice(-3000)).toBe(0);
    const recap = JSON.parse(up.stdout);
    expect(recap.ok).toBe(true);
    expect(Object.keys(recap.hosts).sort()).toEqual([...HOSTS].sort());
    // Fresh machines: every host had something to change (web1 and web2 their gateway via the director).
    for (const [name, h] of Object.entries(recap.hosts as Record<string, { changed: number; failed: number; unreachable: number }>)) {
      expect(h.failed + h.unreachable, name).toBe(0);
      expect(h.changed, name).toBeGreaterThan(0);
    }
    const verify = await lab(['verify', LAB, '--json']);
    expect(verify.code, verify.out.slice(-3000)).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report.ok).toBe(true);
    const balancing = report.checks.filter((c: { check: string }) => c.check === 'balancing');
    expect(balancing.length).toBeGreaterThan(0);
    for (const c of balancing) expect(c.status, c.title).toBe('pass');
    // Host keys were recorded on first contact, one known_hosts per machine id.
    for (const h of HOSTS) {
      const dir = join(bed!.env.VAGRANT_DOTFILE_PATH!, 'machines', h, 'libvirt');
      const id = readFileSync(join(dir, 'id'), 'utf8').trim();
      expect(readFileSync(join(dir, `lab_known_hosts.${id}`), 'utf8')).toMatch(/ssh-ed25519 /);
    }
  });

  it('a second lab up changes nothing', async () => {
    const again = await lab(['up', LAB, '--provider', 'vagrant', '--json']);
    expect(again.code, again.out.slice(-2000)).toBe(0);
    const recap = JSON.parse(again.stdout);
    expect(Object.keys(recap.hosts).sort()).toEqual([...HOSTS].sort());
    for (const [name, h] of Object.entries(recap.hosts as Record<string, { changed: number }>)) expect(h.changed, `${name} changed`).toBe(0);
  });
});
