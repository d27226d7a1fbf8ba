// Judges for DR and TUN: each real server holds the VIP and never announces it, only the director answers ARP for
// it, and the replies bypass the director.
import { t, withLang } from '../i18n/index.js';
import { forwardingSysctlFile, tunnelCommands, tunnelNmContent, tunnelNmFile, tunnelUnit, tunnelUnitContent, tunnelUnitFile } from '../modules/forwarding.js';
import { sysctlContent } from '../modules/sysctl.js';
import type { HostContext } from '../modules/types.js';
import type { Mode, VipDevice } from '../modes/index.js';
import { sh } from '../ssh/quote.js';
import { linkHolding, sysctlRuntimeFix, writeFileFix } from './fixes.js';
import type { HostView } from './plan.js';
import type { ArpAnswer, IpvsStat, SysctlFileEntry } from './probe.js';
import { persistedValue } from './sysctl-order.js';
import { fail, failNm, pass, skip, type Verdict } from './types.js';

/** The commands that put the VIPs on the mode's device, in a profile NetworkManager keeps across a reboot. */
function vipFix(ctx: HostContext, dev: VipDevice, vips: string[]): string[] {
  const addrs = vips.map((v) => `${v}/32`).join(', ');
  const c = ctx.facts.connections.find((x) => x.name === dev.profile);
  if (dev.kind === 'ipip') {
    const unit = tunnelUnit(ctx.lab, dev);
    const load = ctx.facts.links.some((l) => l.name === dev.device) ? [] : ['modprobe ipip'];
    const nm = ctx.facts.files.get(tunnelNmFile(ctx.lab, dev))?.content.toString('utf8') === tunnelNmContent(ctx.lab, dev) ? [] : [writeFileFix(tunnelNmFile(ctx.lab, dev), tunnelNmContent(ctx.lab, dev)), sh`nmcli device set ${dev.device} managed no`];
    return [...load, ...nm, tunnelCommands(dev, vips).join(' && '), `${writeFileFix(tunnelUnitFile(ctx.lab, dev), tunnelUnitContent(dev, vips))}`, sh`systemctl daemon-reload && systemctl enable ${unit}`];
  }
  const kind = sh`type dummy ifname ${dev.device}`;
  // Without NetworkManager's profiles (not read, or no NetworkManager): the device made if missing, until the next boot.
  if (!ctx.facts.nm)
    return [
      ...(ctx.facts.links.some((l) => l.name === dev.device) ? [] : [sh`ip link add ${dev.device} type dummy` + ' && ' + sh`ip link set ${dev.device} up`]),
      ...vips.map((v) => sh`ip addr add ${`${v}/32`} dev ${dev.device}`),
    ];
  if (c) return [sh`nmcli connection modify ${dev.profile} ipv4.method manual ipv4.addresses ${addrs}` + ' && ' + sh`nmcli connection up ${dev.profile}`];
  return [sh`nmcli connection add ` + kind + sh` con-name ${dev.profile} ipv4.method manual ipv4.addresses ${addrs} ipv6.method ignore` + ' && ' + sh`nmcli connection up ${dev.profile}`];
}

/** A list of hosts in prose: "a and b" in English. */
function hostList(hosts: string[]): string {
  if (hosts.length <= 1) return hosts[0] ?? '';
  return t('forwarding.list.last', { rest: hosts.slice(0, -1).join(t('forwarding.list.sep')), last: hosts[hosts.length - 1]! });
}

/**
 * The mode's title in the reader's language. src/modes gives it in English: the catalog's title reads while its English
 * is the mode's own, else the mode's title as it is.
 */
function modeTitle(mode: Mode): string {
  const key = `forwarding.modeTitle.${mode.name}`;
  return withLang('en', () => t(key)) === mode.title ? t(key) : mode.title;
}

