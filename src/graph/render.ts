// A lab's topology drawn from its graph model: a plain-text drawing for the terminal, Graphviz DOT, and Mermaid.
import { roleWords, vrrpNote, type GraphHost, type GraphService, type LabGraph } from './model.js';

/** A service's real servers with their weights: "web1 (weight 1), web2 (weight 3)". */
function realsText(s: GraphService): string {
  return s.reals.map((r) => `${r.host} (weight ${r.weight})`).join(', ');
}

/** One line per service: what the client asks for, and how the director passes it on. */
export function serviceLine(s: GraphService): string {
  const reals = realsText(s);
  const back = s.repliesViaDirector ? 'replies back through the director' : 'replies straight to the client, not through the director';
  const who = s.vrrp ? `directors ${s.vrrp.directors.join(', ')} (keepalived VRRP ${s.vrrp.group}, router id ${s.vrrp.routerId}: the master holds the VIP)` : `director ${s.director ?? '?'}`;
  return `${s.name}, ${s.scheduler}, ${s.mode}: ${who} → ${reals}; ${back}`;
}

function gatewayText(h: GraphHost): string {
  if (!h.gateway) return '';
  return `gateway ${h.gateway.address}${h.gateway.host ? ` (${h.gateway.host})` : ''}`;
}

/** Who uses this host's address on this network as their gateway. */
function gatewayOf(g: LabGraph, address: string): string[] {
  return g.hosts.filter((h) => h.gateway?.address === address).map((h) => h.name);
}

/**
 * The terminal drawing: the services, then each network as a segment with the hosts on it, their role, their
 * address there, the VIPs they hold, and the gateways.
 */
export function renderText(g: LabGraph): string {
  const out: string[] = [`${g.lab}${g.description ? `: ${g.description}` : ''}`, ''];
  for (const s of g.services) out.push(`service ${serviceLine(s)}`);
  if (g.services.length > 0) out.push('');
  const nameWidth = Math.max(...g.hosts.map((h) => h.name.length));
  const roleWidth = Math.max(...g.hosts.map((h) => roleWords(h.role).length + 2));
  const addrWidth = Math.max(15, ...g.hosts.flatMap((h) => h.links.map((l) => `${l.address}${ifaceNote(l)}`.length)));
  for (const net of g.networks) {
    out.push(`${net.name} ${net.cidr}`);
    const on = g.hosts.flatMap((h) => h.links.filter((l) => l.network === net.name).map((l) => ({ h, l })));
    if (on.length === 0) out.push('  (no host)');
    on.forEach(({ h, l }, i) => {
      const notes: string[] = [];
      const vips = l.vips.map((v) => (v === l.address ? 'the VIP' : `VIP ${v}`));
      notes.push(...vips, ...(l.vrrp ?? []).map(vrrpNote));
      const users = gatewayOf(g, l.address);
      if (users.length > 0) notes.push(`gateway of ${users.join(', ')}`);
      const gw = gatewayText(h);
      if (gw && (!h.gateway?.host || g.hosts.find((x) => x.name === h.gateway!.host)?.links.some((x) => x.network === net.name))) notes.push(gw);
      for (const v of h.hiddenVips) notes.push(`VIP ${v.vip} on ${v.device}, not announced`);
      const branch = i === on.length - 1 ? '└─' : '├─';
      const address = `${l.address}${ifaceNote(l)}`.padEnd(addrWidth);
      out.push(`  ${branch} ${h.name.padEnd(nameWidth)}  ${`[${roleWords(h.role)}]`.padEnd(roleWidth)}  ${address}${notes.length > 0 ? `  ${notes.join('; ')}` : ''}`.trimEnd());
    });
  }
  const unlinked = g.hosts.filter((h) => h.links.length === 0);
  for (const h of unlinked) out.push(`${h.name} [${roleWords(h.role)}]: on no network`);
  return `${out.join('\n')}\n`;
}

