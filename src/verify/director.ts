// Judges for the director: it holds the VIP, forwards (runtime and at boot), and its IPVS table equals the spec.
import { diffIpvs, extraServices, formatOp, parseIpvsSave, renderSave, serviceKey, serviceLabel, type IpvsOp, type IpvsService } from '../ipvs/index.js';
import { sysctlContent, sysctlFile } from '../modules/sysctl.js';
import type { HostContext } from '../modules/types.js';
import { addressOwners } from '../spec/rules.js';
import { quote } from '../ssh/quote.js';
import { linkHolding, nmFor, sysctlRuntimeFix, writeFileFix } from './fixes.js';
import type { ListenSocket, SysctlFileEntry } from './probe.js';
import { answerToken, classify, type RequestRecord, type ServerPage } from './requests.js';
import { listeningText } from './realservers.js';
import { inCidr } from '../spec/ipv4.js';
import { persistedValue } from './sysctl-order.js';
import { fail, failNm, pass, type Verdict } from './types.js';

/** Who the story of a failure is about: the director's real servers and the client. */
export interface DirectorStory {
  vip: string;
  realServers: string[];
  client?: string;
}

const list = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** `addresses` is everything the director's profile on that network holds (its own address, then the VIP), each with its prefix. */
export function judgeVipHeld(ctx: HostContext, vip: string, network: string, prefix: number, addresses: string[] = [`${vip}/${prefix}`]): Verdict {
  const expected = `${vip} on ${ctx.hostName}'s ${network} interface`;
  const link = linkHolding(ctx, vip);
  if (link) return pass(expected, `${vip}/${link.addrs.find((a) => a.ip === vip)!.prefix} on ${link.name}`);
  const hint = ctx.target.interfaces?.[network];
  const target = ctx.facts.links.find((l) => (hint?.mac && l.mac === hint.mac.toLowerCase()) || (hint?.device && l.name === hint.device));
  const nm = nmFor(ctx, target);
  const fix = nm
    ? [`nmcli connection modify ${quote(nm.ref)} ipv4.method manual ipv4.addresses ${quote(addresses.join(', '))} && nmcli connection up ${quote(nm.ref)}`]
    : target
      ? [`ip addr add ${quote(`${vip}/${prefix}`)} dev ${quote(target.name)}`]
      : [];
  return failNm(ctx.facts.nm, expected, `no interface of ${ctx.hostName} holds ${vip}`, `Clients send their requests to the VIP ${vip}; IPVS only sees them if ${ctx.hostName} holds that address. Without it, the requests go nowhere.`, fix);
}

export function judgeSysctlRuntime(ctx: HostContext, key: string, want: string, story: DirectorStory): Verdict {
  const cur = ctx.facts.sysctl.get(key);
  const expected = `${key} = ${want} now`;
  if (cur === want) return pass(expected, `${key} = ${cur}`);
  const why =
    key === 'net.ipv4.ip_forward'
      ? `${ctx.hostName} has ${key} = ${cur ?? 'unknown'}, so it does not route between its networks: the replies ${list(story.realServers)} send${story.client ? ` to ${story.client}` : ''} reach it but are dropped instead of being rewritten to come from ${story.vip} and forwarded. The requests get through; no answer comes back.`
      : key === 'net.ipv4.vs.conntrack'
        ? `With ${key} = ${cur ?? 'unknown'}, IPVS keeps no conntrack entries for its connections, so firewalld's nftables rules see the replies of ${list(story.realServers)} (their SYN-ACKs) as invalid and drop them before any zone is consulted. The requests get through; no answer comes back.`
        : `${key} is ${cur ?? 'unset'} at runtime; the lab needs ${want}.`;
  return fail(expected, `${key} = ${cur ?? 'unknown'}`, why, [sysctlRuntimeFix(key, want)]);
}

/** `all` is every value the lab persists in its sysctl file, so the fix rewrites the whole file. */
export function judgeSysctlPersisted(ctx: HostContext, files: SysctlFileEntry[], key: string, want: string, all: Record<string, string> = { [key]: want }): Verdict {
  const p = persistedValue(files, key);
  const expected = `${key} = ${want} at boot (the last value in systemd-sysctl's order over /etc/sysctl.d, /run/sysctl.d, /usr/lib/sysctl.d)`;
  const found = p.value !== undefined ? `${key} = ${p.value}, last set by ${p.file}` : `no file read at boot sets ${key}${p.unreadSysctlConf !== undefined ? ` (/etc/sysctl.conf says ${p.unreadSysctlConf}, but no sysctl.d link makes systemd read it)` : ''}`;
  if (p.value === want) return pass(expected, found);
  const ours = sysctlFile(ctx);
  const oursName = ours.slice(ours.lastIndexOf('/') + 1);
  const later = p.setters.filter((s) => s.value !== want && s.file.slice(s.file.lastIndexOf('/') + 1) > oursName).map((s) => s.file);
  const fix = [writeFileFix(ours, sysctlContent(all)), ...[...new Set(later)].map((f) => `sed -i ${quote(`/^[[:space:]]*-\\?${key.replace(/\./g, '[./]')}[[:space:]]*=/d`)} ${quote(f)}`)];
  const now = ctx.facts.sysctl.get(key);
  return fail(
    expected,
    found,
    `${now === want ? `It is ${want} now, but` : 'And'} the value read at boot is ${p.value ?? 'the kernel default (0)'}, so after a reboot ${ctx.hostName} ${key === 'net.ipv4.ip_forward' ? 'stops forwarding and the lab breaks' : `gets ${key} = ${p.value ?? 'its default'} and the lab breaks`}. systemd-sysctl applies the files by name, and the last one that sets the key wins.`,
    fix,
  );
}

