// Helpers for end-to-end tests: boot a lab's VMs (failing loudly, never skipping), ssh into them, stop them by PID.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Inventory } from '../../src/inventory/types.js';
import { outputProblems } from '../../src/report/output-schema.js';
import type { VerifyJson } from '../../src/report/verify.js';
import { instanceDir, readInventoryFile, sshArgs, vmDown, type SshResult } from '../../src/vm/index.js';

/**
 * An e2e instance name, prefixed with $LAB_E2E_PREFIX: lab segments are derived from the instance name, so two
 * checkouts running the same test file at once must use different prefixes or their VMs would share segments.
 */
export function e2eInstance(name: string): string {
  return `${process.env.LAB_E2E_PREFIX ?? ''}${name}`;
}

/** The repository root: tests run the built CLI from here. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Run `node bin/lab.js ARGS` (the built CLI) from the repository root; plain text even where FORCE_COLOR is set. */
export async function runCli(args: string[], timeoutMs = 1_800_000, env: Record<string, string> = {}): Promise<CliResult> {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` before the e2e tests');
  const start = Date.now();
  const r = await execa('node', [join(ROOT, 'bin', 'lab.js'), ...args], { cwd: ROOT, reject: false, timeout: timeoutMs, stdin: 'ignore', env: { FORCE_COLOR: '0', ...env } });
  const out = { code: r.exitCode ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: (Date.now() - start) / 1000 };
  if (args.includes('--json')) checkOutputShape(args, out.stdout);
  return out;
}

/** Every `--json` output of a real run fits `lab schema output` (one JSON shape); throws with the fields that do not. */
export function checkOutputShape(args: string[], stdout: string): void {
  if (!stdout.trimStart().startsWith('{')) return; // bad usage or input: the one-line error is on stderr, stdout empty
  const problems = outputProblems(JSON.parse(stdout));
  if (problems.length > 0) throw new Error(`lab ${args.join(' ')}: its --json output does not fit schema/output.schema.json:\n${problems.slice(0, 10).join('\n')}`);
}

function explain(what: string, r: CliResult): Error {
  return new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join(' | ') || r.stdout.trim()}`);
}

/**
 * `LAB_E2E_FROM_SCRATCH=1`: the same tests, booting from scratch wherever the harness boots (no template, no pristine
 * snapshot restored), as they did before saved machine state; the yardstick for what snapshots save the suite
 * (README, Development). The snapshot and vm files, which test saved machine state itself, run the same either way.
 */
export const FROM_SCRATCH = process.env.LAB_E2E_FROM_SCRATCH === '1';

/**
 * Boot the lab's VMs for a test and return their inventory: `lab vm reset` when the instance already
 * has disks (it restores the pristine snapshot of the instance's first boot in seconds, or resets cold
 * when there is none), else `lab vm up` (builds the image on first use, starts from the templates or boots, saves the
 * pristine snapshot). With FROM_SCRATCH: `lab vm reset --cold`, else `lab vm up --boot`.
 * Throws when the VMs cannot be had: a test that needs them must fail, not skip.
 */
export async function bootLab(labArg: string, instance: string): Promise<Inventory> {
  const hasDisks = existsSync(join(instanceDir(instance), 'vms'));
  const verb = hasDisks ? ['reset', ...(FROM_SCRATCH ? ['--cold'] : [])] : ['up', ...(FROM_SCRATCH ? ['--boot'] : [])];
  // Generous SSH bound: other suites may run VMs on the same cores meanwhile.
  const r = await runCli(['vm', ...verb, labArg, '--instance', instance, '--timeout', '600']);
  if (r.code !== 0) throw explain(`lab vm ${verb.join(' ')} ${labArg} --instance ${instance}`, r);
  return readInventoryFile(join(instanceDir(instance), 'inventory.yaml'));
}

/** `lab vm snapshot save LAB NAME`: every VM's RAM, devices and disk, to come back to with restoreSnapshot. */
export async function saveSnapshot(labArg: string, instance: string, name: string): Promise<void> {
  const r = await runCli(['vm', 'snapshot', 'save', labArg, name, '--instance', instance]);
  if (r.code !== 0) throw explain(`lab vm snapshot save ${labArg} ${name} --instance ${instance}`, r);
}

/** `lab vm snapshot restore LAB NAME`: the VMs as they were at the save (clocks set), waited for until SSH answers. */
export async function restoreSnapshot(labArg: string, instance: string, name: string): Promise<Inventory> {
  const r = await runCli(['vm', 'snapshot', 'restore', labArg, name, '--instance', instance, '--timeout', '600']);
  if (r.code !== 0) throw explain(`lab vm snapshot restore ${labArg} ${name} --instance ${instance}`, r);
  return readInventoryFile(join(instanceDir(instance), 'inventory.yaml'));
}

