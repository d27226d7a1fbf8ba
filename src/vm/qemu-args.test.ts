// Every qemu argv we build keeps guests on this machine: restrict=on, 127.0.0.1 only, multicast lab segments.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../spec/load.js';
import { planVm } from './plan.js';
import { buildQemuArgs, containmentProblems, netdevs } from './qemu-args.js';

const image = { dir: '/cache/img', kernel: '/cache/img/vmlinuz', initrd: '/cache/img/initrd.img', base: '/cache/img/base.img' };

async function allArgv(instance: string): Promise<string[][]> {
  const { lab } = await loadLab('lvs-nat');
  return Object.keys(lab.hosts).map((host, i) =>
    buildQemuArgs(planVm({ lab, instance, host, image, accel: i % 2 ? 'kvm' : 'tcg', sshPort: 40000 + i })),
  );
}

describe('qemu argv containment', () => {
  it('every built argv has restrict=on, 127.0.0.1 hostfwd and loopback multicast sockets', async () => {
    for (const instance of ['lvs-nat', 'alice', 'e2e-vm']) {
      for (const argv of await allArgv(instance)) {
        expect(containmentProblems(argv)).toEqual([]);
        const nds = netdevs(argv);
        const users = nds.filter((n) => n.startsWith('user,'));
        expect(users).toHaveLength(1);
        for (const u of users) {
          expect(u.split(',')).toContain('restrict=on');
          for (const fwd of u.split(',').filter((o) => o.startsWith('hostfwd='))) expect(fwd).toMatch(/^hostfwd=tcp:127\.0\.0\.1:\d+-:22$/);
        }
        for (const s of nds.filter((n) => n.startsWith('socket,'))) {
          expect(s).toMatch(/,mcast=230\.\d+\.\d+\.\d+:\d+,/);
          expect(s.split(',')).toContain('localaddr=127.0.0.1');
        }
        expect(nds.every((n) => n.startsWith('user,') || n.startsWith('socket,'))).toBe(true);
      }
    }
  });

  it('a restore command line (-loadvm) keeps the same containment and only adds the snapshot', async () => {
    const { lab } = await loadLab('lvs-nat');
    for (const host of Object.keys(lab.hosts)) {
      const plan = planVm({ lab, instance: 'e2e-snap', host, image, accel: 'tcg', sshPort: 41000 });
      const boot = buildQemuArgs(plan);
      const restore = buildQemuArgs({ ...plan, loadvm: 'pristine' });
      expect(containmentProblems(restore)).toEqual([]);
      expect(netdevs(restore)).toEqual(netdevs(boot));
      expect(restore.slice(restore.indexOf('-loadvm'), restore.indexOf('-loadvm') + 2)).toEqual(['-loadvm', 'pristine']);
      expect(restore.filter((a) => !['-loadvm', 'pristine'].includes(a))).toEqual(boot);
      expect(restore).toContain('-no-reboot');
    }
  });

  it('the director gets one NIC per lab network, on its own segment', async () => {
    const [, proxy] = await allArgv('lvs-nat');
    const sockets = netdevs(proxy!).filter((n) => n.startsWith('socket,'));
    expect(sockets).toHaveLength(2);
    expect(new Set(sockets.map((s) => /mcast=([^,]+)/.exec(s)![1])).size).toBe(2);
  });

  it('flags anything that could leave the machine', () => {
    expect(containmentProblems(['-netdev', 'user,id=m,hostfwd=tcp:127.0.0.1:2222-:22'])).toHaveLength(1);
    expect(containmentProblems(['-netdev', 'user,id=m,restrict=on,hostfwd=tcp::2222-:22'])).toHaveLength(1);
    expect(containmentProblems(['-netdev', 'user,id=m,restrict=on,hostfwd=tcp:0.0.0.0:2222-:22'])).toHaveLength(1);
    expect(containmentProblems(['-netdev', 'socket,id=l,mcast=230.1.2.3:1234'])).toHaveLength(1);
    expect(containmentProblems(['-netdev', 'socket,id=l,connect=10.0.0.1:1234,localaddr=127.0.0.1'])).toHaveLength(1);
    expect(containmentProblems(['-netdev', 'tap,id=t'])).toHaveLength(1);
    expect(containmentProblems(['-nic', 'user'])).toHaveLength(1);
  });
});

describe('guest address maps', () => {
  const append = (argv: string[]) => argv[argv.indexOf('-append') + 1]!.split(' ');
  it('are fixed (norandmaps) under tcg, random under kvm, and random under tcg when asked', async () => {
    const { lab } = await loadLab('lvs-nat');
    const argv = (accel: 'tcg' | 'kvm', aslr?: boolean) => buildQemuArgs(planVm({ lab, instance: 'lvs-nat', host: 'web1', image, accel, sshPort: 40000, aslr }));
    expect(append(argv('tcg'))).toContain('norandmaps');
    expect(append(argv('kvm'))).not.toContain('norandmaps');
    expect(append(argv('tcg', true))).not.toContain('norandmaps');
    expect(append(argv('kvm', false))).toContain('norandmaps');
  });
});
