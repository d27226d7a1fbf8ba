// Which guest interface is which lab network, and which one carries our SSH session: found, never assumed.
import { RunError } from '../errors.js';
import type { Link, NmConnection } from '../facts/types.js';
import { inCidr } from '../spec/ipv4.js';
import type { HostContext } from './types.js';

export function describeLinks(links: Link[]): string {
  return links
    .filter((l) => l.name !== 'lo')
    .map((l) => `${l.name} ${l.mac || '-'} ${l.addrs.map((a) => `${a.ip}/${a.prefix}`).join(',') || 'no address'}`)
    .join('; ');
}

/** 1. the device or MAC the inventory names; 2. the interface already holding the address; 3. a clear error. */
export function findLink(ctx: HostContext, network: string, ip: string): Link {
  const hint = ctx.target.interfaces?.[network];
  const links = ctx.facts.links;
  if (hint?.device) {
    const l = links.find((x) => x.name === hint.device);
    if (l) return l;
    throw new RunError(`the inventory says network ${network} is on ${hint.device}, but there is no such interface (interfaces: ${describeLinks(links)})`, ctx.hostName);
  }
  if (hint?.mac) {
    const l = links.find((x) => x.mac === hint.mac!.toLowerCase());
    if (l) return l;
    throw new RunError(`no interface has MAC ${hint.mac} for network ${network} (interfaces: ${describeLinks(links)})`, ctx.hostName);
  }
  const holding = links.find((x) => x.addrs.some((a) => a.ip === ip));
  if (holding) return holding;
  throw new RunError(
    `cannot tell which interface is network ${network} (${ip}): no interface holds it and the inventory names no device or MAC. ` +
      `Interfaces: ${describeLinks(links)}. Add interfaces.${network}.device (or mac) for this host to the inventory`,
    ctx.hostName,
  );
}

/** The interface that holds the address our SSH session arrived at. */
export function sshLink(ctx: HostContext): Link | undefined {
  const ip = ctx.facts.ssh?.serverIp;
  return ip ? ctx.facts.links.find((l) => l.addrs.some((a) => a.ip === ip)) : undefined;
}

/** True when the SSH client is directly on the link, so removing a default route cannot cut the session. */
export function sshPeerOnLink(ctx: HostContext, link: Link): boolean {
  const peer = ctx.facts.ssh?.clientIp;
  if (!peer) return false;
  if (peer.startsWith('127.')) return true;
  return link.addrs.some((a) => inCidr(peer, `${a.ip}/${a.prefix}`));
}

/** The NetworkManager profile for a device: the active one, else one bound to its name or MAC. */
export function profileFor(ctx: HostContext, link: Link): NmConnection | undefined {
  const conns = ctx.facts.connections.filter((c) => c.type === '802-3-ethernet' || c.type === 'ethernet');
  return (
    conns.find((c) => c.device === link.name) ??
    conns.find((c) => c.interfaceName === link.name) ??
    conns.find((c) => c.mac !== '' && c.mac === link.mac)
  );
}

/** How to name a profile in a command: its name when unique, else its UUID. */
export function connRef(ctx: HostContext, c: NmConnection): string {
  return ctx.facts.connections.filter((x) => x.name === c.name).length === 1 ? c.name : c.uuid;
}
