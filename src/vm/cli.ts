// `lab vm …` commands: parse options, call the API in ./index.ts, print a short result.
import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AccelChoice } from './accel.js';
import { silentSink } from './progress.js';
import type { StatusResult, UpResult } from './index.js';
import { envelope } from '../report/envelope.js';
import { t } from '../i18n/index.js';

// The implementation (qemu, image builds, execa) loads only when a vm command runs: `lab up` and `lab verify` never need it.
const api = () => import('./index.js');

function intIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(t('vm.wholeNumber', { option: what, min, max }));
    return n;
  };
}

interface BootFlags {
  instance?: string;
  mirror?: string;
  accel: AccelChoice;
  memory?: number;
  aslr?: boolean;
  timeout: number;
  json?: boolean;
  boot?: boolean;
  cold?: boolean;
}

const rel = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

function sub(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<lab>', 'lab name (labs/NAME.yaml) or spec path')
    .option('--instance <name>', 'which copy of the lab (default: the lab name)')
    .exitOverride();
}

function withBootOptions(cmd: Command): Command {
  return cmd
    .option('--mirror <url>', 'Debian mirror for the image build (default: $LAB_DEBIAN_MIRROR, else the host\'s apt sources)')
    .addOption(new Option('--accel <how>', 'tcg (software), kvm, or auto (probe KVM)').choices(['tcg', 'kvm', 'auto']).default('auto'))
    .option('--memory <MiB>', 'memory of every VM (default: the spec\'s host memory, else 512)', intIn(128, 65536, '--memory'))
    .option('--aslr', 'keep address-space randomization in the guests under tcg too (off there by default: it makes every process start ~3× slower under emulation)')
    .option('--timeout <seconds>', 'how long each VM may take to answer SSH', intIn(10, 3600, '--timeout'), 300)
    .option('--json', 'print the result as JSON');
}

