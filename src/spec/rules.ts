// Cross-reference rules a schema cannot express: networks, addresses, directors, real servers.
import { getLang, t } from '../i18n/index.js';
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
    return t(`spec.rules.reserved.${kind}`, { ip, net, cidr, first, last });
  }
  return undefined;
}

const names = new WeakMap<object, { lang: string; list: string }>();
/** The record's names for a message, listed once per lab (and language) however many messages name them. */
function listed(record: object): string {
  const lang = getLang();
  let s = names.get(record);
  if (s?.lang !== lang) names.set(record, (s = { lang, list: nameList(Object.keys(record)) }));
  return s.list;
}
const hostNames = (lab: Lab) => listed(lab.hosts);
const networkNames = (lab: Lab) => listed(lab.networks);

export function checkRules(lab: Lab): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  const owners = addressOwners(lab);
  for (const [net, cidr] of Object.entries(lab.networks)) {
    if (!isNetworkAddress(cidr)) problems.push({ path: ['networks', net], message: t('spec.rules.hostBits', { cidr }) });
  }
  for (const [host, h] of Object.entries(lab.hosts)) {
    if (Object.keys(h.interfaces).length === 0) problems.push({ path: ['hosts', host, 'interfaces'], message: t('spec.rules.noInterfaces') });
    for (const [net, ip] of Object.entries(h.interfaces)) {
      const path = ['hosts', host, 'interfaces', net];
      const cidr = lab.networks[net];
      if (!cidr) {
        problems.push({ path: ['hosts', host, 'interfaces', net], message: t('spec.rules.unknownNetwork', { net, networks: networkNames(lab) }) });
        continue;
      }
      if (!inCidr(ip, cidr)) problems.push({ path, message: t('spec.rules.outsideNetwork', { ip, net, cidr }) });
      else {
        const reserved = reservedProblem(lab, ip, [net]);
        if (reserved) problems.push({ path, message: reserved });
      }
      const other = seen.get(ip);
      if (other) problems.push({ path, message: t('spec.rules.addressUsed', { ip, other }) });
      seen.set(ip, `hosts.${host}.interfaces.${net}`);
    }
    if (h.gateway) problems.push(...gatewayRules(lab, host, h.gateway, owners));
  }
  const services = new Map<string, number>();
  lab.services.forEach((svc, i) => {
    const key = `${svc.protocol} ${svc.vip}:${svc.port}`;
    const first = services.get(key);
    if (first !== undefined)
      problems.push({ path: ['services', i, 'port'], message: t('spec.rules.duplicateService', { service: key, first }) });
    else services.set(key, i);
    problems.push(...serviceRules(lab, svc, i, owners));
  });
  problems.push(...vrrpRules(lab, owners));
  lab.verify.forEach((c, i) => {
    if ('from' in c && !lab.hosts[c.from]) problems.push({ path: ['verify', i, 'from'], message: t('spec.rules.unknownHost', { host: c.from }) });
    if ((c.check === 'vrrp' || c.check === 'failover') && lab.vrrp.length === 0)
      problems.push({ path: ['verify', i, 'check'], message: t('spec.rules.checkNeedsVrrp', { check: c.check }) });
    if (c.check === 'health' && !lab.services.some((s) => s.health && vrrpOf(lab, s.vip)))
      problems.push({ path: ['verify', i, 'check'], message: t('spec.rules.checkNeedsHealth') });
  });
  return problems;
}

/** A gateway is another host's address, usable as a host's, on one of this host's networks. */
function gatewayRules(lab: Lab, host: string, gateway: string, owners: ReturnType<typeof addressOwners>): RuleProblem[] {
  const path = ['hosts', host, 'gateway'];
  const h = lab.hosts[host]!;
  const onLink = Object.keys(h.interfaces).filter((n) => lab.networks[n] && inCidr(gateway, lab.networks[n]!));
  if (onLink.length === 0) return [{ path, message: t('spec.rules.gatewayOffLink', { gateway, host }) }];
  const reserved = reservedProblem(lab, gateway, onLink);
  if (reserved) return [{ path, message: reserved }];
  const owner = owners.get(gateway);
  if (!owner) return [{ path, message: t('spec.rules.gatewayNoOwner', { gateway }) }];
  if (owner.host === host)
    return [{ path, message: t('spec.rules.gatewayOwn', { gateway, host }) }];
  return [];
}

