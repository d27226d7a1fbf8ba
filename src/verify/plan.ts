// Expand the spec's `verify:` entries into checks per host, each with a pure judge, and what each host's probe must gather.
import type { FactQuery } from '../facts/types.js';
import type { HostContext } from '../modules/types.js';
import { desiredServices } from '../modules/ipvs.js';
import { allNames } from '../os/families.js';
import { bindTasks } from '../playbook/bind.js';
import type { Playbook } from '../playbook/schema.js';
import { inCidr, parseCidr } from '../spec/ipv4.js';
import { modeOf } from '../modes/index.js';
import { directorOf, directorsOf, profileAddresses, routersByPriority, vipNetwork, vrrpOf } from '../spec/services.js';
import { KEEPALIVED_CONF, removalBound, servicesOf } from '../keepalived/config.js';
import { ipvsService } from '../modules/ipvs.js';
import { findLink } from '../modules/interfaces.js';
import { judgeKeepalivedConf, judgeKeepalivedRunning, judgeKeepalivedTable, judgeVrrpState } from './keepalived.js';
import { runFailover, runHealth } from './actions.js';
import { forwardingTask } from '../modules/forwarding.js';
import type { ListenTask } from '../modules/listen.js';
import { judgeArpFromClient, judgeNoAnnounce, judgeNoAnnounceAtBoot, judgeRepliesBypass, judgeVipOnRealServer } from './forwarding.js';
import type { Lab, Service } from '../spec/schema.js';
import { holdCount, judgeBalancing, type BalancingSpec } from './balancing.js';
import { judgeDirectReach, judgeExtraRules, judgeIpvs, judgeOwnAddresses, judgeSysctlPersisted, judgeSysctlRuntime, judgeVipHeld, type OwnAddresses } from './director.js';
import { judgeFirewall, judgeSelinux, judgeVipFromClient } from './path.js';
import { emptyProbe, type ProbeOutput, type ProbeRequest } from './probe.js';
import { judgeDefaultRoutes, judgePage, judgeRoute, judgeWebService } from './realservers.js';
import type { ServerPage } from './requests.js';
import { skip, type Verdict } from './types.js';
import { t } from '../i18n/index.js';

/** What a judge sees of a host: its facts (in ctx) and its probe output. */
export interface HostView {
  ctx: HostContext;
  probe: ProbeOutput;
}

export interface CheckDef {
  check: string;
  id: string;
  host: string;
  title: string;
  /** A symptom seen from the client (balancing, the VIP): its failure lists the other failed checks as likely causes. */
  symptom?: boolean;
  /**
   * The properties a cause check judges, each on its host (the check's own when not named), as modules name them in
   * desired(): `lab up` converges exactly these. A property no task of that host desires needs `unmanaged`.
   */
  judges?: { host?: string; property: string }[];
  /** Why `lab up` does not converge what this check judges; added to its failures, so the reader fixes it by hand. */
  unmanaged?: string;
  judge(view: HostView, all: Map<string, HostView>): Verdict;
}

