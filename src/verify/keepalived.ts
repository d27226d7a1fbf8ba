// Judges of the vrrp check: each router runs keepalived with the config the spec renders, is in the VRRP state its
// priority gives it (and holds the VIP exactly when MASTER), and has the virtual servers keepalived loads; a real
// server missing from the table is explained by keepalived's own check verdict.
import { parseIpvsSave, serviceKey, type IpvsService } from '../ipvs/index.js';
import { KEEPALIVED_CONF, liveCheckOf } from '../keepalived/config.js';
import type { KeepalivedLog, VrrpRule } from '../keepalived/state.js';
import { keepalivedModule, wantedConf } from '../modules/keepalived.js';
import type { HostContext } from '../modules/types.js';
import { routersByPriority } from '../spec/services.js';
import type { Vrrp } from '../spec/schema.js';
import { quote } from '../ssh/quote.js';
import type { HostView } from './plan.js';
import type { FirewallInfo } from './probe.js';
import { fail, pass, skip, type Verdict } from './types.js';

const list = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The file keepalived reads equals what the spec renders for this router, with its real interface names. */
export function judgeKeepalivedConf(ctx: HostContext): Verdict {
  const want = wantedConf(ctx);
  const expected = `${KEEPALIVED_CONF} as the spec renders it for ${ctx.hostName}`;
  const fix = keepalivedModule.plan({}, ctx).flatMap((c) => c.commands);
  const cur = ctx.facts.files.get(KEEPALIVED_CONF);
  if (!cur) return fail(expected, `no ${KEEPALIVED_CONF}`, `keepalived starts only with a config (its unit's ConditionFileNotEmpty), so ${ctx.hostName} neither holds the VIP nor stands by for it.`, fix);
  const have = cur.content.toString('utf8');
  if (have === want) return pass(expected, `as rendered (${want.split('\n').length - 1} lines)`);
  const a = have.split('\n');
  const b = want.split('\n');
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && diffs.length < 3; i++) {
    if (a[i] !== b[i]) diffs.push(`line ${i + 1}: "${(a[i] ?? '(end of file)').trim()}" where the spec renders "${(b[i] ?? '(end of file)').trim()}"`);
  }
  return fail(expected, diffs.join('; '), `keepalived runs what this file says, and it is not the lab's: the VRRP group (priority, router id, password, interface) or the virtual servers and their checks differ from the spec. The fix rewrites it, checks it with keepalived -t and reloads keepalived.`, fix);
}

/** keepalived runs now and starts at boot. */
export function judgeKeepalivedRunning(ctx: HostContext, log: KeepalivedLog | undefined): Verdict {
  const s = ctx.facts.services.get('keepalived');
  const expected = 'keepalived active, and enabled at boot';
  const found = !s?.loaded ? 'keepalived is not installed' : `${s.active ? 'active' : 'inactive'}, ${s.enabled ? 'enabled' : 'disabled'}`;
  if (s?.loaded && s.active && s.enabled) return pass(expected, found);
  const said = log && log.problems.length > 0 ? ` Its last complaints: ${log.problems.slice(-2).join(' | ')}.` : '';
  if (!s?.loaded) return fail(expected, found, `${ctx.hostName} is a router of the lab's VRRP group, and keepalived is what does it.`, ['apt-get install -y keepalived || yum -y install keepalived']);
  if (!s.active)
    return fail(expected, found, `keepalived is not running on ${ctx.hostName}, so it neither holds the VIP nor stands by to take it over, and loads no IPVS table.${said}`, [s.enabled ? 'systemctl start keepalived' : 'systemctl enable --now keepalived', 'journalctl -u keepalived -n 20 --no-pager']);
  return fail(expected, found, `keepalived runs now but is not enabled: after a reboot ${ctx.hostName} would not take part in VRRP.`, ['systemctl enable keepalived']);
}

/** The rules on a router that drop or reject VRRP, in words and as the commands that delete them. */
function blockers(h: string, rules: VrrpRule[] | undefined): { text: string; fix: string[] } | undefined {
  const bad = (rules ?? []).filter((r) => r.blocks);
  if (bad.length === 0) return undefined;
  return { text: `${h} has ${bad.length === 1 ? 'a rule that drops' : 'rules that drop'} VRRP: ${bad.map((r) => `"${r.rule}" (${r.where})`).join('; ')}`, fix: bad.map((r) => r.fix) };
}

/** firewalld drops VRRP in the zone of the VIP's interface unless the zone accepts everything or allows protocol vrrp. */
function zoneDropsVrrp(fw: FirewallInfo | undefined, dev: string | undefined): string | undefined {
  if (!fw || !fw.confZone) return undefined;
  const zone = (dev && fw.active.get(dev)) || fw.confZone;
  const xml = fw.zones.get(zone);
  if (!xml || zone === 'trusted' || xml.target === 'ACCEPT') return undefined;
  if ((xml.protocols ?? []).includes('vrrp')) return undefined;
  return zone;
}

export interface StateStory {
  group: Vrrp;
  /** The router's interface on the VIP's network, when known. */
  device?: string;
}

