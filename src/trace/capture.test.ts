// tcpdump's output as `lab trace` reads it, on real captures (test/fixtures/trace), and the start and stop commands.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/unit/recorded.js';
import { parseInterfaces, parseStart, parseStop, parseTcpdump, startScript, stopScript } from './capture.js';

describe('parseTcpdump', () => {
  it('reads every TCP packet of a plain exchange: interface, direction, source MAC, addresses, flags, the HTTP line', () => {
    const ps = parseTcpdump(fixture('trace/netns/a.txt'));
    expect(ps).toHaveLength(12);
    expect(ps[0]).toEqual({ t: 1796492320.243265, iface: 'vA', dir: 'out', mac: 'f2:48:52:25:84:f6', src: { ip: '10.99.0.1', port: 45678 }, dst: { ip: '10.99.0.2', port: 80 }, flags: 'S' });
    expect(ps[1]).toMatchObject({ dir: 'in', mac: 'ce:80:33:0b:94:5a', src: { ip: '10.99.0.2', port: 80 }, flags: 'S.' });
    expect(ps.filter((p) => p.http).map((p) => `${p.dir} ${p.http}`)).toEqual(['out GET / HTTP/1.1', 'in HTTP/1.0 200 OK']);
    // The far side saw the same packets the other way round.
    const b = parseTcpdump(fixture('trace/netns/b.txt'));
    expect(b.map((p) => p.dir)).toEqual(ps.map((p) => (p.dir === 'in' ? 'out' : 'in')));
  });

  it("skips tcpdump's own lines and anything that is not IPv4 TCP", () => {
    expect(parseTcpdump(fixture('trace/netns/a.err'))).toEqual([]);
    expect(parseTcpdump('1796492320.1 ens3  Out ifindex 2 52:54:00:00:00:01 ethertype ARP (0x0806), length 48: Request who-has 192.168.4.5 tell 192.168.4.10, length 28\n')).toEqual([]);
  });

  it('reads an IP-in-IP packet: the outer header, then the inner TCP packet', () => {
    const line = '1796492320.5 ens3  Out ifindex 2 52:54:00:00:00:05 ethertype IPv4 (0x0800), length 100: 192.168.4.5 > 192.168.4.100: 192.168.4.10.45678 > 192.168.4.15.80: Flags [S], seq 1, win 64240, length 0';
    expect(parseTcpdump(line)).toEqual([{ t: 1796492320.5, iface: 'ens3', dir: 'out', mac: '52:54:00:00:00:05', outer: { src: '192.168.4.5', dst: '192.168.4.100' }, src: { ip: '192.168.4.10', port: 45678 }, dst: { ip: '192.168.4.15', port: 80 }, flags: 'S' }]);
  });
});

describe('parseInterfaces', () => {
  it('names, MACs and IPv4 addresses', () => {
    const link = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: ens2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n4: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ipip 0.0.0.0 brd 0.0.0.0\n';
    const addr = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n2: ens2    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic noprefixroute ens2\\       valid_lft 86000sec preferred_lft 86000sec\n4: tunl0    inet 192.168.4.15/32 scope global tunl0\\       valid_lft forever preferred_lft forever\n';
    expect(parseInterfaces(link, addr)).toEqual({
      lo: { mac: '00:00:00:00:00:00', addrs: ['127.0.0.1'] },
      ens2: { mac: '52:54:00:12:34:56', addrs: ['10.0.2.15'] },
      tunl0: { addrs: ['192.168.4.15'] },
    });
  });
});

describe('start and stop, run by /bin/sh with a stub tcpdump', () => {
  it('start waits until tcpdump listens and reports its folder; stop ends it by PID, prints what it caught and removes the folder', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'lab-trace-bin-'));
    try {
      // A tcpdump that says it listens after a moment, prints a packet, and runs until it is signalled.
      const stub = `#!/bin/sh\nsleep 0.3\necho 'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes' >&2\necho '1796492320.243265 vA    Out ifindex 6 f2:48:52:25:84:f6 ethertype IPv4 (0x0800), length 80: 10.99.0.1.45678 > 10.99.0.2.80: Flags [S], seq 1, win 64240, length 0'\ntrap 'echo "1 packet captured" >&2; exit 0' TERM\nwhile :; do sleep 0.1; done\n`;
      await execa('sh', ['-c', `cat > ${bin}/tcpdump && chmod +x ${bin}/tcpdump`], { input: stub });
      const env = { PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin` };
      const start = await execa('/bin/sh', ['-c', startScript('tcp portrange 40000-40009 or ip proto 4', 20, 100)], { env });
      const cap = parseStart(start.stdout);
      if ('problem' in cap) throw new Error(cap.problem);
      expect(cap.dir).toMatch(/^\/tmp\/lab-trace\./);
      const pid = Number((await execa('cat', [`${cap.dir}/pid`])).stdout);
      expect(Number.isInteger(pid) && pid > 0).toBe(true);
      const stop = await execa('/bin/sh', ['-c', stopScript(cap.dir)], { env });
      const { packets, tcpdump } = parseStop(stop.stdout);
      expect(packets).toHaveLength(1);
      expect(tcpdump).toContain('1 packet captured');
      expect((await execa('test', ['-e', cap.dir], { reject: false })).exitCode).toBe(1);
      expect((await execa('kill', ['-0', String(pid)], { reject: false })).exitCode).not.toBe(0);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('start says so when tcpdump is missing', async () => {
    const r = await execa('/bin/sh', ['-c', startScript('tcp', 5, 10)], { env: { PATH: '/nonexistent' }, reject: false });
    expect(r.exitCode).toBe(3);
    expect(parseStart(r.stdout)).toEqual({ problem: 'tcpdump is not installed' });
  });

  it('stop refuses a folder that is not a capture folder (it removes it)', () => {
    expect(() => stopScript('/tmp/x; rm -rf /')).toThrow(/not a capture folder/);
    expect(() => stopScript('/')).toThrow(/not a capture folder/);
  });
});
