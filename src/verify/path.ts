// Judges for the path a request takes: firewalld lets HTTP in, SELinux as the lab wants, the VIP answers from outside.
import type { HostContext } from '../modules/types.js';
import { configMode } from '../modules/selinux.js';
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
  if (z.zone === 'trusted' || z.target === 'ACCEPT') return `zone ${z.zone} accepts everything (target ACCEPT)`;
  if (port === 80 && z.services.includes('http')) return `zone ${z.zone} allows service http`;
  if (portAllowed(z.ports, port)) return `zone ${z.zone} allows port ${port}/tcp`;
  return undefined;
}

function zoneText(z: ZoneView): string {
  return `${z.zone} (target ${z.target}; services ${z.services.join(' ') || 'none'}${z.ports.length ? `; ports ${z.ports.map((p) => `${p.port}/${p.protocol}`).join(' ')}` : ''})`;
}

/**
 * firewalld filters each interface by the zone it is bound to; an interface bound to none uses the default zone.
 * `labIps` are the addresses whose interfaces take the lab's HTTP traffic.
 */
export function judgeFirewall(ctx: HostContext, fw: FirewallInfo | undefined, ports: number[], labIps: string[], wantedZone: string | undefined, role: string): Verdict {
  const portText = ports.map((p) => `${p}/tcp`).join(', ');
  const expected = `firewalld inactive, or its default zone${labIps.length ? ' and the lab interface\'s zone' : ''} let ${portText} in${wantedZone ? ` (the lab sets zone ${wantedZone})` : ''}`;
  const st = ctx.facts.services.get('firewalld');
  if (!st?.loaded) return pass(expected, 'firewalld is not installed');
  if (!st.active) return pass(expected, 'firewalld is inactive');
  // set-default-zone writes firewalld.conf as it changes the runtime zone, so the file names the zone in use.
  const zone = ctx.facts.firewallZone ?? fw?.confZone;
  if (!zone) return fail(expected, 'firewalld is active, but its default zone could not be read from /etc/firewalld/firewalld.conf', 'Without the zone, lab cannot tell whether HTTP gets through.', ['firewall-cmd --get-default-zone']);
  const allows = (z: string) => ports.every((p) => zoneAllows(zoneView(fw, z), p));
  const links = [...new Set(labIps.map((ip) => linkHolding(ctx, ip)).filter((l) => l !== undefined))];
  const bound = links.map((l) => ({ dev: l.name, zone: fw?.active.get(l.name) ?? zone, runtime: fw?.active.has(l.name) ?? false }));
  const found = `firewalld active, default zone ${zoneText(zoneView(fw, zone))}${bound.map((b) => `; ${b.dev} in zone ${b.zone}`).join('')}`;
  const blockedNow = bound.filter((b) => !allows(b.zone));
  const defaultOk = allows(zone);
  if (blockedNow.length === 0 && defaultOk) return pass(expected, found);
  const what =
    role === 'real-server'
      ? `${ctx.hostName} rejects the requests the director forwards to it, so its share of the client's requests fail`
      : `${ctx.hostName} rejects the client's requests before IPVS sees them`;
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
      ? ` Its NetworkManager profile ${nm.ref} binds it to zone ${nm.conn.zone}, and set-default-zone does not move an interface bound by name.`
      : wantedZone && b.runtime && b.zone !== zone
        ? ` No profile names that zone: the binding is firewalld's runtime state, left behind by set-default-zone (firewalld 1.3 moves only every second interface of the old default zone, as after a reset and a reboot). Taken out of ${b.zone}, it follows the default zone; \`lab up\` does the same.`
        : '';
    return failNm(ctx.facts.nm, expected, found, `${b.dev}, which takes the lab's requests, is in firewalld zone ${b.zone}, which does not allow ${portText}: ${what}.${how}`, fix);
  }
  const b = bound[0];
  return fail(
    expected,
    found,
    `firewalld's default zone on ${ctx.hostName} is ${zone}, which does not allow ${portText}.${b ? ` ${b.dev} is still bound to zone ${b.zone} from before, so requests get through now; but when NetworkManager activates its connection again (a reboot, nmcli connection up) it falls back to the default zone, and then ${what}.` : ` Then ${what}.`}`,
    fix,
  );
}

