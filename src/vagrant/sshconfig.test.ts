// `vagrant ssh-config` parsing, over output recorded from vagrant-libvirt and over the VirtualBox form.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunError } from '../errors.js';
import { parseSshConfig, splitConfigLine } from './sshconfig.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'vagrant', name), 'utf8');

describe('splitConfigLine', () => {
  it('splits keyword and arguments, unquoting', () => {
    expect(splitConfigLine('  IdentityFile "/a b/c d"')).toEqual({ key: 'identityfile', args: ['/a b/c d'] });
    expect(splitConfigLine('Port=2222')).toEqual({ key: 'port', args: ['2222'] });
    expect(splitConfigLine('HostName  10.0.0.1 ')).toEqual({ key: 'hostname', args: ['10.0.0.1'] });
    expect(splitConfigLine('# comment')).toBeUndefined();
    expect(splitConfigLine('   ')).toBeUndefined();
    expect(() => splitConfigLine('IdentityFile "/a b')).toThrow(/unterminated quote/);
  });
});

describe('parseSshConfig', () => {
  it('reads recorded vagrant-libvirt output for four machines', () => {
    const entries = parseSshConfig(fixture('ssh-config-libvirt.txt'));
    expect(entries.map((e) => e.host)).toEqual(['client', 'proxy', 'web1', 'web2']);
    for (const e of entries) {
      expect(e.user).toBe('vagrant');
      expect(e.port).toBe(22);
      expect(e.hostName).toMatch(/^192\.168\.121\.\d+$/);
      expect(e.identityFiles).toHaveLength(1);
      expect(e.identityFiles[0]).toMatch(new RegExp(`/dot dir/machines/${e.host}/libvirt/private_key$`));
      expect(e.proxyCommand).toBeUndefined();
    }
  });

  it('reads the VirtualBox form: forwarded ports, quoted paths with spaces, several keys', () => {
    const [client, proxy, web1] = parseSshConfig(fixture('ssh-config-virtualbox.txt'));
    expect(client).toEqual({
      host: 'client',
      hostName: '127.0.0.1',
      user: 'vagrant',
      port: 2222,
      identityFiles: ['/home/Ann Lee/labs/vagrant/.vagrant/machines/client/virtualbox/private_key', '/home/Ann Lee/.vagrant.d/insecure_private_key'],
    });
    expect(proxy!.port).toBe(2200);
    expect(web1).toMatchObject({ port: 2201, identityFiles: ['/srv/keys/web1_key'] });
  });

  it('keeps a ProxyCommand whole, so lab can refuse it by name', () => {
    const [e] = parseSshConfig('Host d\n  HostName 10.1.1.1\n  ProxyCommand ssh -W %h:%p -q user@kvmhost\n');
    expect(e!.proxyCommand).toBe('ssh -W %h:%p -q user@kvmhost');
  });

  it('fails with the line for bad input', () => {
    expect(() => parseSshConfig('HostName x\n', 'vagrant ssh-config in v/')).toThrow(new RunError('vagrant ssh-config in v/: line 1: "HostName x" comes before any Host line'));
    expect(() => parseSshConfig('Host a\n  HostName h\n  Port 99999\n')).toThrow(/line 3: bad port "99999" for a/);
    expect(() => parseSshConfig('Host a\n  User u\n')).toThrow(/machine a has no HostName/);
    expect(() => parseSshConfig('Host a b\n')).toThrow(/expected one machine name/);
  });
});