/** Where the VIP is held, then the real servers' rules every mode shares, then the service's mode's own rules. */
function serviceRules(lab: Lab, svc: Service, i: number, owners: ReturnType<typeof addressOwners>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const reserved = reservedProblem(lab, svc.vip, Object.keys(lab.networks));
  if (reserved) return [{ path: ['services', i, 'vip'], message: reserved }];
  const owner = owners.get(svc.vip);
  if (svc.director !== undefined) {
    if (!lab.hosts[svc.director]) return [{ path: ['services', i, 'director'], message: t('spec.rules.unknownHostOf', { host: svc.director, hosts: hostNames(lab) }) }];
    if (owner && owner.host !== svc.director) return [{ path: ['services', i, 'vip'], message: t('spec.rules.vipOfOther', { vip: svc.vip, owner: owner.host, director: svc.director }) }];
    if (!vipNetwork(lab, svc.director, svc.vip))
      return [
        {
          path: ['services', i, 'vip'],
          message: t('spec.rules.vipOffDirector', { vip: svc.vip, director: svc.director, networks: nameList(Object.keys(lab.hosts[svc.director]!.interfaces)) }),
        },
      ];
  }
  const group = vrrpOf(lab, svc.vip);
  if (group && svc.director !== undefined)
    return [{ path: ['services', i, 'director'], message: t('spec.rules.vrrpHoldsVip', { group: group.name, vip: svc.vip, routers: group.routers.map((r) => r.host).join(', ') }) }];
  if (svc.health && !group)
    return [{ path: ['services', i, 'health'], message: t('spec.rules.healthNeedsVrrp', { vip: svc.vip }) }];
  const directors = group ? directorsOf(lab, svc) : [svc.director ?? owner?.host].filter((d): d is string => !!d);
  if (group && directors.some((d) => !lab.hosts[d])) return []; // vrrpRules names the unknown router
  const director = directors[0];
  if (!director) return [{ path: ['services', i, 'vip'], message: t('spec.rules.noDirector', { vip: svc.vip, snippet: 'director: HOST' }) }];
  const names = new Set<string>();
  svc.real_servers.forEach((rs, j) => {
    const path = ['services', i, 'real_servers', j, 'host'];
    if (!lab.hosts[rs.host]) return problems.push({ path, message: t('spec.rules.unknownHostOf', { host: rs.host, hosts: hostNames(lab) }) });
    if (names.has(rs.host)) problems.push({ path, message: t('spec.rules.listedTwice', { host: rs.host }) });
    names.add(rs.host);
    if (directors.includes(rs.host))
      problems.push({ path, message: t(directors.length > 1 ? 'spec.rules.realIsADirector' : 'spec.rules.realIsTheDirector', { host: rs.host, vip: svc.vip }) });
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
    if (first !== undefined) problems.push({ path: at('name'), message: t('spec.rules.vrrp.nameTaken', { first, name: g.name }) });
    else names.set(g.name, i);
    const reserved = reservedProblem(lab, g.vip, Object.keys(lab.networks));
    if (reserved) return problems.push({ path: at('vip'), message: reserved });
    const owner = owners.get(g.vip);
    if (owner) return problems.push({ path: at('vip'), message: t('spec.rules.vrrp.vipOwned', { vip: g.vip, owner: owner.host }) });
    const other = vips.get(g.vip);
    if (other !== undefined) return problems.push({ path: at('vip'), message: t('spec.rules.vrrp.vipTaken', { other, vip: g.vip }) });
    vips.set(g.vip, i);
    const seen = new Set<string>();
    let known = true;
    g.routers.forEach((r, j) => {
      if (!lab.hosts[r.host]) {
        known = false;
        return problems.push({ path: at('routers', j, 'host'), message: t('spec.rules.unknownHostOf', { host: r.host, hosts: hostNames(lab) }) });
      }
      if (seen.has(r.host)) problems.push({ path: at('routers', j, 'host'), message: t('spec.rules.listedTwice', { host: r.host }) });
      seen.add(r.host);
      const same = g.routers.findIndex((x) => x.priority === r.priority);
      if (same < j)
        problems.push({
          path: at('routers', j, 'priority'),
          message: t('spec.rules.vrrp.samePriority', { host: r.host, priority: r.priority, other: g.routers[same]!.host }),
        });
    });
    if (!known) return;
    const top = Math.max(...g.routers.map((r) => r.priority));
    g.routers.forEach((r, j) => {
      if (r.state === 'MASTER' && r.priority !== top)
        problems.push({ path: at('routers', j, 'state'), message: t('spec.rules.vrrp.masterNotHighest', { host: r.host, priority: r.priority, top }) });
    });
    const nets = Object.keys(lab.networks).filter((n) => inCidr(g.vip, lab.networks[n]!));
    const net = nets[0];
    if (!net) return problems.push({ path: at('vip'), message: t('spec.rules.vrrp.vipOffNetworks', { vip: g.vip, networks: networkNames(lab) }) });
    const off = g.routers.filter((r) => !(net in lab.hosts[r.host]!.interfaces)).map((r) => r.host);
    if (off.length > 0)
      return problems.push({ path: at('vip'), message: t('spec.rules.vrrp.routersOffNet', { vip: g.vip, net, hosts: off.join(t('spec.rules.vrrp.and')), count: off.length }) });
    const key = `${net} ${g.virtual_router_id}`;
    const dup = ids.get(key);
    if (dup !== undefined)
      problems.push({ path: at('virtual_router_id'), message: t('spec.rules.vrrp.routerIdTaken', { dup, id: g.virtual_router_id, net }) });
    else ids.set(key, i);
  });
  return problems;
}
