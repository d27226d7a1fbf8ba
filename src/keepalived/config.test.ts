// keepalived.conf from the spec: each router's own priority, state and interface, the services' virtual servers with
// their health checks, and the module's plan: written only through `keepalived -t`, nothing when it is as rendered.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Facts, Link } from '../facts/types.js';
import { keepalivedModule, savedConf } from '../modules/keepalived.js';
import type { HostContext } from '../modules/types.js';
import { detectOs } from '../os/families.js';
import { parseLab, specProblems } from '../spec/load.js';
import { KEEPALIVED_CONF, removalBound, renderKeepalived } from './config.js';

const text = readFileSync(new URL('../../labs/lvs-dr-keepalived.yaml', import.meta.url), 'utf8');
const lab = parseLab('labs/lvs-dr-keepalived.yaml', text).lab;
const os = detectOs('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')!;

const link = (name: string, ip: string): Link => ({ name, mac: '52:54:00:00:00:01', up: true, addrs: [{ ip, prefix: 24 }] });
function ctx(host: string, files: Facts['files'] = new Map(), state = new Map<string, string>()): HostContext {
  const facts = {
    osRelease: '', os, ssh: { clientIp: '10.0.2.2', serverIp: '10.0.2.15' }, links: [link('ens3', '10.0.2.15'), link('ens4', lab.hosts[host]!.interfaces.public!)], routes: [],
    nm: true, connections: [], packages: new Map(), services: new Map(), sysctl: new Map(), exists: new Map(), files,
    firewallZone: undefined, firewallBindings: new Map(), selinux: undefined, ipvs: { installed: false, save: '' }, state,
  } satisfies Facts;
  return { lab, hostName: host, host: lab.hosts[host]!, target: { name: host, address: '127.0.0.1', port: 22, user: 'root' }, facts, os };
}

describe('keepalived.conf', () => {
  const render = (host: string) => renderKeepalived(lab, host, { public: 'ens4' }, () => 'public');

  it('the master: state MASTER, its priority, the VIP /32 on its lab interface, the DR virtual server with HTTP_GET checks', () => {
    expect(render('proxy1')).toBe(`! Written by lab for the lab lvs-dr-keepalived (proxy1); \`lab up\` rewrites it from the spec.
global_defs {
    router_id proxy1
}

vrrp_instance VI_1 {
    state MASTER
    interface ens4
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass lab1234
    }
    virtual_ipaddress {
        192.168.4.15/32 dev ens4
    }
}

virtual_server 192.168.4.15 80 {
    delay_loop 2
    lb_algo rr
    lb_kind DR
    protocol TCP

    real_server 192.168.4.100 80 {
        weight 1
        HTTP_GET {
            url {
              path /
              status_code 200
            }
            connect_timeout 2
            retry 1
            delay_before_retry 1
        }
    }

    real_server 192.168.4.200 80 {
        weight 1
        HTTP_GET {
            url {
              path /
              status_code 200
            }
            connect_timeout 2
            retry 1
            delay_before_retry 1
        }
    }
}
`);
  });

  it('the backup differs only in its name, state and priority', () => {
    const a = render('proxy1').split('\n');
    const b = render('proxy2').split('\n');
    expect(a.length).toBe(b.length);
    const diff = a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y);
    expect(diff).toEqual([
      ['! Written by lab for the lab lvs-dr-keepalived (proxy1); `lab up` rewrites it from the spec.', '! Written by lab for the lab lvs-dr-keepalived (proxy2); `lab up` rewrites it from the spec.'],
      ['    router_id proxy1', '    router_id proxy2'],
      ['    state MASTER', '    state BACKUP'],
      ['    priority 100', '    priority 50'],
    ]);
  });

  it('preempt: false starts every router BACKUP with nopreempt; tcp_check with another port; persistence; a weight', () => {
    const other = parseLab(
      'x.yaml',
      text
        .replace('advert_int: 1', 'advert_int: 2\n    preempt: false')
        .replace(/health: \{[^}]*\}/, 'persistence: 30\n    health: { type: tcp_check, port: 8080, delay_loop: 5 }')
        .replace('{ host: web2, weight: 1 }', '{ host: web2, weight: 3 }'),
    ).lab;
    const conf = renderKeepalived(other, 'proxy1', { public: 'eth1' }, () => 'public');
    expect(conf).toContain('    state BACKUP\n    interface eth1\n    virtual_router_id 51\n    priority 100\n    advert_int 2\n    nopreempt\n');
    expect(conf).toContain('    delay_loop 5\n    lb_algo rr\n    lb_kind DR\n    persistence_timeout 30\n    protocol TCP\n');
    expect(conf).toContain('    real_server 192.168.4.200 80 {\n        weight 3\n        TCP_CHECK {\n            connect_port 8080\n            connect_timeout 2\n            retry 1\n            delay_before_retry 1\n        }\n    }');
  });

  it('the bound a failing real server leaves the table in: the loop, each try\'s timeout and the pauses', () => {
    expect(removalBound(lab.services[0]!.health!)).toBe(2 + 2 * 2 + 1);
  });
});

