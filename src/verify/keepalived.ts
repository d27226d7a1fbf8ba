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
import { t } from '../i18n/index.js';
import { quote } from '../ssh/quote.js';
import type { HostView } from './plan.js';
import type { FirewallInfo } from './probe.js';
import { fail, pass, skip, type Verdict } from './types.js';

const list = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? '') : t('keepalived.list', { items: xs.slice(0, -1).join(t('keepalived.listSep')), last: xs[xs.length - 1]! }));

/** Where a health check looks: "port 80", or "port 80 for /". */
const checkTarget = (port: number, path: string | undefined) => (path ? t('keepalived.table.misdirected.portPath', { port, path }) : t('keepalived.table.misdirected.port', { port }));

/** The file keepalived reads equals what the spec renders for this router, with its real interface names. */
export function judgeKeepalivedConf(ctx: HostContext): Verdict {
  const want = wantedConf(ctx);
  const expected = t('keepalived.conf.expected', { file: KEEPALIVED_CONF, host: ctx.hostName });
  const fix = keepalivedModule.plan({}, ctx).flatMap((c) => c.commands);
  const cur = ctx.facts.files.get(KEEPALIVED_CONF);
  if (!cur) return fail(expected, t('keepalived.conf.missing.found', { file: KEEPALIVED_CONF }), t('keepalived.conf.missing.why', { host: ctx.hostName }), fix);
  const have = cur.content.toString('utf8');
  if (have === want) return pass(expected, t('keepalived.conf.asRendered', { lines: want.split('\n').length - 1 }));
  const a = have.split('\n');
  const b = want.split('\n');
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && diffs.length < 3; i++) {
    if (a[i] !== b[i]) diffs.push(t('keepalived.conf.differs.line', { line: i + 1, have: (a[i] ?? t('keepalived.conf.differs.endOfFile')).trim(), want: (b[i] ?? t('keepalived.conf.differs.endOfFile')).trim() }));
  }
  return fail(expected, diffs.join('; '), t('keepalived.conf.differs.why'), fix);
}

/** keepalived runs now and starts at boot. */
export function judgeKeepalivedRunning(ctx: HostContext, log: KeepalivedLog | undefined): Verdict {
  const s = ctx.facts.services.get('keepalived');
  const expected = t('keepalived.running.expected');
  const found = !s?.loaded ? t('keepalived.running.notInstalled.found') : `${s.active ? 'active' : 'inactive'}, ${s.enabled ? 'enabled' : 'disabled'}`;
  if (s?.loaded && s.active && s.enabled) return pass(expected, found);
  const said = log && log.problems.length > 0 ? t('keepalived.running.complaints', { lines: log.problems.slice(-2).join(' | ') }) : '';
  if (!s?.loaded) return fail(expected, found, t('keepalived.running.notInstalled.why', { host: ctx.hostName }), ['apt-get install -y keepalived || yum -y install keepalived']);
  if (!s.active)
    return fail(expected, found, `${t('keepalived.running.inactive.why', { host: ctx.hostName })}${said}`, [s.enabled ? 'systemctl start keepalived' : 'systemctl enable --now keepalived', 'journalctl -u keepalived -n 20 --no-pager']);
  return fail(expected, found, t('keepalived.running.notEnabled.why', { host: ctx.hostName }), ['systemctl enable keepalived']);
}