export function judgeVipOnRealServer(ctx: HostContext, mode: Mode, dev: VipDevice, vip: string, director: string): Verdict {
  const expected = t('forwarding.vipOnRealServer.expected', { vip, dev: dev.device });
  const link = linkHolding(ctx, vip);
  const addr = link?.addrs.find((a) => a.ip === vip);
  const found = link ? t('forwarding.vipOnRealServer.found', { vip, prefix: addr!.prefix, dev: link.name }) : t('forwarding.vipOnRealServer.foundNone', { host: ctx.hostName, vip });
  if (link && link.name === dev.device && addr!.prefix === 32 && (link.up || dev.kind === 'dummy')) return pass(expected, found);
  if (link && link.name === dev.device && addr!.prefix === 32)
    return fail(
      expected,
      t('forwarding.vipOnRealServer.foundDown', { found, dev: dev.device }),
      t('forwarding.vipOnRealServer.down', { dev: dev.device, vip, host: ctx.hostName, director }),
      [sh`ip link set ${dev.device} up`],
    );
  const noTunnel = dev.kind === 'ipip' && !ctx.facts.links.some((l) => l.name === dev.device);
  const why = noTunnel
    ? t('forwarding.vipOnRealServer.noTunnel', { mode: modeTitle(mode), host: ctx.hostName, dev: dev.device })
    : !link
    ? t(mode.name === 'tun' ? 'forwarding.vipOnRealServer.missingTun' : 'forwarding.vipOnRealServer.missingDr', { mode: modeTitle(mode), vip, host: ctx.hostName, director })
    : t(addr!.prefix === 32 ? 'forwarding.vipOnRealServer.wrongLink' : 'forwarding.vipOnRealServer.wrongLinkPrefix', { host: ctx.hostName, vip, link: link.name, prefix: addr!.prefix, dev: dev.device });
  return failNm(ctx.facts.nm, expected, found, why, [...(link && link.name !== dev.device ? [sh`ip addr del ${`${vip}/${addr!.prefix}`} dev ${link.name}`] : []), ...vipFix(ctx, dev, [vip])]);
}

/** Why each sysctl the mode sets on a real server matters. */
function sysctlWhy(key: string, vip: string, host: string): string {
  if (key.endsWith('.arp_ignore')) return t('forwarding.sysctl.arpIgnore', { host, vip });
  if (key.endsWith('.arp_announce')) return t('forwarding.sysctl.arpAnnounce', { host, vip });
  if (key.endsWith('.rp_filter')) return t('forwarding.sysctl.rpFilter', { host });
  return t('forwarding.sysctl.other', { key, host });
}

/** The values `want` asks for, at runtime. arp_ignore and arp_announce count as met when higher (the kernel takes the max of all and the device). */
function met(key: string, cur: string | undefined, want: string): boolean {
  if (cur === undefined) return false;
  if (/\.arp_(ignore|announce)$/.test(key)) return Number(cur) >= Number(want);
  return cur === want;
}

export function judgeNoAnnounce(ctx: HostContext, values: Record<string, string>, vip: string): Verdict {
  const keys = Object.keys(values);
  const expected = keys.map((k) => `${k} = ${values[k]}`).join(', ');
  const found = keys.map((k) => `${k} = ${ctx.facts.sysctl.get(k) ?? t('forwarding.sysctl.unset')}`).join(', ');
  // A device's own keys exist only with the device: when it is missing, the VIP check says so and why.
  const absent = (k: string) => {
    const dev = /^net\.ipv4\.conf\.([^.]+)\./.exec(k)?.[1];
    return !!dev && dev !== 'all' && dev !== 'default' && !ctx.facts.links.some((l) => l.name === dev);
  };
  const bad = keys.filter((k) => !absent(k) && !met(k, ctx.facts.sysctl.get(k), values[k]!));
  if (bad.length === 0) return pass(expected, keys.some(absent) ? t('forwarding.sysctl.deviceMissing', { found, keys: keys.filter(absent).join(', ') }) : found);
  return fail(expected, found, sysctlWhy(bad[0]!, vip, ctx.hostName), bad.map((k) => sysctlRuntimeFix(k, values[k]!)));
}

export function judgeNoAnnounceAtBoot(ctx: HostContext, files: SysctlFileEntry[], values: Record<string, string>, vip: string): Verdict {
  const keys = Object.keys(values);
  const expected = t('forwarding.sysctl.atBoot', { values: keys.map((k) => `${k} = ${values[k]}`).join(', ') });
  const got = keys.map((k) => ({ k, p: persistedValue(files, k) }));
  const found = got.map(({ k, p }) => `${k} = ${p.value ?? t('forwarding.sysctl.unset')}${p.file ? ` (${p.file})` : ''}`).join(', ');
  const bad = got.filter(({ k, p }) => !met(k, p.value, values[k]!));
  if (bad.length === 0) return pass(expected, found);
  return fail(
    expected,
    found,
    t('forwarding.sysctl.notAtBoot', { count: bad.length, keys: bad.map((b) => b.k).join(', '), why: sysctlWhy(bad[0]!.k, vip, ctx.hostName) }),
    [writeFileFix(forwardingSysctlFile(ctx.lab), sysctlContent(values))],
  );
}

