// Judges for the path a request takes: firewalld lets HTTP in, SELinux as the lab wants, the VIP answers from outside.
import type { HostContext } from '../modules/types.js';
import { configMode } from '../modules/selinux.js';
import { t, withLang } from '../i18n/index.js';
import { inCidr } from '../spec/ipv4.js';
import { quote, sh } from '../ssh/quote.js';
import { dropAddressFix, linkByName, linkHolding, nmFor } from './fixes.js';
import type { FirewallInfo, RouteGet } from './probe.js';
import { classify, sequenceText, type RequestRecord, type ServerPage } from './requests.js';
import { fail, failNm, pass, skip, type Verdict } from './types.js';

function portAllowed(ports: { port: string; protocol: string }[] | undefined, port: number): boolean {
  return (ports ?? []).some((p) => {
    if (p.protocol !== 'tcp') return false;
    const [lo, hi] = p.port.split('-').map(Number);
    return lo !== undefined && port >= lo && port <= (hi ?? lo);
  });
}

/** What firewalld applies in a zone: the runtime lists when we have them for that zone, else its XML file. */
export interface ZoneView {
  zone: string;
  target: string;
  services: string[];
  ports: { port: string; protocol: string }[];
  source: 'runtime' | 'file' | 'none';
}

export function zoneView(fw: FirewallInfo | undefined, zone: string): ZoneView {
  const xml = fw?.zones.get(zone);
  const runtime = fw && fw.confZone === zone && fw.services !== undefined;
  return {
    zone,
    target: xml?.target ?? (zone === 'trusted' ? 'ACCEPT' : 'default'),
    services: runtime ? fw!.services! : (xml?.services ?? []),
    ports: runtime ? (fw!.ports ?? []) : (xml?.ports ?? []),
    source: runtime ? 'runtime' : xml ? 'file' : 'none',
  };
}

/** Why a zone lets TCP `port` in, or undefined when it does not. */
export function zoneAllows(z: ZoneView, port: number): string | undefined {
  if (z.zone === 'trusted' || z.target === 'ACCEPT') return t('path.firewall.zoneAcceptsAll', { zone: z.zone });
  if (port === 80 && z.services.includes('http')) return t('path.firewall.zoneAllowsHttp', { zone: z.zone });
  if (portAllowed(z.ports, port)) return t('path.firewall.zoneAllowsPort', { zone: z.zone, port });
  return undefined;
}

function zoneText(z: ZoneView): string {
  const vars = { zone: z.zone, target: z.target, services: z.services.join(' ') || t('path.firewall.noServices') };
  return z.ports.length ? t('path.firewall.zoneWithPorts', { ...vars, ports: z.ports.map((p) => `${p.port}/${p.protocol}`).join(' ') }) : t('path.firewall.zone', vars);
}

/**
 * firewalld filters each interface by the zone it is bound to; an interface bound to none uses the default zone.
 * `labIps` are the addresses whose interfaces take the lab's HTTP traffic.
 */
