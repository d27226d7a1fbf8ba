// Saved machine state for real on lvs-nat: reset to the pristine snapshot, a named snapshot, a stale one refused, destroy.
// On the lab the named snapshot brings back, the balancing check per scheduler (./schedulers.ts): no boot of its own.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { instanceDir, readInventoryFile, snapshotsFile, sshArgs, type SnapshotRecord } from '../../src/vm/index.js';
import { bootLab, e2eInstance, qemuPidsOf, restoreSnapshot, runCli, saveSnapshot, sshExec, sshOk, stopLab } from './harness.js';
import { schedulerCases } from './schedulers.js';

const INSTANCE = e2eInstance('e2e-snap');
const LAB = ['lvs-nat', '--instance', INSTANCE];
const HOSTS = ['client', 'proxy', 'web1', 'web2'];

/** `lab verify --json`: exit code and, per check, host/id → status (what "fails the same way" compares). */
async function verify(): Promise<{ code: number; checks: Record<string, string>; json: VerifyJson }> {
  const r = await runCli(['verify', ...LAB, '--json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`lab verify exited ${r.code}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as VerifyJson;
  return { code: r.code, json, checks: Object.fromEntries(json.checks.map((c) => [`${c.host} ${c.id} ${c.title}`, c.status])) };
}

async function up(): Promise<void> {
  const r = await runCli(['up', ...LAB]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
}

/** Eight separate curls from the client through the director: the lab segments carry traffic. */
async function balances(inv: Inventory): Promise<void> {
  const out = await sshOk(inv, 'client', 'for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 5 http://192.168.4.5/ || echo FAIL; done');
  const seq = out.trim().split('\n');
  expect(new Set(seq), seq.join(' ')).toEqual(new Set(['192.168.2.100', '192.168.2.200']));
}

/**
 * Each guest's clock minus the host's, as an interval one round trip wide: the guest prints a marker, reads a line the
 * host sends on seeing it, then prints its clock; the skew lies between clock − (host time on receipt) and clock − (host
 * time at the send). The SSH login before it does not widen the interval.
 */
async function clockSkew(inv: Inventory, host: string): Promise<[number, number]> {
  const t = inv.hosts[host]!;
  const child = execa('ssh', [...sshArgs({ port: t.port, identityFile: t.identityFile!, knownHosts: t.knownHosts! }), 'echo mark; read x; date -u +%s.%N'], { stdin: 'pipe', reject: false, timeout: 120_000 });
  let sent = 0;
  let got = 0;
  let seen = '';
  child.stdout!.on('data', (c: Buffer) => {
    seen += c.toString();
    if (!sent && seen.includes('mark\n')) {
      sent = Date.now() / 1000;
      child.stdin!.end('go\n');
    } else if (sent && !got && /\d+\.\d+\n/.test(seen)) got = Date.now() / 1000;
  });
  const r = await child;
  expect(r.exitCode, r.stderr).toBe(0);
  const guest = Number(r.stdout.trim().split('\n').at(-1));
  return [guest - got, guest - sent];
}

function knownHosts(): { text: string; mtime: number } {
  const f = `${instanceDir(INSTANCE)}/known_hosts`;
  return { text: readFileSync(f, 'utf8'), mtime: statSync(f).mtimeMs };
}

describe('lab vm snapshots on lvs-nat', () => {
  let inv: Inventory;
  let start: Awaited<ReturnType<typeof verify>>;
  let keys: ReturnType<typeof knownHosts>;

  beforeAll(async () => {
    // The one boot of this file: a new instance, so the pristine snapshot is this run's.
    const d = await runCli(['vm', 'destroy', ...LAB]);
    expect(d.code, d.stderr).toBe(0);
    inv = await bootLab('lvs-nat', INSTANCE);
  });

  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it('the first vm up saved a pristine snapshot of every VM; status shows its size', async () => {
    const r = await runCli(['vm', 'status', ...LAB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const st = JSON.parse(r.stdout) as { snapshots: { name: string; vmStateBytes: number; hosts: string[]; stale: string }[]; vms: { diskBytes?: number }[] };
    const pristine = st.snapshots.find((s) => s.name === 'pristine');
    expect(pristine).toMatchObject({ hosts: HOSTS, stale: '' });
    expect(pristine!.vmStateBytes).toBeGreaterThan(4 * 50 * 1024 ** 2);
    for (const v of st.vms) expect(v.diskBytes).toBeGreaterThan(0);
    const text = await runCli(['vm', 'status', ...LAB]);
    expect(text.stdout).toMatch(/^pristine\s+\S+\s+\d+ MiB/m);
    // Where the lab starts, before any lab up: verify fails; this is what a reset must give back.
    start = await verify();
    expect(start.code).toBe(1);
    keys = knownHosts();
  });

  // One converge in this file, on restored VMs: reset first (clocks, known_hosts, the start's failures), then lab up
  // proves restored guests converge and carry traffic, then a second reset proves no trace of that converge is left.
  it('vm reset restores the pristine VMs: clocks set, known_hosts untouched, verify fails exactly as at the start', async () => {
    const r = await runCli(['vm', 'reset', ...LAB, '--timeout', '600']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resumed from snapshot pristine/);
    console.log(`vm reset from the pristine snapshot (4 VMs): ${r.seconds.toFixed(1)} s`);
    // First, while nothing else has run: the clocks the reset set.
    for (const h of HOSTS) {
      const [lo, hi] = await clockSkew(inv, h);
      expect(lo, `${h}'s clock is ${lo.toFixed(3)}..${hi.toFixed(3)} s off the host's`).toBeGreaterThan(-2);
      expect(hi, `${h}'s clock is ${lo.toFixed(3)}..${hi.toFixed(3)} s off the host's`).toBeLessThan(2);
    }
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.checks).toEqual(start.checks);
    expect(knownHosts()).toEqual(keys);
  });

  it('lab up converges the restored VMs, they verify and their lab NICs carry traffic; the converged lab is saved as a named snapshot', async () => {
    await up();
    const v = await verify();
    expect(v.code, JSON.stringify(v.json.summary)).toBe(0);
    await balances(inv);
    await saveSnapshot('lvs-nat', INSTANCE, 'converged');
  });

  it('vm reset after the converge: verify fails exactly as at the start, and no trace of the converge is left', async () => {
    const r = await runCli(['vm', 'reset', ...LAB, '--timeout', '600']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resumed from snapshot pristine/);
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.checks).toEqual(start.checks);
    // Packages, routes, the ipvs table, forwarding: as before lab up.
    for (const h of ['proxy', 'web1', 'web2']) expect((await sshExec(inv, h, 'dpkg -s apache2 >/dev/null 2>&1 || dpkg -s ipvsadm >/dev/null 2>&1')).code, h).not.toBe(0);
    expect(await sshOk(inv, 'proxy', 'command -v ipvsadm || echo none; sysctl -n net.ipv4.ip_forward')).toMatch(/^none\s+0\s*$/);
    expect(await sshOk(inv, 'web1', 'ip route; ip -br addr')).not.toMatch(/192\.168\.2\./);
    expect(knownHosts()).toEqual(keys);
  });

  it('the named snapshot restores to a lab that verifies with no lab up', async () => {
    inv = await restoreSnapshot('lvs-nat', INSTANCE, 'converged');
    const v = await verify();
    expect(v.code, JSON.stringify(v.json.checks.filter((c) => c.status === 'fail'))).toBe(0);
    await balances(inv);
    expect(knownHosts()).toEqual(keys);
    const list = await runCli(['vm', 'snapshot', 'list', ...LAB]);
    expect(list.stdout).toMatch(/^converged\s/m);
  });

  // The converged lab is back: each scheduler's case changes only the IPVS table with `lab up VARIANT`.
  schedulerCases(INSTANCE, () => inv);

  it('a snapshot saved with another qemu is refused with one clear line, and a cold boot follows', async () => {
    const file = snapshotsFile(INSTANCE);
    const book = JSON.parse(readFileSync(file, 'utf8')) as { snapshots: SnapshotRecord[] };
    for (const s of book.snapshots) if (s.name === 'pristine') s.fingerprint.qemu = 'QEMU emulator version 6.0.0 (an older build)';
    writeFileSync(file, JSON.stringify(book));
    const r = await runCli(['vm', 'reset', ...LAB, '--timeout', '600']);
    expect(r.code, r.stderr).toBe(0);
    const refusal = r.stderr.split('\n').filter((l) => /cannot be restored/.test(l));
    expect(refusal, r.stderr).toHaveLength(1);
    expect(refusal[0]).toMatch(/snapshot pristine .* cannot be restored: qemu was "QEMU emulator version 6\.0\.0 \(an older build\)", now "QEMU emulator version [^"]+"; booting instead/);
    expect(r.stderr).toMatch(/disks of .* are pristine again/);
    expect(r.stdout).not.toMatch(/resumed from snapshot/);
    // The cold boot saved a new pristine snapshot, with this qemu; the disks it replaced held the others.
    const after = JSON.parse(readFileSync(file, 'utf8')) as { snapshots: SnapshotRecord[] };
    expect(after.snapshots.map((s) => s.name)).toEqual(['pristine']);
    expect(after.snapshots[0]!.fingerprint.qemu).not.toMatch(/6\.0\.0/);
    inv = readInventoryFile(`${instanceDir(INSTANCE)}/inventory.yaml`);
    expect((await sshOk(inv, 'web1', 'hostname')).trim()).toBe('web1');
  });

  it('vm destroy leaves no qemu and takes the snapshots with the disks', async () => {
    const r = await runCli(['vm', 'destroy', ...LAB]);
    expect(r.code, r.stderr).toBe(0);
    expect(qemuPidsOf(INSTANCE)).toEqual([]);
    expect(existsSync(instanceDir(INSTANCE))).toBe(false);
    expect(existsSync(snapshotsFile(INSTANCE))).toBe(false);
  });
});
