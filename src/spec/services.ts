// Who holds what for a service: its director (named, or the host whose own address is the VIP) and the VIP's network.
import { inCidr, parseCidr } from './ipv4.js';
import type { Lab, Service, Vrrp } from './schema.js';

/** Which host holds an address as its own, over all lab interfaces. */
export function addressOwners(lab: Lab): Map<string, { host: string; network: string }> {
  const owners = new Map<string, { host: string; network: string }>();
  for (const [host, h] of Object.entries(lab.hosts)) {
    for (const [network, ip] of Object.entries(h.interfaces)) owners.set(ip, { host, network });
  }
  return owners;
}

/** The VRRP group that holds this VIP, if keepalived moves it between directors. */
export function vrrpOf(lab: Pick<Lab, 'vrrp'>, vip: string): Vrrp | undefined {
  return lab.vrrp.find((g) => g.vip === vip);
}

/** A group's routers, highest priority first: the first is the one that should be MASTER. */
export function routersByPriority(g: Vrrp): Vrrp['routers'] {
  return [...g.routers].sort((a, b) => b.priority - a.priority);
}

/**
 * The service's director: `director:` when given; for a VIP a VRRP group holds, the router that should be its master
 * (the highest priority); else the host whose own address the VIP is.
 */
export function directorOf(lab: Lab, svc: Service): string | undefined {
  if (svc.director) return svc.director;
  const g = vrrpOf(lab, svc.vip);
  if (g) return routersByPriority(g)[0]?.host;
  return addressOwners(lab).get(svc.vip)?.host;
}

/** Every host that directs the service: the routers of its VRRP group (highest priority first), or its one director. */
export function directorsOf(lab: Lab, svc: Service): string[] {
  const g = vrrpOf(lab, svc.vip);
  if (g && !svc.director) return routersByPriority(g).map((r) => r.host);
  const d = directorOf(lab, svc);
  return d ? [d] : [];
}

/** The VIPs keepalived holds on this host when it is master (not in any NetworkManager profile). */
export function keepalivedVips(lab: Lab, hostName: string): string[] {
  return lab.vrrp.filter((g) => g.routers.some((r) => r.host === hostName)).map((g) => g.vip);
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
    // A VIP a VRRP group holds is keepalived's to add and remove, never the profile's.
    .filter((s) => s.vip !== own && !vrrpOf(lab, s.vip) && directorOf(lab, s) === hostName && vipNetwork(lab, hostName, s.vip) === network)
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
