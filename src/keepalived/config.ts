// keepalived.conf from the spec: one vrrp_instance per VRRP group this router is in, one virtual_server per service
// those groups hold, each real server with the spec's health check. Pure: the interface names come from the caller.
import { ipvsService } from '../modules/ipvs.js';
import { routersByPriority } from '../spec/services.js';
import type { Health, Lab, Service, Vrrp } from '../spec/schema.js';

export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';

/** The first line of every file lab writes: how `lab down` tells its own file from one it found. */
export const HEADER = '! Written by lab';

const LB_KIND = { nat: 'NAT', dr: 'DR', tun: 'TUN' } as const;

/** The state keepalived starts this router in: as the spec says, else MASTER for the highest priority; BACKUP for all without preempt. */
export function startState(g: Vrrp, host: string): 'MASTER' | 'BACKUP' {
  if (!g.preempt) return 'BACKUP';
  const r = g.routers.find((x) => x.host === host)!;
  return r.state ?? (routersByPriority(g)[0]!.host === host ? 'MASTER' : 'BACKUP');
}

/** The groups a host is a router of. */
export function groupsOf(lab: Lab, host: string): Vrrp[] {
  return lab.vrrp.filter((g) => g.routers.some((r) => r.host === host));
}

/** The services a group's VIP carries (keepalived loads their virtual servers on every router of the group). */
export function servicesOf(lab: Lab, g: Vrrp): Service[] {
  return lab.services.filter((s) => s.vip === g.vip && !s.director);
}

/** Seconds a real server whose check fails stays in the table at most: one check's wait, its retries and their pauses, and the loop. */
export function removalBound(h: Health): number {
  return h.delay_loop + (h.retry + 1) * h.connect_timeout + h.retry * h.delay_before_retry;
}

function checkBlock(h: Health, port: number): string[] {
  const tail = [...(h.port !== undefined && h.port !== port ? [`connect_port ${h.port}`] : []), `connect_timeout ${h.connect_timeout}`];
  if (h.type === 'tcp_check') return ['TCP_CHECK {', ...tail.map((l) => `    ${l}`), `    retry ${h.retry}`, `    delay_before_retry ${h.delay_before_retry}`, '}'];
  return [
    'HTTP_GET {',
    '    url {',
    `      path ${h.path}`,
    `      status_code ${h.status}`,
    '    }',
    ...tail.map((l) => `    ${l}`),
    `    retry ${h.retry}`,
    `    delay_before_retry ${h.delay_before_retry}`,
    '}',
  ];
}

const indent = (lines: string[], by = '    ') => lines.map((l) => (l === '' ? '' : `${by}${l}`));

/**
 * The whole file for one router. `devices` maps each lab network to this host's kernel interface on it (found from
 * facts, never assumed: the course note's "网卡名称不能照抄").
 */
export function renderKeepalived(lab: Lab, host: string, devices: Record<string, string>, vipNetworkOf: (g: Vrrp) => string): string {
  const out: string[] = [`${HEADER} for the lab ${lab.name} (${host}); \`lab up\` rewrites it from the spec.`, 'global_defs {', `    router_id ${host}`, '}'];
  for (const g of groupsOf(lab, host)) {
    const r = g.routers.find((x) => x.host === host)!;
    const dev = devices[vipNetworkOf(g)]!;
    out.push(
      '',
      `vrrp_instance ${g.name} {`,
      ...indent([
        `state ${startState(g, host)}`,
        `interface ${dev}`,
        `virtual_router_id ${g.virtual_router_id}`,
        `priority ${r.priority}`,
        `advert_int ${g.advert_int}`,
        ...(g.preempt ? [] : ['nopreempt']),
        ...(g.authentication ? ['authentication {', `    auth_type ${g.authentication.type}`, `    auth_pass ${g.authentication.password}`, '}'] : []),
        'virtual_ipaddress {',
        `    ${g.vip}/32 dev ${dev}`,
        '}',
      ]),
      '}',
    );
  }
  for (const g of groupsOf(lab, host)) {
    for (const s of servicesOf(lab, g)) {
      const table = ipvsService(lab, s, host);
      out.push(
        '',
        `virtual_server ${s.vip} ${s.port} {`,
        ...indent([
          ...(s.health ? [`delay_loop ${s.health.delay_loop}`] : []),
          `lb_algo ${s.scheduler}`,
          `lb_kind ${LB_KIND[s.forwarding]}`,
          ...(s.persistence !== undefined ? [`persistence_timeout ${s.persistence}`] : []),
          `protocol ${s.protocol.toUpperCase()}`,
          ...table.reals.flatMap((real) => ['', `real_server ${real.address} ${real.port} {`, `    weight ${real.weight}`, ...(s.health ? indent(checkBlock(s.health, real.port)) : []), '}']),
        ]),
        '}',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** What a real_server block of a live keepalived.conf checks: its port (connect_port, else the real server's), path and status. */
export interface LiveCheck {
  type: string;
  port: number;
  path?: string;
  status?: number;
}

/** The check of `real_server ADDRESS PORT` in a keepalived.conf as written (lab's own layout or a hand-edited one). */
export function liveCheckOf(conf: string, address: string, port: number): LiveCheck | undefined {
  const start = new RegExp(`^\\s*real_server\\s+${address.replace(/\./g, '\\.')}\\s+${port}\\s*\\{`, 'm').exec(conf);
  if (!start) return undefined;
  let depth = 0;
  let end = conf.length;
  for (let i = start.index + start[0].length - 1; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    else if (conf[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const block = conf.slice(start.index, end).replace(/[#!].*$/gm, '');
  const type = /\b(HTTP_GET|SSL_GET|TCP_CHECK|MISC_CHECK|SMTP_CHECK|DNS_CHECK)\b/.exec(block)?.[1];
  if (!type) return undefined;
  const cp = /\bconnect_port\s+(\d+)/.exec(block);
  const path = /\bpath\s+(\S+)/.exec(block)?.[1];
  const status = /\bstatus_code\s+(\d+)/.exec(block)?.[1];
  return { type, port: cp ? Number(cp[1]) : port, ...(path ? { path } : {}), ...(status ? { status: Number(status) } : {}) };
}
