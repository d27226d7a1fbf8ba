// The forwarding modes as the rules, the ipvs and forwarding modules and verify see them, on the shipped DR lab and variants.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { desiredServices } from '../modules/ipvs.js';
import { forwardingTask } from '../modules/forwarding.js';
import { parseLab } from '../spec/load.js';
import { directorOf, profileAddresses } from '../spec/services.js';
import { sysctlSummary } from '../verify/plan.js';
import { parseArp, parseIpvsStats } from '../verify/probe.js';
import { judgeRepliesBypass } from '../verify/forwarding.js';
import { MODES } from './index.js';
import { specProblems } from '../../test/unit/spec.js';

const dr = readFileSync(new URL('../../labs/lvs-dr.yaml', import.meta.url), 'utf8');
const nat = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');

const problems = specProblems;

describe('forwarding modes', () => {
  it('each mode has its ipvsadm flag', () => {
    expect(Object.values(MODES).map((m) => `${m.name} ${m.ipvsFlag}`)).toEqual(['nat -m', 'dr -g', 'tun -i']);
  });

  it('lvs-dr: the named director holds the VIP beside its own address; real servers are reached with -g on the shared network', () => {
    const { lab } = parseLab('labs/lvs-dr.yaml', dr);
    expect(directorOf(lab, lab.services[0]!)).toBe('proxy');
    expect(profileAddresses(lab, 'proxy', 'public')).toEqual(['192.168.4.5/24', '192.168.4.15/24']);
    expect(profileAddresses(lab, 'web1', 'public')).toEqual(['192.168.4.100/24']);
    expect(desiredServices(lab, 'proxy')[0]!.reals.map((r) => `${r.address} ${r.forwarding}`)).toEqual(['192.168.4.100 dr', '192.168.4.200 dr']);
    expect(desiredServices(lab, 'web1')).toEqual([]);
  });

  it('lvs-dr: a real server holds the VIP /32 on lab-vip and never announces it; the director and the client need nothing', () => {
    const { lab } = parseLab('labs/lvs-dr.yaml', dr);
    const t = forwardingTask(lab, 'web1');
    expect(t.vips).toEqual(['192.168.4.15']);
    expect(t.needs.vip).toEqual({ kind: 'dummy', device: 'lab-vip', profile: 'lab-vip' });
    expect(t.needs.sysctls).toEqual({
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '2',
      'net.ipv4.conf.lab-vip.arp_ignore': '1',
      'net.ipv4.conf.lab-vip.arp_announce': '2',
    });
    expect(sysctlSummary(t.needs.sysctls)).toBe('arp_ignore 1, arp_announce 2 on all, lab-vip');
    expect(forwardingTask(lab, 'proxy')).toEqual({ vips: [], needs: { sysctls: {}, kmods: [] } });
  });

  it('lvs-tun: real servers on another network are reached at their own address with -i and hold the VIP on tunl0', () => {
    const { lab } = parseLab('labs/lvs-tun.yaml', readFileSync(new URL('../../labs/lvs-tun.yaml', import.meta.url), 'utf8'));
    expect(desiredServices(lab, 'proxy')[0]!.reals.map((r) => `${r.address} ${r.forwarding}`)).toEqual(['192.168.2.100 tun', '192.168.2.200 tun']);
    const t = forwardingTask(lab, 'web2');
    expect(t).toMatchObject({ vips: ['192.168.4.15'], unit: 'lab-lvs-tun-tunl0', needs: { vip: { kind: 'ipip', device: 'tunl0' }, kmods: ['ipip'] } });
    expect(t.needs.sysctls).toMatchObject({ 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.tunl0.rp_filter': '0', 'net.ipv4.conf.all.arp_ignore': '1' });
    expect(forwardingTask(lab, 'router').needs).toEqual({ sysctls: {}, kmods: [] });
  });

  it('NAT is unchanged: the VIP is the director\'s own address, its real servers hold no VIP', () => {
    const { lab } = parseLab('labs/lvs-nat.yaml', nat);
    expect(directorOf(lab, lab.services[0]!)).toBe('proxy');
    expect(profileAddresses(lab, 'proxy', 'public')).toEqual(['192.168.4.5/24']);
    expect(forwardingTask(lab, 'web1').needs.vip).toBeUndefined();
  });

  it('rules per mode, each at file:line:col', () => {
    // DR: a real server must share a network with the director.
    const apart = dr.replace('networks:\n  public: 192.168.4.0/24', 'networks:\n  public: 192.168.4.0/24\n  other: 10.0.0.0/24').replace('{ public: 192.168.4.200 }', '{ other: 10.0.0.200 }');
    const line = apart.split('\n').findIndex((l) => l.includes('{ host: web2')) + 1;
    expect(problems(apart)).toEqual([`labs/x.yaml:${line}:17: services.0.real_servers.1.host: in DR mode the director forwards frames on a network it shares with each real server, and web2 shares none with proxy (public)`]);
    // DR: the replies must not go through the director.
    expect(problems(dr.replace('{ public: 192.168.4.100 }', '{ public: 192.168.4.100 }\n    gateway: 192.168.4.5'))[0]).toMatch(/real_servers.0.host: in DR mode web1's replies go to the client directly, not through the director: its gateway must not be 192.168.4.5/);
    // TUN: a real server on another network needs routes both ways.
    const tun = apart.replace('forwarding: dr', 'forwarding: tun');
    expect(problems(tun)[0]).toMatch(/real_servers.1.host: in TUN mode the director must route to web2: they share no network, so both need a gateway/);
    // NAT keeps its gateway rule.
    expect(problems(nat.replace(/ {4}gateway: 192.168.2.5\n/, ''))[0]).toMatch(/real_servers.0.host: in NAT mode web1's replies must go back through the director: give it gateway: 192.168.2.5/);
  });

  it('director: must be a host, on the VIP\'s network, and the VIP no other host\'s own address', () => {
    expect(problems(dr.replace('director: proxy', 'director: proxx'))[0]).toMatch(/services.0.director: unknown host "proxx"/);
    expect(problems(dr.replace('director: proxy', 'director: web1'))[0]).toMatch(/services.0.real_servers.0.host: web1 is the director of 192.168.4.15/);
    expect(problems(dr.replace('vip: 192.168.4.15', 'vip: 10.1.1.1'))[0]).toMatch(/services.0.vip: 10.1.1.1 is on none of proxy's networks/);
    expect(problems(dr.replace('vip: 192.168.4.15', 'vip: 192.168.4.100'))[0]).toMatch(/services.0.vip: 192.168.4.100 is web1's own address, but the director is proxy/);
    expect(problems(dr.replace(/ {4}director: proxy.*\n/, ''))[0]).toMatch(/services.0.vip: no host holds the VIP 192.168.4.15; name its director/);
  });

  it('reads who answers ARP, and whether replies pass the director', () => {
    expect(parseArp('dev ens3\narp 52:54:00:00:00:01 52:54:00:00:00:02')).toEqual({ how: 'arp', dev: 'ens3', macs: ['52:54:00:00:00:01', '52:54:00:00:00:02'] });
    expect(parseArp('dev ens3\nneigh 192.168.4.15 dev ens3 lladdr 52:54:00:00:00:01 REACHABLE')).toEqual({ how: 'neigh', dev: 'ens3', macs: ['52:54:00:00:00:01'] });
    const stats = parseIpvsStats(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
        '  -> RemoteAddress:Port',
        'TCP  192.168.4.15:80                     16       96        0     6272        0',
        '  -> 192.168.4.100:80                     8       48        0     3136        0',
        '  -> 192.168.4.200:80                     8       48       40     3136     5200',
      ].join('\n'),
    );
    expect(stats).toEqual([
      { service: 'tcp 192.168.4.15:80', real: '192.168.4.100:80', conns: 8, inPkts: 48, outPkts: 0 },
      { service: 'tcp 192.168.4.15:80', real: '192.168.4.200:80', conns: 8, inPkts: 48, outPkts: 40 },
    ]);
    const reals = [
      { host: 'web1', ip: '192.168.4.100', port: 80 },
      { host: 'web2', ip: '192.168.4.200', port: 80 },
    ];
    const v = judgeRepliesBypass(stats, 'tcp 192.168.4.15:80', reals, 'proxy');
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/The replies of web2 pass back through proxy/);
    expect(judgeRepliesBypass(stats.slice(0, 1), 'tcp 192.168.4.15:80', reals.slice(0, 1), 'proxy').status).toBe('pass');
    // Seen on lvs-tun after web1's tunl0 was down and brought back: 168 in, 14 out (ICMP errors of the fault), and the
    // counters keep them; the replies bypass the director again.
    const after = [{ service: 'tcp 192.168.4.15:80', real: '192.168.2.100:80', conns: 28, inPkts: 168, outPkts: 14 }];
    const ok = judgeRepliesBypass(after, 'tcp 192.168.4.15:80', [{ host: 'web1', ip: '192.168.2.100', port: 80 }], 'proxy');
    expect(ok.status).toBe('pass');
    expect(ok.found).toMatch(/web1: 168 in, 14 out \(the few out are not replies/);
  });
});
