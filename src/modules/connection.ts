// connection: lab addresses and gateway with nmcli, never-default elsewhere, and never the SSH session's own connection.
import { z } from 'zod';
import { RunError } from '../errors.js';
import type { Link, NmConnection, Route } from '../facts/types.js';
import { inCidr } from '../spec/ipv4.js';
import { heldVips, keepalivedVips, profileAddresses } from '../spec/services.js';
import { argv, sh } from '../ssh/quote.js';
import { valuesDiff } from './file.js';
import { connRef, findLink, profileFor, sshLink, sshPeerOnLink } from './interfaces.js';
import type { Change, HostContext, Module } from './types.js';

/** The task takes no settings: everything comes from the lab spec. */
export type ConnectionTask = Record<string, never>;

interface Wanted {
  network: string;
  link: Link;
  /** Its own address first, then a VIP it directs beside it (DR, TUN), each with the network's prefix. */
  addresses: string[];
  gateway: string;
  conn: NmConnection | undefined;
}

function wanted(ctx: HostContext): Wanted[] {
  return Object.entries(ctx.host.interfaces).map(([network, ip]) => {
    const cidr = ctx.lab.networks[network]!;
    const link = findLink(ctx, network, ip);
    const gw = ctx.host.gateway && inCidr(ctx.host.gateway, cidr) ? ctx.host.gateway : '';
    return { network, link, addresses: profileAddresses(ctx.lab, ctx.hostName, network), gateway: gw, conn: profileFor(ctx, link) };
  });
}

/** The profile gives exactly the wanted addresses and gateway, and may hold the default route when it has a gateway. */
function satisfied(w: Wanted): boolean {
  const c = w.conn;
  return !!c && c.method === 'manual' && c.addresses.join(',') === w.addresses.join(',') && c.gateway === w.gateway && !(w.gateway && c.neverDefault);
}

/** IPv4 addresses NetworkManager does not manage on its own (169.254/16, which zeroconf may add) are not drift. */
const linkLocal = (ip: string) => ip.startsWith('169.254.');

/**
 * Where the link differs now from its (correct, active) profile: an address deleted or added with `ip addr`, a default
 * route added with `ip route add`, or the profile's default route deleted. NetworkManager does not undo
 * runtime changes by itself; `nmcli device reapply` puts the profile's addresses and routes back, exactly.
 */
function drift(ctx: HostContext, w: Wanted): string[] {
  const out: string[] = [];
  const missing = w.addresses.filter((want) => !w.link.addrs.some((a) => `${a.ip}/${a.prefix}` === want));
  if (missing.length > 0) out.push(`${missing.join(', ')} missing`);
  // keepalived adds and removes a VRRP VIP itself (a reapply would take it from the master).
  const vrrp = keepalivedVips(ctx.lab, ctx.hostName);
  const extra = w.link.addrs.filter((a) => !linkLocal(a.ip) && !vrrp.includes(a.ip) && !w.addresses.includes(`${a.ip}/${a.prefix}`));
  if (extra.length > 0) out.push(`${extra.map((a) => `${a.ip}/${a.prefix}`).join(', ')} not in the profile`);
  const defaults = ctx.facts.routes.filter((r) => r.dst === 'default' && r.dev === w.link.name);
  const stray = defaults.filter((r) => r.gateway !== w.gateway || !w.gateway);
  if (stray.length > 0) out.push(`${stray.map(routeText).join('; ')} not in the profile`);
  if (w.gateway && !defaults.some((r) => r.gateway === w.gateway)) out.push(`no default route via ${w.gateway}`);
  return out;
}

