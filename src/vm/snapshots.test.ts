// Snapshot names reach a monitor line, and a snapshot is refused when qemu, machine or device layout changed.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../spec/load.js';
import { fingerprintDiffs, layoutDigest } from './fingerprint.js';
import { planVm } from './plan.js';
import { checkSnapshotName } from './snapshots.js';

const image = { dir: '/cache/img', kernel: '/cache/img/vmlinuz', initrd: '/cache/img/initrd.img', base: '/cache/img/base.img' };

describe('snapshot names', () => {
  it('accept plain names and refuse what a monitor line could misread', () => {
    for (const ok of ['pristine', 'after-step-1', 'converged', 'Step_2.b']) expect(checkSnapshotName(ok)).toBe(ok);
    for (const bad of ['', '1', '42abc', 'a b', 'x;quit', 'a\nquit', '-x', 'a'.repeat(41), 'déjà']) expect(() => checkSnapshotName(bad)).toThrow(/not valid/);
  });
});

describe('snapshot fingerprints', () => {
  const fp = { qemu: 'QEMU emulator version 7.2.22', machine: 'pc-i440fx-7.2', cpu: 'qemu64' };
  it('name every difference', () => {
    expect(fingerprintDiffs(fp, fp)).toEqual([]);
    expect(fingerprintDiffs(fp, { ...fp, qemu: 'QEMU emulator version 8.0.0' })).toEqual(['qemu was "QEMU emulator version 7.2.22", now "QEMU emulator version 8.0.0"']);
    expect(fingerprintDiffs(fp, { qemu: 'x', machine: 'pc-i440fx-8.0', cpu: 'host (y)' })).toHaveLength(3);
  });

  it('a layout digest follows memory, NICs and the image, not the SSH port', async () => {
    const { lab } = await loadLab('lvs-nat');
    const plan = (over: Partial<Parameters<typeof planVm>[0]> = {}) => planVm({ lab, instance: 'alice', host: 'proxy', image, accel: 'tcg', sshPort: 40000, ...over });
    const d = layoutDigest(plan(), image.base);
    expect(layoutDigest(plan({ sshPort: 40001 }), image.base)).toBe(d);
    expect(layoutDigest(plan({ memory: 768 }), image.base)).not.toBe(d);
    expect(layoutDigest(plan({ instance: 'bob' }), image.base)).not.toBe(d);
    expect(layoutDigest(plan({ aslr: true }), image.base)).not.toBe(d);
    expect(layoutDigest(plan(), '/other/base.img')).not.toBe(d);
  });
});
