// A throwaway libvirt for the Vagrant e2e test, shut in a network namespace this test makes itself:
// virtlogd and libvirtd run inside it (started by hand, there is no systemd), so every bridge, dnsmasq and guest
// they make lives there, and nothing of theirs can reach beyond this machine: the namespace has only its loopback.
// This libvirtd has its own, empty /etc/libvirt/qemu, so libvirt's `default` NAT network is not even defined for it,
// and the test asserts it never runs.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const VIRSH = ['-c', 'qemu:///system'];

export interface LibvirtBed {
  ns: string;
  base: string;
  pool: string;
  pids: { virtlogd: number; libvirtd: number };
  /** Environment for Vagrant and lab inside the namespace. */
  env: Record<string, string>;
}

interface ShOpts {
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

async function sh(cmd: string, args: string[], opts: ShOpts = {}) {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', all: true, env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000 });
  // Vagrant redraws a progress line many times a second; keep the output readable.
  const out = (r.all ?? '').replace(/\r/g, '\n').split('\n').filter((l) => !/Progress: \d+%/.test(l)).join('\n');
  return { code: r.exitCode ?? 1, out, stdout: r.stdout ?? '' };
}

export async function must(cmd: string, args: string[], opts: ShOpts = {}): Promise<string> {
  const r = await sh(cmd, args, opts);
  if (r.code !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` exited ${r.code}:\n${r.out.trim().split('\n').slice(-15).join('\n')}`);
  return r.out;
}

/** Run a command inside the namespace with the bed's environment; resolves to its exit code and output. */
export function inNs(bed: LibvirtBed, cmd: string, args: string[], opts: ShOpts = {}) {
  const env = Object.entries({ ...bed.env, ...opts.env }).map(([k, v]) => `${k}=${v}`);
  return sh('ip', ['netns', 'exec', bed.ns, 'env', ...env, cmd, ...args], { ...opts, env: undefined });
}

/** Every process whose comm is `name` (from /proc). */
export function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

/** PIDs of the processes that live in network namespace `ns`. */
export async function pidsInNs(ns: string): Promise<number[]> {
  const r = await sh('ip', ['netns', 'pids', ns]);
  return r.code === 0 ? r.out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0) : [];
}

const REQUIRED = ['vagrant', 'virsh', 'libvirtd', 'virtlogd', 'dnsmasq', 'unshare', 'ip', 'qemu-system-x86_64'];

