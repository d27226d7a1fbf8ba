// The packet walk of `lab trace`: one request's first packet (SYN) and its reply (SYN-ACK) followed through the captures
// of every host, in the order the course note tells it, each step saying where the packet was seen, its addresses,
// and what changed since the step before. Where the packet was last seen, the walk stops and says why, naming the
// `lab verify` check that explains it.
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
  if (ep(a.src) !== ep(b.src)) out.push(`src ${ep(a.src)} → ${ep(b.src)}`);
  if (ep(a.dst) !== ep(b.dst)) out.push(`dst ${ep(a.dst)} → ${ep(b.dst)}`);
  if (!a.outer && b.outer) out.push(`wrapped in ${b.outer.src} → ${b.outer.dst}`);
  if (a.outer && !b.outer) out.push(`unwrapped (was ${a.outer.src} → ${a.outer.dst})`);
  if (a.outer && b.outer && (a.outer.src !== b.outer.src || a.outer.dst !== b.outer.dst)) out.push(`outer ${a.outer.src} → ${a.outer.dst} became ${b.outer.src} → ${b.outer.dst}`);
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
    return net ? `${p.iface} (${net})` : `${p.iface} (no lab network)`;
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
  if (!f1) return stop(`${client} sent no packet to ${vip}: it has no route to the VIP, or nothing was asked`, 'path', 'vip-from-client', client);
  add(client, f1, `${client} sends the first packet (SYN) of the request from ${ep(f1.src)} to the VIP ${vip}, out of ${on(client, f1)}`);
  const retries = captures.get(client)!.packets.filter((p) => ours(p) && syn(p) && p.dir === 'out').length - 1;
  if (retries > 0) notes.push(`${client} sent the SYN ${retries + 1} times: no answer came back to the first`);

  // 2. A director receives it on the VIP's network.
  const directors = directorsOf(lab, view.svc);
  for (const d of directors) {
    const p = find(d, (x) => syn(x) && x.dir === 'in' && !x.outer && x.dst.ip === view.svc.vip);
    if (p) {
      director = d;
      add(d, p, `${d}, the director${directors.length > 1 ? ' holding the VIP now' : ''}, receives it on ${on(d, p)}`);
      break;
    }
  }
  if (!director) {
    const d = directors[0]!;
    return stop(`the SYN left ${client} but no director received it: ${directors.join(' or ')} does not hold ${view.svc.vip}, or the network between them does not carry it`, directors.length > 1 ? 'vrrp' : 'director', directors.length > 1 ? 'state' : 'vip', d);
  }

  // 3. The director sends it on: rewritten (NAT), to a real server's MAC (DR), or wrapped (TUN).
  const f3 = find(director, (p) => syn(p) && p.dir === 'out');
  const refused = f3 ? undefined : find(director, (p) => p.flags.includes('R') && p.dir === 'out' && p.src.ip === view.svc.vip);
  if (refused) notes.push(`${director} answered ${client} with a reset (RST) itself, out of ${refused.iface}: with no virtual service for ${vip}, the VIP's port ${view.svc.port} is just a closed port of ${director}`);
  if (!f3) return stop(`${director} received the SYN for ${vip} but sent nothing on: its IPVS table has no service for ${vip}, or no real server in it`, directors.length > 1 ? 'vrrp' : 'director', 'ipvs', director);
  const target = view.reals.find((r) => (mode === 'tun' ? f3.outer?.dst === r.ip : mode === 'nat' ? f3.dst.ip === r.ip : false));
  const rsName = (ip: string) => view.reals.find((r) => r.ip === ip)?.host ?? ip;
  if (mode === 'nat') add(director, f3, `${director} rewrote the destination ${vip} → ${ep(f3.dst)} (NAT) and sends it to ${rsName(f3.dst.ip)} out of ${on(director, f3)}`);
  else if (mode === 'tun') add(director, f3, `${director} wraps it in a new IP header ${f3.outer?.src ?? '?'} → ${f3.outer?.dst ?? '?'} (IP-in-IP, TUN), the inner packet unchanged, and sends it to ${f3.outer ? rsName(f3.outer.dst) : '?'} out of ${on(director, f3)}`);
  else add(director, f3, `${director} sends it on unchanged (DR): same addresses, only the frame is addressed to a real server's MAC, out of ${on(director, f3)}`);

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
    return stop(`${director} sent it toward ${target ? `${target.host} (${target.ip})` : 'a real server'}, but no real server received it`, 'director', `reaches-${to}`, director);
  }
  const rs = view.reals.find((r) => r.host === real)!;
  const holder = Object.entries(captures.get(real)?.interfaces ?? {}).find(([, i]) => i.addrs.includes(view.svc.vip))?.[0];
  const holds = holder ? `, which ${real} holds on ${holder}` : `, which ${real} does not hold`;
  if (mode === 'nat') add(real, f4, `${real} receives it on ${on(real, f4)}: ${ep(f4.src)} → ${ep(f4.dst)}, the client's own address as the source`);
  else if (mode === 'dr') add(real, f4, `${real} receives it on ${on(real, f4)}${f4.mac ? ` from ${macOwner(captures, f4.mac) ?? f4.mac}'s MAC ${f4.mac}` : ''}, still addressed to the VIP ${vip}${holds}`);
  else {
    add(real, f4, `${real} receives the IP-in-IP packet on ${on(real, f4)}`);
    const inner = find(real, (x) => syn(x) && x.dir === 'in' && !x.outer && x.dst.ip === view.svc.vip);
    if (inner) add(real, inner, `${real}'s ${inner.iface} unwraps it: ${ep(inner.src)} → ${ep(inner.dst)}, to the VIP${holds}`);
  }

  // 5. The real server replies: a new packet, compared from here on with the reply before it.
  prev = undefined;
  const r1 = find(real, (p) => reply(p) && p.dir === 'out');
  const route = captures.get(real)?.route;
  if (!r1) {
    if (mode === 'nat') return stop(`${real} received the SYN but sent no reply on any interface${route ? ` (its route to ${clientIp}: ${route})` : ''}: it has no route back to ${clientIp}`, 'real-servers', 'route', real);
    const device = forwardingTask(lab, real).needs.vip?.device ?? (mode === 'dr' ? 'lo' : 'tunl0');
    if (!holder) return stop(`${real} received the SYN for the VIP ${view.svc.vip} but did not answer: it does not hold the VIP, and must (on ${device}) to accept a packet addressed to it`, 'real-servers', 'vip', real);
    if (mode === 'tun') return stop(`${real} holds the VIP on ${holder} and received the packet, but dropped it after unwrapping: reverse-path filtering (rp_filter) drops a packet from ${clientIp} that arrives on ${holder}, since replies to ${clientIp} leave by another interface`, 'real-servers', 'sysctls', real);
    return stop(`${real} holds the VIP on ${holder} and received the SYN, but sent no reply on any interface`, 'real-servers', 'vip', real);
  }
  const r1net = networkOf(lab, real, captures.get(real)?.interfaces ?? {}, r1.iface);
  if (r1.flags.includes('R')) {
    add(real, r1, `${real} answers with a reset (RST) from ${ep(r1.src)}: nothing listens there`);
    return stop(`${real} refused the connection: no web server listens on ${rs.ip}:${rs.port}`, 'real-servers', 'web-server', real);
  }
  if (!r1net) {
    add(real, r1, `${real} replies (SYN-ACK) from ${ep(r1.src)} to ${ep(r1.dst)}, out of ${r1.iface}, which is on no lab network${route ? ` (its route: ${route})` : ''}`);
    return stop(`${real} replied to ${clientIp} via ${r1.iface}, not a lab network${route ? ` (${route})` : ''}: the reply never reaches ${mode === 'nat' ? 'the director' : 'the client'}`, 'real-servers', mode === 'nat' ? 'route' : 'default-routes', real);
  }
  const gw = lab.hosts[real]?.gateway;
  if (mode === 'nat') add(real, r1, `${real} replies (SYN-ACK) from ${ep(r1.src)} to ${ep(r1.dst)} out of ${on(real, r1)}${gw ? `, via its gateway ${gw} (the director)` : ''}`);
  else add(real, r1, `${real} replies (SYN-ACK) from the VIP ${ep(r1.src)} to ${ep(r1.dst)} straight to the client, out of ${on(real, r1)}: the reply does not go back through the director`);

  if (mode === 'nat') {
    // 6–7. The director receives the reply and rewrites its source back to the VIP.
    const r2 = find(director, (p) => reply(p) && p.dir === 'in');
    if (!r2) return stop(`${real} sent its reply to ${clientIp}, but ${director} never received it: ${real}'s gateway is not the director (${route ?? 'see its routes'}), so the reply goes past it`, 'real-servers', 'route', real);
    add(director, r2, `${director} receives the reply on ${on(director, r2)}`);
    const r3 = find(director, (p) => reply(p) && p.dir === 'out');
    if (!r3) return stop(`${director} received ${real}'s reply but did not send it on: a NAT reply is a routed packet, and ${director} does not forward (ip_forward)`, 'director', 'ip_forward', director);
    add(director, r3, `${director} rewrote the source ${ep(r2.src)} → ${ep(r3.src)} and sends it to the client out of ${on(director, r3)}`);
  } else {
    const seen = find(director, (p) => reply(p));
    if (seen) notes.push(`${director} saw the reply too (on ${seen.iface}): in ${mode.toUpperCase()} mode replies should bypass the director`);
  }

  // 8. The client receives the reply, from the address it asked.
  const r4 = find(client, (p) => reply(p) && p.dir === 'in');
  if (!r4) return stop(`the reply left ${mode === 'nat' ? director : real} for ${clientIp}, but ${client} never received it`, 'path', 'vip-from-client', client);
  const fromVip = ep(r4.src) === vip;
  const frameFrom = r4.mac ? macOwner(captures, r4.mac) : undefined;
  const via = mode !== 'nat' && frameFrom ? ` (the frame comes from ${frameFrom}'s MAC, not the director's)` : '';
  add(client, r4, fromVip ? `${client} receives the reply from the VIP ${vip}, the address it asked${via}: the connection is set up` : `${client} receives a reply from ${ep(r4.src)}, not from the VIP ${vip} it asked: it drops it`);
  if (!fromVip) return stop(`the reply reached ${client} from ${ep(r4.src)} instead of the VIP: ${mode === 'nat' ? `it did not pass through ${director}` : `${real} did not answer from the VIP`}`, 'real-servers', mode === 'nat' ? 'route' : 'vip', real);
  const get = find(client, (p) => p.dir === 'out' && !!p.http?.startsWith('GET'));
  const answer = find(client, (p) => p.dir === 'in' && !!p.http?.startsWith('HTTP/'));
  if (get && answer) notes.push(`then ${client} sent "${get.http}" and got "${answer.http}" on the same path`);
  return { mode, director, realServer: real, steps, complete: true, notes };
}
