// IPv4 addresses and prefixes as pure functions: parse, format, membership.

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
export const IPV4_RE = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
export const CIDR_RE = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?\\d)$`);

export function isIPv4(s: string): boolean {
  return IPV4_RE.test(s);
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export interface Cidr {
  network: string;
  prefix: number;
}

export function parseCidr(s: string): Cidr {
  const [ip, p] = s.split('/');
  return { network: ip!, prefix: Number(p) };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const { network, prefix } = parseCidr(cidr);
  const m = mask(prefix);
  return ((ipToInt(ip) & m) >>> 0) === ((ipToInt(network) & m) >>> 0);
}

/** True when the CIDR's address has no host bits set, e.g. 192.168.2.0/24. */
export function isNetworkAddress(cidr: string): boolean {
  const { network, prefix } = parseCidr(cidr);
  return ((ipToInt(network) & mask(prefix)) >>> 0) === ipToInt(network);
}

/** The prefix's broadcast address, e.g. 192.168.2.255 for 192.168.2.0/24. */
export function broadcastOf(cidr: string): string {
  const { network, prefix } = parseCidr(cidr);
  return intToIp(((ipToInt(network) & mask(prefix)) | (~mask(prefix) >>> 0)) >>> 0);
}

/**
 * Whether the address is its prefix's network or broadcast address, which no host can hold. /31 and /32 have
 * neither (RFC 3021: both addresses of a /31 are hosts').
 */
export function reservedAddress(ip: string, cidr: string): 'network' | 'broadcast' | undefined {
  const { network, prefix } = parseCidr(cidr);
  if (prefix >= 31 || !inCidr(ip, cidr)) return undefined;
  const n = ipToInt(ip);
  if (n === ((ipToInt(network) & mask(prefix)) >>> 0)) return 'network';
  if (n === ipToInt(broadcastOf(cidr))) return 'broadcast';
  return undefined;
}

/** The first and last host addresses of a prefix shorter than /31. */
export function hostRange(cidr: string): [string, string] {
  const { network, prefix } = parseCidr(cidr);
  const base = (ipToInt(network) & mask(prefix)) >>> 0;
  return [intToIp(base + 1), intToIp(ipToInt(broadcastOf(cidr)) - 1)];
}