/** A DOT double-quoted string. */
function dq(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const ROLE_COLORS: Record<string, string> = { client: '#fff4d6', director: '#dbeafe', 'real-server': '#dcfce7', router: '#f3e8ff' };

function hostLabel(h: GraphHost): string {
  // The role under the name, unless the name says it already (a host called client).
  const lines = h.name === h.role ? [h.name] : [h.name, roleWords(h.role)];
  for (const v of h.hiddenVips) lines.push(`VIP ${v.vip} on ${v.device}`);
  const gw = gatewayText(h);
  if (gw) lines.push(gw);
  return lines.join('\n');
}

/**
 * The links in the order a request travels them: from the clients outwards (host, its networks, the hosts on those,
 * and on), each written in the direction it was reached, so `dot` ranks the drawing top-down as the course draws it:
 * client, the public network, the director, the private network, the real servers. Links not reached come last.
 */
export function travelOrder(g: LabGraph): { from: string; to: string; host: GraphHost; link: GraphHost['links'][number] }[] {
  const out: { from: string; to: string; host: GraphHost; link: GraphHost['links'][number] }[] = [];
  const done = new Set<string>();
  const seenHosts = new Set<string>();
  const seenNets = new Set<string>();
  const starts = g.hosts.filter((h) => h.role === 'client');
  const queue: ({ host: GraphHost } | { net: string })[] = (starts.length > 0 ? starts : g.hosts.slice(0, 1)).map((host) => ({ host }));
  for (const q of queue) if ('host' in q) seenHosts.add(q.host.name);
  while (queue.length > 0) {
    const q = queue.shift()!;
    if ('host' in q) {
      for (const link of q.host.links) {
        const key = `${q.host.name}/${link.network}`;
        if (done.has(key)) continue;
        done.add(key);
        out.push({ from: `host:${q.host.name}`, to: `net:${link.network}`, host: q.host, link });
        if (!seenNets.has(link.network)) {
          seenNets.add(link.network);
          queue.push({ net: link.network });
        }
      }
    } else {
      for (const host of g.hosts) {
        const link = host.links.find((l) => l.network === q.net);
        if (!link || done.has(`${host.name}/${q.net}`)) continue;
        done.add(`${host.name}/${q.net}`);
        out.push({ from: `net:${q.net}`, to: `host:${host.name}`, host, link });
        if (!seenHosts.has(host.name)) {
          seenHosts.add(host.name);
          queue.push({ host });
        }
      }
    }
  }
  for (const host of g.hosts) for (const link of host.links) if (!done.has(`${host.name}/${link.network}`)) out.push({ from: `host:${host.name}`, to: `net:${link.network}`, host, link });
  return out;
}

/** ` on ens3`, or ` (on no interface)`, for a link seen live; nothing for one drawn from the spec. */
export function ifaceNote(l: GraphHost['links'][number]): string {
  return l.iface === undefined ? '' : l.iface === null ? ' (on no interface!)' : ` on ${l.iface}`;
}

function linkLabel(l: GraphHost['links'][number]): string {
  return [`${l.address}${ifaceNote(l)}`, ...l.vips.map((v) => (v === l.address ? '= the VIP' : `+ VIP ${v}`)), ...(l.vrrp ?? []).map((v) => `+ VIP ${v.vip} (VRRP, prio ${v.priority})`)].join('\n');
}

/**
 * Graphviz DOT: networks as wide segment nodes, hosts coloured by role and linked to each network with their address
 * there (and the VIP they hold on it), top-down in the order a request travels. Gateways and VIPs held on a device
 * are in the host's own label; each service, its scheduler, mode and real servers in the title.
 */
export function renderDot(g: LabGraph): string {
  const out: string[] = [];
  // Short lines: Graphviz does not widen the drawing for its title.
  const title = [g.lab, ...g.services.flatMap((s) => [`${s.name} ${s.scheduler}, ${s.mode}`, `${s.vrrp ? s.vrrp.directors.join(' / ') : (s.director ?? '?')} → ${realsText(s)}`])].join('\n');
  out.push(`graph ${dq(g.lab)} {`);
  out.push(`  graph [label=${dq(title)}, labelloc=t, fontname="Helvetica", fontsize=14, nodesep=0.6, ranksep=0.6];`);
  out.push('  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", color="#475569", margin="0.2,0.08"];');
  out.push('  edge [fontname="Helvetica", fontsize=10, color="#475569"];');
  for (const n of g.networks) out.push(`  ${dq(`net:${n.name}`)} [label=${dq(`${n.name} ${n.cidr}`)}, shape=box, style="filled", fillcolor="#e2e8f0", penwidth=2, width=3.5];`);
  for (const h of g.hosts) out.push(`  ${dq(`host:${h.name}`)} [label=${dq(hostLabel(h))}, fillcolor=${dq(ROLE_COLORS[h.role] ?? '#f8fafc')}];`);
  for (const e of travelOrder(g)) out.push(`  ${dq(e.from)} -- ${dq(e.to)} [label=${dq(linkLabel(e.link))}];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** A Mermaid node id: letters, digits and underscores. */
function mid(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Mermaid label text: quotes and angle brackets as entities, lines joined with <br/>. */
function ml(lines: string[]): string {
  return `"${lines.map((l) => l.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

/** A Mermaid flowchart (GitHub and many wikis draw it): the same nodes and links as the DOT drawing. */
export function renderMermaid(g: LabGraph): string {
  const out: string[] = ['flowchart LR'];
  for (const s of g.services) out.push(`  %% ${s.name} ${s.scheduler}, ${s.mode}`);
  for (const n of g.networks) out.push(`  ${mid('net', n.name)}[[${ml([n.name, n.cidr])}]]`);
  for (const h of g.hosts) out.push(`  ${mid('host', h.name)}(${ml(hostLabel(h).split('\n'))})`);
  for (const h of g.hosts) {
    for (const l of h.links) {
      const label = [`${l.address}${ifaceNote(l)}`, ...l.vips.filter((v) => v !== l.address).map((v) => `VIP ${v}`), ...(l.vrrp ?? []).map((v) => `VIP ${v.vip} (VRRP prio ${v.priority})`)].join(' ');
      out.push(`  ${mid('host', h.name)} ---|${ml([label])}| ${mid('net', l.network)}`);
    }
  }
  for (const s of g.services) {
    for (const d of s.vrrp?.directors ?? (s.director ? [s.director] : []))
      for (const r of s.reals) out.push(`  ${mid('host', d)} -.->|${ml([`${s.forwarding} w${r.weight}`])}| ${mid('host', r.host)}`);
  }
  for (const h of g.hosts) if (h.gateway?.host) out.push(`  ${mid('host', h.name)} -.->|gateway| ${mid('host', h.gateway.host)}`);
  for (const [role, color] of Object.entries(ROLE_COLORS)) {
    const ids = g.hosts.filter((h) => h.role === role).map((h) => mid('host', h.name));
    if (ids.length === 0) continue;
    out.push(`  classDef ${mid('role', role)} fill:${color}`);
    out.push(`  class ${ids.join(',')} ${mid('role', role)}`);
  }
  return `${out.join('\n')}\n`;
}
