// The box's pure parts: the vagrant user lines, the debugfs script, the metadata.
import { describe, expect, it } from 'vitest';
import { boxMetadata, debugfsScript, withVagrantUser } from './box.js';

const image = {
  passwd: 'root:x:0:0:root:/root:/bin/bash\nsshd:x:101:65534::/run/sshd:/usr/sbin/nologin\n',
  shadow: 'root:*:20000:0:99999:7:::\n',
  group: 'root:x:0:\nshadow:x:42:\n',
  gshadow: 'root:*::\nshadow:*::\n',
};

describe('withVagrantUser', () => {
  it('appends the vagrant user and group once, keeping what was there', () => {
    const once = withVagrantUser(image);
    expect(once.passwd).toBe(`${image.passwd}vagrant:x:1000:1000:vagrant:/home/vagrant:/bin/bash\n`);
    expect(once.shadow).toBe(`${image.shadow}vagrant:*:19000:0:99999:7:::\n`);
    expect(once.group).toBe(`${image.group}vagrant:x:1000:\n`);
    expect(once.gshadow).toBe(`${image.gshadow}vagrant:!::\n`);
    expect(withVagrantUser(once)).toEqual(once);
  });

  it('adds a newline to a file that lacks its last one', () => {
    expect(withVagrantUser({ ...image, group: 'root:x:0:\nshadow:x:42:' }).group).toBe('root:x:0:\nshadow:x:42:\nvagrant:x:1000:\n');
  });

  it('refuses an image where uid 1000 is someone else', () => {
    expect(() => withVagrantUser({ ...image, passwd: `${image.passwd}debian:x:1000:1000::/home/debian:/bin/sh\n` })).toThrow(/uid 1000/);
  });
});

describe('debugfsScript', () => {
  const script = debugfsScript((n) => `/tmp/b/files/${n}`, 42).split('\n');

  it('replaces the account files with their modes, shadow readable by group shadow only', () => {
    expect(script.slice(0, 5)).toEqual(['rm /etc/passwd', 'write /tmp/b/files/passwd /etc/passwd', 'sif /etc/passwd mode 0100644', 'sif /etc/passwd uid 0', 'sif /etc/passwd gid 0']);
    const shadow = script.indexOf('rm /etc/shadow');
    expect(script.slice(shadow, shadow + 5)).toEqual(['rm /etc/shadow', 'write /tmp/b/files/shadow /etc/shadow', 'sif /etc/shadow mode 0100640', 'sif /etc/shadow uid 0', 'sif /etc/shadow gid 42']);
  });

  it('gives vagrant its home, a private .ssh and authorized_keys, and sudo through a 0440 drop-in', () => {
    expect(script).toEqual(expect.arrayContaining(['sif /home/vagrant/.ssh mode 040700', 'sif /home/vagrant/.ssh uid 1000', 'sif /home/vagrant/.ssh/authorized_keys mode 0100600', 'sif /home/vagrant/.ssh/authorized_keys gid 1000', 'sif /etc/sudoers.d/vagrant mode 0100440']));
    expect(script.indexOf('mkdir /home/vagrant')).toBeLessThan(script.indexOf('mkdir /home/vagrant/.ssh'));
  });

  it('overrides lab-keys.service (fw_cfg keys) with first-boot host keys', () => {
    expect(script).toContain('write /tmp/b/files/box.conf /etc/systemd/system/lab-keys.service.d/box.conf');
    expect(script).toContain('sif /usr/local/sbin/lab-box-keys mode 0100755');
  });
});

it('box metadata names the libvirt provider, qcow2 and the disk size in GiB', () => {
  expect(JSON.parse(boxMetadata())).toEqual({ provider: 'libvirt', format: 'qcow2', virtual_size: 4 });
});
