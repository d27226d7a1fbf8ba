// Tutor mode for real on four lvs-nat VMs: the course note's steps done by hand over SSH, one at a time, with
// `lab progress` after each; a student who only follows the next command progress prints; `lab up --until 1.3`;
// `lab hint` level by level; and verify's explanations in Chinese and English.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudentStep } from '../../src/classroom/types.js';
import type { Inventory } from '../../src/inventory/types.js';
import { bootLab, e2eInstance, ROOT, runCli, sshOk, stopLab } from './harness.js';

const INSTANCE = e2eInstance('e2e-tutor');
const LAB = ['lvs-nat', '--instance', INSTANCE];

interface ProgressJson {
  ok: boolean;
  current: string | null;
  steps: StudentStep[];
  next: { step: string; host: string; commands: string[]; run: string | null } | null;
}

async function progress(env: Record<string, string> = {}): Promise<ProgressJson & { done: string[]; status: Record<string, string> }> {
  const r = await runCli(['progress', ...LAB, '--json'], 600_000, env);
  expect([0, 1], r.stderr).toContain(r.code);
  const p = JSON.parse(r.stdout) as ProgressJson;
  expect(r.code).toBe(p.next ? 1 : 0);
  return { ...p, done: p.steps.filter((s) => s.status === 'done').map((s) => s.id), status: Object.fromEntries(p.steps.map((s) => [s.id, s.status])) };
}

/** The course note's step, by hand, as scripts/tutor-steps.sh writes it for that host. */
async function byHand(step: string, ...hosts: string[]): Promise<void> {
  for (const host of hosts) {
    const script = (await execa('bash', [`${ROOT}/scripts/tutor-steps.sh`, step, host])).stdout;
    await sshOk(inv, host, `set -e\n${script}`);
  }
}

