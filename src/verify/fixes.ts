// Fix commands with this host's real names: its nmcli connection for a device, its unit and package names.
import type { Link, NmConnection } from '../facts/types.js';
import { writeCommand } from '../modules/file.js';
import { stayDownCommands } from '../modules/connection.js';
import { connRef, profileFor } from '../modules/interfaces.js';
import type { HostContext } from '../modules/types.js';
import { quote, sh } from '../ssh/quote.js';

export function linkByName(ctx: HostContext, dev: string | undefined): Link | undefined {
  return dev ? ctx.facts.links.find((l) => l.name === dev) : undefined;
}

/** The link that holds an address now. */
export function linkHolding(ctx: HostContext, ip: string): Link | undefined {
  return ctx.facts.links.find((l) => l.addrs.some((a) => a.ip === ip));
}

/** The NetworkManager connection of a link and how to name it in a command. */
export function nmFor(ctx: HostContext, link: Link | undefined): { conn: NmConnection; ref: string } | undefined {
  if (!link || !ctx.facts.nm) return undefined;
  const conn = profileFor(ctx, link);
  return conn ? { conn, ref: connRef(ctx, conn) } : undefined;
}

/** Make `gateway` the default route on `link`: in the connection profile when NetworkManager manages it, else at runtime. */
export function gatewayFix(ctx: HostContext, link: Link | undefined, gateway: string): string[] {
  const nm = nmFor(ctx, link);
  // A profile that may never hold the default route would not take the gateway either: lift that too.
  if (nm) return [sh`nmcli connection modify ${nm.ref} ipv4.gateway ${gateway}` + (nm.conn.neverDefault ? ' ipv4.never-default no' : '') + ' && ' + sh`nmcli connection up ${nm.ref}`];
  return [link ? sh`ip route replace default via ${gateway} dev ${link.name}` : sh`ip route replace default via ${gateway}`];
}

/**
 * Take a default route off a device without taking the device down: when its profile hands out that route, keep the
 * profile from ever holding one; when the route is runtime-only (an `ip route add` by hand, or on a profile whose gateway
 * is the lab's), put the device back to its profile.
 */
export function neverDefaultFix(ctx: HostContext, dev: string, gateway: string | undefined, labGateway?: string): string[] {
  const nm = nmFor(ctx, linkByName(ctx, dev));
  if (nm) {
    const c = nm.conn;
    const hands = !c.neverDefault && (c.method === 'auto' || (c.gateway !== '' && c.gateway !== labGateway));
    return [hands ? sh`nmcli connection modify ${nm.ref} ipv4.never-default yes` + ' && ' + sh`nmcli device reapply ${dev}` : sh`nmcli device reapply ${dev}`];
  }
  return [gateway ? sh`ip route del default via ${gateway} dev ${dev}` : sh`ip route del default dev ${dev}`];
}

/** Take an address off the host: its connection down (and not up again at boot), or the address deleted. */
export function dropAddressFix(ctx: HostContext, link: Link, ip: string): string[] {
  const active = ctx.facts.nm ? ctx.facts.connections.find((c) => c.device === link.name) : undefined;
  if (active) return [stayDownCommands(connRef(ctx, active), active.autoconnect).join(' && ')];
  const a = link.addrs.find((x) => x.ip === ip);
  return [sh`ip addr del ${`${ip}/${a?.prefix ?? 32}`} dev ${link.name}`];
}

/** Start and enable a unit, installing its package first when it is missing. */
export function serviceFix(ctx: HostContext, logical: string, installed: boolean): string[] {
  const unit = ctx.os.services[logical] ?? logical;
  const pkg = ctx.os.packages[logical] ?? logical;
  return [...(installed ? [] : [ctx.os.install([pkg])]), sh`systemctl enable --now ${unit}`];
}

export function sysctlRuntimeFix(key: string, value: string): string {
  return `sysctl -w ${quote(`${key}=${value}`)}`;
}

export function writeFileFix(path: string, content: string): string {
  return writeCommand(path, content);
}