/** What an active check (failover, health) may do on the hosts: run a script over the host's one connection. */
export interface ActionIO {
  exec(host: string, script: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * A check that changes the lab while it runs (stops keepalived, a web server) and puts it back before it ends. Actions
 * run after the read-only checks, one at a time, and only when the checks they build on passed (`needs`).
 */
export interface ActionDef {
  check: string;
  id: string;
  host: string;
  title: string;
  /** The hosts it acts on or asks; all must be reachable and within --hosts. */
  hosts: string[];
  /** Checks (kind and host) that must pass first: on a lab already broken there, the measurement would mean nothing. */
  needs: { check: string; host: string }[];
  run(io: ActionIO, all: Map<string, HostView>): Promise<Verdict>;
}

export interface HostNeed {
  probe: ProbeRequest;
  /** Exactly the facts this host's checks read; nothing else runs on it (each section costs processes). */
  facts: FactQuery;
}

/** A query that reads only what every host has to say anyway: its OS, addresses, routes and $SSH_CONNECTION. */
export function emptyQuery(): FactQuery {
  return { packages: [], services: [], sysctls: [], files: [], nm: false, firewallZone: false, selinux: false, ipvs: false };
}

function addNames(list: string[], names: string[]): void {
  for (const n of names) if (!list.includes(n)) list.push(n);
}

/** A logical service's unit on every OS family (the query is sent before the OS is known). */
function needService(need: HostNeed, logical: string): void {
  addNames(need.facts.services, allNames('services', [logical]));
}

export interface VerifyPlan {
  checks: CheckDef[];
  /** Active checks, run after the read-only ones, in the spec's order. */
  actions: ActionDef[];
  /** Hosts to contact, each with its probe and the only facts its checks read. */
  hosts: Map<string, HostNeed>;
}

const DEFAULT_DOCROOT = '/var/www/html';
const SELINUX_CONFIG = '/etc/selinux/config';

export interface ServiceView {
  svc: Service;
  label: string;
  director: string;
  reals: { host: string; ip: string; network: string; weight: number; port: number }[];
}

export function serviceViews(lab: Lab): ServiceView[] {
  return lab.services.map((svc) => {
    const director = directorOf(lab, svc)!;
    const reals = svc.real_servers.map((rs) => {
      const { network, ip } = modeOf(svc).realServerAddress(lab, director, rs.host)!;
      return { host: rs.host, ip, network, weight: rs.weight, port: rs.port ?? svc.port };
    });
    return { svc, label: `${svc.protocol} ${svc.vip}:${svc.port}`, director, reals };
  });
}

export function serviceUrl(svc: Service, path = '/'): string {
  return `http://${svc.vip}${svc.port === 80 ? '' : `:${svc.port}`}${path}`;
}

/** The client's address the real servers reply to: the one on the VIP's network, else its first. */
export function clientIp(lab: Lab, client: string, svc: Service): string {
  const ifs = lab.hosts[client]!.interfaces;
  const onVip = Object.entries(ifs).find(([n]) => inCidr(svc.vip, lab.networks[n]!));
  return (onVip ?? Object.entries(ifs)[0]!)[1];
}

function docroot(all: Map<string, HostView>, host: string): string {
  return all.get(host)?.ctx.os.docroot ?? DEFAULT_DOCROOT;
}

interface FileTaskView {
  path: string;
  content: string;
}

function fileTasks(lab: Lab, playbook: Playbook, host: string, root: string): FileTaskView[] {
  return bindTasks(playbook, lab, host, root)
    .filter((t) => t.label.startsWith('file '))
    .map((t) => t.task as FileTaskView);
}

/** The page a request for `path` gets from this real server, as the playbook writes it. */
function pageFor(lab: Lab, playbook: Playbook, host: string, root: string, path: string): FileTaskView | undefined {
  const want = `${root.replace(/\/$/, '')}${path.endsWith('/') ? `${path}index.html` : path}`;
  return fileTasks(lab, playbook, host, root).find((f) => f.path === want);
}

/** The task of a module in a host's role, bound for that host (its {templates} filled), or undefined. */
function boundTask<T>(lab: Lab, playbook: Playbook, host: string, key: string): T | undefined {
  return bindTasks(playbook, lab, host, DEFAULT_DOCROOT).find((t) => t.module.key === key)?.task as T | undefined;
}

function roleTask<K extends string>(playbook: Playbook, role: string, key: K): Record<K, unknown> | undefined {
  return (playbook.roles[role] ?? []).find((t) => key in t) as Record<K, unknown> | undefined;
}

/** `arp_ignore 1, arp_announce 2 on all, lab-vip` for net.ipv4.conf.{all,lab-vip}.{arp_ignore,arp_announce}. */
export function sysctlSummary(values: Record<string, string>): string {
  const groups = new Map<string, string[]>();
  for (const [k, v] of Object.entries(values)) {
    const m = /^net\.ipv4\.conf\.([^.]+)\.(.+)$/.exec(k);
    const what = m ? t('checks.sysctlValue', { name: m[2]!, value: v }) : `${k} = ${v}`;
    groups.set(what, [...(groups.get(what) ?? []), ...(m ? [m[1]!] : [])]);
  }
  const byDevs = new Map<string, string[]>();
  const sep = t('checks.listSep');
  for (const [what, devs] of groups) byDevs.set(devs.join(sep), [...(byDevs.get(devs.join(sep)) ?? []), what]);
  return [...byDevs].map(([devs, whats]) => (devs ? t('checks.sysctlOnDevices', { values: whats.join(sep), devices: devs }) : whats.join(sep))).join(t('checks.sysctlGroupSep'));
}

/** Who needs the director's address `ip` on `network`, in words: the hosts whose gateway it is, the real servers it reaches there, the verify clients asking a VIP there. */
function neededOn(lab: Lab, views: ServiceView[], clients: string[], director: string, network: string, ip: string): string {
  const list = (xs: string[], and = 'checks.listAnd', sep = 'checks.listSep') => (xs.length <= 1 ? (xs[0] ?? '') : t(and, { items: xs.slice(0, -1).join(t(sep)), last: xs[xs.length - 1]! }));
  const cidr = lab.networks[network]!;
  const gw = Object.entries(lab.hosts).filter(([, h]) => h.gateway === ip).map(([n]) => n);
  const reals = [...new Set(views.filter((v) => v.director === director).flatMap((v) => v.reals.filter((r) => r.network === network && !gw.includes(r.host)).map((r) => r.host)))];
  const vips = views.filter((v) => v.director === director && inCidr(v.svc.vip, cidr)).map((v) => v.svc.vip);
  const asking = vips.length > 0 ? clients.filter((n) => n !== director && network in lab.hosts[n]!.interfaces) : [];
  const parts = [
    ...(gw.length > 0 ? [t('checks.neededGateway', { hosts: list(gw), count: gw.length })] : []),
    ...(reals.length > 0 ? [t('checks.neededRealServers', { hosts: list(reals), count: reals.length })] : []),
    ...(asking.length > 0 ? [t('checks.neededAsking', { hosts: list(asking), vips: list(vips) })] : []),
  ];
  return parts.length > 0 ? list(parts, 'checks.partsAnd', 'checks.partsSep') : t('checks.neededHostsOn', { network });
}

export function planVerify(lab: Lab, playbook: Playbook): VerifyPlan {
  const checks: CheckDef[] = [];
  const actions: ActionDef[] = [];
  const hosts = new Map<string, HostNeed>();
  const need = (h: string) => {
    if (!hosts.has(h)) hosts.set(h, { probe: emptyProbe(), facts: emptyQuery() });
    return hosts.get(h)!;
  };
  const views = serviceViews(lab);
  const web = views.filter((v) => v.svc.protocol === 'tcp');
  const clients = [...new Set(lab.verify.flatMap((c) => ('from' in c ? [c.from] : [])))];
  if (clients.length === 0) clients.push(...Object.entries(lab.hosts).filter(([n]) => !views.some((v) => v.director === n || v.reals.some((r) => r.host === n))).map(([n]) => n));
  // Ids name a check in JSON, JUnit and scripts: no spaces (a service's label `tcp 192.168.4.5:80` becomes tcp-192.168.4.5:80).
  const add = (c: CheckDef) => {
    checks.push({ ...c, id: c.id.replace(/\s+/g, '-') });
    need(c.host);
  };
  const servers = (v: ServiceView, all: Map<string, HostView>, path: string): ServerPage[] =>
    v.reals.map((r) => ({ host: r.host, address: r.ip, weight: r.weight, page: pageFor(lab, playbook, r.host, docroot(all, r.host), path)?.content ?? '' }));

  /** DR and TUN: the real server holds the VIP on the mode's device and never announces it, now and at boot. */
  const realServerMode = (host: string, v: ServiceView) => {
    const { needs } = forwardingTask(lab, host);
    if (needs.vip) add({ check: 'real-servers', id: 'vip', host, judges: [{ property: 'vip' }], title: t('checks.rsVip', { vip: v.svc.vip, device: needs.vip.device }), judge: ({ ctx }) => judgeVipOnRealServer(ctx, modeOf(v.svc), needs.vip!, v.svc.vip, v.director) });
    const keys = Object.keys(needs.sysctls);
    if (keys.length === 0) return;
    addNames(need(host).facts.sysctls, keys);
    for (const k of keys) need(host).probe.sysctlKeys.add(k);
    const what = sysctlSummary(needs.sysctls);
    const judges = Object.entries(needs.sysctls).map(([k, val]) => ({ property: `sysctl:${k}=${val}` }));
    add({ check: 'real-servers', id: 'sysctls', host, judges, title: t('checks.rsSysctlsNow', { what }), judge: ({ ctx }) => judgeNoAnnounce(ctx, needs.sysctls, v.svc.vip) });
    add({ check: 'real-servers', id: 'sysctls-at-boot', host, judges, title: t('checks.rsSysctlsAtBoot', { what }), judge: ({ ctx, probe }) => judgeNoAnnounceAtBoot(ctx, probe.sysctlFiles, needs.sysctls, v.svc.vip) });
  };

  for (const entry of lab.verify) {
    if (entry.check === 'balancing') {
      for (const v of web) {
        const url = serviceUrl(v.svc, entry.path);
        const spec = (all: Map<string, HostView>): BalancingSpec => ({
          vip: v.svc.vip,
          port: v.svc.port,
          protocol: v.svc.protocol,
          scheduler: v.svc.scheduler,
          persistence: v.svc.persistence,
          servers: servers(v, all, entry.path),
          director: v.director,
          forwarding: v.svc.forwarding,
          ...(vrrpOf(lab, v.svc.vip) ? { keepalived: true } : {}),
        });
        // The least-connection schedulers are judged with connections held open (their count needs only the weights).
        const hold = holdCount(spec(new Map()));
        const probe = need(entry.from).probe;
        if (hold > 0) probe.holds.set(url, { vip: v.svc.vip, port: v.svc.port, path: entry.path, hold, fresh: Math.max(probe.holds.get(url)?.fresh ?? 0, entry.requests) });
        else probe.requests.set(url, Math.max(probe.requests.get(url) ?? 0, entry.requests));
        add({
          check: 'balancing',
          symptom: true,
          id: web.length > 1 ? `balancing-${v.label}` : 'balancing',
          host: entry.from,
          title: t('checks.balancing', {
            url,
            scheduler: `${v.svc.scheduler}${v.svc.persistence ? ` -p ${v.svc.persistence}` : ''}`,
            load: hold > 0 ? t('checks.balancingHeld', { held: hold, requests: entry.requests }) : t('checks.balancingRequests', { requests: entry.requests }),
          }),
          judge: ({ probe }, all) => {
            const held = probe.holds.get(url);
            return judgeBalancing(spec(all), (probe.requests.get(url) ?? []).slice(0, entry.requests), held && { held: held.held, fresh: held.fresh.slice(0, entry.requests) });
          },
        });
      }
    }
    if (entry.check === 'director') {
      // A VRRP group's directors are keepalived's: the vrrp check judges them.
      for (const d of [...new Set(views.filter((v) => !vrrpOf(lab, v.svc.vip)).map((v) => v.director))]) {
        const mine = views.filter((v) => v.director === d);
        const dHost = lab.hosts[d]!;
        for (const v of mine) {
          const net = vipNetwork(lab, d, v.svc.vip)!;
          const addresses = profileAddresses(lab, d, net);
          add({ check: 'director', id: mine.length > 1 ? `vip-${v.svc.vip}` : 'vip', host: d, judges: [{ property: 'addresses' }], title: t('checks.directorVip', { vip: v.svc.vip }), judge: ({ ctx }) => judgeVipHeld(ctx, v.svc.vip, net, parseCidr(lab.networks[net]!).prefix, addresses) });
        }
        const sysctls: Record<string, string> = { ...((roleTask(playbook, dHost.role, 'sysctl')?.sysctl as Record<string, string> | undefined) ?? {}) };
        for (const v of mine) Object.assign(sysctls, modeOf(v.svc).directorSysctls);
        const story = { vip: mine[0]!.svc.vip, realServers: [...new Set(mine.flatMap((v) => v.reals.map((r) => r.host)))], client: clients[0] };
        for (const [key, want] of Object.entries(sysctls)) {
          const short = key === 'net.ipv4.ip_forward' ? 'ip_forward' : `sysctl-${key}`;
          addNames(need(d).facts.sysctls, [key]);
          need(d).probe.sysctlKeys.add(key);
          const judges = [{ property: `sysctl:${key}=${want}` }];
          add({ check: 'director', id: short, host: d, judges, title: t('checks.sysctlNow', { key, value: want }), judge: ({ ctx }) => judgeSysctlRuntime(ctx, key, want, story) });
          add({ check: 'director', id: `${short}-at-boot`, host: d, judges, title: t('checks.sysctlAtBoot', { key, value: want }), judge: ({ ctx, probe }) => judgeSysctlPersisted(ctx, probe.sysctlFiles, key, want, sysctls) });
        }
        need(d).facts.nm = true;
        const own: OwnAddresses[] = Object.entries(dHost.interfaces).map(([net, ip]) => ({ network: net, addresses: profileAddresses(lab, d, net), needed: neededOn(lab, views, clients, d, net, ip) }));
        add({ check: 'director', id: 'addresses', host: d, judges: [{ property: 'addresses' }], title: t('checks.directorAddresses', { addresses: own.flatMap((o) => o.addresses.map((a) => a.split('/')[0])).join(', ') }), judge: ({ ctx }) => judgeOwnAddresses(ctx, own) });
        // The course's step 2: from the director, each real server answers directly on the service's port.
        for (const v of mine.filter((x) => x.svc.protocol === 'tcp'))
          for (const r of v.reals) {
            const url = `http://${r.ip}${r.port === 80 ? '' : `:${r.port}`}/`;
            if (need(d).probe.requests.has(url)) continue;
            need(d).probe.requests.set(url, 1);
            need(r.host).probe.listen = true;
            const unit = (all: Map<string, HostView>) => {
              const ctx = all.get(r.host)?.ctx;
              const logical = ((roleTask(playbook, lab.hosts[r.host]!.role, 'service')?.service as { name: string } | undefined)?.name) ?? 'httpd';
              return ctx ? (ctx.os.services[logical] ?? logical) : logical;
            };
            add({
              check: 'director',
              // Its cause is usually on the real server (the port, its firewall): linked like the client's symptoms.
              symptom: true,
              id: `reaches-${r.host}`,
              host: d,
              title: t('checks.directorReaches', { host: r.host, director: d, ip: r.ip, port: r.port }),
              judge: ({ ctx, probe }, all) =>
                judgeDirectReach(ctx, probe.requests.get(url), { ...servers(v, all, '/').find((x) => x.host === r.host)!, port: r.port, network: r.network }, all.has(r.host) ? { listening: all.get(r.host)!.probe.listening, unit: unit(all) } : undefined),
            });
          }
        const desired = desiredServices(lab, d);
        need(d).facts.ipvs = true;
        add({ check: 'director', id: 'ipvs', host: d, judges: [{ property: 'ipvs' }], title: t('checks.ipvs'), judge: ({ ctx }) => judgeIpvs(ctx, desired) });
        add({ check: 'director', id: 'ipvs-extra', host: d, judges: [{ property: 'ipvs' }], title: t('checks.ipvsExtra'), judge: ({ ctx }) => judgeExtraRules(ctx, desired) });
      }
    }
    if (entry.check === 'real-servers') {
      const seen = new Set<string>();
      for (const v of views) {
        const dIfs = lab.hosts[v.director]!.interfaces;
        for (const r of v.reals) {
          if (seen.has(r.host)) continue;
          seen.add(r.host);
          const role = lab.hosts[r.host]!.role;
          const mode = modeOf(v.svc);
          if (!mode.repliesViaDirector) realServerMode(r.host, v);
          if (mode.repliesViaDirector) {
            for (const c of clients) {
              const cip = clientIp(lab, c, v.svc);
              const story = { client: { name: c, ip: cip }, director: { name: v.director, ip: dIfs[r.network]! }, own: { ip: r.ip, network: r.network, cidr: lab.networks[r.network]! } };
              need(r.host).probe.routes.add(cip);
              add({ check: 'real-servers', id: clients.length > 1 ? `route-to-${c}` : 'route', host: r.host, judges: [{ property: 'routes' }, { property: 'addresses' }], title: t('checks.rsRoute', { client: c, clientIp: cip, director: v.director, directorIp: story.director.ip }), judge: ({ ctx, probe }) => judgeRoute(ctx, probe.routes.get(cip), story) });
              if (c === clients[0])
                add({ check: 'real-servers', id: 'default-routes', host: r.host, judges: [{ property: 'routes' }], title: t('checks.rsDefaultRoutes', { ip: story.director.ip }), judge: ({ ctx }) => judgeDefaultRoutes(ctx, story) });
            }
          }
          const svcTask = roleTask(playbook, role, 'service')?.service as { name: string } | undefined;
          const logical = svcTask?.name ?? 'httpd';
          needService(need(r.host), logical);
          need(r.host).probe.listen = true;
          addNames(need(r.host).facts.files, allNames('listenConfig', [logical]));
          const listenTask = boundTask<ListenTask>(lab, playbook, r.host, 'listen');
          add({
            check: 'real-servers',
            id: 'web-server',
            host: r.host,
            judges: [{ property: `package:${logical}` }, { property: `service:${logical}` }, ...(listenTask ? [{ property: `listen:${logical}:${r.port}` }] : [])],
            title: t('checks.rsWebServer', { service: logical, port: r.port }),
            judge: ({ ctx, probe }) => judgeWebService(ctx, logical, r.port, r.ip, probe.listening, listenTask),
          });
          addNames(need(r.host).facts.files, fileTasks(lab, playbook, r.host, DEFAULT_DOCROOT).map((f) => f.path));
          const pages = fileTasks(lab, playbook, r.host, DEFAULT_DOCROOT);
          const page = pages.find((f) => f.path.endsWith('/index.html')) ?? pages[0];
          add({
            check: 'real-servers',
            id: 'page',
            host: r.host,
            // No page task: the judge skips, and there is nothing to manage.
            ...(page ? { judges: [{ property: `file:${page.path}` }] } : { unmanaged: t('checks.rsPageUnmanaged') }),
            title: t('checks.rsPage', { host: r.host }),
            judge: ({ ctx }) => {
              const files = fileTasks(lab, playbook, r.host, ctx.os.docroot);
              return judgePage(ctx, files.find((f) => f.path.endsWith('/index.html')) ?? files[0]);
            },
          });
        }
      }
    }
    if (entry.check === 'vrrp') {
      const many = lab.vrrp.length > 1;
      const judgedHosts = new Set<string>();
      for (const g of lab.vrrp) {
        const top = routersByPriority(g)[0]!.host;
        const hostOf = new Map(servicesOf(lab, g).flatMap((sv) => sv.real_servers.map((rs) => [modeOf(sv).realServerAddress(lab, top, rs.host)?.ip ?? '', rs.host] as [string, string])));
        for (const r of g.routers) {
          const h = r.host;
          const n = need(h);
          addNames(n.facts.services, ['keepalived']);
          addNames(n.facts.files, [KEEPALIVED_CONF]);
          n.facts.ipvs = true;
          n.probe.keepalived = true;
          n.probe.firewall = true;
          if (!judgedHosts.has(h)) {
            judgedHosts.add(h);
            add({ check: 'vrrp', id: 'keepalived', host: h, judges: [{ property: 'service:keepalived' }], title: t('checks.keepalived'), judge: ({ ctx, probe }) => judgeKeepalivedRunning(ctx, probe.keepalived) });
            add({ check: 'vrrp', id: 'keepalived-conf', host: h, judges: [{ property: 'keepalived' }], title: t('checks.keepalivedConf', { file: KEEPALIVED_CONF }), judge: ({ ctx }) => judgeKeepalivedConf(ctx) });
          }
          const isTop = top === h;
          const net = vipNetwork(lab, h, g.vip);
          add({
            check: 'vrrp',
            id: many ? `state-${g.name}` : 'state',
            host: h,
            // A cause in its own right: split brain names the rule that drops VRRP, a wrong master the config.
            judges: [{ property: 'keepalived' }],
            title: g.preempt ? t(isTop ? 'checks.vrrpMaster' : 'checks.vrrpBackup', { group: g.name, priority: r.priority, vip: g.vip }) : t('checks.vrrpOneMaster', { group: g.name, vip: g.vip }),
            judge: (view, all) => {
              let device: string | undefined;
              try {
                device = net ? findLink(view.ctx, net, lab.hosts[h]!.interfaces[net]!).name : undefined;
              } catch {
                device = undefined;
              }
              return judgeVrrpState(view, all, { group: g, device });
            },
          });
          const desired = servicesOf(lab, g).map((sv) => ipvsService(lab, sv, h));
          const wantedChecks = new Map(
            servicesOf(lab, g).flatMap((sv) =>
              sv.health ? ipvsService(lab, sv, h).reals.map((rl) => [`${rl.address}:${rl.port}`, { port: sv.health!.port ?? rl.port, ...(sv.health!.type === 'http_get' ? { path: sv.health!.path } : {}) }] as const) : [],
            ),
          );
          if (desired.length > 0)
            add({ check: 'vrrp', id: many ? `ipvs-${g.name}` : 'ipvs', host: h, symptom: true, judges: [{ property: 'keepalived' }], title: t('checks.vrrpIpvs'), judge: (view) => judgeKeepalivedTable(view, desired, hostOf, wantedChecks) });
        }
      }
    }
    if (entry.check === 'failover') {
      for (const g of lab.vrrp) {
        const sv = servicesOf(lab, g).find((x) => x.protocol === 'tcp');
        const [m, b] = routersByPriority(g);
        if (!sv || !m || !b) continue;
        const bound = entry.bound ?? 3 * g.advert_int + 2;
        need(entry.from);
        need(m.host);
        need(b.host);
        actions.push({
          check: 'failover',
          id: lab.vrrp.length > 1 ? `failover-${g.name}` : 'failover',
          host: m.host,
          title: `${t('checks.failover', { backup: b.host, vip: g.vip, seconds: bound, master: m.host })}${g.preempt ? t('checks.failoverTakeBack', { master: m.host, seconds: bound + 3 * g.advert_int }) : ''}`,
          hosts: [entry.from, m.host, b.host],
          needs: [...g.routers.map((r) => ({ check: 'vrrp', host: r.host })), { check: 'balancing', host: entry.from }, { check: 'path', host: entry.from }],
          run: (io, all) => {
            // Without preempt the VIP stays wherever it went last: the master is the router that holds it now.
            const order = routersByPriority(g).map((r) => r.host);
            const holder = g.preempt ? m.host : (order.find((h) => all.get(h)?.ctx.facts.links.some((l) => l.addrs.some((a) => a.ip === g.vip))) ?? m.host);
            const backup = order.find((h) => h !== holder)!;
            // Never cut our own session: lab may reach the master through the VIP itself.
            if (all.get(holder)?.ctx.facts.ssh?.serverIp === g.vip)
              return Promise.resolve(skip(t('checks.failoverSkipExpected', { backup, vip: g.vip }), t('checks.failoverSkipOwnSession', { holder, vip: g.vip })));
            return runFailover(io, { client: entry.from, url: serviceUrl(sv), vip: g.vip, master: holder, backup, boundS: bound, takeBackS: bound + 3 * g.advert_int, preempt: g.preempt });
          },
        });
      }
    }
    if (entry.check === 'health') {
      for (const v of web) {
        const g = vrrpOf(lab, v.svc.vip);
        const health = v.svc.health;
        if (!g || !health || v.reals.length < 2) continue;
        const real = v.reals[v.reals.length - 1]!;
        const others = v.reals.slice(0, -1).map((r) => r.host);
        const bound = removalBound(health) + 1;
        const routers = g.routers.map((r) => r.host);
        for (const h of [entry.from, ...routers, ...v.reals.map((r) => r.host)]) need(h);
        const logical = ((roleTask(playbook, lab.hosts[real.host]!.role, 'service')?.service as { name: string } | undefined)?.name) ?? 'httpd';
        actions.push({
          check: 'health',
          id: web.length > 1 ? `health-${v.label}` : 'health',
          host: v.director,
          title: t('checks.health', { real: real.host, director: v.director, seconds: bound }),
          hosts: [entry.from, ...routers, real.host],
          needs: [...g.routers.map((r) => ({ check: 'vrrp', host: r.host })), ...v.reals.map((r) => ({ check: 'real-servers', host: r.host })), { check: 'balancing', host: entry.from }],
          run: (io, all) => {
            const ctx = all.get(real.host)!.ctx;
            // The table that matters is the one of the router holding the VIP now (without preempt, not always the first).
            const director = routers.find((r) => all.get(r)?.ctx.facts.links.some((l) => l.addrs.some((a) => a.ip === v.svc.vip))) ?? v.director;
            const pages = new Map(v.reals.map((r) => [(pageFor(lab, playbook, r.host, docroot(all, r.host), '/')?.content ?? '').split('\n')[0]!.trim(), r.host]));
            return runHealth(
              io,
              { client: entry.from, url: serviceUrl(v.svc), vip: v.svc.vip, port: v.svc.port, director, real: { host: real.host, address: real.ip, port: real.port, unit: ctx.os.services[logical] ?? logical }, others, boundS: bound, requests: 2 * v.reals.length },
              (line) => pages.get(line.trim()),
            );
          },
        });
      }
    }
    if (entry.check === 'path') {
      const roles = new Map<string, { role: 'director' | 'real-server'; ports: Set<number>; ips: Set<string> }>();
      const mark = (h: string, role: 'director' | 'real-server', port: number, ip: string) => {
        const cur = roles.get(h) ?? { role, ports: new Set<number>(), ips: new Set<string>() };
        cur.ports.add(port);
        cur.ips.add(ip);
        roles.set(h, cur);
      };
      for (const v of web) {
        for (const d of directorsOf(lab, v.svc)) mark(d, 'director', v.svc.port, v.svc.vip);
        for (const r of v.reals) mark(r.host, 'real-server', r.port, r.ip);
      }
      for (const [h, { role, ports, ips }] of roles) {
        const hostRole = lab.hosts[h]!.role;
        const zone = (roleTask(playbook, hostRole, 'firewall')?.firewall as { default_zone: string } | undefined)?.default_zone;
        // The default zone comes from firewalld.conf in the probe, not from the fact command's D-Bus call.
        need(h).probe.firewall = true;
        needService(need(h), 'firewalld');
        add({ check: 'path', id: 'firewall', host: h, ...(zone ? { judges: [{ property: `firewall:${zone}` }] } : { unmanaged: t('checks.firewallUnmanaged', { host: h }) }), title: t('checks.firewall', { ports: [...ports].map((p) => `${p}/tcp`).join(', ') }), judge: ({ ctx, probe }) => judgeFirewall(ctx, probe.firewall, [...ports], [...ips], zone, role) });
        const se = (roleTask(playbook, hostRole, 'selinux')?.selinux as { mode: 'enforcing' | 'permissive' } | undefined)?.mode;
        if (se) {
          need(h).facts.selinux = true;
          addNames(need(h).facts.files, [SELINUX_CONFIG]);
        }
        if (se) add({ check: 'path', id: 'selinux', host: h, judges: [{ property: `selinux:${se}` }], title: t('checks.selinux', { mode: se }), judge: ({ ctx }) => judgeSelinux(ctx, se) });
      }
      for (const v of web) {
        const url = serviceUrl(v.svc);
        const reqs = need(entry.from).probe.requests;
        if (!reqs.has(url)) reqs.set(url, 1);
        need(entry.from).probe.routes.add(v.svc.vip);
        const privateNets = [...new Set(v.reals.map((r) => r.network))]
          .filter((n) => !(n in lab.hosts[entry.from]!.interfaces) && !inCidr(v.svc.vip, lab.networks[n]!))
          .map((n) => ({ name: n, cidr: lab.networks[n]! }));
        add({
          check: 'path',
          symptom: true,
          id: web.length > 1 ? `vip-${v.label}` : 'vip-from-client',
          host: entry.from,
          title: t(privateNets.length > 0 ? 'checks.vipFromOutside' : 'checks.vipFromClient', { url, client: entry.from }),
          judge: ({ ctx, probe }, all) =>
            judgeVipFromClient(ctx, probe.routes.get(v.svc.vip), probe.requests.get(url) ?? [], servers(v, all, '/'), { vip: v.svc.vip, port: v.svc.port, privateNets, fromOutside: modeOf(v.svc).explain.fromOutside }),
        });
        if (modeOf(v.svc).repliesViaDirector) continue;
        const from = entry.from;
        const reals = v.reals.map((r) => r.host);
        if (v.reals.some((r) => r.network in lab.hosts[from]!.interfaces)) {
          (need(from).probe.arp ??= new Set()).add(v.svc.vip);
          add({ check: 'path', symptom: true, id: web.length > 1 ? `arp-${v.label}` : 'arp', host: from, title: t('checks.arp', { director: v.director, vip: v.svc.vip }), judge: ({ ctx, probe }, all) => judgeArpFromClient(ctx, probe.arp?.get(v.svc.vip), all, v.svc.vip, v.director, reals) });
        }
        need(v.director).probe.ipvsStats = true;
        // The replies' path is set on the real servers: the VIP they answer from, and their routes.
        add({ check: 'path', id: web.length > 1 ? `replies-${v.label}` : 'replies-bypass', host: v.director, judges: v.reals.flatMap((r) => [{ host: r.host, property: 'vip' }, { host: r.host, property: 'routes' }]), title: t('checks.repliesBypass', { client: from, director: v.director }), judge: ({ probe }) => judgeRepliesBypass(probe.ipvsStats, v.label, v.reals, v.director) });
      }
    }
  }
  return { checks, actions, hosts };
}