export function judgeFirewall(ctx: HostContext, fw: FirewallInfo | undefined, ports: number[], labIps: string[], wantedZone: string | undefined, role: string): Verdict {
  const portText = ports.map((p) => `${p}/tcp`).join(t('path.listSep'));
  const expectedKey = labIps.length
    ? wantedZone ? 'path.firewall.expectedLabWanted' : 'path.firewall.expectedLab'
    : wantedZone ? 'path.firewall.expectedWanted' : 'path.firewall.expected';
  const expected = t(expectedKey, { ports: portText, wanted: wantedZone ?? '' });
  const st = ctx.facts.services.get('firewalld');
  if (!st?.loaded) return pass(expected, t('path.firewall.notInstalled'));
  if (!st.active) return pass(expected, t('path.firewall.inactive'));
  // set-default-zone writes firewalld.conf as it changes the runtime zone, so the file names the zone in use.
  const zone = ctx.facts.firewallZone ?? fw?.confZone;
  if (!zone) return fail(expected, t('path.firewall.zoneUnreadable'), t('path.firewall.zoneUnreadableWhy'), ['firewall-cmd --get-default-zone']);
  const allows = (z: string) => ports.every((p) => zoneAllows(zoneView(fw, z), p));
  const links = [...new Set(labIps.map((ip) => linkHolding(ctx, ip)).filter((l) => l !== undefined))];
  const bound = links.map((l) => ({ dev: l.name, zone: fw?.active.get(l.name) ?? zone, runtime: fw?.active.has(l.name) ?? false }));
  const found = [t('path.firewall.found', { zone: zoneText(zoneView(fw, zone)) }), ...bound.map((b) => t('path.firewall.foundBound', { dev: b.dev, zone: b.zone }))].join(t('path.sep'));
  const blockedNow = bound.filter((b) => !allows(b.zone));
  const defaultOk = allows(zone);
  if (blockedNow.length === 0 && defaultOk) return pass(expected, found);
  const what = t(role === 'real-server' ? 'path.firewall.rejectsForwarded' : 'path.firewall.rejectsClient', { host: ctx.hostName });
  const openZone = (z: string): string[] =>
    ports.flatMap((p) => (p === 80 ? [`firewall-cmd --zone=${quote(z)} --add-service=http`, `firewall-cmd --permanent --zone=${quote(z)} --add-service=http`] : [`firewall-cmd --zone=${quote(z)} --add-port=${p}/tcp`, `firewall-cmd --permanent --zone=${quote(z)} --add-port=${p}/tcp`]));
  // As `lab up` orders them: runtime-only bindings taken away first (once set-default-zone has moved an interface, it
  // is no longer in the zone named), then the default zone, then profiles that name a zone (NetworkManager hands the
  // new zone to firewalld at once).
  const profiles = blockedNow.map((b) => nmFor(ctx, linkByName(ctx, b.dev)));
  const named = (i: number) => (profiles[i] && profiles[i]!.conn.zone !== '' && profiles[i]!.conn.zone !== wantedZone ? profiles[i] : undefined);
  const fix: string[] = [];
  if (wantedZone) blockedNow.forEach((b, i) => b.runtime && !named(i) && fix.push(sh`firewall-cmd --zone=${b.zone} --remove-interface=${b.dev}`));
  if (!defaultOk) fix.push(...(wantedZone ? [`firewall-cmd --set-default-zone=${quote(wantedZone)}`] : openZone(zone)));
  blockedNow.forEach((b, i) => {
    const nm = named(i);
    if (!wantedZone) {
      if (b.zone !== zone || defaultOk) fix.push(...openZone(b.zone));
    } else if (nm) fix.push(sh`nmcli connection modify ${nm.ref} connection.zone ''`);
  });
  if (blockedNow.length > 0) {
    const b = blockedNow[0]!;
    const nm = named(0);
    const how = nm
      ? t('path.firewall.boundByProfile', { profile: nm.ref, zone: nm.conn.zone })
      : wantedZone && b.runtime && b.zone !== zone
        ? t('path.firewall.boundAtRuntime', { zone: b.zone })
        : undefined;
    const blocked = t('path.firewall.blocked', { dev: b.dev, zone: b.zone, ports: portText, what });
    return failNm(ctx.facts.nm, expected, found, how ? t('path.sentences', { first: blocked, second: how }) : blocked, fix);
  }
  const b = bound[0];
  return fail(
    expected,
    found,
    t('path.sentences', {
      first: t('path.firewall.defaultZone', { host: ctx.hostName, zone, ports: portText }),
      second: b ? t('path.firewall.stillBound', { dev: b.dev, zone: b.zone, what }) : t('path.firewall.then', { what }),
    }),
    fix,
  );
}

