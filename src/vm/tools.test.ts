// Missing programs turn into one line with the apt-get command that installs them.
import { describe, expect, it } from 'vitest';
import { installHint, requirePrograms } from './tools.js';

describe('tools', () => {
  it('maps programs to Debian packages, once each', () => {
    expect(installHint(['qemu-system-x86_64', 'ssh', 'ssh-keygen', 'qemu-img'])).toBe('apt-get install -y qemu-system-x86 openssh-client qemu-utils');
  });

  it('names what is missing and how to install it', () => {
    expect(() => requirePrograms(['no-such-program-lab-xyz'], 'lab vm up')).toThrow(
      'lab vm up needs no-such-program-lab-xyz, which is not installed; run: apt-get install -y no-such-program-lab-xyz',
    );
    expect(() => requirePrograms(['sh'], 'x')).not.toThrow();
  });
});
