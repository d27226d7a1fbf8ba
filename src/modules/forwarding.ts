// forwarding: what a real server needs for its services' forwarding mode, as the mode says (modes/): for DR the VIP as
// a /32 on a dummy link that never announces it; for TUN the VIP on tunl0 and reverse-path filtering relaxed.
import { z } from 'zod';
import type { NmConnection } from '../facts/types.js';
import { modeOf, type RealServerNeeds, type VipDevice } from '../modes/index.js';
import type { Lab } from '../spec/schema.js';
import { sh } from '../ssh/quote.js';
import { fileDiff, writeChange, writeCommand } from './file.js';
import { planKmods, sysModule } from './kmod.js';
import { downSysctls, planSysctls } from './sysctl.js';
import type { Change, HostContext, Module } from './types.js';

export interface ForwardingTask {
  /** The VIPs this host serves as a real server in a mode that has it hold them. */
  vips: string[];
  needs: RealServerNeeds;
  /** The systemd unit that holds a tunnel's VIP at boot (TUN). */
  unit?: string;
}

/** Where the mode's sysctls persist: after the playbook's own sysctl file, so neither rewrites the other. */
export function forwardingSysctlFile(lab: Lab): string {
  return `/etc/sysctl.d/zz-lab-${lab.name}-forwarding.conf`;
}

export function forwardingModulesFile(lab: Lab): string {
  return `/etc/modules-load.d/lab-${lab.name}-forwarding.conf`;
}

/** The needs of every service this host is a real server of, merged. */
export function forwardingTask(lab: Lab, hostName: string): ForwardingTask {
  const mine = lab.services.filter((s) => s.real_servers.some((r) => r.host === hostName));
  const needs: RealServerNeeds = { sysctls: {}, kmods: [] };
  const vips: string[] = [];
  for (const s of mine) {
    const n = modeOf(s).realServerNeeds(s);
    Object.assign(needs.sysctls, n.sysctls);
    for (const k of n.kmods) if (!needs.kmods.includes(k)) needs.kmods.push(k);
    if (n.vip) {
      needs.vip ??= n.vip;
      if (!vips.includes(s.vip)) vips.push(s.vip);
    }
  }
  return { vips, needs, ...(needs.vip?.kind === 'ipip' ? { unit: tunnelUnit(lab, needs.vip) } : {}) };
}

function profileOf(ctx: HostContext, dev: VipDevice): NmConnection | undefined {
  return ctx.facts.connections.find((c) => c.name === dev.profile);
}

/** `nmcli connection add` arguments for the device's own kind. */
function addArgs(dev: VipDevice): string {
  return sh`type dummy ifname ${dev.device}`;
}

/**
 * tunl0, the ipip module's fallback device, takes every IP-in-IP packet sent to this host, but NetworkManager cannot
 * own it (a profile for an ipip tunnel with any ends would ask the kernel for a second tunl0): a systemd unit of ours
 * puts the VIP on it at boot, after the ipip module is loaded.
 */
export function tunnelUnit(lab: Lab, dev: VipDevice): string {
  return `lab-${lab.name}-${dev.device}`;
}

export function tunnelUnitFile(lab: Lab, dev: VipDevice): string {
  return `/etc/systemd/system/${tunnelUnit(lab, dev)}.service`;
}

