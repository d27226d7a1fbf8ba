// The active checks' pure parts: the client's samples and the outage they show, the shell conditions run under a real
// shell against recorded `ipvsadm -Ln` output, and failover's verdicts over a scripted run (keepalived always restarted).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { inTable, outageOf, parseSamples, parseWait, runFailover, waitScript, type FailoverSpec } from './actions.js';
import type { ActionIO } from './plan.js';

const recorded = readFileSync(new URL('../../test/fixtures/keepalived/05-addr-ipvs-proxy.txt', import.meta.url), 'utf8');
const from = recorded.indexOf('\n== ipvsadm -Ln\n') + 16;
const table = recorded.slice(from, recorded.indexOf('\n== ', from) + 1);

describe('samples and outage', () => {
  it('the longest time without an answer, from the last answer before the failures to the first after', () => {
    const s = parseSamples(['1000 0 192.168.4.100', '1200 0 192.168.4.200', '1400 28 ', '2500 7 ', '2700 0 192.168.4.200', '2900 0 192.168.4.100', 'noise'].join('\n'));
    expect(s).toHaveLength(6);
    expect(outageOf(s)).toEqual({ ms: 1500, failed: 2, total: 6, recovered: true, step: 200 });
  });
  it('no failure: no outage; failures to the end: not recovered, counted to the last sample', () => {
    expect(outageOf(parseSamples('0 0 a\n200 0 b\n400 0 a')).ms).toBe(0);
    expect(outageOf(parseSamples('0 0 a\n200 7 \n400 7 '))).toMatchObject({ ms: 400, recovered: false });
  });
  it('parseWait: held MS, or nothing on a timeout', () => {
    expect(parseWait('held 812\n')).toBe(812);
    expect(parseWait('timeout 9000\n')).toBeUndefined();
  });
});

describe('shell conditions, run by a real shell', () => {
  it('the recorded table is the one ipvsadm -Ln printed', () => expect(table).toMatch(/^IP Virtual Server version[\s\S]*-> 192\.168\.4\.200:80 +Route +1 +0 +0 +\n$/));
  const dir = mkdtempSync(join(tmpdir(), 'lab-actions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ipvsadm'), `#!/bin/sh\ncat <<'EOF'\n${table}EOF\n`, { mode: 0o755 });
  const sh = (cmd: string) => execa('/bin/sh', ['-c', cmd], { reject: false, env: { PATH: `${dir}:/usr/bin:/bin` } });

  it("inTable: a real server listed by ipvsadm -Ln is there, another is not (the pattern's stars stay unquoted)", async () => {
    expect((await sh(inTable('192.168.4.15', 80, '192.168.4.200:80', true))).exitCode).toBe(0);
    expect((await sh(inTable('192.168.4.15', 80, '192.168.4.200:80', false))).exitCode).toBe(1);
    expect((await sh(inTable('192.168.4.15', 80, '192.168.4.20:80', true))).exitCode).toBe(1);
    expect((await sh(inTable('192.168.4.15', 80, '192.168.4.20:80', false))).exitCode).toBe(0);
  });

  it('waitScript: held at once when the condition holds, a timeout when it never does', async () => {
    expect(parseWait((await sh(waitScript('true', 1000))).stdout)).toBeLessThan(1000);
    const never = await sh(waitScript('false', 300));
    expect(never.stdout).toMatch(/^timeout \d+/);
  });
});

/** A scripted run: each command's answer by a pattern; every command seen is recorded with its host. */
function scripted(answers: [host: string, match: RegExp, stdout: string][]): { io: ActionIO; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    io: {
      exec: async (host, script) => {
        calls.push(`${host}: ${script.split('\n')[0]}`);
        const a = answers.find(([h, m]) => h === host && m.test(script));
        return { code: 0, stdout: a?.[2] ?? '', stderr: '' };
      },
    },
  };
}

const spec: FailoverSpec = { client: 'client', url: 'http://192.168.4.15/', vip: '192.168.4.15', master: 'proxy1', backup: 'proxy2', boundS: 5, takeBackS: 8, preempt: true };
const answered = (from: number, n: number, fail: number[] = []) => Array.from({ length: n }, (_, i) => `${from + i * 200} ${fail.includes(i) ? 28 : 0} ${fail.includes(i) ? '' : '192.168.4.100'}`).join('\n');

describe('failover over a scripted run', () => {
  it('takeover, outage and take-back within their bounds: pass, with the figures', async () => {
    const { io, calls } = scripted([
      ['client', /end=.*\+ 9500/, answered(0, 40, [10, 11])],
      ['client', /end=.*\+ 11000/, answered(20000, 40)],
      ['proxy2', /EPOCHREALTIME/, 'held 900'],
      ['proxy1', /EPOCHREALTIME/, 'held 4100'],
    ]);
    const v = await runFailover(io, spec);
    expect(v.status).toBe('pass');
    expect(v.measured).toEqual({ takeover_s: 0.9, outage_s: 0.6, failed: 2, requests: 40, takeback_s: 4.1, bound_s: 5 });
    expect(calls.filter((c) => /systemctl (stop|start) keepalived/.test(c))).toEqual(['proxy1: systemctl stop keepalived', 'proxy1: systemctl start keepalived']);
  });

  it('the backup never takes over: fail, why on the backup, and keepalived started again on the master', async () => {
    const { io, calls } = scripted([
      ['client', /end=/, answered(0, 40, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39])],
      ['proxy2', /EPOCHREALTIME/, 'timeout 8000'],
      ['proxy2', /journalctl/, '(VI_1) Entering BACKUP STATE (init)\n'],
      ['proxy1', /EPOCHREALTIME/, 'held 4000'],
    ]);
    const v = await runFailover(io, spec);
    expect(v.status).toBe('fail');
    expect(v.found).toMatch(/^proxy2 did not hold the VIP within 8\.0 s/);
    expect(v.why).toMatch(/keepalived on proxy2 did not become MASTER in time.*Its last log lines: \(VI_1\) Entering BACKUP STATE \(init\)\./);
    expect(v.measured!.takeover_s).toBe(-1);
    expect(calls).toContain('proxy1: systemctl start keepalived');
  });
});
