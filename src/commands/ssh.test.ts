// The ssh command line `lab ssh` builds: the host key checked where lab checks it, the key, sudo as lab runs commands.
import { describe, expect, it } from 'vitest';
import type { HostTarget } from '../inventory/types.js';
import { sshInvocation } from './ssh.js';

const vm: HostTarget = { name: 'web1', address: '127.0.0.1', port: 40022, user: 'root', identityFile: '/lab/id_ed25519', knownHosts: '/lab/known_hosts' };
const centos: HostTarget = { name: 'web1', address: 'web1.example', port: 22, user: 'student', password: 'pw-1234' };

describe('lab ssh: the ssh command line', () => {
  it('a lab VM: its known_hosts, strictly; its key only; root runs the command as given', () => {
    expect(sshInvocation(vm, ['ip', '-4', 'addr'], { tty: false })).toEqual({
      args: ['-p', '40022', '-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/lab/known_hosts', '-i', '/lab/id_ed25519', '-o', 'IdentitiesOnly=yes', '--', 'root@127.0.0.1', 'ip -4 addr'],
      env: {},
    });
    // An interactive shell gets a terminal; a command gets one only when lab ssh has one.
    expect(sshInvocation(vm, [], { tty: false }).args.slice(-3)).toEqual(['-t', '--', 'root@127.0.0.1']);
    expect(sshInvocation(vm, ['top'], { tty: true }).args.slice(-4)).toEqual(['-t', '--', 'root@127.0.0.1', 'top']);
  });

  it('--accept-new, or an inventory that records new keys (Vagrant), is accept-new; never "no"', () => {
    expect(sshInvocation(vm, ['true'], { tty: false, acceptNew: true }).args).toContain('StrictHostKeyChecking=accept-new');
    expect(sshInvocation({ ...vm, recordNewKeys: true }, ['true'], { tty: false }).args).toContain('StrictHostKeyChecking=accept-new');
  });

  it("a password login: the password goes through SSH_ASKPASS's environment and sudo's stdin, never on the command line", () => {
    const inv = sshInvocation(centos, ['cat', '/etc/os-release', "| grep '^ID='"], { tty: false, askpass: '/tmp/x/askpass' });
    expect(inv.args.join(' ')).not.toContain('pw-1234');
    expect(inv.env).toEqual({ SSH_ASKPASS: '/tmp/x/askpass', SSH_ASKPASS_REQUIRE: 'force', LAB_SSH_PASSWORD: 'pw-1234' });
    expect(inv.args.slice(-3)).toEqual(['--', 'student@web1.example', "sudo -S -p '' -- sh -c 'cat /etc/os-release | grep '\\''^ID='\\'''"]);
    expect(inv.stdinPrefix).toBe('pw-1234\n');
    // No UserKnownHostsFile: ssh's own known_hosts, as lab uses for an inventory entry without one.
    expect(inv.args.join(' ')).not.toContain('UserKnownHostsFile');
  });

  it("an inventory user or address that starts with '-' is never read as an ssh option", () => {
    const args = sshInvocation({ ...vm, user: '-oProxyCommand=touch /tmp/pwned' }, ['true'], { tty: false }).args;
    expect(args.indexOf('--')).toBe(args.indexOf('-oProxyCommand=touch /tmp/pwned@127.0.0.1') - 1);
  });

  it('a key login that is not root: sudo -n, as lab runs its commands; sudo: false in the inventory runs it as the user', () => {
    const key: HostTarget = { name: 'proxy', address: '10.0.0.5', port: 22, user: 'vagrant', identityFile: 'k' };
    expect(sshInvocation(key, ['ipvsadm', '-Ln'], { tty: false }).args.at(-1)).toBe("sudo -n -- sh -c 'ipvsadm -Ln'");
    expect(sshInvocation({ ...key, sudo: false }, ['id'], { tty: false }).args.at(-1)).toBe('id');
  });
});
