// Cross-reference rules a schema cannot express: networks, addresses, directors, real servers.
import { MODES } from '../modes/index.js';
import { hostRange, inCidr, isNetworkAddress, reservedAddress } from './ipv4.js';
import type { Lab, Service } from './schema.js';
import { nameList } from './yaml.js';
import { addressOwners, directorsOf, vipNetwork, vrrpOf } from './services.js';

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
  problems.push(...vrrpRules(lab, owners));
  lab.verify.forEach((c, i) => {
    if ('from' in c && !lab.hosts[c.from]) problems.push({ path: ['verify', i, 'from'], message: `unknown host "${c.from}"` });
    if ((c.check === 'vrrp' || c.check === 'failover') && lab.vrrp.length === 0)
      problems.push({ path: ['verify', i, 'check'], message: `check ${c.check} judges keepalived's VRRP groups, and this lab has none; add a vrrp: group or remove the check` });
    if (c.check === 'health' && !lab.services.some((s) => s.health && vrrpOf(lab, s.vip)))
      problems.push({ path: ['verify', i, 'check'], message: 'check health judges keepalived\'s health checks, and no service has health:; add health: to a service whose VIP a vrrp: group holds, or remove the check' });
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
  const group = vrrpOf(lab, svc.vip);
  if (group && svc.director !== undefined)
    return [{ path: ['services', i, 'director'], message: `the vrrp group ${group.name} holds ${svc.vip}, so its routers (${group.routers.map((r) => r.host).join(', ')}) direct this service; remove director:` }];
  if (svc.health && !group)
    return [{ path: ['services', i, 'health'], message: `health checks are keepalived's, and no vrrp: group holds ${svc.vip}; add a vrrp group for it or remove health:` }];
  const directors = group ? directorsOf(lab, svc) : [svc.director ?? owner?.host].filter((d): d is string => !!d);
  if (group && directors.some((d) => !lab.hosts[d])) return []; // vrrpRules names the unknown router
  const director = directors[0];
  if (!director) return [{ path: ['services', i, 'vip'], message: `no host holds the VIP ${svc.vip}; name its director (director: HOST), give the director an interface with it, or let a vrrp: group hold it` }];
  const names = new Set<string>();
  svc.real_servers.forEach((rs, j) => {
    const path = ['services', i, 'real_servers', j, 'host'];
    if (!lab.hosts[rs.host]) return problems.push({ path, message: `unknown host "${rs.host}" (hosts: ${hostNames(lab)})` });
    if (names.has(rs.host)) problems.push({ path, message: `${rs.host} is listed twice` });
    names.add(rs.host);
    if (directors.includes(rs.host)) problems.push({ path, message: `${rs.host} is ${directors.length > 1 ? 'a' : 'the'} director of ${svc.vip}; it cannot be its own real server` });
  });
  // Every router of a VRRP group may be the one directing: each must meet the mode's rules.
  const modeProblems = directors.flatMap((d) => MODES[svc.forwarding].rules(lab, svc, i, d));
  const unique = [...new Map(modeProblems.map((p) => [`${p.path.join('.')} ${p.message}`, p])).values()];
  return [...problems, ...unique];
}

/** VRRP groups: known routers, distinct priorities, a VIP on a network every router shares, router ids unique per network. */
function vrrpRules(lab: Lab, owners: ReturnType<typeof addressOwners>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const names = new Map<string, number>();
  const vips = new Map<string, number>();
  const ids = new Map<string, number>();
  lab.vrrp.forEach((g, i) => {
    const at = (...rest: (string | number)[]) => ['vrrp', i, ...rest];
    const first = names.get(g.name);
    if (first !== undefined) problems.push({ path: at('name'), message: `vrrp.${first} is already named ${g.name}; each vrrp_instance needs its own name` });
    else names.set(g.name, i);
    const reserved = reservedProblem(lab, g.vip, Object.keys(lab.networks));
    if (reserved) return problems.push({ path: at('vip'), message: reserved });
    const owner = owners.get(g.vip);
    if (owner) return problems.push({ path: at('vip'), message: `${g.vip} is ${owner.host}'s own address; a VRRP VIP moves between directors, so no host may hold it as its own` });
    const other = vips.get(g.vip);
    if (other !== undefined) return problems.push({ path: at('vip'), message: `vrrp.${other} holds ${g.vip} already; one group per VIP` });
    vips.set(g.vip, i);
    const seen = new Set<string>();
    let known = true;
    g.routers.forEach((r, j) => {
      if (!lab.hosts[r.host]) {
        known = false;
        return problems.push({ path: at('routers', j, 'host'), message: `unknown host "${r.host}" (hosts: ${hostNames(lab)})` });
      }
      if (seen.has(r.host)) problems.push({ path: at('routers', j, 'host'), message: `${r.host} is listed twice` });
      seen.add(r.host);
      const same = g.routers.findIndex((x) => x.priority === r.priority);
      if (same < j)
        problems.push({
          path: at('routers', j, 'priority'),
          message: `${r.host} has priority ${r.priority} like ${g.routers[same]!.host}; with equal priorities the router with the higher address wins, not the one you meant: give each router its own priority`,
        });
    });
    if (!known) return;
    const top = Math.max(...g.routers.map((r) => r.priority));
    g.routers.forEach((r, j) => {
      if (r.state === 'MASTER' && r.priority !== top)
        problems.push({ path: at('routers', j, 'state'), message: `${r.host} starts as MASTER but its priority ${r.priority} is not the highest (${top}): the highest priority takes the VIP anyway; give ${r.host} the highest priority or state BACKUP` });
    });
    const nets = Object.keys(lab.networks).filter((n) => inCidr(g.vip, lab.networks[n]!));
    const net = nets[0];
    if (!net) return problems.push({ path: at('vip'), message: `${g.vip} is on none of the lab's networks (${networkNames(lab)}); the VIP must be on a network the routers share` });
    const off = g.routers.filter((r) => !(net in lab.hosts[r.host]!.interfaces)).map((r) => r.host);
    if (off.length > 0)
      return problems.push({ path: at('vip'), message: `${g.vip} is on ${net}, which ${off.join(' and ')} ${off.length > 1 ? 'are' : 'is'} not on; every router of the group must be on the VIP's network to send and hear VRRP there` });
    const key = `${net} ${g.virtual_router_id}`;
    const dup = ids.get(key);
    if (dup !== undefined)
      problems.push({ path: at('virtual_router_id'), message: `vrrp.${dup} uses virtual_router_id ${g.virtual_router_id} on ${net} already; two groups with one id on one network take each other's advertisements: choose another id` });
    else ids.set(key, i);
  });
  return problems;
}