function realName(ctx: HostContext, address: string): string {
  const owner = addressOwners(ctx.lab).get(address);
  return owner ? `${owner.host} (${address})` : address;
}

/** What each scheduler does, in one phrase. */
const SCHEDULERS: Record<string, string> = {
  rr: 'takes the real servers in turn, ignoring weights',
  wrr: 'gives each real server a share of new connections proportional to its weight',
  lc: 'sends each new connection to the real server with the fewest connections',
  wlc: 'sends each new connection to the real server with the fewest connections for its weight',
  sh: 'hashes the client address, so one client always reaches the same real server',
  dh: 'hashes the destination address, so one destination always maps to the same real server',
  lblc: 'keeps each destination on one real server until it is overloaded',
  lblcr: 'keeps each destination on a set of real servers',
  sed: 'picks the shortest expected delay',
  nq: 'picks an idle real server first, else the shortest expected delay',
  mh: 'hashes the client address with Maglev hashing, so one client always reaches the same real server',
  fo: 'sends everything to the available real server with the highest weight',
  ovf: 'sends everything to the highest-weight real server until its active connections exceed its weight, then overflows to the next',
};

const FLAG: Record<string, string> = { nat: '-m (NAT)', dr: '-g (direct routing)', tun: '-i (IP tunnelling)' };

function opWhy(ctx: HostContext, op: IpvsOp): string {
  const label = serviceLabel(op.service);
  switch (op.op) {
    case 'add-service':
      return `There is no IPVS service ${label}, so connections to it reach no real server; ${ctx.hostName} itself answers them, and nothing listens there.`;
    case 'delete-service':
      return `${label} is not in the spec.`;
    case 'edit-service': {
      const parts: string[] = [];
      if (op.from.scheduler !== op.service.scheduler) {
        const equal = op.service.reals.every((r) => r.weight === op.service.reals[0]!.weight);
        const alike = equal && ['rr', 'wrr'].includes(op.from.scheduler) && ['rr', 'wrr'].includes(op.service.scheduler);
        parts.push(
          `${label} schedules with ${op.from.scheduler} (${SCHEDULERS[op.from.scheduler] ?? 'another algorithm'}), not ${op.service.scheduler} (${SCHEDULERS[op.service.scheduler] ?? 'as the lab says'}). ` +
            (alike ? 'With these equal weights the client cannot tell them apart, but the table is not the one the lab asks for, and the answers differ as soon as the weights do.' : 'So the client sees another distribution than the one the lab teaches.'),
        );
      }
      if (op.from.persistence !== op.service.persistence)
        parts.push(
          op.service.persistence === undefined
            ? `${label} is persistent (-p ${op.from.persistence}), so one client sticks to one real server instead of being balanced.`
            : `${label} should pin each client to one real server (-p ${op.service.persistence}) but ${op.from.persistence === undefined ? 'is not persistent' : `uses -p ${op.from.persistence}`}.`,
        );
      if (parts.length === 0) parts.push(`${label}'s options differ from the spec.`);
      return parts.join(' ');
    }
    case 'add-real':
      return `${realName(ctx, op.real.address)} is not a real server of ${label}, so it never gets a request.`;
    case 'delete-real':
      return `${realName(ctx, op.real.address)} is a real server of ${label} that the spec does not list; it takes a share of the requests.`;
    case 'edit-real': {
      const who = realName(ctx, op.real.address);
      if (op.from.forwarding !== op.real.forwarding) {
        if (op.real.forwarding === 'nat' && op.from.forwarding === 'dr')
          return `${who} is reached with ${FLAG.dr} instead of ${FLAG.nat}: the director passes the request on unchanged, still addressed to ${op.service.vip}, which that server does not hold, so it drops the request and the client times out.`;
        if (op.real.forwarding === 'nat' && op.from.forwarding === 'tun')
          return `${who} is reached with ${FLAG.tun} instead of ${FLAG.nat}: the director wraps each request in an IPIP packet that the server cannot unpack (no tunnel device holding ${op.service.vip}), so it drops it.`;
        if (op.from.forwarding === 'nat')
          return `${who} is reached with -m (masquerading) instead of ${FLAG[op.real.forwarding]}: the director rewrites each request's destination from ${op.service.vip} to ${op.real.address}, and the real server answers from that address straight to the client, which asked ${op.service.vip} and refuses the answer. With ${FLAG[op.real.forwarding]} the request keeps ${op.service.vip}, which the real server holds, and its answer comes from the VIP.`;
        return `${who} is reached with ${FLAG[op.from.forwarding]} instead of ${FLAG[op.real.forwarding]}, which needs a different set-up of the real server.`;
      }
      if (op.from.weight !== op.real.weight)
        return `${who} has weight ${op.from.weight} instead of ${op.real.weight}, so it ${op.from.weight === 0 ? 'gets no new connections at all' : 'gets another share of the connections than the lab expects'}.`;
      return `${who}'s options differ from the spec.`;
    }
  }
}

