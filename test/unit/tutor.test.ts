// The step judge over states recorded on the VMs while doing the course's steps by hand (test/fixtures/tutor, made by
// scripts/record-tutor-states.sh with scripts/tutor-steps.sh): each step's state and the next thing to do.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { withLang } from '../../src/i18n/index.js';
import { tutorPlan } from '../../src/tutor/progress.js';
import { judgeSteps, type Progress } from '../../src/tutor/steps.js';
import { planVerify } from '../../src/verify/plan.js';
import { judgeFolder, recordedLab, type RecordedLab } from './recorded-verify.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tutor/', import.meta.url));

let r: RecordedLab;
beforeAll(async () => {
  r = await recordedLab();
});

function progressAt(state: string): Progress {
  const { plan, assigned } = tutorPlan(r.lab, r.playbook, planVerify(r.lab, r.playbook));
  return judgeSteps(r.playbook, assigned, judgeFolder(r, r.lab, plan, (host) => `${FIXTURES}${state}/${host}`));
}

const statuses = (p: Progress) => Object.fromEntries(p.steps.map((s) => [s.id, s.status]));

describe('lab progress over the course steps done by hand (recorded on the VMs)', () => {
  it('at the start: nothing done but the gateways the start sets; later steps wait for the ones they need', () => {
    const p = progressAt('start');
    expect(statuses(p)).toEqual({ '1.1': 'not-started', '1.2': 'waiting', '1.3': 'done', '2.1': 'not-started', '2.2': 'not-started', '2.3': 'waiting', '2.4': 'not-started', '3': 'waiting' });
    expect(p.steps.find((s) => s.id === '3')!.waitsFor).toEqual(['2.3']);
    expect(p.current).toBe('1.1');
    expect(p.next!.host).toBe('web1');
    // Installed and started first (the page's folder comes with apache2), then the page, then the firewall.
    expect(p.next!.commands[0]).toMatch(/apt-get .*install -y -q apache2/);
    expect(p.next!.commands.slice(1)).toEqual(["systemctl enable --now apache2", "printf '%s\\n' 192.168.2.100 > /var/www/html/index.html", 'firewall-cmd --zone=public --remove-interface=ens3', 'firewall-cmd --set-default-zone=trusted']);
  });

  it('after step 1.1 on web1 only: partly done, and the next thing is on web2', () => {
    const p = progressAt('1.1-web1');
    const s11 = p.steps.find((s) => s.id === '1.1')!;
    expect(s11.status).toBe('partial');
    expect(s11.doneOn).toEqual(['web1']);
    expect(s11.todoOn).toEqual(['web2']);
    expect(p.next!.host).toBe('web2');
    expect(p.next!.commands).toContain("printf '%s\\n' 192.168.2.200 > /var/www/html/index.html");
  });

  it('after step 1.1 on both: 1.2 is done too (Debian starts apache2 as it installs it, and proxy reaches both)', () => {
    const p = progressAt('1.1');
    expect(statuses(p)).toMatchObject({ '1.1': 'done', '1.2': 'done', '1.3': 'done', '2.1': 'not-started', '2.3': 'waiting' });
    expect(p.next).toMatchObject({ step: '2.1', host: 'proxy' });
    expect(p.next!.commands[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
  });

  it('after 2.1 (ip_forward by the note: echo 1 > /proc/..., a line in /etc/sysctl.conf): done, next the virtual service', () => {
    const p = progressAt('2.1');
    expect(statuses(p)).toMatchObject({ '2.1': 'done', '2.2': 'not-started', '2.3': 'waiting' });
    expect(p.next!.step).toBe('2.2');
    // The service first (it loads ip_vs, which the vs sysctl lives in), then IPVS's conntrack now and at boot.
    expect(p.next!.commands.slice(1, 3)).toEqual(['ipvsadm -A -t 192.168.4.5:80 -s wrr', 'sysctl -w net.ipv4.vs.conntrack=1']);
    expect(p.next!.commands[3]).toMatch(/^cat > \/etc\/sysctl\.d\/zz-lab-lvs-nat\.conf <<'LAB_EOF'\n(.*\n)*net\.ipv4\.vs\.conntrack = 1\n/);
    expect(p.next!.commands).toHaveLength(4);
    expect(p.next!.commands[0]).toMatch(/apt-get .*install -y -q ipvsadm/);
  });

  it('after 2.2: the service is there, its real servers are next (2.3 no longer waits)', () => {
    const p = progressAt('2.2');
    expect(statuses(p)).toMatchObject({ '2.2': 'done', '2.3': 'not-started', '3': 'waiting' });
    expect(p.next!.commands).toEqual(['ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m', 'ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.200:80 -w 1 -m']);
  });

  it("after 2.3: the table is complete; the director's firewall (2.4) is next", () => {
    const p = progressAt('2.3');
    expect(statuses(p)).toMatchObject({ '2.3': 'done', '2.4': 'not-started', '3': 'not-started' });
    expect(p.next).toMatchObject({ step: '2.4', host: 'proxy' });
  });

  it('after 2.4 and the client test: every step done, nothing next', () => {
    const p = progressAt('3');
    expect(Object.values(statuses(p))).toEqual(Array(8).fill('done'));
    expect(p.next).toBeUndefined();
    expect(p.current).toBeUndefined();
  });

  it('titles and explanations in Chinese with --lang zh-CN, ids and statuses unchanged', () => {
    const p = withLang('zh-CN', () => progressAt('2.1'));
    expect(p.steps.map((s) => s.title)).toContain('确认调度器的路由转发功能');
    expect(p.next!.checks.map((c) => c.id)).toContain('ipvs-services');
    expect(p.next!.checks.find((c) => c.id === 'ipvs-services')!.why).toMatch(/调度器 proxy .*集群服务/);
    expect(statuses(p)['2.1']).toBe('done');
  });
});
