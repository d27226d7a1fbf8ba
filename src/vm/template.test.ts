// Templates: which VMs may start from the same one, the identity a started VM keeps, and the key hand-over script.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../spec/load.js';
import { macFor, machineIdFor, segmentFor } from './identity.js';
import { vmInventory } from './inventory.js';
import { planVm } from './plan.js';
import { TAKE_KEYS, takeKeysInput, templateKey, templatesEnabled } from './template.js';

const image = { dir: '/cache/img', kernel: '/cache/img/vmlinuz', initrd: '/cache/img/initrd.img', base: '/cache/img/base.img' };
const fp = { qemu: 'QEMU emulator version 7.2.22', machine: 'pc-i440fx-7.2', cpu: 'qemu64' };

describe('template keys', () => {
  it('are shared by the same VM of two instances, and differ with anything the guest saw or the machine', async () => {
    const { lab } = await loadLab('lvs-nat');
    const plan = (over: Partial<Parameters<typeof planVm>[0]> = {}) => planVm({ lab, instance: 'alice', host: 'proxy', image, accel: 'tcg', sshPort: 40000, ...over });
    const k = templateKey(plan(), image.base, fp);
    // Not the instance: not its ports, segments, MACs, machine id or keys.
    expect(templateKey(plan({ instance: 'bob', sshPort: 41000 }), image.base, fp)).toBe(k);
    expect(templateKey(plan({ identity: 'carol' }), image.base, fp)).toBe(k);
    // What the guest saw, and the machine it was saved on.
    expect(templateKey(plan({ host: 'web1' }), image.base, fp)).not.toBe(k);
    expect(templateKey(plan({ memory: 768 }), image.base, fp)).not.toBe(k);
    expect(templateKey(plan({ aslr: true }), image.base, fp)).not.toBe(k);
    expect(templateKey(plan({ accel: 'kvm' }), image.base, fp)).not.toBe(k);
    expect(templateKey(plan(), '/other/base.img', fp)).not.toBe(k);
    expect(templateKey(plan(), image.base, { ...fp, qemu: 'QEMU emulator version 8.0.0' })).not.toBe(k);
    expect(templateKey(plan(), image.base, { ...fp, cpu: 'host (x)' })).not.toBe(k);
  });

  it('differ when a host has other networks, even with the same name and NIC count', async () => {
    const { lab } = await loadLab('lvs-nat');
    const renamed = structuredClone(lab);
    const web1 = renamed.hosts.web1!;
    renamed.hosts.web1 = { ...web1, interfaces: Object.fromEntries(Object.entries(web1.interfaces).map(([, v]) => ['other', v])) };
    const key = (l: typeof lab) => templateKey(planVm({ lab: l, instance: 'a', host: 'web1', image, accel: 'tcg', sshPort: 1 }), image.base, fp);
    expect(key(renamed)).not.toBe(key(lab));
  });

  it('LAB_VM_TEMPLATES=0 turns them off; anything else keeps them', () => {
    expect(templatesEnabled({})).toBe(true);
    expect(templatesEnabled({ LAB_VM_TEMPLATES: '1' })).toBe(true);
    expect(templatesEnabled({ LAB_VM_TEMPLATES: '0' })).toBe(false);
  });
});