/**
 * This router's VRRP state as keepalived logged it, against its place in the group: with preempt, the highest priority
 * is MASTER and the others BACKUP; without, exactly one is MASTER. The VIP is on its interface exactly when MASTER.
 */
export function judgeVrrpState(view: HostView, all: Map<string, HostView>, s: StateStory): Verdict {
  const { ctx, probe } = view;
  const g = s.group;
  const me = ctx.hostName;
  const top = routersByPriority(g)[0]!;
  const log = probe.keepalived;
  const want = g.preempt ? (top.host === me ? 'MASTER' : 'BACKUP') : undefined;
  const expected = want ? `${g.name} ${want}${want === 'MASTER' ? `, holding ${g.vip}` : `, not holding ${g.vip}`}` : `${g.name} MASTER on exactly one router (nopreempt)`;
  const svc = ctx.facts.services.get('keepalived');
  if (!svc?.active) return skip(expected, 'keepalived is not running (see its own check)');
  const inst = log?.instances.get(g.name);
  const state = inst?.state;
  const holds = ctx.facts.links.some((l) => l.addrs.some((a) => a.ip === g.vip));
  const found = `${state ?? 'no state logged'}${holds ? `, holds ${g.vip}` : `, does not hold ${g.vip}`}${inst && inst.transitions > 3 ? ` (${inst.transitions} state changes since keepalived started)` : ''}`;
  if (!inst) return fail(expected, found, `keepalived runs but logged no state for the instance ${g.name}: its config has no such vrrp_instance, or the journal does not reach back to its start.`, ['journalctl -u keepalived -b --no-pager | grep -n Entering']);
  const others = g.routers.filter((r) => r.host !== me).map((r) => r.host);
  const masters = [me, ...others].filter((h) => (h === me ? state : all.get(h)?.probe.keepalived?.instances.get(g.name)?.state) === 'MASTER');
  // Split brain: more than one MASTER. The cause is where VRRP is dropped, else in the configs (id, password).
  if (state === 'MASTER' && masters.length > 1) {
    const causes = [me, ...others].flatMap((h) => {
      const v = h === me ? view : all.get(h);
      const b = blockers(h, v?.probe.keepalived?.vrrpRules);
      const zone = zoneDropsVrrp(v?.probe.firewall, h === me ? s.device : undefined);
      return [...(b ? [{ host: h, ...b }] : []), ...(zone ? [{ host: h, text: `${h}'s firewalld zone ${zone} does not let VRRP in (no protocol vrrp, and its target is not ACCEPT)`, fix: [`firewall-cmd --zone=${zone} --add-protocol=vrrp && firewall-cmd --permanent --zone=${zone} --add-protocol=vrrp`] }] : [])];
    });
    const mine = causes.filter((c) => c.host === me);
    const where = causes.length > 0 ? ` ${causes.map((c) => c.text).join('; ')}.` : ` No rule on ${list([me, ...others])} names VRRP: compare virtual_router_id and auth_pass in their keepalived.conf (the conf check), and look for a filter on the path between them.`;
    const v = fail(
      expected,
      `${found}; ${list(masters)} are ${masters.length === 2 ? 'both' : 'all'} MASTER`,
      `Split brain: ${list(masters)} each hold ${g.vip}, because each hears no advertisement from the other (VRRP, IP protocol 112 to 224.0.0.18, every ${g.advert_int} s), and clients reach whichever answered ARP last.${where}`,
      mine.length > 0 ? mine.flatMap((c) => c.fix) : [],
    );
    return { ...v, lookAt: causes.length > 0 ? [...new Set(causes.map((c) => c.host))] : [me, ...others] };
  }
  if (state === 'FAULT')
    return fail(expected, found, `keepalived put ${g.name} in FAULT: the interface it runs VRRP on is down (or has no address), so ${me} can neither hold the VIP nor stand by.`, [`ip -o link show ${s.device ? quote(s.device) : ''}`.trim(), 'journalctl -u keepalived -n 20 --no-pager']);
  if (state === 'MASTER' && !holds)
    return fail(expected, found, `keepalived says ${me} is MASTER of ${g.name}, but ${g.vip} is not on any interface: something removed it after keepalived added it (ip addr del, a NetworkManager reapply). keepalived adds it back only when it enters MASTER again.`, ['systemctl restart keepalived']);
  if (state !== 'MASTER' && holds)
    return fail(expected, found, `${me} is ${state} of ${g.name} yet holds ${g.vip}: a second copy of the VIP (a NetworkManager profile, ip addr add) answers ARP beside the master's.`, [`ip -o -4 addr show to ${g.vip}/32`]);
  if (want && state !== want) {
    const master = masters[0];
    const why =
      want === 'MASTER'
        ? `${me} has the highest priority (${top.priority}) and preempt is on, so it should hold ${g.vip}, but ${master ? `${master} is MASTER` : 'no router is MASTER'}: the running configs' priorities are not the spec's (the conf check says where), or ${me} does not hear ${master ?? 'the master'} as lower.`
        : `${me} should stand by (priority ${g.routers.find((r) => r.host === me)!.priority}, below ${top.host}'s ${top.priority}), but it is MASTER: it does not hear ${top.host}, or ${top.host} is not running keepalived.`;
    return { ...fail(expected, found, why, ['journalctl -u keepalived -n 20 --no-pager']), lookAt: [me, ...others] };
  }
  if (!want && masters.length === 0) return fail(expected, `${found}; no router is MASTER`, `No router of ${g.name} holds ${g.vip}.`, ['journalctl -u keepalived -n 20 --no-pager']);
  return pass(expected, found);
}

