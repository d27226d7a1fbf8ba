// connection: lab addresses and gateway with nmcli, never-default elsewhere, and never the SSH session's own connection.
import { RunError } from '../errors.js';
import type { Link, NmConnection } from '../facts/types.js';
import { inCidr, parseCidr } from '../spec/ipv4.js';
import { sh } from '../ssh/quote.js';
import { connRef, findLink, profileFor, sshLink, sshPeerOnLink } from './interfaces.js';
import type { Change, HostContext, Module } from './types.js';

/** The task takes no settings: everything comes from the lab spec. */
export type ConnectionTask = Record<string, never>;

interface Wanted {
  network: string;
  link: Link;
  address: string;
  gateway: string;
  conn: NmConnection | undefined;
}

function wanted(ctx: HostContext): Wanted[] {
  return Object.entries(ctx.host.interfaces).map(([network, ip]) => {
    const cidr = ctx.lab.networks[network]!;
    const link = findLink(ctx, network, ip);
    const gw = ctx.host.gateway && inCidr(ctx.host.gateway, cidr) ? ctx.host.gateway : '';
    return { network, link, address: `${ip}/${parseCidr(cidr).prefix}`, gateway: gw, conn: profileFor(ctx, link) };
  });
}

function satisfied(w: Wanted): boolean {
  const c = w.conn;
  return !!c && c.method === 'manual' && c.addresses.length === 1 && c.addresses[0] === w.address && c.gateway === w.gateway;
}

function live(w: Wanted): boolean {
  return w.conn?.device === w.link.name && w.link.addrs.some((a) => `${a.ip}/${a.prefix}` === w.address);
}

function refuseSsh(ctx: HostContext, w: Wanted, what: string): never {
  throw new RunError(
    `${w.link.name} carries this SSH session (from ${ctx.facts.ssh?.clientIp}); lab will not ${what} it. ` +
      `Reach the host through another interface (e.g. a management NIC), or make the change on its console`,
    ctx.hostName,
  );
}

function planLab(ctx: HostContext, w: Wanted, ssh: Link | undefined): Change[] {
  if (satisfied(w) && live(w)) return [];
  if (ssh && w.link.name === ssh.name) refuseSsh(ctx, w, 're-address or restart');
  // Name the gateway when there is one to set or one to clear; `ipv4.gateway ''` alone only adds noise.
  const gw = w.gateway || w.conn?.gateway ? sh` ipv4.gateway ${w.gateway}` : '';
  if (!w.conn) {
    const name = `lab-${w.network}`;
    return [
      {
        title: `create ${name} on ${w.link.name}: ${w.address}${w.gateway ? ` via ${w.gateway}` : ''}`,
        commands: [sh`nmcli connection add type ethernet con-name ${name} ifname ${w.link.name} ipv4.method manual ipv4.addresses ${w.address}` + gw, sh`nmcli connection up ${name}`],
        record: { [`conn.created.${name}`]: w.link.name },
      },
    ];
  }
  const ref = connRef(ctx, w.conn);
  if (satisfied(w)) return [{ title: `activate ${ref} on ${w.link.name}`, commands: [sh`nmcli connection up ${ref} ifname ${w.link.name}`] }];
  const c = w.conn;
  return [
    {
      title: `${ref} on ${w.link.name}: ${w.address}${w.gateway ? ` via ${w.gateway}` : ''}`,
      commands: [sh`nmcli connection modify ${ref} ipv4.method manual ipv4.addresses ${w.address}` + gw, sh`nmcli connection up ${ref} ifname ${w.link.name}`],
      record: { [`conn.${c.uuid}.ipv4`]: [c.method, c.addresses.join(','), c.gateway].join(' ') },
    },
  ];
}

/** Active connections that would put a default route beside the lab gateway. */
function thieves(ctx: HostContext, lab: Wanted[]): NmConnection[] {
  if (!ctx.host.gateway) return [];
  const ours = new Set(lab.map((w) => w.conn?.uuid));
  return ctx.facts.connections.filter((c) => c.device !== '' && !ours.has(c.uuid) && !c.neverDefault && (c.method === 'auto' || c.gateway !== ''));
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
  };
}

export const connectionModule: Module<ConnectionTask> = {
  facts: ['nm'],
  label: () => 'connection',
  plan(_task, ctx) {
    if (!ctx.facts.nm) throw new RunError('NetworkManager is not running; the connection module configures addresses with nmcli. Start it: systemctl enable --now NetworkManager', ctx.hostName);
    const ssh = sshLink(ctx);
    const lab = wanted(ctx);
    return [...lab.flatMap((w) => planLab(ctx, w, ssh)), ...thieves(ctx, lab).map((c) => planNeverDefault(ctx, c, ssh))];
  },
  down(_task, ctx) {
    if (!ctx.facts.nm) return [];
    const changes: Change[] = [];
    for (const [key, value] of ctx.facts.state) {
      const m = /^conn\.(.+)\.(ipv4|never-default)$/.exec(key);
      const created = /^conn\.created\.(.+)$/.exec(key);
      if (created) {
        if (ctx.facts.connections.some((c) => c.name === created[1])) changes.push({ title: `delete ${created[1]}`, commands: [sh`nmcli connection delete ${created[1]!}`] });
        continue;
      }
      if (!m) continue;
      const c = ctx.facts.connections.find((x) => x.uuid === m[1]);
      if (!c) continue;
      const reapply = c.device ? [sh`nmcli device reapply ${c.device}`] : [];
      if (m[2] === 'never-default' && c.neverDefault) {
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