export function routeText(r: { gateway?: string; dev?: string; metric?: number }): string {
  return `default${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
}

function refuseSsh(ctx: HostContext, w: Wanted, what: string): never {
  throw new RunError(
    `${w.link.name} carries this SSH session (from ${ctx.facts.ssh?.clientIp}); lab will not ${what} it. ` +
      `Reach the host through another interface (e.g. a management NIC), or make the change on its console`,
    ctx.hostName,
  );
}

function planLab(ctx: HostContext, w: Wanted, ssh: Link | undefined): Change[] {
  if (satisfied(w) && w.conn!.device === w.link.name) {
    const off = drift(ctx, w);
    if (off.length === 0) return [];
    if (ssh && w.link.name === ssh.name) {
      // The session arrived at an address the profile does not give: reapply would take it away.
      const own = ctx.facts.ssh?.serverIp;
      if (own && !w.addresses.some((a) => a.startsWith(`${own}/`))) refuseSsh(ctx, w, `remove ${own} (not in its profile) from`);
      if (!sshPeerOnLink(ctx, ssh) && off.some((o) => o.includes('default'))) refuseSsh(ctx, w, 'change the default routes of');
    }
    // Reapply changes the live device in place (no down and up), so an SSH session over it survives.
    return [{ title: `${w.link.name} back to its profile ${connRef(ctx, w.conn!)} at runtime (${off.join('; ')})`, commands: [sh`nmcli device reapply ${w.link.name}`] }];
  }
  if (ssh && w.link.name === ssh.name) refuseSsh(ctx, w, 're-address or restart');
  // Name the gateway when there is one to set or one to clear; `ipv4.gateway ''` alone only adds noise.
  // With never-default yes, NetworkManager would keep the gateway off the routing table.
  const gw = (w.gateway || w.conn?.gateway ? sh` ipv4.gateway ${w.gateway}` : '') + (w.gateway && w.conn?.neverDefault ? ' ipv4.never-default no' : '');
  if (!w.conn) {
    const name = `lab-${w.network}`;
    return [
      {
        title: `create ${name} on ${w.link.name}: ${w.addresses.join(', ')}${w.gateway ? ` via ${w.gateway}` : ''}`,
        commands: [sh`nmcli connection add type ethernet con-name ${name} ifname ${w.link.name} ipv4.method manual ipv4.addresses ${w.addresses.join(', ')}` + gw, sh`nmcli connection up ${name}`],
        record: { [`conn.created.${name}`]: w.link.name },
        diff: valuesDiff([
          [`${name} ipv4.method`, undefined, 'manual'],
          [`${name} ipv4.addresses`, undefined, w.addresses.join(', ')],
          [`${name} ipv4.gateway`, undefined, w.gateway],
        ]),
      },
    ];
  }
  const ref = connRef(ctx, w.conn);
  if (satisfied(w)) return [{ title: `activate ${ref} on ${w.link.name}`, commands: [sh`nmcli connection up ${ref} ifname ${w.link.name}`] }];
  const c = w.conn;
  return [
    {
      title: `${ref} on ${w.link.name}: ${w.addresses.join(', ')}${w.gateway ? ` via ${w.gateway}` : ''}`,
      commands: [sh`nmcli connection modify ${ref} ipv4.method manual ipv4.addresses ${w.addresses.join(', ')}` + gw, sh`nmcli connection up ${ref} ifname ${w.link.name}`],
      record: { [`conn.${c.uuid}.ipv4`]: [c.method, c.addresses.join(','), c.gateway].join(' ') },
      diff: valuesDiff([
        [`${ref} ipv4.method`, c.method, 'manual'],
        [`${ref} ipv4.addresses`, c.addresses.join(', '), w.addresses.join(', ')],
        [`${ref} ipv4.gateway`, c.gateway, w.gateway],
        ...(w.gateway && c.neverDefault ? [[`${ref} ipv4.never-default`, 'yes', 'no'] as [string, string, string]] : []),
      ]),
    },
  ];
}

/** A non-lab link with addresses on lab networks the spec does not put this host on: `held` says which, per network. */
interface Stray {
  link: Link;
  held: string;
}

/**
 * Links outside the lab's of a host routed through a lab gateway that hold addresses on a lab network the spec does not
 * put it on: it would answer clients there directly, bypassing the gateway (the course note: "如果有4网段IP地址，需要临时关闭",
 * take a 4-network address down).
 */
function strays(ctx: HostContext, lab: Wanted[]): Stray[] {
  if (!ctx.host.gateway) return [];
  const labLinks = new Set(lab.map((w) => w.link.name));
  const foreign = Object.entries(ctx.lab.networks).filter(([n]) => !(n in ctx.host.interfaces));
  // A VIP its forwarding mode has it hold (tunl0's, under TUN) is no stray.
  const vips = heldVips(ctx.lab, ctx.hostName);
  return ctx.facts.links
    .filter((l) => !labLinks.has(l.name))
    .flatMap((link) => {
      const held = foreign.flatMap(([network, cidr]) => {
        const ips = link.addrs.filter((a) => inCidr(a.ip, cidr) && !vips.includes(a.ip)).map((a) => a.ip);
        return ips.length > 0 ? [`${ips.join(', ')} on the lab's ${network} network`] : [];
      });
      return held.length > 0 ? [{ link, held: held.join(' and ') }] : [];
    });
}

