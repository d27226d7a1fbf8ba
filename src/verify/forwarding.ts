// Judges for DR and TUN: each real server holds the VIP and never announces it, only the director answers ARP for
// it, and the replies bypass the director.
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

export function judgeVipOnRealServer(ctx: HostContext, mode: Mode, dev: VipDevice, vip: string, director: string): Verdict {
  const expected = `${vip}/32 on ${dev.device}`;
  const link = linkHolding(ctx, vip);
  const addr = link?.addrs.find((a) => a.ip === vip);
  const found = link ? `${vip}/${addr!.prefix} on ${link.name}` : `no interface of ${ctx.hostName} holds ${vip}`;
  if (link && link.name === dev.device && addr!.prefix === 32 && (link.up || dev.kind === 'dummy')) return pass(expected, found);
  if (link && link.name === dev.device && addr!.prefix === 32)
    return fail(expected, `${found}, but ${dev.device} is down`, `${dev.device} holds ${vip} but is down, so ${ctx.hostName} does not unwrap the IP-in-IP requests ${director} sends it: its share of the client's connections time out.`, [sh`ip link set ${dev.device} up`]);
  const noTunnel = dev.kind === 'ipip' && !ctx.facts.links.some((l) => l.name === dev.device);
  const why = noTunnel
    ? `In ${mode.title} the director wraps each request in IP-in-IP; ${ctx.hostName} has no ${dev.device} (the ipip module is not loaded), so it cannot unwrap them and drops them: its share of the client's connections time out.`
    : !link
    ? `In ${mode.title} the director passes each request on still addressed to the VIP ${vip}${mode.name === 'tun' ? ', wrapped in IP-in-IP' : ' (only the frame\'s MAC is rewritten)'}. ${ctx.hostName} does not hold ${vip}, so it drops the requests ${director} sends it and its share of the client's connections time out.`
    : `${ctx.hostName} holds ${vip} on ${link.name}${addr!.prefix === 32 ? '' : ` as a /${addr!.prefix}`}, not as a /32 on ${dev.device}: there it is announced on the client's network and routes a whole prefix to that link, so the clients' ARP requests for the VIP can reach ${ctx.hostName} instead of the director.`;
  return failNm(ctx.facts.nm, expected, found, why, [...(link && link.name !== dev.device ? [sh`ip addr del ${`${vip}/${addr!.prefix}`} dev ${link.name}`] : []), ...vipFix(ctx, dev, [vip])]);
}

/** Why each sysctl the mode sets on a real server matters. */
function sysctlWhy(key: string, vip: string, host: string): string {
  if (key.endsWith('.arp_ignore'))
    return `With arp_ignore below 1, ${host} answers ARP requests for every address it holds, the VIP ${vip} included, on any interface: the client (or its router) may learn ${host}'s MAC for the VIP and send its requests straight there, past the director, so nothing is balanced.`;
  if (key.endsWith('.arp_announce'))
    return `With arp_announce below 2, ${host} may put the VIP ${vip} as the sender of its own ARP requests, and the other hosts of its network then note ${host}'s MAC for the VIP, past the director.`;
  if (key.endsWith('.rp_filter'))
    return `With reverse-path filtering on, ${host} drops the unwrapped requests: they arrive on the tunnel from the client's address, which its routes say is not behind the tunnel.`;
  return `The forwarding mode needs ${key} on ${host}.`;
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
  const found = keys.map((k) => `${k} = ${ctx.facts.sysctl.get(k) ?? 'unset'}`).join(', ');
  // A device's own keys exist only with the device: when it is missing, the VIP check says so and why.
  const absent = (k: string) => {
    const dev = /^net\.ipv4\.conf\.([^.]+)\./.exec(k)?.[1];
    return !!dev && dev !== 'all' && dev !== 'default' && !ctx.facts.links.some((l) => l.name === dev);
  };
  const bad = keys.filter((k) => !absent(k) && !met(k, ctx.facts.sysctl.get(k), values[k]!));
  if (bad.length === 0) return pass(expected, keys.some(absent) ? `${found} (the device of ${keys.filter(absent).join(', ')} is missing; see the VIP check)` : found);
  return fail(expected, found, sysctlWhy(bad[0]!, vip, ctx.hostName), bad.map((k) => sysctlRuntimeFix(k, values[k]!)));
}