/** The rules on a router that drop or reject VRRP, in words and as the commands that delete them. */
function blockers(h: string, rules: VrrpRule[] | undefined): { text: string; fix: string[] } | undefined {
  const bad = (rules ?? []).filter((r) => r.blocks);
  if (bad.length === 0) return undefined;
  return { text: t('keepalived.vrrpState.splitBrain.blockers', { count: bad.length, host: h, rules: bad.map((r) => `"${r.rule}" (${r.where})`).join('; ') }), fix: bad.map((r) => r.fix) };
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
  const expected = want ? t(want === 'MASTER' ? 'keepalived.vrrpState.expectedMaster' : 'keepalived.vrrpState.expectedBackup', { group: g.name, vip: g.vip }) : t('keepalived.vrrpState.expectedOneMaster', { group: g.name });
  const svc = ctx.facts.services.get('keepalived');
  if (!svc?.active) return skip(expected, t('keepalived.notRunning'));
  const inst = log?.instances.get(g.name);
  const state = inst?.state;
  const holds = ctx.facts.links.some((l) => l.addrs.some((a) => a.ip === g.vip));
  const found = `${t(holds ? 'keepalived.vrrpState.holds' : 'keepalived.vrrpState.lacks', { state: state ?? t('keepalived.vrrpState.noStateLogged'), vip: g.vip })}${inst && inst.transitions > 3 ? t('keepalived.vrrpState.changes', { changes: inst.transitions }) : ''}`;
  if (!inst) return fail(expected, found, t('keepalived.vrrpState.noInstance.why', { group: g.name }), ['journalctl -u keepalived -b --no-pager | grep -n Entering']);
  const others = g.routers.filter((r) => r.host !== me).map((r) => r.host);
  const masters = [me, ...others].filter((h) => (h === me ? state : all.get(h)?.probe.keepalived?.instances.get(g.name)?.state) === 'MASTER');
  // Split brain: more than one MASTER. The cause is where VRRP is dropped, else in the configs (id, password).
  if (state === 'MASTER' && masters.length > 1) {
    const causes = [me, ...others].flatMap((h) => {
      const v = h === me ? view : all.get(h);
      const b = blockers(h, v?.probe.keepalived?.vrrpRules);
      const zone = zoneDropsVrrp(v?.probe.firewall, h === me ? s.device : undefined);
      return [...(b ? [{ host: h, ...b }] : []), ...(zone ? [{ host: h, text: t('keepalived.vrrpState.splitBrain.zone', { host: h, zone }), fix: [`firewall-cmd --zone=${zone} --add-protocol=vrrp && firewall-cmd --permanent --zone=${zone} --add-protocol=vrrp`] }] : [])];
    });
    const mine = causes.filter((c) => c.host === me);
    const where = causes.length > 0 ? t('keepalived.vrrpState.splitBrain.causes', { causes: causes.map((c) => c.text).join('; ') }) : t('keepalived.vrrpState.splitBrain.noRule', { hosts: list([me, ...others]) });
    const v = fail(
      expected,
      t(masters.length === 2 ? 'keepalived.vrrpState.splitBrain.foundBoth' : 'keepalived.vrrpState.splitBrain.foundAll', { found, masters: list(masters) }),
      `${t('keepalived.vrrpState.splitBrain.why', { masters: list(masters), vip: g.vip, advert: g.advert_int })}${where}`,
      mine.length > 0 ? mine.flatMap((c) => c.fix) : [],
    );
    return { ...v, lookAt: causes.length > 0 ? [...new Set(causes.map((c) => c.host))] : [me, ...others] };
  }
  if (state === 'FAULT')
    return fail(expected, found, t('keepalived.vrrpState.fault.why', { group: g.name, host: me }), [`ip -o link show ${s.device ? quote(s.device) : ''}`.trim(), 'journalctl -u keepalived -n 20 --no-pager']);
  if (state === 'MASTER' && !holds)
    return fail(expected, found, t('keepalived.vrrpState.masterWithoutVip.why', { host: me, group: g.name, vip: g.vip }), ['systemctl restart keepalived']);
  if (state !== 'MASTER' && holds)
    return fail(expected, found, t('keepalived.vrrpState.vipWithoutMaster.why', { host: me, state: String(state), group: g.name, vip: g.vip }), [`ip -o -4 addr show to ${g.vip}/32`]);
  if (want && state !== want) {
    const master = masters[0];
    const why =
      want === 'MASTER'
        ? master
          ? t('keepalived.vrrpState.shouldBeMaster.otherMaster', { host: me, priority: top.priority, vip: g.vip, master })
          : t('keepalived.vrrpState.shouldBeMaster.noMaster', { host: me, priority: top.priority, vip: g.vip })
        : t('keepalived.vrrpState.shouldBeBackup.why', { host: me, priority: g.routers.find((r) => r.host === me)!.priority, top: top.host, topPriority: top.priority });
    return { ...fail(expected, found, why, ['journalctl -u keepalived -n 20 --no-pager']), lookAt: [me, ...others] };
  }
  if (!want && masters.length === 0) return fail(expected, t('keepalived.vrrpState.noMaster.found', { found }), t('keepalived.vrrpState.noMaster.why', { group: g.name, vip: g.vip }), ['journalctl -u keepalived -n 20 --no-pager']);
  return pass(expected, found);
}