export function judgeSelinux(ctx: HostContext, wanted: 'enforcing' | 'permissive'): Verdict {
  const expected = t('path.selinux.expected', { wanted });
  const runtime = ctx.facts.selinux;
  if (runtime === undefined) return skip(expected, t('path.selinux.absent'));
  const boot = configMode(ctx);
  const found = boot ? t('path.selinux.foundBoot', { runtime, boot }) : t('path.selinux.found', { runtime });
  const runtimeOk = runtime.toLowerCase() === wanted || (wanted === 'permissive' && runtime === 'Disabled');
  const bootOk = boot === undefined || boot === wanted || (wanted === 'permissive' && boot === 'disabled');
  if (runtimeOk && bootOk) return pass(expected, found);
  if (wanted === 'enforcing' && runtime === 'Disabled')
    return fail(expected, found, t('path.selinux.disabled'), [
      `sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config && touch /.autorelabel && reboot`,
    ]);
  const fix = [...(runtimeOk ? [] : [`setenforce ${wanted === 'permissive' ? 0 : 1}`]), ...(bootOk ? [] : [`sed -i 's/^SELINUX=.*/SELINUX=${wanted}/' /etc/selinux/config`])];
  return fail(
    expected,
    found,
    runtimeOk
      ? t('path.selinux.bootDiffers', { runtime, boot: String(boot) })
      : t('path.selinux.wrongMode', { wanted, runtime: runtime.toLowerCase() }),
    fix,
  );
}

export interface VipStory {
  vip: string;
  port: number;
  /** Networks the real servers are on that the client is not (the director's inside networks). */
  privateNets: { name: string; cidr: string }[];
  /** The mode's words for what reaching the real servers directly would mean (after "they"). */
  fromOutside?: string;
}

/** The phrases a mode may give as `fromOutside`, in the catalog: the first is the default. */
const CONSEQUENCES = ['path.vipFromClient.bypassNat', 'path.vipFromClient.bypassDirector'];

/**
 * What reaching the real servers directly means, in the reader's language: the modes (src/modes) give it in English, so
 * a phrase the catalog has (its English the same) reads from the catalog; any other phrase as the mode gives it.
 */
function consequence(fromOutside: string | undefined): string {
  const key = fromOutside === undefined ? CONSEQUENCES[0] : CONSEQUENCES.find((k) => withLang('en', () => t(k)) === fromOutside);
  return key ? t(key) : fromOutside!;
}

export function judgeVipFromClient(ctx: HostContext, route: RouteGet | undefined, records: RequestRecord[], servers: ServerPage[], s: VipStory): Verdict {
  const url = `http://${s.vip}${s.port === 80 ? '' : `:${s.port}`}/`;
  const expected =
    s.privateNets.length > 0
      ? t('path.vipFromClient.expectedNotVia', { url, host: ctx.hostName, nets: s.privateNets.map((n) => `${n.name} ${n.cidr}`).join(t('path.listSep')) })
      : t('path.vipFromClient.expected', { url, host: ctx.hostName });
  const inside = ctx.facts.links.flatMap((l) => l.addrs.filter((a) => s.privateNets.some((n) => inCidr(a.ip, n.cidr))).map((a) => ({ link: l, ip: a.ip })));
  const answers = records.map((r) => classify(r, servers));
  const served = answers.filter((a) => a.kind === 'server');
  const found = [route ? `ip route get ${s.vip}: ${route.text}` : t('path.vipFromClient.noRoute'), t('path.vipFromClient.requests', { n: records.length, sequence: sequenceText(answers) })].join(t('path.sep'));
  if (inside.length > 0) {
    const first = inside[0]!;
    return failNm(
      ctx.facts.nm,
      expected,
      [t('path.vipFromClient.holds', { host: ctx.hostName, addrs: inside.map((x) => t('path.vipFromClient.addrOn', { ip: x.ip, dev: x.link.name })).join(t('path.listSep')) }), found].join(t('path.sep')),
      t('path.vipFromClient.privateAddress', { host: ctx.hostName, consequence: consequence(s.fromOutside) }),
      dropAddressFix(ctx, first.link, first.ip),
    );
  }
  if (route && route.ok && route.src && s.privateNets.some((n) => inCidr(route.src!, n.cidr)))
    return fail(expected, found, t('path.vipFromClient.privateSource', { host: ctx.hostName, vip: s.vip, src: route.src }));
  if (!route?.ok) return fail(expected, found, t('path.vipFromClient.noRouteWhy', { host: ctx.hostName, vip: s.vip }));
  if (served.length === 0)
    return fail(expected, found, t('path.vipFromClient.noPage', { host: ctx.hostName, vip: s.vip }));
  return pass(expected, found);
}