/** Take a profile down, now and at boot (autoconnect off, when it is on). */
export function stayDownCommands(ref: string, autoconnect: boolean): string[] {
  return [...(autoconnect ? [sh`nmcli connection modify ${ref} connection.autoconnect no`] : []), sh`nmcli connection down ${ref}`];
}

/** Take the profile that holds stray addresses down, now and at boot. */
function planStray(ctx: HostContext, s: Stray, ssh: Link | undefined): Change {
  const why = `it holds ${s.held}, so replies to clients there would bypass the gateway ${ctx.host.gateway}`;
  if (ssh && ssh.name === s.link.name)
    throw new RunError(`${s.link.name} carries this SSH session (from ${ctx.facts.ssh?.clientIp}) and ${why}; lab will not take it down. Reach the host through another interface, or take it down on its console`, ctx.hostName);
  const c = ctx.facts.connections.find((x) => x.device === s.link.name);
  if (!c) throw new RunError(`${s.link.name} is not managed by NetworkManager and ${why}. Remove those addresses where they are configured (ip addr del lasts until the next boot)`, ctx.hostName);
  const ref = connRef(ctx, c);
  return {
    title: `${ref} on ${s.link.name}: down, and not at boot (${why})`,
    commands: stayDownCommands(ref, c.autoconnect),
    record: { [`conn.${c.uuid}.down`]: c.autoconnect ? 'yes' : 'no' },
  };
}

/** Active connections that would put a default route beside the lab gateway; `skip` are taken down anyway. */
function thieves(ctx: HostContext, lab: Wanted[], skip: Set<string>): NmConnection[] {
  if (!ctx.host.gateway) return [];
  const ours = new Set(lab.map((w) => w.conn?.uuid));
  return ctx.facts.connections.filter((c) => c.device !== '' && !skip.has(c.device) && !ours.has(c.uuid) && !c.neverDefault && (c.method === 'auto' || c.gateway !== ''));
}

function planNeverDefault(ctx: HostContext, c: NmConnection, ssh: Link | undefined): Change {
  const link = ctx.facts.links.find((l) => l.name === c.device);
  if (ssh && link && ssh.name === link.name && !sshPeerOnLink(ctx, link))
    throw new RunError(
      `${c.device} carries this SSH session from ${ctx.facts.ssh?.clientIp}, which is routed through its default route; ` +
        `giving it never-default so that ${ctx.host.gateway} can be the gateway would cut the session. Connect through the lab network or a directly attached network`,
      ctx.hostName,
    );
  const ref = connRef(ctx, c);
  return {
    title: `${ref} on ${c.device}: never the default route (the lab's gateway is ${ctx.host.gateway})`,
    // reapply updates the live device without taking it down, so an SSH session over it survives.
    commands: [sh`nmcli connection modify ${ref} ipv4.never-default yes`, sh`nmcli device reapply ${c.device}`],
    record: { [`conn.${c.uuid}.never-default`]: 'no' },
    diff: valuesDiff([[`${ref} ipv4.never-default`, 'no', 'yes']]),
  };
}

/**
 * Default routes on links outside the lab that no profile puts there (an `ip route add default …` by hand) while the
 * lab's gateway should be the only one; routes of a thief are left to its never-default change.
 */
