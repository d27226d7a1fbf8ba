// The packet walk of `lab trace`: one request's first packet (SYN) and its reply (SYN-ACK) followed through the captures
// of every host, in the order the course note tells it, each step saying where the packet was seen, its addresses,
// and what changed since the step before. Where the packet was last seen, the walk stops and says why, naming the
// `lab verify` check that explains it. Its sentences are written as it is built, in the language then current
// (src/i18n/catalog/trace.ts); host names, addresses, interfaces, packet names and commands are never translated.
import { t } from '../i18n/index.js';
import { modeOf } from '../modes/index.js';
import { forwardingTask } from '../modules/forwarding.js';
import type { Lab } from '../spec/schema.js';
import { directorsOf } from '../spec/services.js';
import type { ServiceView } from '../verify/plan.js';
import type { Interfaces, Packet } from './capture.js';

export interface HostCapture {
  packets: Packet[];
  interfaces: Interfaces;
  /** `ip route get CLIENT` on this host (real servers). */
  route?: string;
}

export interface TraceInput {
  lab: Lab;
  view: ServiceView;
  client: string;
  clientIp: string;
  /** The client's source port of the traced connection. */
  clientPort: number;
  captures: Map<string, HostCapture>;
  /** The verify plan's checks, to name the one that explains a stop. */
  checks: { check: string; id: string; host: string; title: string }[];
}

export interface Step {
  n: number;
  host: string;
  iface: string;
  /** The lab network the interface is on, when it is on one. */
  network?: string;
  dir: 'in' | 'out';
  /** SYN, SYN-ACK or RST. */
  packet: string;
  src: string;
  dst: string;
  /** IP-in-IP outer header, `A → B`. */
  outer?: string;
  /** The frame's source MAC, and whose it is. */
  mac?: string;
  macOf?: string;
  /** What changed since the step before (addresses, outer header), e.g. `dst 192.168.4.5:80 → 192.168.2.100:80`. */
  changed?: string[];
  text: string;
  /** Host clock, seconds since the epoch. */
  t: number;
}

export interface WalkStop {
  /** The last step seen (0: none). */
  after: number;
  why: string;
  /** The verify check that explains it, when the lab's verify plan has it. */
  check?: { check: string; id: string; host: string; title: string };
  /** What to run to see that check's why and fix. */
  command: string;
}

export interface Walk {
  mode: 'nat' | 'dr' | 'tun';
  director?: string;
  realServer?: string;
  steps: Step[];
  /** The reply reached the client from the address it asked. */
  complete: boolean;
  stop?: WalkStop;
  /** Observations beside the walk (a DR reply seen by the director, retransmissions). */
  notes: string[];
}

const ep = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;
const kindOf = (p: Packet) => (p.flags.includes('R') ? 'RST' : p.flags === 'S' ? 'SYN' : p.flags === 'S.' ? 'SYN-ACK' : `[${p.flags}]`);

/** The lab network of a host's interface: the one whose spec address the interface holds. */
function networkOf(lab: Lab, host: string, ifs: Interfaces, iface: string): string | undefined {
  const addrs = ifs[iface]?.addrs ?? [];
  return Object.entries(lab.hosts[host]?.interfaces ?? {}).find(([, a]) => addrs.includes(a))?.[0];
}

/** Which host a MAC belongs to, from every capture's interface list. */
function macOwner(captures: Map<string, HostCapture>, mac: string): string | undefined {
  for (const [host, c] of captures) if (Object.values(c.interfaces).some((i) => i.mac === mac)) return host;
  return undefined;
}

/** What differs between two sightings: addresses and the outer header. */
export function changes(a: Packet, b: Packet): string[] {
  const out: string[] = [];
  const hdr = (o: { src: string; dst: string }) => `${o.src} → ${o.dst}`;
  if (ep(a.src) !== ep(b.src)) out.push(t('trace.changes.src', { from: ep(a.src), to: ep(b.src) }));
  if (ep(a.dst) !== ep(b.dst)) out.push(t('trace.changes.dst', { from: ep(a.dst), to: ep(b.dst) }));
  if (!a.outer && b.outer) out.push(t('trace.changes.wrapped', { outer: hdr(b.outer) }));
  if (a.outer && !b.outer) out.push(t('trace.changes.unwrapped', { outer: hdr(a.outer) }));
  if (a.outer && b.outer && (a.outer.src !== b.outer.src || a.outer.dst !== b.outer.dst)) out.push(t('trace.changes.outer', { was: hdr(a.outer), now: hdr(b.outer) }));
  return out;
}

