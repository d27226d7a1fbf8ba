// Renders IPVS operations as ipvsadm argv arrays, and services as the exact text `ipvsadm -Sn` prints.
import type { IpvsOp } from './diff.js';
import {
  compareAddresses,
  forwardingFlag,
  hostPort,
  serviceArgs,
  type IpvsReal,
  type IpvsService,
} from './model.js';

function serviceSettings(s: IpvsService): string[] {
  const args = ['-s', s.scheduler];
  if (s.persistence !== undefined) {
    args.push('-p', String(s.persistence));
    if (s.netmask !== undefined) args.push('-M', s.netmask);
  }
  return [...args, ...(s.options ?? [])];
}

function realSettings(r: IpvsReal): string[] {
  return ['-w', String(r.weight), forwardingFlag(r.forwarding), ...(r.options ?? [])];
}

/**
 * The ipvsadm command for one operation, as an argv array (no shell quoting needed: no element has spaces),
 * in the course's style: `ipvsadm -A -t 192.168.4.5:80 -s wrr`,
 * `ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m`. The real port is always explicit.
 * -E and -e carry the full settings: ipvsadm rebuilds the service/real from the command line alone
 * (an -E without -p makes the service non-persistent, without -s resets the scheduler to wlc).
 */
export function renderOp(op: IpvsOp): string[] {
  const svc = serviceArgs(op.service);
  switch (op.op) {
    case 'add-service':
      return ['ipvsadm', '-A', ...svc, ...serviceSettings(op.service)];
    case 'edit-service':
      return ['ipvsadm', '-E', ...svc, ...serviceSettings(op.service)];
    case 'delete-service':
      return ['ipvsadm', '-D', ...svc];
    case 'add-real':
      return ['ipvsadm', '-a', ...svc, '-r', hostPort(op.real.address, op.real.port), ...realSettings(op.real)];
    case 'edit-real':
      return ['ipvsadm', '-e', ...svc, '-r', hostPort(op.real.address, op.real.port), ...realSettings(op.real)];
    case 'delete-real':
      return ['ipvsadm', '-d', ...svc, '-r', hostPort(op.real.address, op.real.port)];
  }
}

/** One line for logs and plans: the argv joined with spaces. */
export function formatOp(op: IpvsOp): string {
  return renderOp(op).join(' ');
}

export interface SaveOptions {
  /**
   * ipvsadm ≥ 1.30 (Rocky 9, Debian 12: 1.31) appends `--tun-type ipip` to every -i real; 1.27 (CentOS 7) does not.
   * Default true.
   */
  tunType?: boolean;
}

const PROTOCOL_ORDER = { tcp: 6, udp: 17 } as const;

/** ipvsadm's sort (libipvs ipvs_cmp_services): fwmark (address services have 0), family, protocol, address, port. */
function compareServices(a: IpvsService, b: IpvsService): number {
  const mark = (s: IpvsService): number => (s.selector?.[0] === '-f' ? Number(s.selector[1]) : 0);
  const v6 = (s: IpvsService): number => (s.selector ? (s.selector.includes('-6') || (s.selector[1] ?? '').startsWith('[') ? 1 : 0) : s.vip.includes(':') ? 1 : 0);
  const proto = (s: IpvsService): number => (s.selector ? (s.selector[0] === '--sctp-service' ? 132 : 6) : PROTOCOL_ORDER[s.protocol]);
  const addr = (s: IpvsService): [string, number] => {
    if (!s.selector) return [s.vip, s.port];
    if (s.selector[0] !== '--sctp-service') return ['0.0.0.0', 0];
    const m = /^\[?(.*?)\]?:(\d+)$/.exec(s.selector[1] ?? '');
    return [m?.[1] ?? '0.0.0.0', Number(m?.[2] ?? 0)];
  };
  const [aa, ap] = addr(a);
  const [ba, bp] = addr(b);
  return mark(a) - mark(b) || v6(a) - v6(b) || proto(a) - proto(b) || compareAddresses(aa, ba) || ap - bp;
}

/**
 * The text `ipvsadm -Sn` prints for these services (sorted as ipvsadm sorts them; an empty table prints nothing):
 *   -A -t 192.168.4.5:80 -s wrr [-p 300 [-M 255.255.255.0]] [--pe sip] [-o] [-b flags]
 *   -a -t 192.168.4.5:80 -r 192.168.2.100:80 -m -w 1 [--tun-type ipip]
 * Real-server options kept from a hand-written file (-x/-y) are appended too, though ipvsadm never prints them.
 */
export function renderSave(services: IpvsService[], opts: SaveOptions = {}): string {
  const tunType = opts.tunType ?? true;
  const lines: string[] = [];
  for (const s of [...services].sort(compareServices)) {
    const svc = serviceArgs(s).join(' ');
    lines.push(`-A ${svc} ${serviceSettings(s).join(' ')}`);
    const reals = [...s.reals].sort((x, y) => compareAddresses(x.address, y.address) || x.port - y.port);
    for (const r of reals) {
      let extra = r.options ?? [];
      if (r.forwarding === 'tun' && tunType && !extra.includes('--tun-type')) extra = ['--tun-type', 'ipip', ...extra];
      const tail = extra.length > 0 ? ` ${extra.join(' ')}` : '';
      lines.push(`-a ${svc} -r ${hostPort(r.address, r.port)} ${forwardingFlag(r.forwarding)} -w ${r.weight}${tail}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}
