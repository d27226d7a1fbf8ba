// Every check judged on outputs recorded from the lab's VMs (test/fixtures/verify): a good lab and each broken state.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeRecorded, recordedLab, VERIFY_FIXTURES, type RecordedLab } from '../../test/unit/recorded-verify.js';
import { outputProblems } from '../report/output-schema.js';
import { verifyJson } from '../report/verify.js';
import type { Playbook } from '../playbook/schema.js';
import type { Lab } from '../spec/schema.js';
import { splitOutput } from './observe.js';
import { planVerify } from './plan.js';
import { judgeAll, limitPlan, linkCauses, reported } from './runner.js';
import type { CheckResult } from './types.js';

const FIX = VERIFY_FIXTURES;
let lab: Lab;
let playbook: Playbook;
let inventory: RecordedLab['inventory'];
let recorded: RecordedLab;

beforeAll(async () => {
  recorded = await recordedLab();
  ({ lab, playbook, inventory } = recorded);
});

/** Judge a recorded state; hosts not recorded in it are taken from the good lab. */
function judge(state: string, edit: (l: Lab) => Lab = (l) => l, nm = true): CheckResult[] {
  return judgeRecorded(recorded, state, edit, nm);
}

const failed = (rs: CheckResult[]) => rs.filter((r) => r.status === 'fail').map((r) => `${r.host} ${r.id}`);
const one = (rs: CheckResult[], host: string, id: string) => rs.find((r) => r.host === host && r.id === id)!;