function describe(services: IpvsService[]): string {
  const text = renderSave(services).trim();
  return text === '' ? '(empty table)' : text.split('\n').join('; ');
}

export function liveTable(ctx: HostContext): { services?: IpvsService[]; problem?: string } {
  if (!ctx.facts.ipvs.installed) return { problem: 'ipvsadm is not installed' };
  try {
    return { services: parseIpvsSave(ctx.facts.ipvs.save) };
  } catch {
    return { problem: `ipvsadm -Sn failed: ${ctx.facts.ipvs.save.trim().split('\n')[0] ?? ''}` };
  }
}

export function judgeIpvs(ctx: HostContext, desired: IpvsService[]): Verdict {
  const expected = describe(desired);
  const live = liveTable(ctx);
  if (!live.services) {
    const ops = diffIpvs(desired, []);
    return fail(
      expected,
      live.problem!,
      `The director schedules with the kernel's IPVS table, which ipvsadm sets and shows; ${live.problem}, so the table cannot be read or set.`,
      [...(ctx.facts.ipvs.installed ? [] : [ctx.os.install([ctx.os.packages.ipvsadm ?? 'ipvsadm'])]), ...ops.map(formatOp)],
    );
  }
  const keys = new Set(desired.map(serviceKey));
  const mine = live.services.filter((s) => keys.has(serviceKey(s)));
  const ops = diffIpvs(desired, live.services);
  const found = mine.length === 0 ? `no service ${desired.map(serviceLabel).join(', ')}` : describe(mine);
  if (ops.length === 0) return pass(expected, found);
  return fail(expected, found, ops.map((op) => opWhy(ctx, op)).filter((w, i, a) => a.indexOf(w) === i).slice(0, 3).join(' '), ops.map(formatOp));
}

export function judgeExtraRules(ctx: HostContext, desired: IpvsService[]): Verdict {
  const expected = `no IPVS services besides ${desired.map(serviceLabel).join(', ') || 'the spec\'s'}`;
  const live = liveTable(ctx);
  if (!live.services) return pass(expected, live.problem!);
  const extra = extraServices(desired, live.services);
  if (extra.length === 0) return pass(expected, 'none');
  return fail(
    expected,
    describe(extra),
    `The table holds ${extra.length === 1 ? 'a service' : 'services'} the lab does not define (${extra.map(serviceLabel).join(', ')}), e.g. left from an earlier attempt; ipvsadm -Sn should equal the spec, and a stray rule can capture traffic meant for another lab.`,
    extra.map((service) => formatOp({ op: 'delete-service', service })),
  );
}

/** One network of the director's: its own address there, and every address its profile there must hold (own, then VIPs). */
export interface OwnAddresses {
  network: string;
  addresses: string[];
  /** Who needs the director on that network, in words: "web1 and web2 (their gateway)". */
  needed: string;
}