export function judgeNoAnnounceAtBoot(ctx: HostContext, files: SysctlFileEntry[], values: Record<string, string>, vip: string): Verdict {
  const keys = Object.keys(values);
  const expected = `${keys.map((k) => `${k} = ${values[k]}`).join(', ')} at boot`;
  const got = keys.map((k) => ({ k, p: persistedValue(files, k) }));
  const found = got.map(({ k, p }) => `${k} = ${p.value ?? 'unset'}${p.file ? ` (${p.file})` : ''}`).join(', ');
  const bad = got.filter(({ k, p }) => !met(k, p.value, values[k]!));
  if (bad.length === 0) return pass(expected, found);
  return fail(
    expected,
    found,
    `After a reboot ${bad.map((b) => b.k).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not as the mode needs. ${sysctlWhy(bad[0]!.k, vip, ctx.hostName)}`,
    [writeFileFix(forwardingSysctlFile(ctx.lab), sysctlContent(values))],
  );
}

/** Who a MAC belongs to, over every host observed. */
function macOwner(all: Map<string, HostView>, mac: string): string | undefined {
  for (const [host, v] of all) if (v.ctx.facts.links.some((l) => l.mac === mac)) return host;
  return undefined;
}

export function judgeArpFromClient(ctx: HostContext, answer: ArpAnswer | undefined, all: Map<string, HostView>, vip: string, director: string, reals: string[]): Verdict {
  const expected = `only ${director} answers ARP for ${vip}`;
  if (!answer || answer.how === 'none') return skip(expected, `${ctx.hostName} could not ask (no route to ${vip}, or neither python3 nor ip neigh)`);
  const named = answer.macs.map((m) => `${m}${macOwner(all, m) ? ` (${macOwner(all, m)})` : ''}`);
  const how = answer.how === 'arp' ? `ARP request on ${answer.dev}` : `neighbour table on ${answer.dev}`;
  const found = `${how}: ${named.join(', ') || 'no answer'}`;
  const dMacs = all.get(director)?.ctx.facts.links.map((l) => l.mac) ?? [];
  const others = answer.macs.filter((m) => !dMacs.includes(m));
  if (answer.macs.length > 0 && others.length === 0) return pass(expected, found);
  if (answer.macs.length === 0) return fail(expected, found, `Nobody answers ARP for ${vip} on ${ctx.hostName}'s network, so the client cannot reach the VIP at all: ${director} does not hold it (its checks say why).`);
  const who = others.map((m) => macOwner(all, m) ?? m);
  const culprits = who.filter((h) => reals.includes(h));
  return fail(
    expected,
    found,
    `${who.join(' and ')} also ${who.length === 1 ? 'answers' : 'answer'} ARP for the VIP ${vip}: the client sends its requests to whichever MAC it learnt last, so they reach ${culprits.length > 0 ? 'a real server directly, past the director, and nothing is balanced' : 'another host, not the director'}. ${culprits.length > 0 ? `${culprits.join(' and ')} must hold the VIP without announcing it (arp_ignore=1, arp_announce=2): the checks on ${culprits.join(' and ')} say what to set.` : ''}`.trim(),
  );
}

/**
 * The replies bypass the director: IPVS counts a real server's packets out only when they come back through it. The
 * counters are cumulative since the real server was added, so a few packets out (ICMP errors while a tunnel was down,
 * an earlier fault since repaired) do not mean the replies pass now; replies that do pass show as about one packet
 * out per packet in. Half as many out as in is the line.
 */
export function judgeRepliesBypass(stats: IpvsStat[] | undefined, service: string, reals: { host: string; ip: string; port: number }[], director: string): Verdict {
  const expected = `replies bypass ${director}: IPVS counts requests in and (next to) no packets out, for every real server`;
  if (!stats) return skip(expected, 'ipvsadm --stats gave nothing');
  const rows = reals.map((r) => ({ r, s: stats.find((x) => x.service === service && x.real === `${r.ip}:${r.port}`) }));
  const found = rows.map(({ r, s }) => `${r.host}: ${s ? `${s.inPkts} in, ${s.outPkts} out` : 'not in the table'}`).join('; ');
  const through = rows.filter(({ s }) => s && s.outPkts > 0 && s.outPkts * 2 >= s.inPkts);
  if (through.length > 0)
    return fail(
      expected,
      found,
      `The replies of ${through.map((t) => t.r.host).join(' and ')} pass back through ${director}: IPVS counts about as many packets out as in. In this mode the real servers answer the client directly; a reply through the director means its route back to the client goes via ${director} (its gateway), or it is reached with -m (masquerading), which rewrites the destination to the real server's own address (the IPVS table check names the flag).`,
    );
  if (rows.every(({ s }) => !s || s.inPkts === 0)) return skip(expected, `${found} (no request has reached a real server through ${director} yet)`);
  const stray = rows.filter(({ s }) => s && s.outPkts > 0);
  return pass(expected, stray.length > 0 ? `${found} (the few out are not replies: counters since the rule was added, e.g. ICMP errors of an earlier fault)` : found);
}
