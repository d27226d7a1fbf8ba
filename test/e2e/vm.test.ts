// `lab vm` for real: boot lvs-nat's four VMs, ssh with checked host keys, offline apt, up twice, reset (snapshot and cold), down and resume.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { instanceDir, readInventoryFile, sshArgs } from '../../src/vm/index.js';
import { e2eInstance, qemuPidsOf, runCli, sshExec, sshOk, stopLab } from './harness.js';
import { execa } from 'execa';

const INSTANCE = e2eInstance('e2e-vm');
/** A second instance of the lab, made from the templates of a first boot. */
const INSTANCE2 = e2eInstance('e2e-vm-tpl');
const HOSTS = ['client', 'proxy', 'web1', 'web2'];
// Other suites may run VMs on the same 2 cores meanwhile: allow each VM 10 min to answer SSH.
const BOOT = ['--timeout', '600'];
const inventoryPath = () => join(instanceDir(INSTANCE), 'inventory.yaml');

interface StatusJson {
  ms?: number;
  vms: { host: string; state: string; pid?: number; sshPort?: number; diskBytes?: number }[];
}

/** `lab vm status --json`, without each overlay's size (a running guest's own writes move that) and the command's wall time. */
async function status(): Promise<StatusJson> {
  const r = await runCli(['vm', 'status', 'lvs-nat', '--instance', INSTANCE, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const st = JSON.parse(r.stdout) as StatusJson;
  for (const v of st.vms) delete v.diskBytes;
  delete st.ms;
  return st;
}

describe('lab vm on lvs-nat', () => {
  let inv: Inventory;

  beforeAll(async () => {
    // A clean slate: no disks or keys from an earlier run.
    const d = await runCli(['vm', 'destroy', 'lvs-nat', '--instance', INSTANCE]);
    expect(d.code, d.stderr).toBe(0);
  });

  afterAll(async () => {
    await stopLab(INSTANCE);
    await stopLab(INSTANCE2);
  });

  it('vm up boots the four hosts and writes the inventory', async () => {
    // --boot: a real first boot even when another instance of this layout left templates.
    const r = await runCli(['vm', 'up', 'lvs-nat', '--instance', INSTANCE, '--boot', ...BOOT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/from the template/);
    console.log(`vm up (4 VMs, including any image build): ${r.seconds.toFixed(1)} s\n${r.stderr}`);
    inv = readInventoryFile(inventoryPath());
    expect(inv.lab).toBe('lvs-nat');
    expect(inv.source).toBe('vm');
    expect(Object.keys(inv.hosts).sort()).toEqual([...HOSTS].sort());
    expect(inv.hosts.proxy?.interfaces && Object.keys(inv.hosts.proxy.interfaces).sort()).toEqual(['private', 'public']);
    for (const h of Object.values(inv.hosts)) {
      expect(h).toMatchObject({ address: '127.0.0.1', user: 'root' });
      expect(readFileSync(h.knownHosts!, 'utf8')).toContain(`[127.0.0.1]:${h.port} ssh-ed25519 `);
    }
  });

  it('each host answers SSH with its checked host key, under its own name, with its NICs by MAC', async () => {
    for (const host of HOSTS) {
      const out = await sshOk(inv, host, 'hostname; ip -br link');
      expect(out.split('\n')[0]).toBe(host);
      for (const hint of [inv.hosts[host]!.management!, ...Object.values(inv.hosts[host]!.interfaces!)]) expect(out).toContain(hint.mac);
    }
  });

  it('under tcg the guests map libraries at fixed addresses (norandmaps), so qemu reuses its translations', async () => {
    const { accel } = JSON.parse(readFileSync(join(instanceDir(INSTANCE), 'state.json'), 'utf8')) as { accel: string };
    for (const host of HOSTS) expect((await sshOk(inv, host, 'cat /proc/sys/kernel/randomize_va_space')).trim()).toBe(accel === 'tcg' ? '0' : '2');
  });

  it('refuses a host whose key is not the recorded one (checked, not trusted on first use)', async () => {
    const web1 = inv.hosts.web1!;
    const wrong = join(instanceDir(INSTANCE), 'wrong_known_hosts');
    const otherKey = readFileSync(inv.hosts.web2!.knownHosts!, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${inv.hosts.web2!.port} `))!;
    writeFileSync(wrong, `[127.0.0.1]:${web1.port} ${otherKey.split(' ').slice(1).join(' ')}\n`);
    const args = sshArgs({ port: web1.port, identityFile: web1.identityFile!, knownHosts: wrong });
    const r = await execa('ssh', [...args, 'true'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
  });

  it('a second instance starts from the templates in seconds: its own keys, its own segments, NICs by the MACs its inventory names', async () => {
    expect((await runCli(['vm', 'destroy', 'lvs-nat', '--instance', INSTANCE2])).code).toBe(0);
    const r = await runCli(['vm', 'up', 'lvs-nat', '--instance', INSTANCE2, ...BOOT]);
    expect(r.code, r.stderr).toBe(0);
    console.log(`vm up of a new instance from the templates (4 VMs): ${r.seconds.toFixed(1)} s\n${r.stderr}`);
    for (const host of HOSTS) expect(r.stderr).toMatch(new RegExp(`resumed ${host} from the template of \\S+'s first boot`));
    expect(r.stderr).not.toMatch(/could not start from its template/);
    const inv2 = readInventoryFile(join(instanceDir(INSTANCE2), 'inventory.yaml'));
    for (const host of HOSTS) {
      // Checked against the second instance's known_hosts: the guest presents the host key made for this instance.
      const out = await sshOk(inv2, host, 'hostname; ip -br link');
      expect(out.split('\n')[0]).toBe(host);
      for (const hint of [inv2.hosts[host]!.management!, ...Object.values(inv2.hosts[host]!.interfaces!)]) expect(out).toContain(hint.mac);
      const key = (i: Inventory) => readFileSync(i.hosts[host]!.knownHosts!, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${i.hosts[host]!.port} `))!.split(' ')[2];
      expect(key(inv2)).not.toBe(key(inv));
    }
    // The template's login is gone: the first instance's client key is refused by the second's VMs.
    const web1 = inv2.hosts.web1!;
    const other = await execa('ssh', [...sshArgs({ port: web1.port, identityFile: inv.hosts.web1!.identityFile!, knownHosts: web1.knownHosts! }), 'true'], { reject: false, stdin: 'ignore' });
    expect(other.exitCode, other.stderr).toBe(255);
    expect(other.stderr).toMatch(/Permission denied/);
    // Lab segments are per instance, whatever the template: no multicast group of one proxy is the other's.
    const groups = (instance: string) => {
      const pid = readFileSync(join(instanceDir(instance), 'vms', 'proxy', 'qemu.pid'), 'utf8').trim();
      return [...readFileSync(`/proc/${pid}/cmdline`, 'utf8').matchAll(/mcast=([\d.]+:\d+)/g)].map((m) => m[1]);
    };
    expect(groups(INSTANCE2)).toHaveLength(2);
    expect(groups(INSTANCE2).filter((g) => groups(INSTANCE).includes(g))).toEqual([]);
    // Its pristine snapshot was saved after the keys changed: a reset comes back with them.
    const reset = await runCli(['vm', 'reset', 'lvs-nat', '--instance', INSTANCE2, ...BOOT]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/4 VMs resumed from snapshot pristine/);
    expect((await sshOk(readInventoryFile(join(instanceDir(INSTANCE2), 'inventory.yaml')), 'web1', 'hostname')).trim()).toBe('web1');
    expect((await runCli(['vm', 'destroy', 'lvs-nat', '--instance', INSTANCE2])).code).toBe(0);
    expect(qemuPidsOf(INSTANCE2)).toEqual([]);
  });

  it('lab ssh runs one command on a host as lab reaches it and gives back its exit code; a wrong key is refused; an unknown host is exit 2', async () => {
    const ssh = (...a: string[]) => runCli(['ssh', 'lvs-nat', ...a]);
    const r = await ssh('web1', '--instance', INSTANCE, '--', 'hostname; echo "$SSH_CONNECTION" | wc -w');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['web1', '4']);
    expect((await ssh('proxy', '--instance', INSTANCE, '--', 'exit 3')).code).toBe(3);
    // Through an inventory file whose known_hosts for web1 holds web2's key: ssh refuses, nothing runs.
    const wrongInv = join(instanceDir(INSTANCE), 'wrong-inventory.yaml');
    const wrong = join(instanceDir(INSTANCE), 'wrong_known_hosts_ssh');
    const otherKey = readFileSync(inv.hosts.web2!.knownHosts!, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${inv.hosts.web2!.port} `))!;
    writeFileSync(wrong, `[127.0.0.1]:${inv.hosts.web1!.port} ${otherKey.split(' ').slice(1).join(' ')}\n`);
    writeFileSync(wrongInv, readFileSync(inventoryPath(), 'utf8').split(inv.hosts.web1!.knownHosts!).join(wrong));
    const refused = await ssh('web1', '-i', wrongInv, '--', 'touch /root/should-not-exist');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
    expect((await sshExec(inv, 'web1', 'test -e /root/should-not-exist')).code).toBe(1);
    const bad = await ssh('web9', '--instance', INSTANCE, '--', 'true');
    expect(bad.code).toBe(2);
    // execa drops the final newline.
    expect(bad.stderr).toBe('lab: no host "web9" in lab lvs-nat: its hosts are client, proxy, web1, web2');
  });

  // ipvsadm, a small package: every converge of every lab installs apache2 from the same repository (and fails if it
  // cannot), so this case needs no second two-minute apache2 install under emulation.
  it('ipvsadm installs from the baked-in repository, the only apt source', async () => {
    expect((await sshOk(inv, 'web1', 'grep -rh ^deb /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null')).trim()).toBe('deb [trusted=yes] file:/srv/lab-repo ./');
    expect((await sshExec(inv, 'web1', 'dpkg -s ipvsadm')).code).not.toBe(0);
    await sshOk(inv, 'web1', 'DEBIAN_FRONTEND=noninteractive apt-get install -y ipvsadm');
    expect((await sshOk(inv, 'web1', 'dpkg-query -W -f=\'${Status}\' ipvsadm')).trim()).toBe('install ok installed');
    expect((await sshOk(inv, 'web1', 'firewall-cmd --get-default-zone')).trim()).toBe('public');
  });

  it('a second vm up reports the lab running and changes nothing', async () => {
    const before = await status();
    const mtime = statSync(inventoryPath()).mtimeMs;
    const r = await runCli(['vm', 'up', 'lvs-nat', '--instance', INSTANCE, ...BOOT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already running; nothing changed/);
    expect(await status()).toEqual(before);
    expect(statSync(inventoryPath()).mtimeMs).toBe(mtime);
    expect(before.vms.every((v) => v.state === 'running' && v.pid)).toBe(true);
  });

  it('vm reset restores the pristine snapshot: the disks and the running system as after the first boot', async () => {
    await sshOk(inv, 'client', 'echo before-reset > /root/marker && sync');
    const r = await runCli(['vm', 'reset', 'lvs-nat', '--instance', INSTANCE, ...BOOT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 VMs resumed from snapshot pristine/);
    console.log(`vm reset (4 VMs, from the pristine snapshot): ${r.seconds.toFixed(1)} s`);
    inv = readInventoryFile(inventoryPath());
    expect((await sshExec(inv, 'client', 'test -e /root/marker')).code).toBe(1);
    expect((await sshExec(inv, 'web1', 'dpkg -s ipvsadm')).code).not.toBe(0);
  });

  it('vm reset --cold brings back pristine disks by booting new ones, and saves a new pristine snapshot', async () => {
    await sshOk(inv, 'client', 'echo before-reset > /root/marker && sync');
    const before = JSON.parse(readFileSync(join(instanceDir(INSTANCE), 'snapshots.json'), 'utf8')) as { snapshots: { name: string; savedAt: string }[] };
    const r = await runCli(['vm', 'reset', 'lvs-nat', '--instance', INSTANCE, '--cold', ...BOOT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/resumed from snapshot/);
    console.log(`vm reset --cold (4 VMs): ${r.seconds.toFixed(1)} s`);
    inv = readInventoryFile(inventoryPath());
    expect((await sshExec(inv, 'client', 'test -e /root/marker')).code).toBe(1);
    const after = JSON.parse(readFileSync(join(instanceDir(INSTANCE), 'snapshots.json'), 'utf8')) as { snapshots: { name: string; savedAt: string }[] };
    expect(after.snapshots.map((s) => s.name)).toEqual(['pristine']);
    expect(after.snapshots[0]!.savedAt > before.snapshots.find((s) => s.name === 'pristine')!.savedAt).toBe(true);
  });

  it('vm down saves the VMs and leaves no qemu of the instance; the next up resumes them where they were', async () => {
    await sshOk(inv, 'web2', 'echo kept > /root/kept; sleep 300 >/dev/null 2>&1 & echo $! > /root/sleeper');
    const r = await runCli(['vm', 'down', 'lvs-nat', '--instance', INSTANCE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resumes snapshot suspended/);
    console.log(`vm down (4 VMs, saved first): ${r.seconds.toFixed(1)} s`);
    expect(qemuPidsOf(INSTANCE)).toEqual([]);
    expect((await status()).vms.map((v) => v.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    const up = await runCli(['vm', 'up', 'lvs-nat', '--instance', INSTANCE, ...BOOT]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/4 VMs resumed from snapshot suspended/);
    console.log(`vm up of stopped VMs (4 VMs, resumed): ${up.seconds.toFixed(1)} s`);
    inv = readInventoryFile(inventoryPath());
    // The disk and the processes: a resume, not a boot.
    expect((await sshOk(inv, 'web2', 'cat /root/kept; kill -0 $(cat /root/sleeper) && echo sleeper-alive')).trim().split('\n')).toEqual(['kept', 'sleeper-alive']);
    const down = await runCli(['vm', 'down', 'lvs-nat', '--instance', INSTANCE, '--force']);
    expect(down.code, down.stderr).toBe(0);
    expect(qemuPidsOf(INSTANCE)).toEqual([]);
  });

  it('user errors are one line with exit 2', async () => {
    const r = await runCli(['vm', 'up', 'no-such-lab']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await runCli(['vm', 'up', 'lvs-nat', '--instance', 'Bad Name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