/** Back to the lab's start: the pristine VMs (seconds, from the snapshot), then `lab reset` (addresses assigned). */
async function toStart(): Promise<void> {
  inv = await bootLab('lvs-nat', INSTANCE);
  const r = await runCli(['reset', ...LAB]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

let inv: Inventory;
/** A Chinese locale, whatever the machine's LC_ALL says. */
const ZH = { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' };

describe('tutor mode on four lvs-nat VMs', () => {
  beforeAll(async () => {
    await toStart();
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it('the course steps by hand, one at a time: after each, progress reports exactly the steps done so far', async () => {
    // The lab's start (lab reset) assigns the addresses and the gateways: 1.3 is done before the student begins.
    let p = await progress();
    expect(p.done).toEqual(['1.3']);
    expect(p.status).toMatchObject({ '1.2': 'waiting', '2.3': 'waiting', '3': 'waiting' });
    expect(p.next).toMatchObject({ step: '1.1', host: 'web1' });

    await byHand('1.1', 'web1');
    p = await progress();
    expect(p.done).toEqual(['1.3']);
    expect(p.steps.find((s) => s.id === '1.1')).toMatchObject({ status: 'partial', doneOn: ['web1'], todoOn: ['web2'] });
    expect(p.next).toMatchObject({ step: '1.1', host: 'web2' });

    // Debian's apt starts apache2 as it installs it, and proxy then reaches both: the note's 1.2 is done with 1.1.
    await byHand('1.1', 'web2');
    p = await progress();
    expect(p.done).toEqual(['1.1', '1.2', '1.3']);

    await byHand('1.2', 'web1', 'web2', 'proxy');
    await byHand('1.3', 'web1', 'web2');
    p = await progress();
    expect(p.done).toEqual(['1.1', '1.2', '1.3']);
    expect(p.next).toMatchObject({ step: '2.1', host: 'proxy' });

    const after: [string, string[]][] = [
      ['2.1', ['1.1', '1.2', '1.3', '2.1']],
      ['2.2', ['1.1', '1.2', '1.3', '2.1', '2.2']],
      ['2.3', ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']],
      ['2.4', ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3', '2.4', '3']],
    ];
    for (const [step, done] of after) {
      await byHand(step, 'proxy');
      p = await progress();
      expect(p.done, `after step ${step}`).toEqual(done);
    }
    await byHand('3', 'client');
    p = await progress();
    expect(p.next).toBeNull();
    expect(p.current).toBeNull();
    const v = await runCli(['verify', ...LAB]);
    expect(v.code, v.stdout).toBe(0);
  });

  it('a student who only runs the next command progress prints, as printed, completes each step in turn', async () => {
    await toStart();
    const seen: string[] = [];
    // Each judgement serves twice: it shows what the last run did, and gives the next command.
    let p = await progress();
    for (let i = 0; i < 12 && p.next; i++) {
      expect(p.next.run, JSON.stringify(p.next)).not.toBeNull();
      const { step, host } = p.next;
      seen.push(`${step}@${host}`);
      // The line as printed, with this checkout's lab for `lab`.
      const r = await execa('sh', ['-c', p.next.run!.replace(/^lab /, `node ${ROOT}/bin/lab.js `)], { cwd: ROOT, reject: false });
      expect(r.exitCode, `${p.next.run}\n${r.stdout}\n${r.stderr}`).toBe(0);
      p = await progress();
      const st = p.steps.find((s) => s.id === step)!;
      expect(st.status === 'done' || st.doneOn.includes(host), `${step} on ${host} after running: ${JSON.stringify(st)}`).toBe(true);
    }
    expect(seen).toEqual(['1.1@web1', '1.1@web2', '2.1@proxy', '2.2@proxy', '2.3@proxy', '2.4@proxy']);
    expect(p.next).toBeNull();
    const v = await runCli(['verify', ...LAB]);
    expect(v.code, v.stdout).toBe(0);
  });

  it('up --until 1.3 does steps 1.x only: progress says step 2 is not started', async () => {
    await toStart();
    const up = await runCli(['up', ...LAB, '--until', '1.3', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const recap = JSON.parse(up.stdout) as { hosts: Record<string, { tasks: { task: string; step?: string }[] }> };
    const steps = new Set(Object.values(recap.hosts).flatMap((h) => h.tasks.map((t) => t.step)));
    expect([...steps].sort()).toEqual(['1.1', '1.2', '1.3']);
    const p = await progress();
    expect(p.status).toEqual({ '1.1': 'done', '1.2': 'done', '1.3': 'done', '2.1': 'not-started', '2.2': 'not-started', '2.3': 'waiting', '2.4': 'not-started', '3': 'waiting' });
    const text = await runCli(['progress', ...LAB]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/○ 2\.1 .*not started/);
    expect(text.stdout).toMatch(/Next: step 2\.1 \(turn on the director's routing \(ip_forward\)\) on proxy/);
    expect(text.stdout).toContain('sysctl -w net.ipv4.ip_forward=1');
  });

  it('lab hint gives the next level each time: what is wrong, where to look, the commands; --reset starts again', async () => {
    const hint = async (...extra: string[]) => {
      const r = await runCli(['hint', ...LAB, '--json', ...extra]);
      expect(r.code, r.stderr).toBe(1);
      return JSON.parse(r.stdout) as { level: number; step: string; host: string; hint: string[]; commands: string[] };
    };
    const h1 = await hint('--reset');
    expect(h1).toMatchObject({ level: 1, step: '2.1', host: 'proxy', commands: [] });
    expect(h1.hint.join('\n')).toMatch(/net\.ipv4\.ip_forward = 1 now: expected net\.ipv4\.ip_forward = 1 now; found net\.ipv4\.ip_forward = 0/);
    const h2 = await hint();
    expect(h2.level).toBe(2);
    expect(h2.hint[0]).toBe('On proxy: cat /proc/sys/net/ipv4/ip_forward is the value now; grep -r ip_forward /etc/sysctl.conf /etc/sysctl.d shows what sets it at boot.');
    const h3 = await hint();
    expect(h3.level).toBe(3);
    expect(h3.commands[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
    expect((await hint()).level).toBe(3);
    expect((await hint('--reset')).level).toBe(1);
    // In Chinese, with the course's words; commands as they are.
    const zh = await runCli(['hint', ...LAB], 600_000, ZH);
    expect(zh.stdout).toMatch(/提示 2\/3，步骤 2\.1（确认调度器的路由转发功能），主机 proxy/);
    expect(zh.stdout).toContain('在 proxy 上：cat /proc/sys/net/ipv4/ip_forward 查看当前值');
  });

  it('verify on the broken lab speaks Chinese under LANG=zh_CN.UTF-8, English with --lang en; --json ids stay English', async () => {
    const zh = await runCli(['verify', ...LAB], 600_000, ZH);
    expect(zh.code).toBe(1);
    expect(zh.stdout).toMatch(/失败\s+proxy\s+net\.ipv4\.ip_forward = 1（当前生效）/);
    expect(zh.stdout).toMatch(/原因\s+proxy 上 net\.ipv4\.ip_forward = 0，没有开启路由转发/);
    expect(zh.stdout).toMatch(/修复\s+sysctl -w net\.ipv4\.ip_forward=1/);
    const en = await runCli(['verify', ...LAB, '--lang', 'en'], 600_000, ZH);
    expect(en.code).toBe(1);
    expect(en.stdout).toMatch(/FAIL\s+proxy\s+net\.ipv4\.ip_forward = 1 now/);
    expect(en.stdout).not.toMatch(/[\u4e00-\u9fff]/);
    type Check = { check: string; id: string; host: string; status: string; why?: string; fix?: string[] };
    const checks = async (env: Record<string, string>, ...extra: string[]) => {
      const r = await runCli(['verify', ...LAB, '--json', ...extra], 600_000, env);
      expect(r.code).toBe(1);
      return (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    };
    const zhChecks = await checks(ZH);
    const enChecks = await checks(ZH, '--lang', 'en');
    const ids = (cs: Check[]) => cs.map((c) => `${c.check}/${c.id}@${c.host} ${c.status}`);
    expect(ids(zhChecks)).toEqual(ids(enChecks));
    const fwd = (cs: Check[]) => cs.find((c) => c.check === 'director' && c.id === 'ip_forward' && c.host === 'proxy')!;
    expect(fwd(zhChecks)).toMatchObject({ status: 'fail', fix: ['sysctl -w net.ipv4.ip_forward=1'] });
    expect(fwd(zhChecks).why).toMatch(/^proxy 上 net\.ipv4\.ip_forward = 0，没有开启路由转发/);
    expect(fwd(enChecks)).toMatchObject({ status: 'fail', fix: ['sysctl -w net.ipv4.ip_forward=1'] });
    expect(fwd(enChecks).why).toMatch(/^proxy has net\.ipv4\.ip_forward = 0, so it does not route between its networks/);
  });
});
