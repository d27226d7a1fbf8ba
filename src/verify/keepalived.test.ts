// The vrrp judges over keepalived's recorded words (test/fixtures/keepalived): each router's state against its
// priority, split brain traced to the rule that drops VRRP, a real server out of the table explained by keepalived's
// own verdict or by a check that looks at another port, and the config compared line by line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Facts, Link } from '../facts/types.js';
import { parseKeepalivedLog, parseVrrpRules } from '../keepalived/state.js';
import { KEEPALIVED_CONF, liveCheckOf } from '../keepalived/config.js';
import { ipvsService } from '../modules/ipvs.js';
import { wantedConf } from '../modules/keepalived.js';
import { detectOs } from '../os/families.js';
import { parseLab } from '../spec/load.js';
import { judgeKeepalivedConf, judgeKeepalivedRunning, judgeKeepalivedTable, judgeVrrpState } from './keepalived.js';
import type { HostView } from './plan.js';
import { emptyProbe, parseProbe } from './probe.js';

const lab = parseLab('labs/lvs-dr-keepalived.yaml', readFileSync(new URL('../../labs/lvs-dr-keepalived.yaml', import.meta.url), 'utf8')).lab;
const os = detectOs('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')!;
const g = lab.vrrp[0]!;
const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/keepalived/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
const MASTER_LOG = fixture('03-journal-unit-proxy.txt');
const BACKUP_LOG = fixture('03-journal-unit-client.txt');

interface Opts {
  log: string;
  vip?: boolean;
  active?: boolean;
  rich?: string;
  conf?: string;
  save?: string;
}

function view(host: string, o: Opts): HostView {
  const own = lab.hosts[host]!.interfaces.public!;
  const addrs = [{ ip: own, prefix: 24 }, ...(o.vip ? [{ ip: g.vip, prefix: 32 }] : [])];
  const links: Link[] = [{ name: 'ens3', mac: '52:54:00:00:00:03', up: true, addrs }];
  const facts: Facts = {
    osRelease: '', os, ssh: { clientIp: '10.0.2.2', serverIp: '10.0.2.15' }, links, routes: [], nm: false, connections: [], packages: new Map(),
    services: new Map([['keepalived', { loaded: true, active: o.active ?? true, enabled: true }]]), sysctl: new Map(), exists: new Map(),
    files: new Map(o.conf === undefined ? [] : [[KEEPALIVED_CONF, { mode: '644', content: Buffer.from(o.conf) }]]),
    firewallZone: undefined, firewallBindings: new Map(), selinux: undefined, ipvs: { installed: true, save: o.save ?? '' }, state: new Map(),
  };
  const probe = parseProbe(`@@verify keepalived\n${o.log}\n@@verify nft-vrrp\n${o.rich ?? ''}\n@@verify end\n`);
  return { ctx: { lab, hostName: host, host: lab.hosts[host]!, target: { name: host, address: '127.0.0.1', port: 22, user: 'root' }, facts, os }, probe };
}

const pair = (a: HostView, b: HostView) => new Map([['proxy1', a], ['proxy2', b]]);

describe('VRRP state', () => {
  it('proxy1 MASTER with the VIP, proxy2 BACKUP without: both pass', () => {
    const p1 = view('proxy1', { log: MASTER_LOG, vip: true });
    const p2 = view('proxy2', { log: BACKUP_LOG });
    expect(judgeVrrpState(p1, pair(p1, p2), { group: g, device: 'ens3' })).toMatchObject({ status: 'pass', found: 'MASTER, holds 192.168.4.15' });
    expect(judgeVrrpState(p2, pair(p1, p2), { group: g, device: 'ens3' })).toMatchObject({ status: 'pass', found: 'BACKUP, does not hold 192.168.4.15' });
  });

  it('split brain: both MASTER; the cause is the rich rule on proxy2, whose check carries the command that removes it', () => {
    const rich = 'rich trusted as 1 "rule protocol value=\\"vrrp\\" drop"';
    const p1 = view('proxy1', { log: MASTER_LOG, vip: true, rich: 'rich trusted as 0' });
    const p2 = view('proxy2', { log: `${BACKUP_LOG}\n(VI_1) Entering MASTER STATE`, vip: true, rich });
    const v2 = judgeVrrpState(p2, pair(p1, p2), { group: g, device: 'ens3' });
    expect(v2.status).toBe('fail');
    expect(v2.why).toMatch(/^Split brain: proxy2 and proxy1 each hold 192\.168\.4\.15, because each hears no advertisement from the other/);
    expect(v2.why).toContain('proxy2 has a rule that drops VRRP: "rule protocol value="vrrp" drop" (firewalld zone trusted (runtime))');
    expect(v2.fix).toEqual([`firewall-cmd --zone=trusted --remove-rich-rule='rule protocol value="vrrp" drop'; firewall-cmd --permanent --zone=trusted --remove-rich-rule='rule protocol value="vrrp" drop' || true`]);
    const v1 = judgeVrrpState(p1, pair(p1, p2), { group: g, device: 'ens3' });
    expect(v1.status).toBe('fail');
    expect(v1.fix).toEqual([]);
    expect(v1.lookAt).toEqual(['proxy2']);
  });

  it('the wrong master: proxy2 MASTER, proxy1 BACKUP; keepalived stopped is left to its own check', () => {
    const p1 = view('proxy1', { log: BACKUP_LOG });
    const p2 = view('proxy2', { log: MASTER_LOG, vip: true });
    expect(judgeVrrpState(p1, pair(p1, p2), { group: g }).why).toMatch(/proxy1 has the highest priority \(100\) and preempt is on, so it should hold 192\.168\.4\.15, but proxy2 is MASTER/);
    const stopped = view('proxy1', { log: MASTER_LOG, active: false });
    expect(judgeVrrpState(stopped, pair(stopped, p2), { group: g }).status).toBe('skip');
    expect(judgeKeepalivedRunning(stopped.ctx, stopped.probe.keepalived).why).toMatch(/keepalived is not running on proxy1, so it neither holds the VIP nor stands by/);
  });

  it('MASTER but the VIP gone (a reapply took it): restart keepalived', () => {
    const p1 = view('proxy1', { log: MASTER_LOG, vip: false });
    const v = judgeVrrpState(p1, pair(p1, view('proxy2', { log: BACKUP_LOG })), { group: g });
    expect(v.why).toMatch(/keepalived says proxy1 is MASTER of VI_1, but 192\.168\.4\.15 is not on any interface/);
    expect(v.fix).toEqual(['systemctl restart keepalived']);
  });
});