describe('a VM started from a template', () => {
  it('keeps the MACs and machine id of the template origin, and gets the segments of its own instance', async () => {
    const { lab } = await loadLab('lvs-nat');
    const p = planVm({ lab, instance: 'bob', host: 'proxy', image, accel: 'tcg', sshPort: 40000, identity: 'alice' });
    expect(p.managementMac).toBe(macFor('alice', 'proxy', 'mgmt'));
    expect(p.machineId).toBe(machineIdFor('alice', 'proxy'));
    for (const nic of p.nics) {
      expect(nic.mac).toBe(macFor('alice', 'proxy', nic.network));
      expect({ group: nic.group, port: nic.port }).toEqual(segmentFor('bob', nic.network));
    }
    // Its disk, keys and files are its own instance's.
    expect(p.disk).toMatch(/\/bob\/vms\/proxy\/disk\.qcow2$/);
    expect(p.fwCfg['lab/ssh_host_ed25519_key']).toMatch(/\/bob\/vms\/proxy\//);
    // Without an identity, the instance's own.
    expect(planVm({ lab, instance: 'bob', host: 'proxy', image, accel: 'tcg', sshPort: 40000 }).managementMac).toBe(macFor('bob', 'proxy', 'mgmt'));
  });

  it('is found in the inventory by the MACs of its identity', async () => {
    const { lab } = await loadLab('lvs-nat');
    const inv = vmInventory(lab, 'bob', { client: 1, proxy: 2, web1: 3, web2: 4 }, { proxy: 'alice' });
    expect(inv.hosts.proxy!.management!.mac).toBe(macFor('alice', 'proxy', 'mgmt'));
    expect(Object.entries(inv.hosts.proxy!.interfaces!).map(([n, h]) => [n, h.mac])).toEqual(Object.keys(lab.hosts.proxy!.interfaces).map((n) => [n, macFor('alice', 'proxy', n)]));
    expect(inv.hosts.web1!.management!.mac).toBe(macFor('bob', 'web1', 'mgmt'));
    expect(inv.hosts.proxy!.identityFile).toMatch(/\/bob\/id_ed25519$/);
  });
});

describe('the key hand-over script', () => {
  /** TAKE_KEYS under /bin/sh with its paths moved into a folder, and systemctl a stub that records its arguments. */
  async function handOver(input: string) {
    const d = mkdtempSync(join(tmpdir(), 'lab-keys-'));
    for (const sub of ['etc/ssh', 'root/.ssh', 'bin']) await execa('mkdir', ['-p', join(d, sub)]);
    writeFileSync(join(d, 'etc/ssh/ssh_host_ed25519_key'), 'OLD PRIVATE\n');
    writeFileSync(join(d, 'root/.ssh/authorized_keys'), 'ssh-ed25519 OLD template\n');
    writeFileSync(join(d, 'bin/systemctl'), `#!/bin/sh\necho "$@" >> ${d}/systemctl.log\n`, { mode: 0o755 });
    const script = TAKE_KEYS.replaceAll('/etc/ssh/', `${d}/etc/ssh/`).replaceAll('/root/.ssh/', `${d}/root/.ssh/`);
    const r = await execa('/bin/sh', ['-c', script], { input, reject: false, env: { PATH: `${d}/bin:/usr/bin:/bin` } });
    return { d, r };
  }

  it('writes the three keys from stdin, the private one 0600, and reloads sshd', async () => {
    const priv = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----\n';
    const { d, r } = await handOver(takeKeysInput('ssh-ed25519 CLIENT lab-bob\n', 'ssh-ed25519 HOST root@web1\n', priv));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'root/.ssh/authorized_keys'), 'utf8')).toBe('ssh-ed25519 CLIENT lab-bob\n');
    expect(readFileSync(join(d, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')).toBe('ssh-ed25519 HOST root@web1\n');
    expect(readFileSync(join(d, 'etc/ssh/ssh_host_ed25519_key'), 'utf8')).toBe(priv);
    expect(statSync(join(d, 'etc/ssh/ssh_host_ed25519_key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'root/.ssh/authorized_keys')).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'etc/ssh/ssh_host_ed25519_key.pub')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(d, 'systemctl.log'), 'utf8')).toBe('reload ssh\n');
  });

  it('refuses a public key that is not one line, before the guest sees it', () => {
    expect(() => takeKeysInput('ssh-ed25519 A\nssh-ed25519 B', 'ssh-ed25519 H', 'P')).toThrow(/instance key is not one line/);
    expect(() => takeKeysInput('ssh-ed25519 A', '', 'P')).toThrow(/host key is not one line/);
    expect(takeKeysInput('a\n', 'b\n', 'P')).toBe('a\nb\nP\n');
  });
});