describe('keepalived module', () => {
  it('fresh: stages the file, checks it with keepalived -t, moves it in, reloads a running keepalived only', () => {
    const changes = keepalivedModule.plan({}, ctx('proxy2'));
    expect(changes).toHaveLength(1);
    const cmds = changes[0]!.commands;
    expect(cmds[1]).toMatch(/^cat > \/etc\/keepalived\/keepalived\.conf\.lab-new <<'LAB_EOF'\n! Written by lab/);
    expect(cmds[1]).toContain('interface ens4');
    expect(cmds[2]).toMatch(/^if ! keepalived -t -f \/etc\/keepalived\/keepalived\.conf\.lab-new /);
    expect(cmds.slice(-2)).toEqual([`mv -f ${KEEPALIVED_CONF}.lab-new ${KEEPALIVED_CONF}`, 'systemctl try-reload-or-restart keepalived']);
    expect(cmds.indexOf(cmds.find((c) => c.startsWith('if ! keepalived -t'))!)).toBeLessThan(cmds.indexOf(`mv -f ${KEEPALIVED_CONF}.lab-new ${KEEPALIVED_CONF}`));
    expect(changes[0]!.record).toEqual({ 'keepalived.conf': 'absent' });
  });

  it('as rendered: nothing to do; a file it found is saved once for down, which puts it back', () => {
    const want = keepalivedModule.plan({}, ctx('proxy1'))[0]!.commands[1]!.split('\n').slice(1, -1).join('\n') + '\n';
    expect(keepalivedModule.plan({}, ctx('proxy1', new Map([[KEEPALIVED_CONF, { mode: '644', content: Buffer.from(want) }]])))).toEqual([]);
    const theirs = new Map([[KEEPALIVED_CONF, { mode: '644', content: Buffer.from('global_defs {\n}\n') }]]);
    const up = keepalivedModule.plan({}, ctx('proxy1', theirs))[0]!;
    expect(up.record).toEqual({ 'keepalived.conf': 'saved' });
    expect(up.commands).toContain(`[ -e ${savedConf(lab)} ] || cp -p ${KEEPALIVED_CONF} ${savedConf(lab)}`);
    const down = keepalivedModule.down({}, ctx('proxy1', theirs, new Map([['keepalived.conf', 'saved']])));
    expect(down.flatMap((c) => c.commands)).toEqual([`if [ -e ${savedConf(lab)} ]; then mv -f ${savedConf(lab)} ${KEEPALIVED_CONF}; fi`]);
    expect(keepalivedModule.down({}, ctx('proxy1', theirs, new Map([['keepalived.conf', 'absent']]))).flatMap((c) => c.commands)).toEqual([`rm -f ${KEEPALIVED_CONF}`]);
  });

  it('a host in no VRRP group gets nothing', () => {
    expect(keepalivedModule.plan({}, ctx('web1'))).toEqual([]);
  });
});

describe('VRRP rules', () => {
  const problems = (edit: (t: string) => string) => specProblems('k.yaml', edit(text));
  it('equal priorities, MASTER not the highest, an unknown router, a VIP on no shared network, director: beside a group', () => {
    expect(problems((t) => t.replace('priority: 50', 'priority: 100'))).toEqual([
      expect.stringMatching(/^k\.yaml:\d+:\d+: vrrp\.0\.routers\.1\.priority: proxy2 has priority 100 like proxy1; with equal priorities the router with the higher address wins/),
    ]);
    expect(problems((t) => t.replace('{ host: proxy2, priority: 50 }', '{ host: proxy2, priority: 50, state: MASTER }'))[0]).toMatch(/proxy2 starts as MASTER but its priority 50 is not the highest \(100\)/);
    expect(problems((t) => t.replace('{ host: proxy2, priority: 50 }', '{ host: proxy3, priority: 50 }'))[0]).toMatch(/vrrp\.0\.routers\.1\.host: unknown host "proxy3"/);
    expect(problems((t) => t.replace('    vip: 192.168.4.15\n    virtual', '    vip: 192.168.4.5\n    virtual'))).toContainEqual(expect.stringMatching(/192\.168\.4\.5 is proxy1's own address; a VRRP VIP moves between directors/));
    expect(problems((t) => t.replace('  - vip: 192.168.4.15        # held', '  - vip: 192.168.4.15\n    director: proxy1        # held'))[0]).toMatch(/services\.0\.director: the vrrp group VI_1 holds 192\.168\.4\.15, so its routers \(proxy1, proxy2\) direct this service; remove director:/);
  });
  it('two groups with one router id on one network; health on a service no group holds; a check that needs a group', () => {
    const two = text.replace('services:\n', '  - { name: VI_2, vip: 192.168.4.16, virtual_router_id: 51, routers: [{ host: proxy1, priority: 50 }, { host: proxy2, priority: 100 }] }\nservices:\n');
    expect(specProblems('k.yaml', two)[0]).toMatch(/vrrp\.1\.virtual_router_id: vrrp\.0 uses virtual_router_id 51 on public already/);
    const none = text.replace(/vrrp:\n(  .*\n|    .*\n|      .*\n)*/, '').replace('  - vip: 192.168.4.15        # held', '  - vip: 192.168.4.15\n    director: proxy1        # held');
    const p = specProblems('k.yaml', none);
    expect(p).toContainEqual(expect.stringMatching(/services\.0\.health: health checks are keepalived's, and no vrrp: group holds 192\.168\.4\.15/));
    expect(p).toContainEqual(expect.stringMatching(/verify\.0\.check: check vrrp judges keepalived's VRRP groups, and this lab has none/));
  });
});