function strayDefaults(ctx: HostContext, lab: Wanted[], thieves: NmConnection[], down: Set<string>, ssh: Link | undefined): Change[] {
  if (!ctx.host.gateway) return [];
  const labLinks = new Set(lab.map((w) => w.link.name));
  const skip = new Set([...down, ...thieves.map((c) => c.device)]);
  const byDev = new Map<string, Route[]>();
  for (const r of ctx.facts.routes) if (r.dst === 'default' && r.dev && !labLinks.has(r.dev) && !skip.has(r.dev)) byDev.set(r.dev, [...(byDev.get(r.dev) ?? []), r]);
  return [...byDev].map(([dev, routes]) => {
    const link = ctx.facts.links.find((l) => l.name === dev);
    const what = routes.map(routeText).join('; ');
    if (ssh && link && ssh.name === dev && !sshPeerOnLink(ctx, link))
      throw new RunError(`${what} carries this SSH session from ${ctx.facts.ssh?.clientIp}; removing it so that ${ctx.host.gateway} is the only gateway would cut the session. Connect through the lab network or a directly attached network`, ctx.hostName);
    const conn = ctx.facts.connections.find((c) => c.device === dev);
    const title = `${what}: removed, the lab's gateway ${ctx.host.gateway} is the only default route (no profile puts it there)`;
    // A device NetworkManager manages goes back to its profile in place; elsewhere each route is deleted as it is.
    if (conn) return { title, commands: [sh`nmcli device reapply ${dev}`] };
    return { title, commands: routes.map((r) => argv(['ip', 'route', 'del', 'default', ...(r.gateway ? ['via', r.gateway] : []), 'dev', dev, ...(r.metric !== undefined ? ['metric', r.metric] : [])])) };
  });
}

export const connectionModule: Module<ConnectionTask> = {
  key: 'connection',
  schema: z.strictObject({}),
  bind: () => ({}),
  facts: ['nm'],
  label: () => 'connection',
  // Every lab address (and a directed VIP) in its profile and live, the gateway as the only default route.
  desired: () => ['addresses', 'routes'],
  plan(_task, ctx) {
    if (!ctx.facts.nm) throw new RunError('NetworkManager is not running; the connection module configures addresses with nmcli. Start it: systemctl enable --now NetworkManager', ctx.hostName);
    const ssh = sshLink(ctx);
    const lab = wanted(ctx);
    const stray = strays(ctx, lab);
    const downs = stray.map((s) => planStray(ctx, s, ssh));
    const skip = new Set(stray.map((s) => s.link.name));
    const thief = thieves(ctx, lab, skip);
    return [...lab.flatMap((w) => planLab(ctx, w, ssh)), ...downs, ...thief.map((c) => planNeverDefault(ctx, c, ssh)), ...strayDefaults(ctx, lab, thief, skip, ssh)];
  },
  down(_task, ctx) {
    if (!ctx.facts.nm) return [];
    const changes: Change[] = [];
    for (const [key, value] of ctx.facts.state) {
      const m = /^conn\.(.+)\.(ipv4|never-default|down)$/.exec(key);
      const created = /^conn\.created\.(.+)$/.exec(key);
      if (created) {
        if (ctx.facts.connections.some((c) => c.name === created[1])) changes.push({ title: `delete ${created[1]}`, commands: [sh`nmcli connection delete ${created[1]!}`] });
        continue;
      }
      if (!m) continue;
      const c = ctx.facts.connections.find((x) => x.uuid === m[1]);
      if (!c) continue;
      const reapply = c.device ? [sh`nmcli device reapply ${c.device}`] : [];
      if (m[2] === 'down') {
        const autoconnect = value === 'yes';
        if (c.device !== '' && c.autoconnect === autoconnect) continue;
        changes.push({
          title: `${c.name}: up again${autoconnect ? ', and at boot' : ''}`,
          commands: [...(c.autoconnect !== autoconnect ? [sh`nmcli connection modify ${c.uuid} connection.autoconnect ${value}`] : []), ...(c.device ? [] : [sh`nmcli connection up ${c.uuid}`])],
        });
      } else if (m[2] === 'never-default' && c.neverDefault) {
        changes.push({ title: `${c.name}: may hold the default route again`, commands: [sh`nmcli connection modify ${c.uuid} ipv4.never-default no`, ...reapply] });
      } else if (m[2] === 'ipv4') {
        const [method = 'auto', addrs = '', gw = ''] = value.split(' ');
        if (c.method === method && c.addresses.join(',') === addrs && c.gateway === gw) continue;
        changes.push({
          title: `${c.name}: back to ipv4 ${method}${addrs ? ` ${addrs}` : ''}`,
          commands: [sh`nmcli connection modify ${c.uuid} ipv4.method ${method} ipv4.addresses ${addrs.replace(/,/g, ', ')} ipv4.gateway ${gw}`, ...reapply],
        });
      }
    }
    return changes;
  },
};