export function buildWalk(input: TraceInput): Walk {
  const { lab, view, client, clientIp, clientPort, captures } = input;
  const mode = modeOf(view.svc).name as Walk['mode'];
  const vip = `${view.svc.vip}:${view.svc.port}`;
  const ours = (p: Packet) => p.src.port === clientPort || p.dst.port === clientPort;
  const find = (host: string | undefined, pred: (p: Packet) => boolean) => (host ? captures.get(host)?.packets.find((p) => ours(p) && pred(p)) : undefined);
  const syn = (p: Packet) => p.flags === 'S';
  const reply = (p: Packet) => p.flags === 'S.' || p.flags.includes('R');
  const steps: Step[] = [];
  const notes: string[] = [];
  let prev: Packet | undefined;
  const add = (host: string, p: Packet, text: string) => {
    const ifs = captures.get(host)?.interfaces ?? {};
    const network = networkOf(lab, host, ifs, p.iface);
    const owner = p.mac ? macOwner(captures, p.mac) : undefined;
    const changed = prev ? changes(prev, p) : [];
    steps.push({
      n: steps.length + 1,
      host,
      iface: p.iface,
      ...(network ? { network } : {}),
      dir: p.dir,
      packet: kindOf(p),
      src: ep(p.src),
      dst: ep(p.dst),
      ...(p.outer ? { outer: `${p.outer.src} → ${p.outer.dst}` } : {}),
      ...(p.mac ? { mac: p.mac } : {}),
      ...(owner ? { macOf: owner } : {}),
      ...(changed.length > 0 ? { changed } : {}),
      text,
      t: p.t,
    });
    prev = p;
  };
  const on = (host: string, p: Packet) => {
    const net = networkOf(lab, host, captures.get(host)?.interfaces ?? {}, p.iface);
    return net ? t('trace.on', { iface: p.iface, network: net }) : t('trace.onNoNetwork', { iface: p.iface });
  };
  const checkFor = (kind: string, idPrefix: string, host: string) => input.checks.find((c) => c.check === kind && (c.id === idPrefix || c.id.startsWith(`${idPrefix}-`)) && c.host === host);
  const stop = (why: string, kind: string, id: string, host: string): Walk => {
    const check = checkFor(kind, id, host);
    return {
      mode,
      ...(director ? { director } : {}),
      ...(real ? { realServer: real } : {}),
      steps,
      complete: false,
      stop: { after: steps.length, why, ...(check ? { check } : {}), command: `lab verify ${lab.name} --hosts ${host}` },
      notes,
    };
  };
  let director: string | undefined;
  let real: string | undefined;

  // 1. The client sends the first packet to the VIP.
  const f1 = find(client, (p) => syn(p) && p.dir === 'out');
  if (!f1) return stop(t('trace.stop.noSyn', { client, vip }), 'path', 'vip-from-client', client);
  add(client, f1, t('trace.step.clientSends', { client, src: ep(f1.src), vip, on: on(client, f1) }));
  const retries = captures.get(client)!.packets.filter((p) => ours(p) && syn(p) && p.dir === 'out').length - 1;
  if (retries > 0) notes.push(t('trace.note.retries', { client, times: retries + 1 }));

  // 2. A director receives it on the VIP's network.
  const directors = directorsOf(lab, view.svc);
  for (const d of directors) {
    const p = find(d, (x) => syn(x) && x.dir === 'in' && !x.outer && x.dst.ip === view.svc.vip);
    if (p) {
      director = d;
      add(d, p, t(directors.length > 1 ? 'trace.step.directorHoldingReceives' : 'trace.step.directorReceives', { director: d, on: on(d, p) }));
      break;
    }
  }
  if (!director) {
    const d = directors[0]!;
    return stop(t('trace.stop.noDirector', { client, directors: directors.join(t('trace.or')), vip: view.svc.vip }), directors.length > 1 ? 'vrrp' : 'director', directors.length > 1 ? 'state' : 'vip', d);
  }

  // 3. The director sends it on: rewritten (NAT), to a real server's MAC (DR), or wrapped (TUN).
  const f3 = find(director, (p) => syn(p) && p.dir === 'out');
  const refused = f3 ? undefined : find(director, (p) => p.flags.includes('R') && p.dir === 'out' && p.src.ip === view.svc.vip);
  if (refused) notes.push(t('trace.note.directorResets', { director, client, iface: refused.iface, vip, port: view.svc.port }));
  if (!f3) return stop(t('trace.stop.notForwarded', { director, vip }), directors.length > 1 ? 'vrrp' : 'director', 'ipvs', director);
  const target = view.reals.find((r) => (mode === 'tun' ? f3.outer?.dst === r.ip : mode === 'nat' ? f3.dst.ip === r.ip : false));
  const rsName = (ip: string) => view.reals.find((r) => r.ip === ip)?.host ?? ip;
  if (mode === 'nat') add(director, f3, t('trace.step.natRewrites', { director, vip, dst: ep(f3.dst), server: rsName(f3.dst.ip), on: on(director, f3) }));
  else if (mode === 'tun')
    add(director, f3, t('trace.step.tunWraps', { director, outerSrc: f3.outer?.src ?? '?', outerDst: f3.outer?.dst ?? '?', server: f3.outer ? rsName(f3.outer.dst) : '?', on: on(director, f3) }));
  else add(director, f3, t('trace.step.drForwards', { director, on: on(director, f3) }));

  // 4. A real server receives it.
  let f4: Packet | undefined;
  for (const r of view.reals) {
    const p = find(r.host, (x) => syn(x) && x.dir === 'in' && (mode !== 'tun' || !!x.outer));
    if (p) {
      real = r.host;
      f4 = p;
      break;
    }
  }
  if (!f4 || !real) {
    const to = target?.host ?? view.reals[0]!.host;
    real = target?.host;
    return stop(target ? t('trace.stop.noRealTo', { director, server: target.host, ip: target.ip }) : t('trace.stop.noRealAny', { director }), 'director', `reaches-${to}`, director);
  }
  const rs = view.reals.find((r) => r.host === real)!;
  const holder = Object.entries(captures.get(real)?.interfaces ?? {}).find(([, i]) => i.addrs.includes(view.svc.vip))?.[0];
  const holds = holder ? t('trace.step.holds', { real, holder }) : t('trace.step.holdsNot', { real });
  if (mode === 'nat') add(real, f4, t('trace.step.natRealReceives', { real, on: on(real, f4), src: ep(f4.src), dst: ep(f4.dst) }));
  else if (mode === 'dr') {
    const fromMac = f4.mac ? t('trace.step.fromMac', { owner: macOwner(captures, f4.mac) ?? f4.mac, mac: f4.mac }) : '';
    add(real, f4, t('trace.step.drRealReceives', { real, on: on(real, f4), fromMac, vip, holds }));
  } else {
    add(real, f4, t('trace.step.tunRealReceives', { real, on: on(real, f4) }));
    const inner = find(real, (x) => syn(x) && x.dir === 'in' && !x.outer && x.dst.ip === view.svc.vip);
    if (inner) add(real, inner, t('trace.step.tunUnwraps', { real, iface: inner.iface, src: ep(inner.src), dst: ep(inner.dst), holds }));
  }

  // 5. The real server replies: a new packet, compared from here on with the reply before it.
  prev = undefined;
  const r1 = find(real, (p) => reply(p) && p.dir === 'out');
  const route = captures.get(real)?.route;
  if (!r1) {
    if (mode === 'nat') return stop(t('trace.stop.natNoReply', { real, route: route ? t('trace.stop.routeTo', { clientIp, route }) : '', clientIp }), 'real-servers', 'route', real);
    const device = forwardingTask(lab, real).needs.vip?.device ?? (mode === 'dr' ? 'lo' : 'tunl0');
    if (!holder) return stop(t('trace.stop.vipNotHeld', { real, vip: view.svc.vip, device }), 'real-servers', 'vip', real);
    if (mode === 'tun') return stop(t('trace.stop.rpFilter', { real, holder, clientIp }), 'real-servers', 'sysctls', real);
    return stop(t('trace.stop.heldNoReply', { real, holder }), 'real-servers', 'vip', real);
  }
  const r1net = networkOf(lab, real, captures.get(real)?.interfaces ?? {}, r1.iface);
  if (r1.flags.includes('R')) {
    add(real, r1, t('trace.step.realResets', { real, src: ep(r1.src) }));
    return stop(t('trace.stop.refused', { real, ip: rs.ip, port: rs.port }), 'real-servers', 'web-server', real);
  }
  if (!r1net) {
    add(real, r1, t('trace.step.realRepliesOffNet', { real, src: ep(r1.src), dst: ep(r1.dst), iface: r1.iface, route: route ? t('trace.step.routeOf', { route }) : '' }));
    const why = t(mode === 'nat' ? 'trace.stop.offNetDirector' : 'trace.stop.offNetClient', { real, clientIp, iface: r1.iface, route: route ? t('trace.stop.routeIs', { route }) : '' });
    return stop(why, 'real-servers', mode === 'nat' ? 'route' : 'default-routes', real);
  }
  const gw = lab.hosts[real]?.gateway;
  if (mode === 'nat') add(real, r1, t('trace.step.natRealReplies', { real, src: ep(r1.src), dst: ep(r1.dst), on: on(real, r1), viaGateway: gw ? t('trace.step.viaGateway', { gateway: gw }) : '' }));
  else add(real, r1, t('trace.step.directRealReplies', { real, src: ep(r1.src), dst: ep(r1.dst), on: on(real, r1) }));

  if (mode === 'nat') {
    // 6–7. The director receives the reply and rewrites its source back to the VIP.
    const r2 = find(director, (p) => reply(p) && p.dir === 'in');
    if (!r2) return stop(t('trace.stop.gatewayNotDirector', { real, clientIp, director, route: route ?? t('trace.stop.seeRoutes') }), 'real-servers', 'route', real);
    add(director, r2, t('trace.step.directorReceivesReply', { director, on: on(director, r2) }));
    const r3 = find(director, (p) => reply(p) && p.dir === 'out');
    if (!r3) return stop(t('trace.stop.noIpForward', { director, real }), 'director', 'ip_forward', director);
    add(director, r3, t('trace.step.natRewritesBack', { director, from: ep(r2.src), to: ep(r3.src), on: on(director, r3) }));
  } else {
    const seen = find(director, (p) => reply(p));
    if (seen) notes.push(t('trace.note.replySeen', { director, iface: seen.iface, mode: mode.toUpperCase() }));
  }

  // 8. The client receives the reply, from the address it asked.
  const r4 = find(client, (p) => reply(p) && p.dir === 'in');
  if (!r4) return stop(t('trace.stop.replyLost', { from: mode === 'nat' ? director : real, clientIp, client }), 'path', 'vip-from-client', client);
  const fromVip = ep(r4.src) === vip;
  const frameFrom = r4.mac ? macOwner(captures, r4.mac) : undefined;
  const frame = mode !== 'nat' && frameFrom ? t('trace.step.frameFrom', { host: frameFrom }) : '';
  add(client, r4, fromVip ? t('trace.step.clientReceives', { client, vip, frame }) : t('trace.step.clientDrops', { client, src: ep(r4.src), vip }));
  if (!fromVip) return stop(t(mode === 'nat' ? 'trace.stop.natNotVip' : 'trace.stop.realNotVip', { client, src: ep(r4.src), director, real }), 'real-servers', mode === 'nat' ? 'route' : 'vip', real);
  const get = find(client, (p) => p.dir === 'out' && !!p.http?.startsWith('GET'));
  const answer = find(client, (p) => p.dir === 'in' && !!p.http?.startsWith('HTTP/'));
  if (get && answer) notes.push(t('trace.note.http', { client, request: get.http!, response: answer.http! }));
  return { mode, director, realServer: real, steps, complete: true, notes };
}
