// lab status from the results of a plan run and the recorded verify: what it prints and what it says in JSON.
import { describe, expect, it } from 'vitest';
import { styler } from '../report/style.js';
import type { HostResult } from '../run/types.js';
import type { CheckResult } from '../verify/types.js';
import { verifyRecord } from '../report/verify-record.js';
import { formatStatus, hostStatuses } from './status.js';

const OS = 'Debian GNU/Linux 12 (bookworm)';
const change = { title: 't', commands: ['true'] };
const results: HostResult[] = [
  { host: 'client', os: OS, unreachable: false, ms: 1, tasks: [{ label: 'package curl', status: 'pending', changes: [] }] },
  { host: 'proxy', os: OS, unreachable: false, ms: 1, tasks: [{ label: 'ipvs', status: 'pending', changes: [change, change] }, { label: 'kmod ip_vs', status: 'pending', changes: [change] }] },
  { host: 'web1', unreachable: true, ms: 1, tasks: [], error: 'cannot connect to root@127.0.0.1:40022: Timed out while waiting for handshake' },
];
const check = (host: string, id: string, status: CheckResult['status']): CheckResult => ({ check: 'director', id, host, title: id, status, expected: '', found: '' });

describe('lab status', () => {
  const record = verifyRecord('lvs-nat', [check('client', 'balancing', 'fail'), check('proxy', 'ipvs', 'fail'), check('proxy', 'ip_forward', 'pass'), check('client', 'arp', 'skip')], new Date('2026-12-05T02:40:11.123Z'));

  it('records per host what passed and what failed, by id', () => {
    expect(record).toEqual({
      lab: 'lvs-nat',
      at: '2026-12-05T02:40:11.123Z',
      ok: false,
      hosts: {
        client: { pass: 0, fail: 1, skip: 1, failed: ['balancing'], at: '2026-12-05T02:40:11.123Z' },
        proxy: { pass: 1, fail: 1, skip: 0, failed: ['ipvs'], at: '2026-12-05T02:40:11.123Z' },
      },
    });
  });

  it('a verify --hosts run replaces only its hosts in the record; ok is over every host the record holds', () => {
    const later = new Date('2026-12-05T03:00:00.000Z');
    const proxyFixed = verifyRecord('lvs-nat', [check('proxy', 'ipvs', 'pass'), check('proxy', 'ip_forward', 'pass')], later, record, ['proxy']);
    expect(proxyFixed.hosts.proxy).toEqual({ pass: 2, fail: 0, skip: 0, failed: [], at: later.toISOString() });
    expect(proxyFixed.hosts.client).toEqual({ ...record.hosts.client, at: '2026-12-05T02:40:11.123Z' });
    expect(proxyFixed.ok).toBe(false); // client's balancing still failed when last looked at
    const clientFixed = verifyRecord('lvs-nat', [check('client', 'balancing', 'pass')], later, proxyFixed, ['client']);
    expect(clientFixed.ok).toBe(true);
    expect(Object.keys(clientFixed.hosts).sort()).toEqual(['client', 'proxy']);
    // Without --hosts, a run is the whole record.
    expect(Object.keys(verifyRecord('lvs-nat', [check('proxy', 'ipvs', 'pass')], later, record).hosts)).toEqual(['proxy']);
  });

  it('per host: reachable, OS, the tasks up would change, the last verify; an unreachable host says why', () => {
    const st = hostStatuses(results, record);
    expect(st[1]).toEqual({ host: 'proxy', status: 'reachable', os: OS, pending: [{ task: 'ipvs', changes: 2 }, { task: 'kmod ip_vs', changes: 1 }], verify: record.hosts.proxy });
    expect(st[2]).toMatchObject({ host: 'web1', status: 'unreachable' });
    expect(formatStatus('lvs-nat', st, record, styler(false)).split('\n')).toEqual([
      'HOST    REACHABLE  OS                              UP WOULD CHANGE  LAST VERIFY',
      `client  yes        ${OS}  nothing          1 failed (balancing)`,
      `proxy   yes        ${OS}  2 tasks          1 failed (ipvs)`,
      'web1    no         -                               ?                -',
      'web1: cannot connect to root@127.0.0.1:40022: Timed out while waiting for handshake',
      'last verify: 2026-12-05 02:40:11 UTC, failed',
      '',
    ]);
  });

  it('every host planned with nothing to change: converged; none recorded: says so', () => {
    const st = hostStatuses(results.slice(0, 1), undefined);
    expect(formatStatus('lvs-nat', st, undefined, styler(false)).split('\n').slice(-3)).toEqual(['converged: lab up has nothing to change', 'last verify: none recorded here for these hosts', '']);
    const two = hostStatuses(results.slice(0, 2), undefined);
    expect(formatStatus('lvs-nat', two, undefined, styler(false))).toContain('not converged: lab up would change proxy (lab plan lvs-nat shows the commands)');
  });
});

describe('the verify record on this machine', () => {
  it('is read back for the same lab and hosts only (another instance or student is another record)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { readVerifyRecord, saveVerifyRecord } = await import('../report/verify-record.js');
    const dir = mkdtempSync(join(tmpdir(), 'lab-rec-'));
    const saved = process.env.LAB_HOME;
    process.env.LAB_HOME = dir;
    try {
      const inv = { lab: 'lvs-nat', source: 'vm' as const, hosts: { web1: { name: 'web1', address: '127.0.0.1', port: 40022, user: 'root' } } };
      saveVerifyRecord('lvs-nat', inv, [check('web1', 'vip', 'fail')]);
      expect(readVerifyRecord('lvs-nat', inv)).toMatchObject({ lab: 'lvs-nat', ok: false, hosts: { web1: { fail: 1, failed: ['vip'] } } });
      expect(readVerifyRecord('lvs-nat', { ...inv, hosts: { web1: { ...inv.hosts.web1, port: 40023 } } })).toBeUndefined();
      expect(readVerifyRecord('lvs-dr', inv)).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.LAB_HOME;
      else process.env.LAB_HOME = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