/**
 * The IPVS table keepalived loaded on this router equals the spec's services, but for real servers its checks took
 * out, which are named with keepalived's own verdict (and their host to look at).
 */
export function judgeKeepalivedTable(view: HostView, desired: IpvsService[], hostOf: Map<string, string>, wanted?: Map<string, { port: number; path?: string }>): Verdict {
  const { ctx, probe } = view;
  const expected = t('keepalived.table.expected', { services: desired.map((s) => `${s.protocol} ${s.vip}:${s.port} (${s.scheduler}) → ${s.reals.map((r) => `${r.address}:${r.port}`).join(', ')}`).join('; ') });
  const svc = ctx.facts.services.get('keepalived');
  if (!svc?.active) return skip(expected, t('keepalived.notRunning'));
  let live: IpvsService[];
  try {
    live = ctx.facts.ipvs.installed ? parseIpvsSave(ctx.facts.ipvs.save) : [];
  } catch (e) {
    return fail(expected, t('keepalived.table.unreadable.found', { error: (e as Error).message }), t('keepalived.table.unreadable.why'), ['ipvsadm -Sn']);
  }
  if (!ctx.facts.ipvs.installed) return fail(expected, t('keepalived.table.noIpvsadm.found'), t('keepalived.table.noIpvsadm.why'), ['apt-get install -y ipvsadm || yum -y install ipvsadm']);
  const problems: string[] = [];
  const out = new Set<string>();
  const reasons: string[] = [];
  /** Real servers whose check, as the live file writes it, looks elsewhere than the spec says: the cause is here. */
  const misdirected: string[] = [];
  const conf = ctx.facts.files.get(KEEPALIVED_CONF)?.content.toString('utf8') ?? '';
  for (const want of desired) {
    const have = live.find((s) => serviceKey(s) === serviceKey(want));
    if (!have) {
      problems.push(t('keepalived.table.noService', { protocol: want.protocol, vip: want.vip, port: want.port }));
      continue;
    }
    if (have.scheduler !== want.scheduler) problems.push(t('keepalived.table.scheduler', { vip: want.vip, port: want.port, have: have.scheduler, want: want.scheduler }));
    for (const r of want.reals) {
      const key = `${r.address}:${r.port}`;
      const got = have.reals.find((x) => x.address === r.address && x.port === r.port);
      if (!got) {
        const host = hostOf.get(r.address) ?? r.address;
        out.add(host);
        const said = probe.keepalived?.checks.get(key);
        problems.push(t('keepalived.table.notInTable', { host, real: key }));
        reasons.push(said && !said.up ? t('keepalived.table.tookOut', { host, line: said.line }) : t('keepalived.table.noVerdict', { host }));
        const live = liveCheckOf(conf, r.address, r.port);
        const want = wanted?.get(key);
        if (live && want && (live.port !== want.port || (want.path !== undefined && live.path !== undefined && live.path !== want.path)))
          misdirected.push(t('keepalived.table.misdirected.check', { host, file: KEEPALIVED_CONF, type: live.type, live: checkTarget(live.port, live.path), want: checkTarget(want.port, want.path) }));
      } else if (got.weight !== r.weight || got.forwarding !== r.forwarding) problems.push(t('keepalived.table.weight', { real: key, forwarding: got.forwarding, weight: got.weight, wantForwarding: r.forwarding, wantWeight: r.weight }));
    }
  }
  if (problems.length === 0) return pass(expected, t('keepalived.table.asSpec', { reals: desired.reduce((n, s) => n + s.reals.length, 0) }));
  if (misdirected.length > 0)
    return {
      ...fail(
        expected,
        problems.join('; '),
        t('keepalived.table.misdirected.why', { host: ctx.hostName, checks: misdirected.join('; ') }),
        ['ipvsadm -Ln', 'journalctl -u keepalived -n 20 --no-pager'],
      ),
      lookAt: [ctx.hostName],
    };
  return {
    ...fail(
      expected,
      problems.join('; '),
      out.size > 0
        ? t('keepalived.table.out.why', { host: ctx.hostName, reasons: reasons.join('; '), hosts: list([...out]) })
        : t('keepalived.table.notLoaded.why'),
      ['ipvsadm -Ln', 'journalctl -u keepalived -n 20 --no-pager'],
    ),
    lookAt: [...out, ctx.hostName],
  };
}
