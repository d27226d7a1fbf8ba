// Is a host at the lab's starting point? A pure judgement over gathered facts, one finding per aspect.
import type { Facts } from '../facts/types.js';
import { parseIpvsSave } from '../ipvs/index.js';
import { fileModule } from '../modules/file.js';
import { serviceModule } from '../modules/service.js';
import { stateFile } from '../modules/types.js';
import { bindTasks } from '../playbook/bind.js';
import type { Playbook } from '../playbook/schema.js';
import type { Start } from '../spec/start.js';
import { parseCidr } from '../spec/ipv4.js';
import type { Lab } from '../spec/schema.js';

export interface StartFinding {
  /** What was looked at, e.g. "address 192.168.2.100/24", "service apache2". */
  what: string;
  ok: boolean;
  expected: string;
  found: string;
}

function holder(facts: Facts, ip: string): { dev: string; prefix: number } | undefined {
  for (const l of facts.links) for (const a of l.addrs) if (a.ip === ip) return { dev: l.name, prefix: a.prefix };
  return undefined;
}

function addresses(lab: Lab, host: string, facts: Facts, want: 'assigned' | 'absent'): StartFinding[] {
  const spec = lab.hosts[host]!;
  const out: StartFinding[] = [];
  for (const [net, ip] of Object.entries(spec.interfaces)) {
    const prefix = parseCidr(lab.networks[net]!).prefix;
    const h = holder(facts, ip);
    const found = h ? `${ip}/${h.prefix} on ${h.dev}` : 'not assigned';
    if (want === 'assigned') out.push({ what: `address ${ip}/${prefix}`, ok: !!h && h.prefix === prefix, expected: `${ip}/${prefix} assigned`, found });
    else out.push({ what: `address ${ip}`, ok: !h, expected: 'not assigned', found });
  }
  if (want === 'assigned' && spec.gateway) {
    // The route the kernel uses is the default with the lowest metric.
    const defaults = facts.routes.filter((r) => r.dst === 'default').sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
    const used = defaults[0];
    out.push({ what: 'default route', ok: used?.gateway === spec.gateway, expected: `via ${spec.gateway}`, found: used ? `via ${used.gateway ?? `dev ${used.dev}`}` : 'none' });
  }
  return out;
}

function leftovers(lab: Lab, playbook: Playbook, host: string, facts: Facts, start: Start): StartFinding[] {
  const os = facts.os!;
  const out: StartFinding[] = [];
  const file = stateFile(lab);
  out.push({ what: `lab state ${file}`, ok: !facts.files.get(file) && facts.state.size === 0, expected: 'absent (nothing of `lab up` left)', found: facts.files.get(file) ? `present (${facts.state.size} records)` : 'absent' });
  const vips = new Set(lab.services.map((s) => `${s.protocol}:${s.vip}:${s.port}`));
  const live = facts.ipvs.installed ? parseIpvsSave(facts.ipvs.save).filter((s) => !s.selector && vips.has(`${s.protocol}:${s.vip}:${s.port}`)) : [];
  if (vips.size > 0) out.push({ what: 'virtual services', ok: live.length === 0, expected: 'none of the lab\'s', found: live.length ? live.map((s) => `${s.protocol} ${s.vip}:${s.port}`).join(', ') : 'none' });
  const wanted = new Map(Object.entries(start.services ?? {}));
  for (const t of bindTasks(playbook, lab, host, os.docroot)) {
    if (t.module === (fileModule as unknown)) {
      const path = (t.task as { path: string }).path;
      out.push({ what: `file ${path}`, ok: !facts.files.get(path), expected: 'absent', found: facts.files.get(path) ? 'present' : 'absent' });
    }
    if (t.module === (serviceModule as unknown)) {
      const { name, started } = t.task as { name: string; started: boolean };
      if (started && !wanted.has(name)) wanted.set(name, 'stopped');
    }
  }
  for (const [name, state] of wanted) {
    const unit = os.services[name] ?? name;
    const cur = facts.services.get(unit);
    const found = !cur?.loaded ? 'not installed' : cur.active ? 'running' : 'stopped';
    out.push({ what: `service ${unit}`, ok: state === 'running' ? found === 'running' : found !== 'running', expected: state, found });
  }
  for (const [key, value] of Object.entries(start.sysctl ?? {})) {
    const cur = facts.sysctl.get(key);
    out.push({ what: `sysctl ${key}`, ok: cur === value, expected: value, found: cur ?? 'unknown' });
  }
  return out;
}

export function checkStart(lab: Lab, playbook: Playbook, host: string, facts: Facts, start: Start): StartFinding[] {
  return [...(start.addresses === 'any' ? [] : addresses(lab, host, facts, start.addresses)), ...leftovers(lab, playbook, host, facts, start)];
}
