// The IPVS rule model (services and their real servers) and the small helpers shared by parse, diff and render.
import { isIPv4 } from '../spec/ipv4.js';

/** nat = `-m` (masquerading), dr = `-g` (gatewaying, ipvsadm's default), tun = `-i` (ipip). */
export type Forwarding = 'nat' | 'dr' | 'tun';

export interface IpvsReal {
  address: string;
  port: number;
  forwarding: Forwarding;
  weight: number;
  /**
   * Real-server options this model does not manage, verbatim and in order, e.g.
   * `['--tun-type', 'gue', '--tun-port', '6080', '--tun-nocsum']` or `['-x', '100']`.
   * `--tun-type ipip` alone is the default and is never kept here. Compared as a whole by diff.
   */
  options?: string[];
}

export interface IpvsService {
  protocol: 'tcp' | 'udp';
  vip: string;
  port: number;
  scheduler: string;
  /** Seconds (`-p`). ipvsadm's `-p` without a value means 360 (IPVS_SVC_PERSISTENT_TIMEOUT), not the 300 its man page says. */
  persistence?: number;
  /** Persistence granularity (`-M`), only with persistence; absent means /32 (IPv4) or 128 (IPv6). */
  netmask?: string;
  /** Service options this model does not manage, verbatim and in order, e.g. `['--pe', 'sip']`, `['-o']`, `['-b', 'sh-port']`. */
  options?: string[];
  /**
   * Set for services that are not a tcp/udp address:port, kept so they can be reported and deleted:
   * the ipvsadm service arguments, e.g. `['-f', '21']`, `['-f', '1', '-6']`, `['--sctp-service', '10.0.0.1:80']`.
   * Then `protocol`, `vip` and `port` are placeholders ('tcp', '', 0) and must not be used.
   */
  selector?: string[];
  reals: IpvsReal[];
}

export const DEFAULT_SCHEDULER = 'wlc';
export const DEFAULT_WEIGHT = 1;
/** What `-p` with no timeout gives: IPVS_SVC_PERSISTENT_TIMEOUT = 6*60 in ipvsadm's libipvs. */
export const DEFAULT_PERSISTENCE = 360;
export const MAX_PERSISTENCE = 86400 * 31;

export function forwardingFlag(f: Forwarding): '-m' | '-g' | '-i' {
  return f === 'nat' ? '-m' : f === 'dr' ? '-g' : '-i';
}

export function isIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && expandIPv6(s) !== undefined;
}

/** `addr:port`, with IPv6 addresses in brackets, as ipvsadm prints and reads them. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The ipvsadm arguments that name a service: `-t 192.168.4.5:80`, `-u …`, or the kept selector (`-f 21`). */
export function serviceArgs(s: IpvsService): string[] {
  if (s.selector) return [...s.selector];
  return [s.protocol === 'tcp' ? '-t' : '-u', hostPort(s.vip, s.port)];
}

/** Identity of a service: two services with the same key are the same kernel object. */
export function serviceKey(s: IpvsService): string {
  return serviceArgs(s).join(' ');
}

/** Identity of a real server inside its service. */
export function realKey(r: IpvsReal): string {
  return hostPort(r.address, r.port);
}

/** A human label for reports, e.g. `tcp 192.168.4.5:80` or `-f 21`. */
export function serviceLabel(s: IpvsService): string {
  return s.selector ? s.selector.join(' ') : `${s.protocol} ${hostPort(s.vip, s.port)}`;
}

/**
 * The service as the kernel will hold it: for dr/tun reals of an address service ipvsadm forces the real port
 * to the service port ("The destination port must be equal to the service port"); a /32 (or /128) netmask and
 * a netmask without persistence are the same as none; empty option lists are dropped.
 */
export function normalizeService(s: IpvsService): IpvsService {
  const full = s.vip.includes(':') ? '128' : '255.255.255.255';
  const out: IpvsService = {
    protocol: s.protocol,
    vip: s.vip,
    port: s.port,
    scheduler: s.scheduler,
    reals: s.reals.map((r) => {
      const real: IpvsReal = {
        address: r.address,
        port: !s.selector && r.forwarding !== 'nat' ? s.port : r.port,
        forwarding: r.forwarding,
        weight: r.weight,
      };
      if (r.options && r.options.length > 0) real.options = [...r.options];
      return real;
    }),
  };
  if (s.persistence !== undefined) {
    out.persistence = s.persistence;
    if (s.netmask !== undefined && s.netmask !== full) out.netmask = s.netmask;
  }
  if (s.options && s.options.length > 0) out.options = [...s.options];
  if (s.selector) out.selector = [...s.selector];
  return out;
}

export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail allowed), or undefined when malformed. */
export function expandIPv6(s: string): number[] | undefined {
  let text = s;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[1]!)) return undefined;
    const o = v4[1]!.split('.').map(Number);
    tail.push(o[0]! * 256 + o[1]!, o[2]! * 256 + o[3]!);
    text = text.slice(0, -v4[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const parts = text.split('::');
  if (parts.length > 2) return undefined;
  const groups = (p: string): number[] | undefined => {
    if (p === '') return [];
    const g = p.split(':');
    if (!g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x))) return undefined;
    return g.map((x) => parseInt(x, 16));
  };
  const head = groups(parts[0]!);
  const rest = parts.length === 2 ? groups(parts[1]!) : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (parts.length === 2 ? known > 7 : known !== 8) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** Numeric order of two addresses of one family (IPv4 before IPv6 across families). */
export function compareAddresses(a: string, b: string): number {
  const a6 = a.includes(':');
  const b6 = b.includes(':');
  if (a6 !== b6) return a6 ? 1 : -1;
  const ga = a6 ? (expandIPv6(a) ?? []) : a.split('.').map(Number);
  const gb = b6 ? (expandIPv6(b) ?? []) : b.split('.').map(Number);
  for (let i = 0; i < Math.max(ga.length, gb.length); i++) {
    const d = (ga[i] ?? 0) - (gb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