async function waitFor(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Remove the empty namespaces of earlier runs of this test that were killed before their teardown: named `labv-PID`
 * after a test process that is gone, with no process left inside. Anything else is left alone.
 */
async function dropDeadNamespaces(): Promise<void> {
  const r = await sh('ip', ['netns', 'list']);
  for (const m of r.out.matchAll(/^labv-(\d+)\b/gm)) {
    const pid = Number(m[1]);
    if (alive(pid) || (await pidsInNs(m[0])).length > 0) continue;
    await sh('ip', ['netns', 'del', m[0]]);
  }
}

/** Start virtlogd and libvirtd in a new namespace and give them a storage pool in a temp folder. Throws when it cannot. */
export async function startLibvirtBed(): Promise<LibvirtBed> {
  if (process.getuid?.() !== 0) throw new Error('the Vagrant e2e test needs root (libvirtd, network namespaces)');
  const missing: string[] = [];
  for (const p of REQUIRED) if ((await sh('sh', ['-c', `command -v ${p}`])).code !== 0) missing.push(p);
  if (missing.length > 0)
    throw new Error(`the Vagrant e2e test needs ${missing.join(', ')}: run scripts/install-deps.sh vagrant vagrant-libvirt libvirt-daemon-system dnsmasq-base`);
  if (!(await must('vagrant', ['plugin', 'list'])).includes('vagrant-libvirt')) throw new Error('the vagrant-libvirt plugin is missing: apt-get install vagrant-libvirt');
  await dropDeadNamespaces();
  const running = [...pidsNamed('libvirtd'), ...pidsNamed('virtlogd')];
  if (running.length > 0) throw new Error(`libvirtd/virtlogd not started by this test are running (pids ${running.join(', ')}); stop them first`);

  // Outside /root: qemu runs as libvirt-qemu and reads the box's kernel from VAGRANT_HOME.
  const base = mkdtempSync('/var/tmp/lab-vagrant-');
  for (const d of ['', 'pool', 'vhome']) {
    mkdirSync(join(base, d), { recursive: true });
    chmodSync(join(base, d), 0o755);
  }
  const ns = `labv-${process.pid}`;
  const pool = `lab-e2e-${process.pid}`;
  const bed: LibvirtBed = {
    ns,
    base,
    pool,
    pids: { virtlogd: 0, libvirtd: 0 },
    env: {
      VAGRANT_HOME: join(base, 'vhome'),
      // A space in the path: Vagrant then quotes IdentityFile, which lab must parse.
      VAGRANT_DOTFILE_PATH: join(base, 'dot dir'),
      VAGRANT_NO_COLOR: '1',
      VAGRANT_CHECKPOINT_DISABLE: '1',
      VAGRANT_BOX_UPDATE_CHECK_DISABLE: '1',
      LAB_BOX: 'lab/debian12',
      LAB_ISOLATED: '1',
      LAB_LIBVIRT_DRIVER: 'qemu',
      LAB_LIBVIRT_POOL: pool,
      LAB_MEMORY: '512',
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
    },
  };
  await must('ip', ['netns', 'add', ns]);
  await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // This libvirtd keeps its domain and network definitions in the bed's own folder, not in /etc/libvirt/qemu: a run
  // that is killed before its teardown then leaves no `vagrant_client` behind to collide with the next run's
  // (measured: a killed run's persistent domain made the next `vagrant up` fail with "Name ... is already taken").
  // The host's definitions, libvirt's `default` NAT network among them, are thereby not seen at all.
  const conf = join(base, 'etc-qemu');
  mkdirSync(join(conf, 'networks', 'autostart'), { recursive: true });
  chmodSync(conf, 0o755);
  mkdirSync('/etc/libvirt/qemu', { recursive: true });
  let hide = `mount --bind ${conf} /etc/libvirt/qemu && `;
  // The guests run under TCG (driver qemu). Where /dev/kvm exists but KVM does not work, libvirt finds its cached
  // qemu capabilities stale at every call ("KVM usable" differs from what the probe found) and probes qemu again,
  // tens of seconds each time under emulation. Its /dev/kvm is made unusable for the qemu user instead.
  // That bind mount in turn breaks the private /dev libvirt builds per guest, so this libvirtd gets a qemu.conf with
  // `namespaces = []` (measured: one guest up in 65 s instead of about 200 s).
  if (existsSync('/dev/kvm')) {
    writeFileSync(join(base, 'nokvm'), '');
    chmodSync(join(base, 'nokvm'), 0o000);
    const conf = existsSync('/etc/libvirt/qemu.conf') ? readFileSync('/etc/libvirt/qemu.conf', 'utf8') : '';
    writeFileSync(join(base, 'qemu.conf'), `${conf}\n# lab e2e: no private /dev per guest (/dev/kvm is a bind mount here)\nnamespaces = []\n`);
    chmodSync(join(base, 'qemu.conf'), 0o644);
    hide += `mount --bind ${join(base, 'nokvm')} /dev/kvm && mount --bind ${join(base, 'qemu.conf')} /etc/libvirt/qemu.conf && `;
  }
  await must('ip', ['netns', 'exec', ns, 'unshare', '-m', 'sh', '-c', `${hide}virtlogd -d -p ${join(base, 'virtlogd.pid')} && libvirtd -d -p ${join(base, 'libvirtd.pid')}`]);
  await waitFor('libvirtd', async () => existsSync(join(base, 'libvirtd.pid')) && (await sh('virsh', [...VIRSH, 'version'])).code === 0, 60_000);
  bed.pids.virtlogd = Number(readFileSync(join(base, 'virtlogd.pid'), 'utf8').trim());
  bed.pids.libvirtd = Number(readFileSync(join(base, 'libvirtd.pid'), 'utf8').trim());
  await must('virsh', [...VIRSH, 'pool-create-as', pool, 'dir', '--target', join(base, 'pool')]);
  writeFileSync(join(base, 'README'), `lab e2e: libvirt in netns ${ns}; virtlogd ${bed.pids.virtlogd}, libvirtd ${bed.pids.libvirtd}\n`);
  return bed;
}

export interface NetInfo {
  name: string;
  active: boolean;
  xml: string;
}

export async function networks(): Promise<NetInfo[]> {
  const names = (await must('virsh', [...VIRSH, 'net-list', '--all', '--name'])).split('\n').map((s) => s.trim()).filter(Boolean);
  const out: NetInfo[] = [];
  for (const name of names) {
    const xml = await must('virsh', [...VIRSH, 'net-dumpxml', name]);
    const info = await must('virsh', [...VIRSH, 'net-info', name]);
    out.push({ name, active: /^Active:\s+yes/m.test(info), xml });
  }
  return out;
}

export async function domains(): Promise<string[]> {
  return (await must('virsh', [...VIRSH, 'list', '--all', '--name'])).split('\n').map((s) => s.trim()).filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<boolean> {
  if (!pid || !alive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 15_000;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  if (!alive(pid)) return false;
  process.kill(pid, 'SIGKILL');
  return true;
}

/**
 * Tear down what startLibvirtBed made, by PID. Returns what was left behind and had to be removed forcibly
 * (empty when `vagrant destroy` had cleaned up everything itself).
 */
export async function stopLibvirtBed(bed: LibvirtBed): Promise<string[]> {
  const forced: string[] = [];
  for (const d of await domains().catch(() => [])) {
    forced.push(`domain ${d}`);
    await sh('virsh', [...VIRSH, 'destroy', d]);
    await sh('virsh', [...VIRSH, 'undefine', d, '--nvram']);
  }
  for (const n of await networks().catch(() => [])) {
    if (n.name === 'default' && !n.active) continue;
    forced.push(`network ${n.name}`);
    await sh('virsh', [...VIRSH, 'net-destroy', n.name]);
    if (n.name !== 'default') await sh('virsh', [...VIRSH, 'net-undefine', n.name]);
  }
  await sh('virsh', [...VIRSH, 'pool-destroy', bed.pool]);
  if (await stopPid(bed.pids.libvirtd)) forced.push(`libvirtd ${bed.pids.libvirtd} (SIGKILL)`);
  if (await stopPid(bed.pids.virtlogd)) forced.push(`virtlogd ${bed.pids.virtlogd} (SIGKILL)`);
  // Anything else still in the namespace was started by its libvirtd (dnsmasq, qemu): ours to end.
  for (const pid of await pidsInNs(bed.ns)) {
    forced.push(`pid ${pid} in ${bed.ns}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sh('ip', ['netns', 'del', bed.ns]);
  rmSync(bed.base, { recursive: true, force: true });
  return forced;
}