describe('verify on recorded VM outputs', () => {
  it('its --json output, for every recorded state, fits the output schema; every check id is one word', () => {
    for (const state of readdirSync(FIX, { withFileTypes: true }).filter((d) => d.isDirectory() && readdirSync(`${FIX}${d.name}`).some((f) => /^(client|proxy|web1|web2)\.txt$/.test(f)))) {
      const rs = judge(state.name);
      expect(outputProblems(JSON.parse(JSON.stringify(verifyJson('lvs-nat', rs.map(reported), 1234, 1)))), state.name).toEqual([]);
      for (const r of rs) expect(r.id, `${state.name}: ${r.host} ${r.title}`).toMatch(/^\S+$/);
    }
  });

  it('passes the lab after lab up: every check but SELinux (absent on Debian) passes', () => {
    const rs = judge('good');
    expect(failed(rs)).toEqual([]);
    expect(rs.filter((r) => r.status === 'skip').map((r) => `${r.host} ${r.id}`)).toEqual(['proxy selinux', 'web1 selinux', 'web2 selinux']);
    expect(one(rs, 'client', 'balancing').found).toContain('web2 web1 web2 web1 web2 web1 web2 web1');
    expect(rs.map((r) => `${r.check}/${r.id}@${r.host}`)).toEqual([
      'balancing/balancing@client',
      'director/vip@proxy',
      'director/ip_forward@proxy',
      'director/ip_forward-at-boot@proxy',
      'director/sysctl-net.ipv4.vs.conntrack@proxy',
      'director/sysctl-net.ipv4.vs.conntrack-at-boot@proxy',
      'director/addresses@proxy',
      'director/reaches-web1@proxy',
      'director/reaches-web2@proxy',
      'director/ipvs@proxy',
      'director/ipvs-extra@proxy',
      'real-servers/route@web1',
      'real-servers/default-routes@web1',
      'real-servers/web-server@web1',
      'real-servers/page@web1',
      'real-servers/route@web2',
      'real-servers/default-routes@web2',
      'real-servers/web-server@web2',
      'real-servers/page@web2',
      'path/firewall@proxy',
      'path/selinux@proxy',
      'path/firewall@web1',
      'path/selinux@web1',
      'path/firewall@web2',
      'path/selinux@web2',
      'path/vip-from-client@client',
    ]);
  });

  it("web1's default gateway removed: the route check fails and names the cause and the nmcli fix", () => {
    const rs = judge('web1-no-gateway');
    expect(failed(rs)).toEqual(['client balancing', 'web1 route']);
    const r = one(rs, 'web1', 'route');
    expect(r.why).toMatch(/web1 has no default route via 192.168.2.5/);
    expect(r.fix).toEqual(["nmcli connection modify 'Wired connection 2' ipv4.gateway 192.168.2.5 && nmcli connection up 'Wired connection 2'"]);
    expect(one(rs, 'client', 'balancing').why).toMatch(/no answer comes back from it.*Failed checks that explain it: web1: replies to client/);
  });

  it('web2 also on the client network (a 4-network dummy link): route fails, the fix takes that profile down for good', () => {
    const rs = judge('web2-4net');
    expect(failed(rs)).toEqual(['client balancing', 'web2 route']);
    const r = one(rs, 'web2', 'route');
    expect(r.found).toBe('ip route get 192.168.4.10: 192.168.4.10 dev net4 src 192.168.4.200 uid 0');
    expect(r.why).toMatch(/web2 holds 192\.168\.4\.200 on net4, on the client's own network, so it answers 192\.168\.4\.10 directly/);
    expect(r.fix).toEqual(['nmcli connection modify classroom-4net connection.autoconnect no && nmcli connection down classroom-4net']);
    expect(one(rs, 'client', 'balancing').found).toMatch(/web2 never answered/);
  });

  it('asks for the NetworkManager profiles only when a failing fix needs them', () => {
    // The first round trip shadows nmcli: the route fix then falls back to ip, and is marked for a second look.
    const first = one(judge('web1-no-gateway', undefined, false), 'web1', 'route');
    expect(first).toMatchObject({ needsNm: true, fix: ['ip route replace default via 192.168.2.5 dev ens3'] });
    expect(one(judge('web2-apache2-stopped', undefined, false), 'web2', 'web-server').needsNm).toBeUndefined();
  });

  it('ip_forward 0 on the director: nothing comes back, and the runtime check says why', () => {
    const rs = judge('proxy-ip-forward-0');
    expect(failed(rs)).toEqual(['client balancing', 'proxy ip_forward', 'client vip-from-client']);
    const r = one(rs, 'proxy', 'ip_forward');
    expect(r.why).toMatch(/net.ipv4.ip_forward = 0, so it does not route/);
    expect(r.fix).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
    expect(one(rs, 'proxy', 'ip_forward-at-boot').status).toBe('pass');
  });

  it('apache2 stopped on web2: its share is refused, and the web server check names apache2', () => {
    const rs = judge('web2-apache2-stopped');
    expect(failed(rs)).toEqual(['client balancing', 'proxy reaches-web2', 'web2 web-server']);
    // The director's own curl (the course's step 2) is refused, and points at the check that failed on web2.
    expect(one(rs, 'proxy', 'reaches-web2').why).toMatch(/web2 refuses connections on port 80: nothing listens on TCP \(but sshd\).* Failed checks that explain it: web2: web server \(httpd\) active and enabled, listening on port 80\.$/);
    expect(one(rs, 'web2', 'web-server')).toMatchObject({ found: 'apache2 inactive, enabled', fix: ['systemctl enable --now apache2'] });
    expect(one(rs, 'web2', 'web-server').why).toMatch(/apache2 is not running on web2/);
    expect(one(rs, 'client', 'balancing').why).toMatch(/web2 refuses them/);
  });

  it('scheduler changed to rr: the IPVS check fails with the ipvsadm -E fix, though equal weights balance the same', () => {
    const rs = judge('proxy-scheduler-rr');
    expect(failed(rs)).toEqual(['proxy ipvs']);
    expect(one(rs, 'proxy', 'ipvs').why).toMatch(/schedules with rr .* not wrr/);
    expect(one(rs, 'proxy', 'ipvs').fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s wrr']);
  });

  it("a real server's rule -m changed to -g: the IPVS check explains direct routing", () => {
    const rs = judge('proxy-web1-dr');
    expect(failed(rs)).toEqual(['client balancing', 'proxy ipvs']);
    expect(one(rs, 'proxy', 'ipvs').why).toMatch(/web1 \(192.168.2.100\) is reached with -g \(direct routing\) instead of -m \(NAT\)/);
    expect(one(rs, 'proxy', 'ipvs').fix).toEqual(['ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m']);
  });

  it('default zone public on web1: fails though ens3 still sits in trusted, and says when it bites', () => {
    const rs = judge('web1-zone-public');
    expect(failed(rs)).toEqual(['web1 firewall']);
    expect(one(rs, 'web1', 'firewall').why).toMatch(/default zone on web1 is public.*falls back to the default zone/);
    expect(one(rs, 'web1', 'firewall').fix).toEqual(['firewall-cmd --set-default-zone=trusted']);
  });

  it('zone public and the connection re-activated: web1 rejects its share', () => {
    const rs = judge('web1-zone-public-reactivated');
    expect(failed(rs)).toEqual(['client balancing', 'proxy reaches-web1', 'web1 firewall']);
    expect(one(rs, 'web1', 'firewall').why).toMatch(/ens3, which takes the lab's requests, is in firewalld zone public/);
    // The runtime binding first: set-default-zone may move ens3, and a later --remove-interface from public would fail.
    expect(one(rs, 'web1', 'firewall').fix).toEqual(['firewall-cmd --zone=public --remove-interface=ens3', 'firewall-cmd --set-default-zone=trusted']);
  });

  it('wrr 1:3 recorded as B A B B B A B B: passes a 1:3 spec by counts, fails the 1:1 spec', () => {
    const weights13 = (l: Lab) => {
      l.services[0]!.real_servers[1]!.weight = 3;
      return l;
    };
    expect(failed(judge('wrr-1-3', weights13))).toEqual([]);
    const rs = judge('wrr-1-3');
    expect(failed(rs)).toEqual(['client balancing', 'proxy ipvs']);
    expect(one(rs, 'proxy', 'ipvs').why).toMatch(/web2 \(192.168.2.200\) has weight 3 instead of 1/);
  });

  it('persistence recorded (every answer from web2): passes a -p 300 spec, fails the plain one', () => {
    const persistent = (l: Lab) => {
      l.services[0]!.persistence = 300;
      return l;
    };
    expect(failed(judge('persistent', persistent))).toEqual([]);
    const rs = judge('persistent');
    expect(failed(rs)).toEqual(['client balancing', 'proxy ipvs']);
    expect(one(rs, 'proxy', 'ipvs').why).toMatch(/is persistent \(-p 300\)/);
  });

  it('the director lost its inside address: its own check names it, and the client\'s symptom points there', () => {
    const rs = judge('proxy-inside-address-gone');
    expect(failed(rs)).toContain('proxy addresses');
    const a = one(rs, 'proxy', 'addresses');
    expect(a.found).toBe('missing now: 192.168.2.5/24; all in profiles that come up at boot');
    expect(a.why).toMatch(/^proxy does not hold 192\.168\.2\.5\/24, its address on the private network in the spec, so web1 and web2 \(their gateway\) cannot reach it there/);
    expect(a.fix).toEqual(['nmcli device reapply ens4']);
    expect(one(rs, 'client', 'balancing').why).toMatch(/Failed checks that explain it: proxy: holds 192\.168\.4\.5, 192\.168\.2\.5 now and at boot/);
  });

  it('web2 moved to port 8080: the web server check names the port, the config line and the listen task\'s fix', () => {
    const rs = judge('web2-listen-8080');
    expect(failed(rs)).toEqual(['client balancing', 'proxy reaches-web2', 'web2 web-server']);
    const w = one(rs, 'web2', 'web-server');
    expect(w.found).toBe('apache2 active, enabled; apache2 on *:8080');
    expect(w.why).toMatch(/apache2 runs on web2 but does not listen on 192\.168\.2\.200:80, where the director sends the service's connections: they are refused\. \/etc\/apache2\/ports\.conf says `Listen 8080` \(line 5\)\.$/);
    expect(w.fix).toEqual(["sed -i -e '5s/.*/Listen 80/' /etc/apache2/ports.conf", 'systemctl try-restart apache2']);
    expect(one(rs, 'proxy', 'reaches-web2').why).toMatch(/^web2 refuses connections on port 80: apache2 on \*:8080\./);
  });

  it('web1\'s lab interface held in zone public at runtime: the firewall check says so and takes it out of the zone', () => {
    const rs = judge('web1-zone-stuck');
    expect(failed(rs)).toEqual(['client balancing', 'proxy reaches-web1', 'web1 firewall']);
    const f = one(rs, 'web1', 'firewall');
    expect(f.why).toMatch(/ens3, which takes the lab's requests, is in firewalld zone public.* No profile names that zone: the binding is firewalld's runtime state/);
    expect(f.fix).toEqual(['firewall-cmd --zone=public --remove-interface=ens3']);
  });

  it('a symptom with no failed cause says what lab looked at on the suspects, and never points at a passing check', () => {
    // The recorded refusals of web2, judged as if every check of web2 and proxy had passed: a cause lab does not check.
    const plan = planVerify(lab, playbook);
    const rs = judge('web2-apache2-stopped').map((r) => (r.host === 'client' ? { ...r, why: r.why?.replace(/ Failed checks that explain it: .*$/, ''), lookAt: ['web2'] } : { ...r, status: r.status === 'fail' ? ('pass' as const) : r.status }));
    const b = one(linkCauses(plan.checks, rs), 'client', 'balancing');
    expect(b.why).not.toMatch(/Failed checks that explain it/);
    expect(b.why).toMatch(/ No check on web2 failed: lab looked at web2: replies to client \(192\.168\.4\.10\) go via proxy \(192\.168\.2\.5\); .*web2: web server \(httpd\) active and enabled, listening on port 80; .* and found each as the lab needs it/);
  });

  it('verify --hosts client: only the client is looked at, and a failing symptom says the cause may be on the hosts left out', () => {
    const plan = limitPlan(planVerify(lab, playbook), ['client']);
    expect([...plan.hosts.keys()]).toEqual(['client']);
    expect(new Set(plan.checks.map((c) => c.host))).toEqual(new Set(['client']));
    const need = plan.hosts.get('client')!;
    const out = splitOutput(readFileSync(`${FIX}web2-apache2-stopped/client.txt`, 'utf8'), need.facts, need.probe);
    const view = { ctx: { lab, hostName: 'client', host: lab.hosts.client!, target: inventory.hosts.client!, facts: out.facts, os: out.facts.os! }, probe: out.probe };
    const rs = linkCauses(plan.checks, judgeAll(plan.checks, new Map([['client', { ok: true as const, view }]])), ['client']);
    const b = one(rs, 'client', 'balancing');
    expect(b.status).toBe('fail');
    expect(b.why).toMatch(/ The cause may be on web2, proxy, which --hosts left out: run `lab verify` without --hosts \(or with --hosts client,web2,proxy\) to look there\.$/);
  });
});