describe('the table keepalived loaded', () => {
  const desired = [ipvsService(lab, lab.services[0]!, 'proxy1')];
  const hostOf = new Map([['192.168.4.100', 'web1'], ['192.168.4.200', 'web2']]);
  const wanted = new Map([['192.168.4.100:80', { port: 80, path: '/' }], ['192.168.4.200:80', { port: 80, path: '/' }]]);
  const onlyWeb2 = '-A -t 192.168.4.15:80 -s rr\n-a -t 192.168.4.15:80 -r 192.168.4.200:80 -g -w 1\n';
  const downLog = `${MASTER_LOG}\nHTTP_CHECK on service [192.168.4.100]:tcp:80 failed after 1 retries.\nRemoving service [192.168.4.100]:tcp:80 from VS [192.168.4.15]:tcp:80`;

  it('web1 out because its check fails: keepalived\'s own line, and web1 to look at', () => {
    const p1 = view('proxy1', { log: downLog, vip: true, save: onlyWeb2, conf: fixture('keepalived.conf.proxy-master') });
    const v = judgeKeepalivedTable(p1, desired, hostOf, wanted);
    expect(v.found).toBe('web1 (192.168.4.100:80) is not in the table');
    expect(v.why).toContain('keepalived took web1 out: "HTTP_CHECK on service [192.168.4.100]:tcp:80 failed after 1 retries."');
    expect(v.why).toContain('so the cause is on web1');
    expect(v.lookAt).toEqual(['web1', 'proxy1']);
  });

  it('web1 out because the live config checks port 8080: the cause is the director', () => {
    expect(liveCheckOf(fixture('keepalived.conf.proxy-connect-port-8080'), '192.168.4.100', 80)?.port).toBe(8080);
    const p1 = view('proxy1', { log: downLog, vip: true, save: onlyWeb2, conf: fixture('keepalived.conf.proxy-connect-port-8080') });
    const v = judgeKeepalivedTable(p1, desired, hostOf, wanted);
    expect(v.why).toMatch(/the checks look in the wrong place: web1's check in \/etc\/keepalived\/keepalived\.conf asks HTTP_GET on port 8080 for \/, where the spec checks port 80 for \//);
    expect(v.lookAt).toEqual(['proxy1']);
  });

  it('everything loaded: pass', () => {
    const full = `${onlyWeb2}-a -t 192.168.4.15:80 -r 192.168.4.100:80 -g -w 1\n`;
    expect(judgeKeepalivedTable(view('proxy1', { log: MASTER_LOG, vip: true, save: full }), desired, hostOf, wanted).status).toBe('pass');
  });
});

describe('the config', () => {
  it('as rendered passes; an edited priority names the line and the spec\'s value, and the fix rewrites it through keepalived -t', () => {
    const p2 = view('proxy2', { log: BACKUP_LOG });
    const want = wantedConf(p2.ctx);
    expect(judgeKeepalivedConf(view('proxy2', { log: BACKUP_LOG, conf: want }).ctx).status).toBe('pass');
    const edited = view('proxy2', { log: BACKUP_LOG, conf: want.replace('priority 50', 'priority 100') });
    const v = judgeKeepalivedConf(edited.ctx);
    expect(v.found).toMatch(/^line \d+: "priority 100" where the spec renders "priority 50"$/);
    expect(v.fix!.some((c) => c.startsWith('if ! keepalived -t -f /etc/keepalived/keepalived.conf.lab-new'))).toBe(true);
    expect(judgeKeepalivedConf(view('proxy2', { log: BACKUP_LOG }).ctx).why).toMatch(/keepalived starts only with a config/);
  });
});

it('parseVrrpRules and the probe agree on the section format', () => {
  expect(parseVrrpRules('rich trusted as 0').length).toBe(0);
  expect(emptyProbe().keepalived).toBeUndefined();
  expect(parseKeepalivedLog('').started).toBe(false);
});