function bootOptions(f: BootFlags) {
  return { instance: f.instance, mirror: f.mirror, accel: f.accel, memory: f.memory, aslr: f.aslr, sshTimeoutSec: f.timeout, boot: f.boot, cold: f.cold };
}

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** `lab vm up|reset|snapshot restore`: the summary and each host's ssh line, or with --json the envelope and the inventory. */
function printUp(r: UpResult, json: boolean | undefined, command: string): void {
  if (json) {
    const { lab, seconds, ...rest } = r;
    process.stdout.write(`${JSON.stringify(envelope(command, lab, true, seconds * 1000, rest), null, 2)}\n`);
    return;
  }
  const n = Object.keys(r.inventory.hosts).length;
  const head = r.alreadyRunning
    ? t('vm.alreadyRunning', { instance: r.instance, lab: r.lab })
    : r.restored
      ? t('vm.upResumed', { instance: r.instance, lab: r.lab, n, name: r.restored, seconds: r.seconds.toFixed(1) })
      : t('vm.upBooted', { instance: r.instance, lab: r.lab, n, seconds: r.seconds.toFixed(1) });
  const lines = [head, t('vm.inventoryAt', { file: rel(r.inventoryPath) })];
  for (const h of Object.values(r.inventory.hosts)) {
    lines.push(`  ${h.name.padEnd(12)} ssh -i ${rel(h.identityFile ?? '')} -o UserKnownHostsFile=${rel(h.knownHosts ?? '')} -p ${h.port} root@${h.address}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printStatus(r: StatusResult): void {
  if (r.vms.length === 0) {
    process.stdout.write(`${t('vm.noVms', { instance: r.instance })}\n`);
    return;
  }
  const rows = [['HOST', 'STATE', 'PID', 'SSH', 'DISK', 'CONSOLE'], ...r.vms.map((v) => [v.host, v.state, String(v.pid ?? '-'), v.sshPort ? `127.0.0.1:${v.sshPort}` : '-', v.diskBytes === undefined ? '-' : size(v.diskBytes), rel(v.consoleLog)])];
  const snaps = r.snapshots.length === 0
    ? t('vm.noSnapshots')
    : table([['SNAPSHOT', 'SAVED', 'VM STATE', 'NOTE'], ...r.snapshots.map((s) => [s.name, s.savedAt, size(s.vmStateBytes), s.stale ? `stale: ${s.stale}` : ''])]);
  process.stdout.write(`${r.lab ? t('vm.statusHeadLab', { instance: r.instance, lab: r.lab }) : t('vm.statusHead', { instance: r.instance })}\n${table(rows)}\n${snaps}\n`);
}

/** Left-aligned columns, two spaces apart; the last column unpadded. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function snapshotCommand(): Command {
  const snap = new Command('snapshot').description('named machine states of an instance\'s VMs (RAM, devices, disk), saved inside their disks').exitOverride();
  snap.addCommand(
    sub('save', 'save every running VM of the instance as snapshot NAME (replaces an older one of that name)')
      .argument('<name>', 'snapshot name, e.g. after-step-1')
      .action(async (lab: string, name: string, f: { instance?: string }) => {
        const r = await (await api()).vmSnapshotSave(lab, name, { instance: f.instance });
        process.stdout.write(`${t('vm.snapshotSaved', { name: r.name, n: Object.keys(r.layout).length, savedAt: r.savedAt })}\n`);
      }),
  );
  snap.addCommand(
    sub('restore', 'put every VM of the instance back to snapshot NAME (restarted from it, clocks set), wait for SSH')
      .argument('<name>', 'snapshot name')
      .option('--timeout <seconds>', 'how long each VM may take to answer SSH', intIn(10, 3600, '--timeout'), 300)
      .option('--json', 'print the result as JSON')
      .action(async (lab: string, name: string, f: { instance?: string; timeout: number; json?: boolean }) =>
        printUp(await (await api()).vmSnapshotRestore(lab, name, { instance: f.instance, sshTimeoutSec: f.timeout }), f.json, 'vm snapshot restore'),
      ),
  );
  snap.addCommand(
    sub('list', 'list the instance\'s snapshots: when saved, RAM and device state size, whether they still fit this qemu')
      .argument('[name]', 'only this snapshot')
      .option('--json', 'print the result as JSON')
      .action(async (lab: string, name: string | undefined, f: { instance?: string; json?: boolean }) => {
        const started = Date.now();
        const r = await (await api()).vmSnapshotList(lab, { instance: f.instance });
        const list = r.snapshots.filter((s) => !name || s.name === name);
        if (f.json) process.stdout.write(`${JSON.stringify(envelope('vm snapshot list', r.lab, true, Date.now() - started, { instance: r.instance, snapshots: list }), null, 2)}\n`);
        else if (list.length === 0) process.stdout.write(`${name ? t('vm.noSnapshotNamed', { instance: r.instance, name }) : t('vm.noSnapshotsYet', { instance: r.instance })}\n`);
        else process.stdout.write(`${table([['SNAPSHOT', 'SAVED', 'VM STATE', 'VMS', 'NOTE'], ...list.map((s) => [s.name, s.savedAt, size(s.vmStateBytes), String(s.hosts.length), s.stale ? `stale: ${s.stale}` : ''])])}\n`);
      }),
  );
  return snap;
}

export function vmCommand(): Command {
  const vm = new Command('vm').description('run a lab\'s hosts as local VMs (qemu; guests never reach beyond this machine)').exitOverride();
  vm.addCommand(
    withBootOptions(sub('up', 'build the base image once, boot every host of the lab (a stopped instance resumes from its newest snapshot; a new one starts from the templates of an earlier first boot), wait for SSH, write the inventory'))
      .option('--boot', 'boot: never resume a snapshot, nor start a new instance from the templates')
      .action(async (lab: string, f: BootFlags) =>
      printUp(await (await api()).vmUp(lab, bootOptions(f)), f.json, 'vm up'),
    ),
  );
  vm.addCommand(
    sub('status', 'show each VM: running or stopped, pid, SSH port, console log')
      .option('--json', 'print the result as JSON')
      .action(async (lab: string, f: { instance?: string; json?: boolean }) => {
        const started = Date.now();
        const r = await (await api()).vmStatus(lab, { instance: f.instance });
        const { lab: name, ...rest } = r;
        if (f.json) process.stdout.write(`${JSON.stringify(envelope('vm status', name ?? null, true, Date.now() - started, rest), null, 2)}\n`);
        else printStatus(r);
      }),
  );
  vm.addCommand(
    sub('down', 'save the lab\'s VMs as snapshot "suspended" (the next up resumes it), then stop them (clean power-down, then SIGTERM, then SIGKILL); disks are kept')
      .option('--force', 'skip the snapshot and the clean power-down (the next up boots the disks)')
      .action(async (lab: string, f: { instance?: string; force?: boolean }) => {
        const r = await (await api()).vmDown(lab, { instance: f.instance, force: f.force });
        const n = r.stopped.filter((s) => s.how !== 'not-running').length;
        const next = r.suspended ? t('vm.downNext', { name: r.suspended }) : '';
        process.stdout.write(`${t('vm.downDone', { instance: r.instance, count: n, next })}\n`);
      }),
  );
  vm.addCommand(
    sub('destroy', 'stop the lab\'s VMs and delete their disks, keys and inventory').action(async (lab: string, f: { instance?: string }) => {
      const r = await (await api()).vmDestroy(lab, { instance: f.instance, progress: silentSink });
      process.stdout.write(`${r.removed ? t('vm.destroyedDir', { instance: r.instance, dir: rel(r.removed) }) : t('vm.nothingToDestroy', { instance: r.instance })}\n`);
    }),
  );
  vm.addCommand(
    withBootOptions(sub('reset', 'put every VM back to the pristine snapshot of its first boot (RAM, devices, disk), wait for SSH'))
      .option('--cold', 'the full reset instead: new disks from the base image (every snapshot goes with them), a boot')
      .action(async (lab: string, f: BootFlags) =>
      printUp(await (await api()).vmReset(lab, bootOptions(f)), f.json, 'vm reset'),
    ),
  );
  vm.addCommand(snapshotCommand());
  vm.addCommand(
    new Command('box')
      .description('make a vagrant-libvirt box from the VM image (for `vagrant up` in vagrant/ without a box registry)')
      .option('--out <file>', 'where to write the box (default: .lab/boxes/lab-debian12-HASH.box, HASH over the image and the box recipe)')
      .option('--add', 'also add it to Vagrant: vagrant box add --force --name NAME FILE')
      .option('--name <name>', 'the box name for --add', 'lab/debian12')
      .option('--mirror <url>', 'Debian mirror for the image build (default: $LAB_DEBIAN_MIRROR, else the host\'s apt sources)')
      .exitOverride()
      .action(async (f: { out?: string; add?: boolean; name: string; mirror?: string }) => {
        const { buildBox } = await import('./box.js');
        const { createProgress } = await import('./progress.js');
        const r = await buildBox({ out: f.out, add: f.add, name: f.name, mirror: f.mirror, progress: createProgress() });
        const next = r.added ? t('vm.boxAdded', { name: r.name }) : t('vm.boxAddHint', { name: r.name, file: rel(r.file) });
        process.stdout.write(`${t('vm.boxReady', { file: rel(r.file), seconds: r.seconds.toFixed(1), next })}\n`);
      }),
  );
  return vm;
}
