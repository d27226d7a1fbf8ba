// Save and restore the whole machine state of every VM of an instance: internal qcow2 snapshots through QMP (savevm/loadvm).
import { existsSync } from 'node:fs';
import { RunError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { diskInfo } from './disk-snapshots.js';
import { fingerprintDiffs, layoutDigest, machineFingerprint } from './fingerprint.js';
import { imageReady } from './image/build.js';
import type { InstanceContext } from './instance.js';
import { vmFiles } from './paths.js';
import { planVm } from './plan.js';
import { runningPid } from './proc.js';
import type { Progress } from './progress.js';
import { withQmp } from './qmp.js';
import { recordSnapshot, type SnapshotRecord } from './snapshots.js';
import { sshRun } from './ssh.js';
import { readState, type InstanceState } from './state.js';
import type { VmPlan } from './qemu-args.js';

/** An HMP savevm/loadvm prints nothing on success; anything else is its error. */
function hmpProblem(out: string): string | undefined {
  const text = out.trim();
  return text && /error|fail|not|cannot|unable/i.test(text) ? text.split('\n').join(' | ') : undefined;
}

/**
 * The guest side of waitSettled. `systemctl is-system-running --wait` returns once every start job is done (running or
 * degraded), but NetworkManager activates its profiles after its own start job: a CI run found web1's lab NIC in no
 * firewalld zone right after a reboot. So it then waits, up to 30 s, while a profile with static addresses (what
 * `lab up` writes) is still activating; NetworkManager binds the profile's zone before it is activated. Profiles that
 * wait for DHCP (the image's defaults on lab NICs, which never get a lease) are not waited for: `nm-online -s` would
 * wait for those too and spend its whole bound on every fresh guest. A later CI run, under the load of two labs'
 * guests, still found web1's lab NIC in no zone with every profile activated: NetworkManager binds the zone through
 * firewalld's D-Bus API, late when firewalld is slow to start. So, within the same 30 s, it also waits while firewalld
 * runs and the device of an active static profile is in no zone (busctl, not the Python firewall-cmd). Only static
 * ones: the management NIC's DHCP profile is in no zone on these guests, and stays so. The run after that found it
 * unbound for good: NetworkManager's own log (FIREWALL at debug) shows its changeZoneOfInterface call to firewalld
 * "complete: request failed (Timeout was reached)" after 10 s when the guests' CPU is shared with other VMs, and it
 * never asks again. So after 12 s of a device in no zone the script asks firewalld once itself, with the very call
 * and zone NetworkManager uses (the profile's connection.zone, "" for the default zone), and says so on stdout.
 */
export const SETTLE_SCRIPT = `systemctl is-system-running --wait >/dev/null || true
i=0
statics=
asked=
while [ "$i" -lt 30 ]; do
  busy=
  for u in $(nmcli -t -f UUID,STATE connection show --active 2>/dev/null | sed -n 's/:activating$//p'); do
    [ "$(nmcli -g ipv4.method connection show "$u" 2>/dev/null)" = manual ] && busy=$u
  done
  if [ -z "$busy" ] && [ -z "$statics" ] && systemctl is-active -q firewalld 2>/dev/null; then
    statics=-
    for l in $(nmcli -t -f UUID,DEVICE,TYPE connection show --active 2>/dev/null | sed -n 's/:802-3-ethernet$//p'); do
      [ "$(nmcli -g ipv4.method connection show "\${l%%:*}" 2>/dev/null)" = manual ] && statics="$statics $l"
    done
  fi
  if [ -z "$busy" ]; then
    for l in \${statics#-}; do
      d=\${l#*:}
      [ "$(busctl --auto-start=no call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone getZoneOfInterface s "$d" 2>/dev/null)" = 's ""' ] || continue
      busy=$d
      case " $asked " in *" $d "*) continue ;; esac
      [ "$i" -ge 12 ] || continue
      asked="$asked $d"
      z=$(nmcli -g connection.zone connection show "\${l%%:*}" 2>/dev/null)
      if busctl --auto-start=no --timeout=60 call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone changeZoneOfInterface ss "$z" "$d" >/dev/null 2>&1; then
        echo "$d was in no firewalld zone after \${i} s (NetworkManager's request to a slow firewalld timed out): asked firewalld for zone \${z:-(default)}, as NetworkManager does"
      fi
    done
  fi
  [ -z "$busy" ] && break
  sleep 1
  i=$((i + 1))
done
true
`;

/**
 * Wait until the guest's boot has settled (every start job done, static profiles activated), so a snapshot holds a
 * quiet machine, a restore does not redo half a boot, and a rebooted lab is judged whole. Bounded: a profile that
 * cannot come up is for `lab verify` to report, not a reason to hang. Returns what the guest side did besides waiting.
 */
export async function waitSettled(ctx: InstanceContext, state: InstanceState, host: string, timeoutMs: number): Promise<string[]> {
  const target = { port: state.hosts[host]!.sshPort, identityFile: ctx.files.key, knownHosts: ctx.files.knownHosts };
  const r = await sshRun(target, SETTLE_SCRIPT, timeoutMs);
  if (r.code !== 0) throw new RunError(t('vm.settleFailed', { host, why: r.stderr.trim().split('\n').at(-1) ?? `ssh exit ${r.code}` }));
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** `savevm NAME` on every running VM of the instance, in parallel; records the snapshot. The caller holds the lock. */
export async function saveLocked(ctx: InstanceContext, name: string, progress: Progress): Promise<SnapshotRecord> {
  const state = readState(ctx.instance);
  const hosts = Object.keys(ctx.lab.hosts);
  const stopped = hosts.filter((h) => runningPid(vmFiles(ctx.instance, h).pid) === undefined);
  if (!state || stopped.length > 0) {
    throw new UsageError(t('vm.cannotSave', { instance: ctx.instance, why: stopped.length > 0 ? t('vm.vmsNotRunning', { vms: stopped.join(', ') }) : t('vm.neverBooted') }));
  }
  const noQmp = hosts.filter((h) => !existsSync(vmFiles(ctx.instance, h).qmp));
  if (noQmp.length > 0) throw new RunError(t('vm.noQmp', { vms: noQmp.join(', ') }));
  const started = Date.now();
  await Promise.all(
    hosts.map(async (h) => {
      const out = await withQmp(vmFiles(ctx.instance, h).qmp, (q) => q.hmp(`savevm ${name}`, 300_000));
      const problem = hmpProblem(out);
      if (problem) throw new RunError(t('vm.saveFailed', { host: h, name, problem }));
    }),
  );
  const layout: Record<string, string> = {};
  for (const h of hosts) layout[h] = state.hosts[h]?.layout ?? '';
  const rec: SnapshotRecord = { name, savedAt: new Date().toISOString(), fingerprint: await machineFingerprint(state.accel), layout };
  recordSnapshot(ctx.instance, rec);
  progress.step(t('vm.saved', { name, hosts: hosts.join(', '), seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  return rec;
}

export interface RestorePlan {
  state: InstanceState;
  /** host → its qemu plan with -loadvm, at its recorded port. */
  plans: Record<string, VmPlan>;
}

export interface PlanOptions {
  memory?: number;
  aslr?: boolean;
}

/**
 * The plans to restore `rec`, or why it cannot be: a snapshot is tied to the qemu version, machine type, CPU model
 * and device layout it was saved with, and must still be in each overlay.
 */
export async function planRestore(ctx: InstanceContext, rec: SnapshotRecord, opts: PlanOptions): Promise<RestorePlan | string> {
  const state = readState(ctx.instance);
  if (!state) return t('vm.noState');
  if (!imageReady(state.image)) return t('vm.imageGoneShort', { dir: state.image.dir });
  const diffs = fingerprintDiffs(rec.fingerprint, await machineFingerprint(state.accel));
  if (diffs.length > 0) return diffs.join('; ');
  const plans: Record<string, VmPlan> = {};
  for (const host of Object.keys(ctx.lab.hosts)) {
    const hs = state.hosts[host];
    if (!hs || rec.layout[host] === undefined) return t('vm.hostNotIn', { host });
    if (!rec.layout[host] || !hs.layout) return t('vm.noLayout', { host });
    const plan = planVm({ lab: ctx.lab, instance: ctx.instance, host, image: state.image, accel: state.accel, sshPort: hs.sshPort, memory: opts.memory ?? hs.memory, aslr: opts.aslr, identity: hs.identity });
    if (layoutDigest(plan, state.image.base) !== rec.layout[host]) return t('vm.layoutDiffers', { host });
    const info = await diskInfo(plan.disk);
    if (!info?.snapshots.some((s) => s.name === rec.name)) return t('vm.diskLacks', { host, disk: plan.disk });
    plans[host] = { ...plan, loadvm: rec.name };
  }
  return { state, plans };
}