export function tunnelUnitContent(dev: VipDevice, vips: string[]): string {
  return [
    '[Unit]',
    `Description=lab: the VIP on ${dev.device} (LVS-TUN real server)`,
    'After=systemd-modules-load.service',
    'Before=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/sbin/ip link set ${dev.device} up`,
    ...vips.map((v) => `ExecStart=/sbin/ip addr replace ${v}/32 dev ${dev.device}`),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * NetworkManager takes tunl0 as a device of its own when it starts, after our unit has run at boot, and a managed device
 * with no profile is brought to "disconnected": its addresses, the VIP, are flushed (seen on Debian 12's NM 1.42:
 * "device (tunl0): state change: unavailable -> disconnected", no VIP after a reboot). A conf.d file tells it to leave
 * tunl0 alone; `+=` appends to any unmanaged-devices list set before it instead of replacing that list.
 */
export function tunnelNmFile(lab: Lab, dev: VipDevice): string {
  return `/etc/NetworkManager/conf.d/lab-${lab.name}-${dev.device}.conf`;
}

export function tunnelNmContent(lab: Lab, dev: VipDevice): string {
  return [`# lab: NetworkManager leaves ${dev.device} to ${tunnelUnit(lab, dev)}.service (else it flushes the VIP at boot)`, '[keyfile]', `unmanaged-devices+=interface-name:${dev.device}`, ''].join('\n');
}

/** Write the conf.d file and unmanage the device now; NetworkManager may flush its addresses on the way, so the VIP follows. */
export function tunnelNmCommands(lab: Lab, dev: VipDevice): string[] {
  return [writeCommand(tunnelNmFile(lab, dev), tunnelNmContent(lab, dev)), sh`nmcli device set ${dev.device} managed no`];
}

export function tunnelCommands(dev: VipDevice, vips: string[]): string[] {
  return [sh`ip link set ${dev.device} up`, ...vips.map((v) => sh`ip addr replace ${`${v}/32`} dev ${dev.device}`)];
}

function planTunnel(ctx: HostContext, dev: VipDevice, vips: string[]): Change[] {
  const changes: Change[] = [];
  const link = ctx.facts.links.find((l) => l.name === dev.device);
  const nmFile = tunnelNmFile(ctx.lab, dev);
  const nmLeaves = ctx.facts.files.get(nmFile)?.content.toString('utf8') === tunnelNmContent(ctx.lab, dev);
  if (!nmLeaves)
    changes.push({
      title: `NetworkManager leaves ${dev.device} alone (${nmFile}), or it flushes the VIP at boot`,
      commands: tunnelNmCommands(ctx.lab, dev),
      diff: fileDiff(nmFile, ctx.facts.files.get(nmFile)?.content, tunnelNmContent(ctx.lab, dev)),
    });
  const held = nmLeaves && !!link && link.up && vips.every((v) => link.addrs.some((a) => a.ip === v && a.prefix === 32));
  if (!held) changes.push({ title: `${vips.map((v) => `${v}/32`).join(', ')} on ${dev.device}, up`, commands: tunnelCommands(dev, vips), record: { [`vip.tunnel.${dev.device}`]: vips.join(',') } });
  const file = tunnelUnitFile(ctx.lab, dev);
  const want = tunnelUnitContent(dev, vips);
  const unit = tunnelUnit(ctx.lab, dev);
  const cur = ctx.facts.files.get(file)?.content;
  const written = cur?.toString('utf8') === want;
  if (!written) changes.push(writeChange(`at boot too (${file})`, file, cur, want, ['systemctl daemon-reload']));
  if (!written || !ctx.facts.services.get(unit)?.enabled) changes.push({ title: `enable ${unit}.service`, commands: [sh`systemctl enable ${unit}`] });
  return changes;
}

/** The VIPs as /32s on the mode's device, in a profile NetworkManager brings up at boot. */
function planVip(ctx: HostContext, dev: VipDevice, vips: string[]): Change[] {
  const want = vips.map((v) => `${v}/32`);
  const c = profileOf(ctx, dev);
  const link = ctx.facts.links.find((l) => l.name === dev.device);
  const held = !!link && want.every((w) => link.addrs.some((a) => `${a.ip}/${a.prefix}` === w));
  const addrs = want.join(', ');
  // ipv6 ignored: a dummy link would otherwise get a link-local address and announce it.
  if (!c)
    return [
      {
        title: `create ${dev.profile} (${dev.kind}): ${addrs}, never announced`,
        commands: [sh`nmcli connection add ` + addArgs(dev) + sh` con-name ${dev.profile} ipv4.method manual ipv4.addresses ${addrs} ipv6.method ignore`, sh`nmcli connection up ${dev.profile}`],
        record: { [`vip.created.${dev.profile}`]: dev.device },
      },
    ];
  if (c.method !== 'manual' || c.addresses.join(',') !== want.join(','))
    return [{ title: `${dev.profile} on ${dev.device}: ${addrs}`, commands: [sh`nmcli connection modify ${dev.profile} ipv4.method manual ipv4.addresses ${addrs}`, sh`nmcli connection up ${dev.profile}`] }];
  if (!held || c.device !== dev.device) return [{ title: `activate ${dev.profile} on ${dev.device}`, commands: [sh`nmcli connection up ${dev.profile}`] }];
  return [];
}

export const forwardingModule: Module<ForwardingTask> = {
  key: 'forwarding',
  schema: z.strictObject({}).describe("A real server's part of its services' forwarding mode (DR: the VIP /32 on lab-vip, never announced; TUN: the VIP on tunl0)."),
  bind: (_raw, _vars, { lab, hostName }) => forwardingTask(lab, hostName),
  // The tunnel unit's state decides whether planTunnel enables it.
  names: (t) => ({ sysctls: Object.keys(t.needs.sysctls), services: t.unit ? [t.unit] : [] }),
  facts: ['nm'],
  label: (t) => (t.needs.vip ? `forwarding: ${t.vips.join(', ')} on ${t.needs.vip.device}` : 'forwarding'),
  desired: (t) => [...(t.needs.vip ? ['vip'] : []), ...Object.entries(t.needs.sysctls).map(([k, v]) => `sysctl:${k}=${v}`), ...t.needs.kmods.map((k) => `kmod:${k}`)],
  files: (t, lab) => [forwardingSysctlFile(lab), forwardingModulesFile(lab), ...(t.needs.vip?.kind === 'ipip' ? [tunnelUnitFile(lab, t.needs.vip), tunnelNmFile(lab, t.needs.vip)] : [])],
  exists: (t) => t.needs.kmods.map(sysModule),
  plan(task, ctx) {
    const { needs } = task;
    const file = forwardingSysctlFile(ctx.lab);
    // The device's own keys exist once the device does; every other key is set before the VIP appears, so the host
    // never answers ARP for it, not even for a moment.
    const ofDevice = (k: string) => !!needs.vip && k.startsWith(`net.ipv4.conf.${needs.vip.device}.`);
    const some = Object.keys(needs.sysctls).length > 0;
    return [
      ...(needs.kmods.length > 0 ? planKmods(needs.kmods, forwardingModulesFile(ctx.lab), ctx) : []),
      ...(some ? planSysctls(needs.sysctls, file, ctx, (k) => !ofDevice(k), false) : []),
      ...(needs.vip ? (needs.vip.kind === 'dummy' ? planVip(ctx, needs.vip, task.vips) : planTunnel(ctx, needs.vip, task.vips)) : []),
      ...(some ? planSysctls(needs.sysctls, file, ctx, ofDevice, true) : []),
    ];
  },
  down(task, ctx) {
    const changes = downSysctls(task.needs.sysctls, forwardingSysctlFile(ctx.lab), ctx);
    for (const [key] of ctx.facts.state) {
      const created = /^vip\.created\.(.+)$/.exec(key)?.[1];
      if (created && ctx.facts.connections.some((c) => c.name === created)) changes.push({ title: `delete ${created}`, commands: [sh`nmcli connection delete ${created}`] });
    }
    const dev = task.needs.vip;
    if (dev?.kind === 'ipip') {
      const file = tunnelUnitFile(ctx.lab, dev);
      if (ctx.facts.files.get(file)) changes.push({ title: `remove ${file}`, commands: [sh`systemctl disable ${tunnelUnit(ctx.lab, dev)}`, sh`rm -f ${file}`, 'systemctl daemon-reload'] });
      const link = ctx.facts.links.find((l) => l.name === dev.device);
      for (const v of task.vips) if (link?.addrs.some((a) => a.ip === v)) changes.push({ title: `${v} off ${dev.device}`, commands: [sh`ip addr del ${`${v}/32`} dev ${dev.device}`] });
      const nmFile = tunnelNmFile(ctx.lab, dev);
      if (ctx.facts.files.get(nmFile))
        changes.push({ title: `NetworkManager manages ${dev.device} again (remove ${nmFile})`, commands: [sh`rm -f ${nmFile}`, ...(link ? [sh`nmcli device set ${dev.device} managed yes`] : [])] });
    }
    const mods = forwardingModulesFile(ctx.lab);
    if (ctx.facts.files.get(mods)) changes.push({ title: `remove ${mods}`, commands: [sh`rm -f ${mods}`] });
    return changes;
  },
};
