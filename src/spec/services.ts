// Who holds what for a service: its director (named, or the host whose own address is the VIP) and the VIP's network.
import { inCidr, parseCidr } from './ipv4.js';
import type { Lab, Service } from './schema.js';

/** Which host holds an address as its own, over all lab interfaces. */
export function addressOwners(lab: Lab): Map<string, { host: string; network: string }> {
  const owners = new Map<string, { host: string; network: string }>();
  for (const [host, h] of Object.entries(lab.hosts)) {
    for (const [network, ip] of Object.entries(h.interfaces)) owners.set(ip, { host, network });
  }
  return owners;
}

/** The service's director: `director:` when given, else the host whose own address the VIP is. */
export function directorOf(lab: Lab, svc: Service): string | undefined {
  return svc.director ?? addressOwners(lab).get(svc.vip)?.host;
}

/** The director's network the VIP is on (where it holds the VIP, beside or as its own address). */
export function vipNetwork(lab: Lab, director: string, vip: string): string | undefined {
  return Object.keys(lab.hosts[director]?.interfaces ?? {}).find((n) => lab.networks[n] && inCidr(vip, lab.networks[n]!));
}

/**
 * Every address a host's profile on a network holds, with its prefix: its own address first, then each VIP it directs
 * that is not its own address (the VIP beside the director's address, as LVS-DR and LVS-TUN directors hold it).
 */
export function profileAddresses(lab: Lab, hostName: string, network: string): string[] {
  const host = lab.hosts[hostName]!;
  const own = host.interfaces[network];
  const cidr = lab.networks[network];
  if (!own || !cidr) return [];
  const prefix = parseCidr(cidr).prefix;
  const vips = lab.services
    .filter((s) => s.vip !== own && directorOf(lab, s) === hostName && vipNetwork(lab, hostName, s.vip) === network)
    .map((s) => s.vip);
  return [...new Set([own, ...vips])].map((ip) => `${ip}/${prefix}`);
}

/** The networks two hosts are both on. */
export function sharedNetworks(lab: Lab, a: string, b: string): string[] {
  const other = lab.hosts[b]?.interfaces ?? {};
  return Object.keys(lab.hosts[a]?.interfaces ?? {}).filter((n) => n in other);
}

/** The VIPs a host holds as a real server (DR, TUN: on the device its mode names), not as its own address. */
export function heldVips(lab: Lab, hostName: string): string[] {
  return lab.services.filter((s) => s.forwarding !== 'nat' && s.real_servers.some((r) => r.host === hostName)).map((s) => s.vip);
}