/**
 * The IPVS table keepalived loaded on this router equals the spec's services, but for real servers its checks took
 * out, which are named with keepalived's own verdict (and their host to look at).
 */
export function judgeKeepalivedTable(view: HostView, desired: IpvsService[], hostOf: Map<string, string>, wanted?: Map<string, { port: number; path?: string }>): Verdict {
  const { ctx, probe } = view;
  const expected = `${desired.map((s) => `${s.protocol} ${s.vip}:${s.port} (${s.scheduler}) → ${s.reals.map((r) => `${r.address}:${r.port}`).join(', ')}`).join('; ')}, loaded by keepalived`;
  const svc = ctx.facts.services.get('keepalived');
  if (!svc?.active) return skip(expected, 'keepalived is not running (see its own check)');
  let live: IpvsService[];
  try {
    live = ctx.facts.ipvs.installed ? parseIpvsSave(ctx.facts.ipvs.save) : [];
  } catch (e) {
    return fail(expected, `cannot read the IPVS table: ${(e as Error).message}`, 'ipvsadm -Sn printed something lab cannot read.', ['ipvsadm -Sn']);
  }
  if (!ctx.facts.ipvs.installed) return fail(expected, 'ipvsadm is not installed, so lab cannot read the table', 'The table is read with ipvsadm -Sn.', ['apt-get install -y ipvsadm || yum -y install ipvsadm']);
  const problems: string[] = [];
  const out = new Set<string>();
  const reasons: string[] = [];
  /** Real servers whose check, as the live file writes it, looks elsewhere than the spec says: the cause is here. */
  const misdirected: string[] = [];
  const conf = ctx.facts.files.get(KEEPALIVED_CONF)?.content.toString('utf8') ?? '';
  for (const want of desired) {
    const have = live.find((s) => serviceKey(s) === serviceKey(want));
    if (!have) {
      problems.push(`no virtual server ${want.protocol} ${want.vip}:${want.port}`);
      continue;
    }
    if (have.scheduler !== want.scheduler) problems.push(`${want.vip}:${want.port} schedules ${have.scheduler}, not ${want.scheduler}`);
    for (const r of want.reals) {
      const key = `${r.address}:${r.port}`;
      const got = have.reals.find((x) => x.address === r.address && x.port === r.port);
      if (!got) {
        const host = hostOf.get(r.address) ?? r.address;
        out.add(host);
        const said = probe.keepalived?.checks.get(key);
        problems.push(`${host} (${key}) is not in the table`);
        reasons.push(said && !said.up ? `keepalived took ${host} out: "${said.line}"` : `keepalived logged no verdict on ${host}`);
        const live = liveCheckOf(conf, r.address, r.port);
        const want = wanted?.get(key);
        if (live && want && (live.port !== want.port || (want.path !== undefined && live.path !== undefined && live.path !== want.path)))
          misdirected.push(`${host}'s check in ${KEEPALIVED_CONF} asks ${live.type} on port ${live.port}${live.path ? ` for ${live.path}` : ''}, where the spec checks port ${want.port}${want.path ? ` for ${want.path}` : ''}`);
      } else if (got.weight !== r.weight || got.forwarding !== r.forwarding) problems.push(`${key} is ${got.forwarding} weight ${got.weight}, not ${r.forwarding} weight ${r.weight}`);
    }
  }
  if (problems.length === 0) return pass(expected, `as the spec (${desired.reduce((n, s) => n + s.reals.length, 0)} real servers)`);
  if (misdirected.length > 0)
    return {
      ...fail(
        expected,
        problems.join('; '),
        `keepalived on ${ctx.hostName} takes a real server out while its check fails, and the checks look in the wrong place: ${misdirected.join('; ')}. Nothing answers there, so the real servers are out though they serve the page. The keepalived-conf check's fix rewrites the file from the spec and reloads keepalived.`,
        ['ipvsadm -Ln', 'journalctl -u keepalived -n 20 --no-pager'],
      ),
      lookAt: [ctx.hostName],
    };
  return {
    ...fail(
      expected,
      problems.join('; '),
      out.size > 0
        ? `keepalived's health checks on ${ctx.hostName} take a real server out while its check fails, and put it back when it passes. ${reasons.join('; ')}. The checks look where the spec says, so the cause is on ${list([...out])}: its web server is down, or does not answer there.`
        : `keepalived did not load the virtual servers the spec gives: its config differs (the conf check says where), or it refused part of it (journalctl -u keepalived).`,
      ['ipvsadm -Ln', 'journalctl -u keepalived -n 20 --no-pager'],
    ),
    lookAt: [...out, ctx.hostName],
  };
}