/** Every address the spec gives the director, on a link now and in a NetworkManager profile for the next boot. */
export function judgeOwnAddresses(ctx: HostContext, wanted: OwnAddresses[]): Verdict {
  const all = wanted.flatMap((w) => w.addresses);
  const expected = `${all.join(', ')} on ${ctx.hostName} now and at boot`;
  const held = (a: string) => ctx.facts.links.some((l) => l.addrs.some((x) => `${x.ip}/${x.prefix}` === a));
  const inProfile = (a: string) => ctx.facts.connections.some((c) => c.addresses.includes(a) && c.autoconnect);
  const missingNow = all.filter((a) => !held(a));
  const missingBoot = ctx.facts.nm ? all.filter((a) => !inProfile(a)) : [];
  const found = [
    missingNow.length === 0 ? 'all held now' : `missing now: ${missingNow.join(', ')}`,
    ...(ctx.facts.nm ? [missingBoot.length === 0 ? 'all in profiles that come up at boot' : `in no profile that comes up at boot: ${missingBoot.join(', ')}`] : []),
  ].join('; ');
  if (missingNow.length === 0 && missingBoot.length === 0) return pass(expected, found);
  const w = wanted.find((x) => x.addresses.some((a) => missingNow.includes(a) || missingBoot.includes(a)))!;
  const hint = ctx.target.interfaces?.[w.network];
  const link =
    ctx.facts.links.find((l) => (hint?.mac && l.mac === hint.mac.toLowerCase()) || (hint?.device && l.name === hint.device)) ??
    ctx.facts.links.find((l) => l.addrs.some((x) => w.addresses.includes(`${x.ip}/${x.prefix}`)));
  const nm = nmFor(ctx, link);
  const profileOk = nm && w.addresses.every((a) => nm.conn.addresses.includes(a));
  const fix = nm
    ? profileOk && nm.conn.device === link!.name
      ? [`nmcli device reapply ${quote(link!.name)}`]
      : [`nmcli connection modify ${quote(nm.ref)} ipv4.method manual ipv4.addresses ${quote(w.addresses.join(', '))} && nmcli connection up ${quote(nm.ref)}${link ? ` ifname ${quote(link.name)}` : ''}`]
    : link
      ? w.addresses.filter((a) => !held(a)).map((a) => `ip addr add ${quote(a)} dev ${quote(link.name)}`)
      : [];
  const gone = w.addresses.filter((a) => missingNow.includes(a));
  const why =
    gone.length > 0
      ? `${ctx.hostName} does not hold ${gone.join(', ')}, its address on the ${w.network} network in the spec, so ${w.needed} cannot reach it there and the lab breaks at the director.`
      : `${ctx.hostName} holds ${w.addresses.join(', ')} now, but no NetworkManager profile that comes up at boot gives ${w.addresses.length > 1 ? 'them' : 'it'}: after a reboot ${w.needed} cannot reach it.`;
  return failNm(ctx.facts.nm, expected, found, `${why} \`lab up\` puts ${gone.length > 1 ? 'them' : 'it'} back.`, fix);
}

/**
 * The course's step 2 check from the director: `curl http://RIP:PORT/` reaches that real server and gets its page.
 * The cause of a failure is usually on the real server; `server` is what the director sees of it, `view` what the real
 * server itself says (its listening sockets), when it was looked at.
 */
export function judgeDirectReach(
  ctx: HostContext,
  records: RequestRecord[] | undefined,
  server: ServerPage & { port: number; network: string },
  view: { listening?: ListenSocket[]; unit: string } | undefined,
): Verdict {
  const url = `http://${server.address}${server.port === 80 ? '' : `:${server.port}`}/`;
  const expected = `curl ${url} from ${ctx.hostName} gets ${server.host}'s page`;
  const r = records?.[0];
  if (!r) return fail(expected, 'no request was recorded', 'The probe did not report the request.');
  const answer = classify(r, [server]);
  const found = `curl ${url}: ${answer.kind === 'server' ? `${server.host}'s page` : answerToken(answer)}`;
  if (answer.kind === 'server') return pass(expected, found);
  // A real server on one of the director's networks in the spec (NAT, DR) is reached directly; a TUN one may be routed.
  const shared = server.network in ctx.host.interfaces;
  const onNet = !shared || ctx.facts.links.some((l) => l.addrs.some((a) => inCidr(server.address, `${a.ip}/${a.prefix}`)));
  const listening = view?.listening;
  const listens = listening?.some((l) => l.port === server.port);
  let why: string;
  if (answer.kind === 'other')
    why = `${server.host} answers on ${server.address}:${server.port}, but not with the page lab up wrote there (first line "${answer.firstLine}"), so the client cannot tell its answers apart.`;
  else if (!onNet && answer.exit !== 7)
    why = `${ctx.hostName} has no address on ${server.host}'s network (${server.address}), so it has no direct way to it.`;
  else if (answer.exit === 7 && listening && !listens)
    why = `${server.host} refuses connections on port ${server.port}: ${listeningText(listening, view!.unit)}. The director forwards the service's connections to port ${server.port}, so every one sent to ${server.host} is refused.`;
  else if (answer.exit === 7)
    why = `${server.host} refuses connections on port ${server.port}${listens ? ' although its web server listens there: its firewall rejects them' : ''}.`;
  else
    why = `${server.host} does not answer on ${server.address}:${server.port} (${answerToken(answer)}): its firewall drops the connection, or its replies to ${ctx.hostName} go another way.`;
  return { ...fail(expected, found, why), lookAt: !onNet && answer.kind === 'error' && answer.exit !== 7 ? [ctx.hostName] : [server.host, ctx.hostName] };
}