export function judgeSelinux(ctx: HostContext, wanted: 'enforcing' | 'permissive'): Verdict {
  const expected = `SELinux ${wanted} now and at boot`;
  const runtime = ctx.facts.selinux;
  if (runtime === undefined) return skip(expected, 'SELinux is not present on this host (no getenforce)');
  const boot = configMode(ctx);
  const found = `${runtime} now${boot ? `, SELINUX=${boot} in /etc/selinux/config` : ''}`;
  const runtimeOk = runtime.toLowerCase() === wanted || (wanted === 'permissive' && runtime === 'Disabled');
  const bootOk = boot === undefined || boot === wanted || (wanted === 'permissive' && boot === 'disabled');
  if (runtimeOk && bootOk) return pass(expected, found);
  if (wanted === 'enforcing' && runtime === 'Disabled')
    return fail(expected, found, 'SELinux is disabled; enforcing needs it enabled in /etc/selinux/config and a reboot (with a relabel).', [
      `sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config && touch /.autorelabel && reboot`,
    ]);
  const fix = [...(runtimeOk ? [] : [`setenforce ${wanted === 'permissive' ? 0 : 1}`]), ...(bootOk ? [] : [`sed -i 's/^SELINUX=.*/SELINUX=${wanted}/' /etc/selinux/config`])];
  return fail(
    expected,
    found,
    runtimeOk
      ? `SELinux is ${runtime} now, but /etc/selinux/config says ${boot}, so after a reboot it is ${boot} and the lab behaves differently.`
      : `The lab runs with SELinux ${wanted}; in ${runtime.toLowerCase()} mode its policy can deny what the lab does (httpd serving the page, connections it makes), and the failures look like network faults.`,
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

export function judgeVipFromClient(ctx: HostContext, route: RouteGet | undefined, records: RequestRecord[], servers: ServerPage[], s: VipStory): Verdict {
  const url = `http://${s.vip}${s.port === 80 ? '' : `:${s.port}`}/`;
  const expected = `${url} answers ${ctx.hostName} with a real server's page, over ${ctx.hostName}'s own network${s.privateNets.length > 0 ? ` (not ${s.privateNets.map((n) => `${n.name} ${n.cidr}`).join(', ')})` : ''}`;
  const inside = ctx.facts.links.flatMap((l) => l.addrs.filter((a) => s.privateNets.some((n) => inCidr(a.ip, n.cidr))).map((a) => ({ link: l, ip: a.ip })));
  const answers = records.map((r) => classify(r, servers));
  const served = answers.filter((a) => a.kind === 'server');
  const found = `${route ? `ip route get ${s.vip}: ${route.text}` : 'no route answer'}; ${records.length} request(s): ${sequenceText(answers)}`;
  if (inside.length > 0) {
    const first = inside[0]!;
    return failNm(
      ctx.facts.nm,
      expected,
      `${ctx.hostName} holds ${inside.map((x) => `${x.ip} on ${x.link.name}`).join(', ')}; ${found}`,
      `${ctx.hostName} has an address on the private network, so it reaches the real servers directly and ${s.fromOutside ?? 'they answer it directly, bypassing the director: the test would prove nothing about NAT'}. The client must only reach the VIP from outside.`,
      dropAddressFix(ctx, first.link, first.ip),
    );
  }
  if (route && route.ok && route.src && s.privateNets.some((n) => inCidr(route.src!, n.cidr)))
    return fail(expected, found, `${ctx.hostName} reaches ${s.vip} from ${route.src}, an address on the private network, so the requests do not come from outside.`);
  if (!route?.ok) return fail(expected, found, `${ctx.hostName} has no route to ${s.vip}: it needs an address on the VIP's network.`);
  if (served.length === 0)
    return fail(expected, found, `${ctx.hostName} reaches ${s.vip} but no request got a real server's page back; the balancing check and the director's checks say why.`);
  return pass(expected, found);
}