/** Who a MAC belongs to, over every host observed. */
function macOwner(all: Map<string, HostView>, mac: string): string | undefined {
  for (const [host, v] of all) if (v.ctx.facts.links.some((l) => l.mac === mac)) return host;
  return undefined;
}

export function judgeArpFromClient(ctx: HostContext, answer: ArpAnswer | undefined, all: Map<string, HostView>, vip: string, director: string, reals: string[]): Verdict {
  const expected = t('forwarding.arpFromClient.expected', { director, vip });
  if (!answer || answer.how === 'none') return skip(expected, t('forwarding.arpFromClient.cannotAsk', { host: ctx.hostName, vip }));
  const named = answer.macs.map((m) => `${m}${macOwner(all, m) ? ` (${macOwner(all, m)})` : ''}`);
  const how = t(answer.how === 'arp' ? 'forwarding.arpFromClient.arpRequest' : 'forwarding.arpFromClient.neighbourTable', { dev: answer.dev });
  const found = t('forwarding.arpFromClient.found', { how, macs: named.join(', ') || t('forwarding.arpFromClient.noAnswer') });
  const dMacs = all.get(director)?.ctx.facts.links.map((l) => l.mac) ?? [];
  const others = answer.macs.filter((m) => !dMacs.includes(m));
  if (answer.macs.length > 0 && others.length === 0) return pass(expected, found);
  if (answer.macs.length === 0) return fail(expected, found, t('forwarding.arpFromClient.nobody', { vip, host: ctx.hostName, director }));
  const who = others.map((m) => macOwner(all, m) ?? m);
  const culprits = who.filter((h) => reals.includes(h));
  const also = { count: who.length, hosts: hostList(who), vip };
  return fail(
    expected,
    found,
    culprits.length > 0
      ? t('forwarding.sentences', { first: t('forwarding.arpFromClient.realAlsoAnswers', also), second: t('forwarding.arpFromClient.mustNotAnnounce', { hosts: hostList(culprits) }) })
      : t('forwarding.arpFromClient.otherAlsoAnswers', also),
  );
}

/**
 * The replies bypass the director: IPVS counts a real server's packets out only when they come back through it. The
 * counters are cumulative since the real server was added, so a few packets out (ICMP errors while a tunnel was down,
 * an earlier fault since repaired) do not mean the replies pass now; replies that do pass show as about one packet
 * out per packet in. Half as many out as in is the line.
 */
export function judgeRepliesBypass(stats: IpvsStat[] | undefined, service: string, reals: { host: string; ip: string; port: number }[], director: string): Verdict {
  const expected = t('forwarding.repliesBypass.expected', { director });
  if (!stats) return skip(expected, t('forwarding.repliesBypass.noStats'));
  const rows = reals.map((r) => ({ r, s: stats.find((x) => x.service === service && x.real === `${r.ip}:${r.port}`) }));
  const found = rows
    .map(({ r, s }) => (s ? t('forwarding.repliesBypass.row', { host: r.host, inPkts: s.inPkts, outPkts: s.outPkts }) : t('forwarding.repliesBypass.rowMissing', { host: r.host })))
    .join(t('forwarding.sep'));
  const through = rows.filter(({ s }) => s && s.outPkts > 0 && s.outPkts * 2 >= s.inPkts);
  if (through.length > 0)
    return fail(
      expected,
      found,
      t('forwarding.repliesBypass.through', { hosts: hostList(through.map((x) => x.r.host)), director }),
    );
  if (rows.every(({ s }) => !s || s.inPkts === 0)) return skip(expected, t('forwarding.repliesBypass.noneYet', { found, director }));
  const stray = rows.filter(({ s }) => s && s.outPkts > 0);
  return pass(expected, stray.length > 0 ? t('forwarding.repliesBypass.strayOut', { found }) : found);
}
