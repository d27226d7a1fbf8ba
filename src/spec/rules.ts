// Cross-reference rules a schema cannot express: networks, addresses, directors, real servers.
import { MODES } from '../modes/index.js';
import { inCidr, isNetworkAddress } from './ipv4.js';
import type { Lab, Service } from './schema.js';
import { addressOwners, directorOf, vipNetwork } from './services.js';

export { addressOwners } from './services.js';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
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
  lab.services.forEach((svc, i) => problems.push(...serviceRules(lab, svc, i)));
  lab.verify.forEach((c, i) => {
    if ('from' in c && !lab.hosts[c.from]) problems.push({ path: ['verify', i, 'from'], message: `unknown host "${c.from}"` });
  });
  return problems;
}

/** Where the VIP is held, then the real servers' rules every mode shares, then the service's mode's own rules. */
function serviceRules(lab: Lab, svc: Service, i: number): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const owner = addressOwners(lab).get(svc.vip);
  if (svc.director !== undefined) {
    if (!lab.hosts[svc.director]) return [{ path: ['services', i, 'director'], message: `unknown host "${svc.director}" (hosts: ${Object.keys(lab.hosts).join(', ')})` }];
    if (owner && owner.host !== svc.director) return [{ path: ['services', i, 'vip'], message: `${svc.vip} is ${owner.host}'s own address, but the director is ${svc.director}` }];
    if (!vipNetwork(lab, svc.director, svc.vip))
      return [{ path: ['services', i, 'vip'], message: `${svc.vip} is on none of ${svc.director}'s networks (${Object.keys(lab.hosts[svc.director]!.interfaces).join(', ')}); the director holds the VIP beside its own address` }];
  }
  const director = directorOf(lab, svc);
  if (!director) return [{ path: ['services', i, 'vip'], message: `no host holds the VIP ${svc.vip}; name its director (director: HOST) or give the director an interface with it` }];
  const names = new Set<string>();
  svc.real_servers.forEach((rs, j) => {
    const path = ['services', i, 'real_servers', j, 'host'];
    if (!lab.hosts[rs.host]) return problems.push({ path, message: `unknown host "${rs.host}" (hosts: ${Object.keys(lab.hosts).join(', ')})` });
    if (names.has(rs.host)) problems.push({ path, message: `${rs.host} is listed twice` });
    names.add(rs.host);
    if (rs.host === director) problems.push({ path, message: `${rs.host} is the director of ${svc.vip}; it cannot be its own real server` });
  });
  return [...problems, ...MODES[svc.forwarding].rules(lab, svc, i, director)];
}
