// systemd-sysctl's order: a name in /etc hides the same name in /usr/lib; files apply by name; the last value wins.
import { describe, expect, it } from 'vitest';
import { parseSysctlFiles } from './probe.js';
import { bootOrder, normalizeKey, persistedValue } from './sysctl-order.js';

const KEY = 'net.ipv4.ip_forward';

describe('persistedValue', () => {
  it('reads /etc/sysctl.conf through the 99-sysctl.conf link, and a later zz- file overrides it', () => {
    const files = parseSysctlFiles(
      [
        'F /etc/sysctl.d/99-sysctl.conf /etc/sysctl.conf',
        'F /etc/sysctl.d/zz-lab-lvs-nat.conf /etc/sysctl.d/zz-lab-lvs-nat.conf',
        'F /etc/sysctl.conf /etc/sysctl.conf',
        'L /etc/sysctl.d/99-sysctl.conf:net.ipv4.ip_forward = 0',
        'L /etc/sysctl.d/zz-lab-lvs-nat.conf:net.ipv4.ip_forward = 1',
        'L /etc/sysctl.conf:net.ipv4.ip_forward = 0',
      ].join('\n'),
    );
    const p = persistedValue(files, KEY);
    expect(p.value).toBe('1');
    expect(p.file).toBe('/etc/sysctl.d/zz-lab-lvs-nat.conf');
    expect(p.setters.map((s) => s.value)).toEqual(['0', '1']);
  });

  it('sorts by file name across folders, not by folder', () => {
    const files = parseSysctlFiles(
      ['F /etc/sysctl.d/10-a.conf /etc/sysctl.d/10-a.conf', 'F /usr/lib/sysctl.d/50-b.conf /usr/lib/sysctl.d/50-b.conf', 'L /etc/sysctl.d/10-a.conf:net.ipv4.ip_forward=1', 'L /usr/lib/sysctl.d/50-b.conf:net/ipv4/ip_forward = 0'].join('\n'),
    );
    expect(persistedValue(files, KEY)).toMatchObject({ value: '0', file: '/usr/lib/sysctl.d/50-b.conf' });
  });

  it('lets a file in /etc hide the same name in /usr/lib (even one that sets nothing)', () => {
    const files = parseSysctlFiles(['F /usr/lib/sysctl.d/50-fw.conf /usr/lib/sysctl.d/50-fw.conf', 'F /etc/sysctl.d/50-fw.conf /dev/null', 'L /usr/lib/sysctl.d/50-fw.conf:net.ipv4.ip_forward = 1'].join('\n'));
    expect(bootOrder(files).map((f) => f.path)).toEqual(['/etc/sysctl.d/50-fw.conf']);
    expect(persistedValue(files, KEY).value).toBeUndefined();
  });

  it('says when /etc/sysctl.conf sets the key but nothing links it into sysctl.d', () => {
    const files = parseSysctlFiles(['F /etc/sysctl.conf /etc/sysctl.conf', 'L /etc/sysctl.conf:net.ipv4.ip_forward = 1'].join('\n'));
    const p = persistedValue(files, KEY);
    expect(p.value).toBeUndefined();
    expect(p.unreadSysctlConf).toBe('1');
  });

  it('ignores comments and the leading "-" that only silences errors', () => {
    const files = parseSysctlFiles(['F /etc/sysctl.d/a.conf /etc/sysctl.d/a.conf', 'L /etc/sysctl.d/a.conf:-net.ipv4.ip_forward = 1'].join('\n'));
    expect(persistedValue(files, KEY).value).toBe('1');
    expect(normalizeKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0.100.rp_filter');
  });
});