/** Run a shell command on a host of the inventory with the system ssh, host key checked. */
export async function sshExec(inv: Inventory, host: string, cmd: string, timeoutMs = 300_000): Promise<SshResult> {
  const t = inv.hosts[host];
  if (!t) throw new Error(`no host ${host} in the inventory of ${inv.lab}`);
  if (!t.identityFile || !t.knownHosts) throw new Error(`host ${host} has no identity_file or known_hosts in the inventory`);
  const target = { port: t.port, identityFile: t.identityFile, knownHosts: t.knownHosts, address: t.address, user: t.user };
  const r = await execa('ssh', [...sshArgs(target), cmd], { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return { code: r.exitCode ?? 255, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Like sshExec, but throws unless the command exits 0; resolves to its stdout. */
export async function sshOk(inv: Inventory, host: string, cmd: string, timeoutMs?: number): Promise<string> {
  const r = await sshExec(inv, host, cmd, timeoutMs);
  if (r.code !== 0) throw new Error(`${host}: \`${cmd}\` exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/** PIDs of every qemu whose command line points into the instance's folder (from /proc, not pid files). */
export function qemuPidsOf(instance: string): number[] {
  const dir = `${instanceDir(instance)}/`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (/qemu-system/.test(args[0] ?? '') && args.some((a) => a.includes(dir))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * For afterAll: stop the instance's VMs by PID (through the API, so it works even if the CLI is
 * broken), then make sure no qemu of the instance is left; one that is gets SIGKILL and the call throws.
 */
export async function stopLab(instance: string): Promise<void> {
  await vmDown(instance, { instance, force: true, progress: () => {} }).catch(() => undefined);
  const left = qemuPidsOf(instance);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (left.length > 0) throw new Error(`qemu processes ${left.join(', ')} of instance ${instance} survived \`lab vm down\` and were killed`);
}

/** The connection keeper's PID for a folder (default $LAB_KEEPER_DIR, see test/e2e/keeper-setup.ts), if it runs. */
export function keeperPid(dir = process.env.LAB_KEEPER_DIR): number | undefined {
  if (!dir) throw new Error('LAB_KEEPER_DIR is not set: the e2e project sets it in test/e2e/keeper-setup.ts');
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!/^keeper-[0-9a-f]+\.pid$/.test(f)) continue;
    const pid = Number(readFileSync(join(dir, f), 'utf8').trim());
    if (pid > 0 && isKeeper(pid)) return pid;
  }
  return undefined;
}

/** Whether PID is a connection keeper of this checkout (its command line, from /proc). */
export function isKeeper(pid: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((a) => a === join(ROOT, 'dist', 'ssh', 'keeper', 'daemon.js'));
  } catch {
    return false;
  }
}

/** Stop the connection keeper of a folder (default this test file's) by PID; waits until it is gone. */
export async function stopKeeper(dir?: string): Promise<void> {
  const pid = keeperPid(dir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isKeeper(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isKeeper(pid)) {
    process.kill(pid, 'SIGKILL');
    throw new Error(`connection keeper ${pid} ignored SIGTERM and was killed`);
  }
}

/** `lab verify ARGS --json`: its exit code (0 or 1; anything else throws), the parsed report and the raw stdout. */
export async function verifyJson(args: string[], ...extra: string[]): Promise<{ code: number; json: VerifyJson; stdout: string }> {
  const r = await runCli(['verify', ...args, '--json', ...extra]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`lab verify exited ${r.code}: ${r.stderr}`);
  return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson, stdout: r.stdout };
}

/** `HOST ID` of every failed check of a verify report. */
export function failedOf(v: { json: VerifyJson }): string[] {
  return v.json.checks.filter((c) => c.status === 'fail' || c.status === 'unreachable').map((c) => `${c.host} ${c.id}${c.status === 'unreachable' ? ' (unreachable)' : ''}`);
}

/**
 * A real reboot of the kept disks (`vm down --force`, then `vm up --boot`: no resume of saved machine state), after
 * which `lab verify` must pass with no `lab up`: everything the lab needs was persisted. Throws with what failed.
 */
export async function rebootThenVerify(args: string[]): Promise<void> {
  const down = await runCli(['vm', 'down', ...args, '--force']);
  if (down.code !== 0) throw explain('vm down --force', down);
  const up = await runCli(['vm', 'up', ...args, '--boot', '--timeout', '900']);
  if (up.code !== 0) throw explain('vm up --boot', up);
  const v = await verifyJson(args, '--wait', '60s');
  if (v.code !== 0) throw new Error(`after the reboot, verify failed: ${failedOf(v).join(', ')}\n${v.stdout}`);
}
