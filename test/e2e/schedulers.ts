// The balancing check per scheduler for real on lvs-nat's four VMs: rr, wrr 1:3, sh and lc each pass with the behaviour
// one client must see, and a table that schedules otherwise (rr where the spec says sh or lc) fails with its cause.
// Registered by a file that has a converged lvs-nat instance (snapshot.test.ts, after it restores its "converged"
// snapshot), so these cases cost no boot and no converge of their own; `lab up VARIANT` then changes only the table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Inventory } from '../../src/inventory/types.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { ROOT, runCli, sshOk } from './harness.js';

const LAB = 'lvs-nat';

type Check = VerifyJson['checks'][number];

/** The cases, on INSTANCE (a converged lvs-nat whose inventory `inventory()` returns when a case runs). */
export function schedulerCases(INSTANCE: string, inventory: () => Inventory): void {
  describe('the balancing check per scheduler on lvs-nat', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-sched-e2e-'));

    /** lvs-nat with another scheduler and weights (web1, web2), written to a temp file; the name stays lvs-nat. */
    function variant(scheduler: string, weights: [number, number] = [1, 1]): string {
      const spec = parse(readFileSync(join(ROOT, 'labs', `${LAB}.yaml`), 'utf8'));
      spec.services[0].scheduler = scheduler;
      spec.services[0].real_servers = [
        { host: 'web1', weight: weights[0] },
        { host: 'web2', weight: weights[1] },
      ];
      const file = join(dir, `${scheduler}-${weights.join('-')}.yaml`);
      writeFileSync(file, stringify(spec));
      return file;
    }

    /** `lab up SPEC`: on a converged lab it changes only the IPVS table. Its change lines (on stderr) and recap. */
    async function up(spec: string): Promise<string> {
      const r = await runCli(['up', spec, '--instance', INSTANCE]);
      if (r.code !== 0) throw new Error(`lab up ${spec} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      return `${r.stderr}\n${r.stdout}`;
    }

    async function verify(spec: string): Promise<{ code: number; json: VerifyJson; balancing: Check; check: (host: string, id: string) => Check }> {
      const r = await runCli(['verify', spec, '--instance', INSTANCE, '--json']);
      if (r.code !== 0 && r.code !== 1) throw new Error(`lab verify exited ${r.code}: ${r.stderr}`);
      const json = JSON.parse(r.stdout) as VerifyJson;
      const check = (host: string, id: string) => {
        const c = json.checks.find((x) => x.host === host && x.id === id);
        if (!c) throw new Error(`no check ${id} on ${host} in ${r.stdout}`);
        return c;
      };
      return { code: r.code, json, balancing: check('client', 'balancing'), check };
    }

    /** The answering hosts of the fresh requests, from `found`: "8 requests: web2 web1 …". */
    function sequence(c: Check): string[] {
      const m = /(\d+) requests: ((?:web\d ?)+)/.exec(c.found);
      if (!m) throw new Error(`no request sequence in: ${c.found}`);
      const hosts = m[2]!.trim().split(' ');
      expect(hosts).toHaveLength(Number(m[1]));
      return hosts;
    }

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('rr: every check passes, and the answers alternate web1/web2', async () => {
      const out = await up(variant('rr'));
      expect(out).toMatch(/scheduler wrr → rr/);
      const v = await verify(variant('rr'));
      expect(v.code, JSON.stringify(v.json.checks.filter((c) => c.status === 'fail'))).toBe(0);
      expect(v.balancing.status).toBe('pass');
      const seq = sequence(v.balancing);
      expect(new Set(seq)).toEqual(new Set(['web1', 'web2']));
      for (let i = 1; i < seq.length; i++) expect(seq[i]).not.toBe(seq[i - 1]);
      expect(await sshOk(inventory(), 'proxy', 'ipvsadm -Sn')).toMatch(/^-A -t 192\.168\.4\.5:80 -s rr$/m);
    });

    it('a table with rr where the spec says sh: the balancing fails, naming the pinning it does not see, and the IPVS check names rr', async () => {
      await up(variant('rr'));
      const v = await verify(variant('sh'));
      expect(v.code).toBe(1);
      expect(v.balancing.status).toBe('fail');
      expect(v.balancing.expected).toMatch(/answered by one real server/);
      expect(v.balancing.why).toMatch(/the sh scheduler \(it hashes the client address to one real server\).*answers from web\d and web\d/);
      expect(v.balancing.fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s sh   # on proxy']);
      expect(v.check('proxy', 'ipvs').why).toMatch(/schedules with rr .*not sh/);
    });

    it('a table with rr where the spec says lc: the fresh requests reach the server the held connection loads, and the check says so', async () => {
      await up(variant('rr'));
      const v = await verify(variant('lc'));
      expect(v.code).toBe(1);
      expect(v.balancing.status).toBe('fail');
      expect(v.balancing.found).toMatch(/held: web\d; 8 requests: /);
      expect(v.balancing.why).toMatch(/lc sends each new connection to the real server with the fewest connections.*should have gone to web\d, not web\d/);
    });

    it('wrr 1:3: web1 answers 2 and web2 6 of every 8', async () => {
      const spec = variant('wrr', [1, 3]);
      await up(spec);
      const v = await verify(spec);
      expect(v.code, JSON.stringify(v.json.checks.filter((c) => c.status === 'fail'))).toBe(0);
      expect(v.balancing.status).toBe('pass');
      expect(v.balancing.found).toContain('over the first 8: web1 2, web2 6');
      const seq = sequence(v.balancing);
      expect(seq.filter((h) => h === 'web1')).toHaveLength(2);
    });

    it('sh: all 8 requests from the one client reach one real server', async () => {
      const spec = variant('sh');
      await up(spec);
      const v = await verify(spec);
      expect(v.code, JSON.stringify(v.json.checks.filter((c) => c.status === 'fail'))).toBe(0);
      expect(v.balancing.status).toBe('pass');
      expect(new Set(sequence(v.balancing)).size).toBe(1);
    });

    it('lc: with one connection held open on one server, every fresh request goes to the other', async () => {
      const spec = variant('lc');
      await up(spec);
      const v = await verify(spec);
      expect(v.code, JSON.stringify(v.json.checks.filter((c) => c.status === 'fail'))).toBe(0);
      expect(v.balancing.status).toBe('pass');
      const held = /held: (web\d);/.exec(v.balancing.found)?.[1];
      expect(held).toMatch(/^web[12]$/);
      const other = held === 'web1' ? 'web2' : 'web1';
      expect(sequence(v.balancing)).toEqual(Array(8).fill(other));
      // The probe left nothing open: no established connection on the director once verify is done.
      expect(await sshOk(inventory(), 'proxy', 'ipvsadm -Lnc')).not.toMatch(/ESTABLISHED/);
    });
  });
}
