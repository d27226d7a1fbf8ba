// Cross-reference rules a schema cannot express: networks, addresses, directors, real servers.
import { inCidr, isNetworkAddress } from './ipv4.js';
import type { Lab } from './schema.js';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

/** Which host holds an address, over all lab interfaces. */
export function addressOwners(lab: Lab): Map<string, { host: string; network: string }> {
  const owners = new Map<string, { host: string; network: string }>();
  for (const [host, h] of Object.entries(lab.hosts)) {
    for (const [network, ip] of Object.entries(h.interfaces)) owners.set(ip, { host, network });
  }
  return owners;
}

export function checkRules(lab: Lab): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  for (const [net, cidr] of Object.entries(lab.networks)) {
    if (!isNetworkAddress(cidr)) problems.push({ path: ['networks', net], message: `${cidr} has host bits set; write the network address` });
  }
  for (const [host, h] of Object.entries(lab.hosts)) {
    if (Object.keys(h.interfaces).length === 0) problems.push({ path: ['hosts', host, 'interfaces'], message: 'a host needs at least one lab interface' });
    for (const [net, ip] of Object.entries(h.interfaces)) {
      const path = ['hosts', host, 'interfaces', net];
      const cidr = lab.networks[net];
      if (!cidr) {
        problems.push({ path: ['hosts', host, 'interfaces', net], message: `unknown network "${net}" (networks: ${Object.keys(lab.networks).join(', ')})` });
        continue;
      }
      if (!inCidr(ip, cidr)) problems.push({ path, message: `${ip} is outside network ${net} (${cidr})` });
      const other = seen.get(ip);
      if (other) problems.push({ path, message: `${ip} is already used by ${other}` });
      seen.set(ip, `hosts.${host}.interfaces.${net}`);
    }
    if (h.gateway) {
      const onLink = Object.keys(h.interfaces).some((n) => lab.networks[n] && inCidr(h.gateway!, lab.networks[n]!));
      if (!onLink) problems.push({ path: ['hosts', host, 'gateway'], message: `${h.gateway} is not on any of ${host}'s networks` });
      else if (!seen.has(h.gateway) && !Object.values(lab.hosts).some((o) => Object.values(o.interfaces).includes(h.gateway!)))
        problems.push({ path: ['hosts', host, 'gateway'], message: `no host of the lab holds ${h.gateway}` });
    }
  }
  const owners = addressOwners(lab);
  lab.services.forEach((svc, i) => {
    const director = owners.get(svc.vip);
    if (!director) {
      problems.push({ path: ['services', i, 'vip'], message: `no host holds the VIP ${svc.vip}; give the director an interface with it` });
      return;
    }
    const dHost = lab.hosts[director.host]!;
    const dNets = Object.keys(dHost.interfaces);
    const names = new Set<string>();
    svc.real_servers.forEach((rs, j) => {
      const path = ['services', i, 'real_servers', j, 'host'];
      const h = lab.hosts[rs.host];
      if (!h) return problems.push({ path, message: `unknown host "${rs.host}" (hosts: ${Object.keys(lab.hosts).join(', ')})` });
      if (names.has(rs.host)) problems.push({ path, message: `${rs.host} is listed twice` });
      names.add(rs.host);
      if (rs.host === director.host) problems.push({ path, message: `${rs.host} is the director of ${svc.vip}; it cannot be its own real server` });
      const shared = Object.keys(h.interfaces).filter((n) => dNets.includes(n));
      if (shared.length === 0)
        problems.push({ path, message: `${rs.host} shares no network with the director ${director.host} (${dNets.join(', ')})` });
    });
  });
  lab.verify.forEach((c, i) => {
    if ('from' in c && !lab.hosts[c.from]) problems.push({ path: ['verify', i, 'from'], message: `unknown host "${c.from}"` });
  });
  return problems;
}
