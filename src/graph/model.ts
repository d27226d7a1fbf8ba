// The topology of a lab as data, from its spec alone: networks as segments, hosts by role with their addresses, the
// VIPs and where each is held, the gateways, and each service's mode, scheduler and real servers. Every renderer
// (text, DOT, Mermaid, SVG) draws this one model.
import { modeOf } from '../modes/index.js';
import { addressOwners, directorOf, directorsOf, heldVips, vipNetwork, vrrpOf } from '../spec/services.js';
import type { Lab } from '../spec/schema.js';

export interface GraphLink {
  network: string;
  /** The host's own address on the network. */
  address: string;
  /** VIPs the host holds on this network beside its own address (a DR or TUN director), or that are its address. */
  vips: string[];
  /** VIPs the host holds on this network only while it is a VRRP group's master (keepalived). */
  vrrp?: { vip: string; group: string; priority: number }[];
  /** `lab graph --live`: the interface that holds the address on the host, or `null` when no interface holds it. */
  iface?: string | null;
}

export interface GraphHost {
  name: string;
  role: string;
  links: GraphLink[];
  /** Its default gateway, and the host that owns that address when one does. */
  gateway?: { address: string; host?: string };
  /** VIPs held as a real server (DR: on a dummy device; TUN: on tunl0), never announced on a network. */
  hiddenVips: { vip: string; device: string }[];
}

export interface GraphService {
  /** e.g. "tcp 192.168.4.5:80". */
  name: string;
  vip: string;
  port: number;
  protocol: string;
  scheduler: string;
  forwarding: string;
  /** The mode in words, e.g. "NAT (ipvsadm -m)". */
  mode: string;
  director?: string;
  /** A VRRP group's service: every router directs it in turn, highest priority first (the first is `director`). */
  vrrp?: { group: string; routerId: number; directors: string[] };
  reals: { host: string; weight: number }[];
  repliesViaDirector: boolean;
}

export interface LabGraph {
  lab: string;
  description: string;
  networks: { name: string; cidr: string }[];
  hosts: GraphHost[];
  services: GraphService[];
}

const ROLE_WORDS: Record<string, string> = { 'real-server': 'real server', director: 'director', client: 'client', router: 'router' };

/** A role as words ("real-server" → "real server"); unknown roles as written. */
export function roleWords(role: string): string {
  return ROLE_WORDS[role] ?? role;
}

function vrrpLink(lab: Lab, host: string, network: string): Pick<GraphLink, 'vrrp'> {
  const held = lab.vrrp
    .filter((g) => vipNetwork(lab, host, g.vip) === network && g.routers.some((r) => r.host === host))
    .map((g) => ({ vip: g.vip, group: g.name, priority: g.routers.find((r) => r.host === host)!.priority }));
  return held.length > 0 ? { vrrp: held } : {};
}

/** `while VRRP master (VI_1, priority 100)`: how a router holds a VIP. */
export function vrrpNote(v: NonNullable<GraphLink['vrrp']>[number]): string {
  return `VIP ${v.vip} while VRRP master (${v.group}, priority ${v.priority})`;
}

export function labGraph(lab: Lab): LabGraph {
  const owners = addressOwners(lab);
  const services: GraphService[] = lab.services.map((s) => {
    const mode = modeOf(s);
    return {
      name: `${s.protocol} ${s.vip}:${s.port}`,
      vip: s.vip,
      port: s.port,
      protocol: s.protocol,
      scheduler: s.scheduler,
      forwarding: s.forwarding,
      mode: mode.title,
      director: directorOf(lab, s),
      ...(vrrpOf(lab, s.vip) ? { vrrp: { group: vrrpOf(lab, s.vip)!.name, routerId: vrrpOf(lab, s.vip)!.virtual_router_id, directors: directorsOf(lab, s) } } : {}),
      reals: s.real_servers.map((r) => ({ host: r.host, weight: r.weight ?? 1 })),
      repliesViaDirector: mode.repliesViaDirector,
    };
  });
  const hosts: GraphHost[] = Object.entries(lab.hosts).map(([name, h]) => {
    const links = Object.entries(h.interfaces).map(([network, address]) => ({
      network,
      address,
      vips: lab.services.filter((s) => !vrrpOf(lab, s.vip) && directorOf(lab, s) === name && vipNetwork(lab, name, s.vip) === network).map((s) => s.vip),
      ...vrrpLink(lab, name, network),
    }));
    const hiddenVips = heldVips(lab, name).map((vip) => {
      const svc = lab.services.find((s) => s.vip === vip && s.real_servers.some((r) => r.host === name))!;
      return { vip, device: modeOf(svc).realServerNeeds(svc).vip?.device ?? 'lo' };
    });
    const gateway = h.gateway ? { address: h.gateway, ...(owners.get(h.gateway) ? { host: owners.get(h.gateway)!.host } : {}) } : undefined;
    return { name, role: h.role, links, ...(gateway ? { gateway } : {}), hiddenVips };
  });
  return {
    lab: lab.name,
    description: (lab.description ?? '').trim().replace(/\s+/g, ' '),
    networks: Object.entries(lab.networks).map(([name, cidr]) => ({ name, cidr })),
    hosts,
    services,
  };
}

/**
 * The graph with each link's interface as found on its host (`ip -o -4 addr`): host → address → interface. Hosts not
 * in `found` (unreachable) keep their links as the spec draws them.
 */
export function withInterfaces(g: LabGraph, found: Map<string, Map<string, string>>): LabGraph {
  return {
    ...g,
    hosts: g.hosts.map((h) => {
      const on = found.get(h.name);
      return on ? { ...h, links: h.links.map((l) => ({ ...l, iface: on.get(l.address) ?? null })) } : h;
    }),
  };
}
