// Cross-reference rules a schema cannot express: networks, addresses, directors, real servers.
import { MODES } from '../modes/index.js';
import { hostRange, inCidr, isNetworkAddress, reservedAddress } from './ipv4.js';
import type { Lab, Service } from './schema.js';
import { nameList } from './yaml.js';
import { addressOwners, vipNetwork } from './services.js';

export { addressOwners } from './services.js';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

/** "… is the broadcast address of private (192.168.2.0/24), …": no host can hold a prefix's first or last address. */
function reservedProblem(lab: Lab, ip: string, networks: readonly string[]): string | undefined {
  for (const net of networks) {
    const cidr = lab.networks[net];
    const kind = cidr && reservedAddress(ip, cidr);
    if (!cidr || !kind) continue;
    const [first, last] = hostRange(cidr);
    return `${ip} is the ${kind} address of ${net} (${cidr}), which no host can hold; use one from ${first} to ${last}`;
  }
  return undefined;
}

const names = new WeakMap<object, string>();
/** The record's names for a message, listed once per lab however many messages name them. */
function listed(record: object): string {
  let s = names.get(record);
  if (s === undefined) names.set(record, (s = nameList(Object.keys(record))));
  return s;
}
const hostNames = (lab: Lab) => listed(lab.hosts);
const networkNames = (lab: Lab) => listed(lab.networks);

export function checkRules(lab: Lab): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  const owners = addressOwners(lab);
  for (const [net, cidr] of Object.entries(lab.networks)) {
    if (!isNetworkAddress(cidr)) problems.push({ path: ['networks', net], message: `${cidr} has host bits set; write the network address` });
  }
  for (const [host, h] of Object.entries(lab.hosts)) {
    if (Object.keys(h.interfaces).length === 0) problems.push({ path: ['hosts', host, 'interfaces'], message: 'a host needs at least one lab interface' });
    for (const [net, ip] of Object.entries(h.interfaces)) {
      const path = ['hosts', host, 'interfaces', net];
      const cidr = lab.networks[net];
      if (!cidr) {
        problems.push({ path: ['hosts', host, 'interfaces', net], message: `unknown network "${net}" (networks: ${networkNames(lab)})` });
        continue;
      }
      if (!inCidr(ip, cidr)) problems.push({ path, message: `${ip} is outside network ${net} (${cidr})` });
      else {
        const reserved = reservedProblem(lab, ip, [net]);
        if (reserved) problems.push({ path, message: reserved });
      }
      const other = seen.get(ip);
      if (other) problems.push({ path, message: `${ip} is already used by ${other}` });
      seen.set(ip, `hosts.${host}.interfaces.${net}`);
    }
    if (h.gateway) problems.push(...gatewayRules(lab, host, h.gateway, owners));
  }
  const services = new Map<string, number>();
  lab.services.forEach((svc, i) => {
    const key = `${svc.protocol} ${svc.vip}:${svc.port}`;
    const first = services.get(key);
    if (first !== undefined)
      problems.push({ path: ['services', i, 'port'], message: `${key} is services.${first} already; a virtual service is one protocol, VIP and port: change one, or put these real servers into services.${first}` });
    else services.set(key, i);
    problems.push(...serviceRules(lab, svc, i, owners));
  });
  lab.verify.forEach((c, i) => {
    if ('from' in c && !lab.hosts[c.from]) problems.push({ path: ['verify', i, 'from'], message: `unknown host "${c.from}"` });
  });
  return problems;
}

/** A gateway is another host's address, usable as a host's, on one of this host's networks. */
function gatewayRules(lab: Lab, host: string, gateway: string, owners: ReturnType<typeof addressOwners>): RuleProblem[] {
  const path = ['hosts', host, 'gateway'];
  const h = lab.hosts[host]!;
  const onLink = Object.keys(h.interfaces).filter((n) => lab.networks[n] && inCidr(gateway, lab.networks[n]!));
  if (onLink.length === 0) return [{ path, message: `${gateway} is not on any of ${host}'s networks` }];
  const reserved = reservedProblem(lab, gateway, onLink);
  if (reserved) return [{ path, message: reserved }];
  const owner = owners.get(gateway);
  if (!owner) return [{ path, message: `no host of the lab holds ${gateway}` }];
  if (owner.host === host)
    return [{ path, message: `${gateway} is ${host}'s own address; a gateway is another host's address on ${host}'s network (for a NAT real server, the director's)` }];
  return [];
}

/** Where the VIP is held, then the real servers' rules every mode shares, then the service's mode's own rules. */
function serviceRules(lab: Lab, svc: Service, i: number, owners: ReturnType<typeof addressOwners>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const reserved = reservedProblem(lab, svc.vip, Object.keys(lab.networks));
  if (reserved) return [{ path: ['services', i, 'vip'], message: reserved }];
  const owner = owners.get(svc.vip);
  if (svc.director !== undefined) {
    if (!lab.hosts[svc.director]) return [{ path: ['services', i, 'director'], message: `unknown host "${svc.director}" (hosts: ${hostNames(lab)})` }];
    if (owner && owner.host !== svc.director) return [{ path: ['services', i, 'vip'], message: `${svc.vip} is ${owner.host}'s own address, but the director is ${svc.director}` }];
    if (!vipNetwork(lab, svc.director, svc.vip))
      return [{ path: ['services', i, 'vip'], message: `${svc.vip} is on none of ${svc.director}'s networks (${nameList(Object.keys(lab.hosts[svc.director]!.interfaces))}); the director holds the VIP beside its own address` }];
  }
  const director = svc.director ?? owner?.host; // directorOf(lab, svc), with the owners computed once
  if (!director) return [{ path: ['services', i, 'vip'], message: `no host holds the VIP ${svc.vip}; name its director (director: HOST) or give the director an interface with it` }];
  const names = new Set<string>();
  svc.real_servers.forEach((rs, j) => {
    const path = ['services', i, 'real_servers', j, 'host'];
    if (!lab.hosts[rs.host]) return problems.push({ path, message: `unknown host "${rs.host}" (hosts: ${hostNames(lab)})` });
    if (names.has(rs.host)) problems.push({ path, message: `${rs.host} is listed twice` });
    names.add(rs.host);
    if (rs.host === director) problems.push({ path, message: `${rs.host} is the director of ${svc.vip}; it cannot be its own real server` });
  });
  return [...problems, ...MODES[svc.forwarding].rules(lab, svc, i, director)];
}
