// The SELinux judge on Rocky 9's recorded getenforce and /etc/selinux/config: runtime and boot, with the exact fix.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Facts } from '../facts/types.js';
import type { HostContext } from '../modules/types.js';
import { detectOs } from '../os/families.js';
import { judgeSelinux } from './path.js';

const FIX = fileURLToPath(new URL('../../test/fixtures/rocky9/', import.meta.url));
const config = readFileSync(`${FIX}selinux-config`);
const runtime = readFileSync(`${FIX}getenforce.txt`, 'utf8').trim() as Facts['selinux'];

function ctx(selinux: Facts['selinux'], configText: Buffer | null): HostContext {
  const osRelease = readFileSync(`${FIX}os-release`, 'utf8');
  const facts = { osRelease, os: detectOs(osRelease), selinux, files: new Map([['/etc/selinux/config', configText ? { mode: '0644', content: configText } : null]]) } as unknown as Facts;
  return { hostName: 'web1', facts, os: facts.os! } as HostContext;
}

describe('judgeSelinux', () => {
  it('fails an enforcing Rocky 9 host when the lab wants permissive, fixing now and at boot', () => {
    expect(runtime).toBe('Enforcing');
    const v = judgeSelinux(ctx(runtime, config), 'permissive');
    expect(v.status).toBe('fail');
    expect(v.found).toBe('Enforcing now, SELINUX=enforcing in /etc/selinux/config');
    expect(v.fix).toEqual(['setenforce 0', "sed -i 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config"]);
  });

  it('fails permissive now but enforcing at boot, with only the config fix', () => {
    const v = judgeSelinux(ctx('Permissive', config), 'permissive');
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/after a reboot/);
    expect(v.fix).toEqual(["sed -i 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config"]);
  });

  it('passes when both agree, and skips where SELinux is absent (Debian)', () => {
    const permissive = Buffer.from(config.toString('utf8').replace(/^SELINUX=.*$/m, 'SELINUX=permissive'));
    expect(judgeSelinux(ctx('Permissive', permissive), 'permissive').status).toBe('pass');
    expect(judgeSelinux(ctx(undefined, null), 'permissive').status).toBe('skip');
  });
});
