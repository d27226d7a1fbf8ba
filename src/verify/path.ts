// Judges for the path a request takes: firewalld lets HTTP in, SELinux as the lab wants, the VIP answers from outside.
import type { HostContext } from '../modules/types.js';
import { configMode } from '../modules/selinux.js';
import { inCidr } from '../spec/ipv4.js';
import { quote } from '../ssh/quote.js';
import { dropAddressFix } from './fixes.js';
import type { FirewallInfo, RouteGet } from './probe.js';
import { classify, sequenceText, type RequestRecord, type ServerPage } from './requests.js';
import { fail, pass, skip, type Verdict } from './types.js';

function portAllowed(ports: { port: string; protocol: string }[] | undefined, port: number): boolean {
  return (ports ?? []).some((p) => {
    if (p.protocol !== 'tcp') return false;
    const [lo, hi] = p.port.split('-').map(Number);
    return lo !== undefined && port >= lo && port <= (hi ?? lo);
  });
}

/** Why a zone lets TCP `port` in, or undefined when it does not. */
export function zoneAllows(fw: FirewallInfo, port: number): string | undefined {
  const target = fw.xml?.target;
  if (fw.zone === 'trusted' || target === 'ACCEPT') return `zone ${fw.zone} accepts everything (target ACCEPT)`;
  const services = fw.services ?? fw.xml?.services ?? [];
  if (port === 80 && services.includes('http')) return `zone ${fw.zone} allows service http`;
  if (portAllowed(fw.ports ?? fw.xml?.ports, port)) return `zone ${fw.zone} allows port ${port}/tcp`;
  return undefined;
}

export function judgeFirewall(ctx: HostContext, fw: FirewallInfo | undefined, ports: number[], wantedZone: string | undefined, role: string): Verdict {
  const expected = `firewalld inactive, or its default zone lets ${ports.map((p) => `${p}/tcp`).join(', ')} in${wantedZone ? ` (the lab sets zone ${wantedZone})` : ''}`;
  const st = ctx.facts.services.get('firewalld');
  if (!st?.loaded) return pass(expected, 'firewalld is not installed');
  if (!st.active) return pass(expected, 'firewalld is inactive');
  const zone = fw?.zone ?? ctx.facts.firewallZone;
  if (!fw || !zone) return fail(expected, 'firewalld is active, but its default zone could not be read over D-Bus', 'Without the zone, lab cannot tell whether HTTP gets through.', ['firewall-cmd --get-default-zone']);
  const blocked = ports.filter((p) => !zoneAllows(fw, p));
  const services = fw.services ?? fw.xml?.services ?? [];
  const found = `firewalld active, default zone ${zone} (target ${fw.xml?.target ?? '?'}; services ${services.join(' ') || 'none'}${(fw.ports ?? []).length ? `; ports ${(fw.ports ?? []).map((p) => `${p.port}/${p.protocol}`).join(' ')}` : ''})`;
  if (blocked.length === 0) return pass(expected, found);
  const fix = wantedZone
    ? [`firewall-cmd --set-default-zone=${quote(wantedZone)}`]
    : blocked.flatMap((p) => (p === 80 ? ['firewall-cmd --add-service=http', 'firewall-cmd --permanent --add-service=http'] : [`firewall-cmd --add-port=${p}/tcp`, `firewall-cmd --permanent --add-port=${p}/tcp`]));
  const what =
    role === 'real-server'
      ? `${ctx.hostName} rejects the requests the director forwards to it, so its share of the client's requests fail`
      : `${ctx.hostName} rejects the client's requests before IPVS sees them`;
  return fail(expected, found, `firewalld's default zone on ${ctx.hostName} is ${zone}, which does not allow ${blocked.map((p) => `${p}/tcp`).join(', ')}: ${what}.`, fix);
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
}

export function judgeVipFromClient(ctx: HostContext, route: RouteGet | undefined, records: RequestRecord[], servers: ServerPage[], s: VipStory): Verdict {
  const url = `http://${s.vip}${s.port === 80 ? '' : `:${s.port}`}/`;
  const expected = `${url} answers ${ctx.hostName} with a real server's page, over ${ctx.hostName}'s own network (not ${s.privateNets.map((n) => `${n.name} ${n.cidr}`).join(', ')})`;
  const inside = ctx.facts.links.flatMap((l) => l.addrs.filter((a) => s.privateNets.some((n) => inCidr(a.ip, n.cidr))).map((a) => ({ link: l, ip: a.ip })));
  const answers = records.map((r) => classify(r, servers));
  const served = answers.filter((a) => a.kind === 'server');
  const found = `${route ? `ip route get ${s.vip}: ${route.text}` : 'no route answer'}; ${records.length} request(s): ${sequenceText(answers)}`;
  if (inside.length > 0) {
    const first = inside[0]!;
    return fail(
      expected,
      `${ctx.hostName} holds ${inside.map((x) => `${x.ip} on ${x.link.name}`).join(', ')}; ${found}`,
      `${ctx.hostName} has an address on the private network, so it reaches the real servers directly and they answer it directly, bypassing the director: the test would prove nothing about NAT. The client must only reach the VIP from outside.`,
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
