// Judges for the director: it holds the VIP, forwards (runtime and at boot), and its IPVS table equals the spec.
import { diffIpvs, extraServices, formatOp, parseIpvsSave, renderSave, serviceKey, serviceLabel, type IpvsOp, type IpvsService } from '../ipvs/index.js';
import { sysctlContent, sysctlFile } from '../modules/sysctl.js';
import type { HostContext } from '../modules/types.js';
import { addressOwners } from '../spec/rules.js';
import { t } from '../i18n/index.js';
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

const list = (xs: string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : t('director.list.and', { head: xs.slice(0, -1).join(t('director.list.sep')), last: xs[xs.length - 1]! });

/** Whole sentences, one after the other (a space between them in English, none in Chinese). */
const sentences = (parts: string[]) => parts.reduce((first, next) => t('director.sentences', { first, next }));

/** `addresses` is everything the director's profile on that network holds (its own address, then the VIP), each with its prefix. */
export function judgeVipHeld(ctx: HostContext, vip: string, network: string, prefix: number, addresses: string[] = [`${vip}/${prefix}`]): Verdict {
  const expected = t('director.vipHeld.expected', { vip, host: ctx.hostName, network });
  const link = linkHolding(ctx, vip);
  if (link) return pass(expected, t('director.vipHeld.found', { address: `${vip}/${link.addrs.find((a) => a.ip === vip)!.prefix}`, link: link.name }));
  const hint = ctx.target.interfaces?.[network];
  const target = ctx.facts.links.find((l) => (hint?.mac && l.mac === hint.mac.toLowerCase()) || (hint?.device && l.name === hint.device));
  const nm = nmFor(ctx, target);
  const fix = nm
    ? [`nmcli connection modify ${quote(nm.ref)} ipv4.method manual ipv4.addresses ${quote(addresses.join(', '))} && nmcli connection up ${quote(nm.ref)}`]
    : target
      ? [`ip addr add ${quote(`${vip}/${prefix}`)} dev ${quote(target.name)}`]
      : [];
  return failNm(ctx.facts.nm, expected, t('director.vipHeld.missing', { host: ctx.hostName, vip }), t('director.vipHeld.why', { vip, host: ctx.hostName }), fix);
}

export function judgeSysctlRuntime(ctx: HostContext, key: string, want: string, story: DirectorStory): Verdict {
  const cur = ctx.facts.sysctl.get(key);
  const expected = t('director.sysctlRuntime.expected', { key, want });
  if (cur === want) return pass(expected, `${key} = ${cur}`);
  const value = cur ?? t('director.unknown');
  const servers = list(story.realServers);
  const why =
    key === 'net.ipv4.ip_forward'
      ? story.client
        ? t('director.sysctlRuntime.whyForwardToClient', { host: ctx.hostName, key, value, servers, client: story.client, vip: story.vip })
        : t('director.sysctlRuntime.whyForward', { host: ctx.hostName, key, value, servers, vip: story.vip })
      : key === 'net.ipv4.vs.conntrack'
        ? t('director.sysctlRuntime.whyConntrack', { key, value, servers })
        : cur === undefined
          ? t('director.sysctlRuntime.whyUnset', { key, want })
          : t('director.sysctlRuntime.whyOther', { key, value: cur, want });
  return fail(expected, `${key} = ${value}`, why, [sysctlRuntimeFix(key, want)]);
}

/** `all` is every value the lab persists in its sysctl file, so the fix rewrites the whole file. */
export function judgeSysctlPersisted(ctx: HostContext, files: SysctlFileEntry[], key: string, want: string, all: Record<string, string> = { [key]: want }): Verdict {
  const p = persistedValue(files, key);
  const expected = t('director.sysctlPersisted.expected', { key, want });
  const found =
    p.value !== undefined
      ? t('director.sysctlPersisted.found', { key, value: p.value, file: p.file ?? '' })
      : p.unreadSysctlConf !== undefined
        ? t('director.sysctlPersisted.foundUnread', { key, value: p.unreadSysctlConf })
        : t('director.sysctlPersisted.foundNone', { key });
  if (p.value === want) return pass(expected, found);
  const ours = sysctlFile(ctx);
  const oursName = ours.slice(ours.lastIndexOf('/') + 1);
  const later = p.setters.filter((s) => s.value !== want && s.file.slice(s.file.lastIndexOf('/') + 1) > oursName).map((s) => s.file);
  const fix = [writeFileFix(ours, sysctlContent(all)), ...[...new Set(later)].map((f) => `sed -i ${quote(`/^[[:space:]]*-\\?${key.replace(/\./g, '[./]')}[[:space:]]*=/d`)} ${quote(f)}`)];
  const nowOk = ctx.facts.sysctl.get(key) === want;
  const boot = p.value ?? t('director.sysctlPersisted.kernelDefault');
  const why =
    key === 'net.ipv4.ip_forward'
      ? t(nowOk ? 'director.sysctlPersisted.whyForwardNowOk' : 'director.sysctlPersisted.whyForward', { want, boot, host: ctx.hostName })
      : t(nowOk ? 'director.sysctlPersisted.whyOtherNowOk' : 'director.sysctlPersisted.whyOther', { want, boot, host: ctx.hostName, key, bootValue: p.value ?? t('director.sysctlPersisted.itsDefault') });
  return fail(expected, found, why, fix);
}

function realName(ctx: HostContext, address: string): string {
  const owner = addressOwners(ctx.lab).get(address);
  return owner ? `${owner.host} (${address})` : address;
}

/** The schedulers the catalog describes in one phrase (director.schedulers.NAME). */
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'lblc', 'lblcr', 'sed', 'nq', 'mh', 'fo', 'ovf'];

/** What a scheduler does, in one phrase; `fallback` for one the catalog does not describe. */
function schedulerText(scheduler: string, fallback: 'other' | 'wanted'): string {
  return t(SCHEDULERS.includes(scheduler) ? `director.schedulers.${scheduler}` : `director.schedulers.${fallback}`);
}

/** ipvsadm's flag for a forwarding method, with its name: `-g (direct routing)`. */
const flag = (forwarding: string) => t(`director.flags.${forwarding}`);

function opWhy(ctx: HostContext, op: IpvsOp): string {
  const label = serviceLabel(op.service);
  switch (op.op) {
    case 'add-service':
      return t('director.ipvs.addService', { label, host: ctx.hostName });
    case 'delete-service':
      return t('director.ipvs.deleteService', { label });
    case 'edit-service': {
      const parts: string[] = [];
      if (op.from.scheduler !== op.service.scheduler) {
        const equal = op.service.reals.every((r) => r.weight === op.service.reals[0]!.weight);
        const alike = equal && ['rr', 'wrr'].includes(op.from.scheduler) && ['rr', 'wrr'].includes(op.service.scheduler);
        parts.push(
          t(alike ? 'director.ipvs.schedulerAlike' : 'director.ipvs.scheduler', {
            label,
            from: op.from.scheduler,
            fromText: schedulerText(op.from.scheduler, 'other'),
            to: op.service.scheduler,
            toText: schedulerText(op.service.scheduler, 'wanted'),
          }),
        );
      }
      if (op.from.persistence !== op.service.persistence)
        parts.push(
          op.service.persistence === undefined
            ? t('director.ipvs.persistent', { label, from: String(op.from.persistence) })
            : op.from.persistence === undefined
              ? t('director.ipvs.notPersistent', { label, want: op.service.persistence })
              : t('director.ipvs.otherPersistence', { label, want: op.service.persistence, from: op.from.persistence }),
        );
      if (parts.length === 0) parts.push(t('director.ipvs.serviceOptions', { label }));
      return sentences(parts);
    }
    case 'add-real':
      return t('director.ipvs.addReal', { who: realName(ctx, op.real.address), label });
    case 'delete-real':
      return t('director.ipvs.deleteReal', { who: realName(ctx, op.real.address), label });
    case 'edit-real': {
      const who = realName(ctx, op.real.address);
      if (op.from.forwarding !== op.real.forwarding) {
        const vip = op.service.vip;
        if (op.real.forwarding === 'nat' && op.from.forwarding === 'dr') return t('director.ipvs.drNotNat', { who, from: flag('dr'), to: flag('nat'), vip });
        if (op.real.forwarding === 'nat' && op.from.forwarding === 'tun') return t('director.ipvs.tunNotNat', { who, from: flag('tun'), to: flag('nat'), vip });
        if (op.from.forwarding === 'nat') return t('director.ipvs.natNotOther', { who, to: flag(op.real.forwarding), vip, rip: op.real.address });
        return t('director.ipvs.otherForwarding', { who, from: flag(op.from.forwarding), to: flag(op.real.forwarding) });
      }
      if (op.from.weight !== op.real.weight) return t(op.from.weight === 0 ? 'director.ipvs.weightZero' : 'director.ipvs.weight', { who, from: op.from.weight, to: op.real.weight });
      return t('director.ipvs.realOptions', { who });
    }
  }
}

function describe(services: IpvsService[]): string {
  const text = renderSave(services).trim();
  return text === '' ? t('director.ipvs.emptyTable') : text.split('\n').join('; ');
}

export function liveTable(ctx: HostContext): { services?: IpvsService[]; problem?: string } {
  if (!ctx.facts.ipvs.installed) return { problem: t('director.ipvs.notInstalled') };
  try {
    return { services: parseIpvsSave(ctx.facts.ipvs.save) };
  } catch {
    return { problem: t('director.ipvs.saveFailed', { output: ctx.facts.ipvs.save.trim().split('\n')[0] ?? '' }) };
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
      t('director.ipvs.whyUnreadable', { problem: live.problem! }),
      [...(ctx.facts.ipvs.installed ? [] : [ctx.os.install([ctx.os.packages.ipvsadm ?? 'ipvsadm'])]), ...ops.map(formatOp)],
    );
  }
  const keys = new Set(desired.map(serviceKey));
  const mine = live.services.filter((s) => keys.has(serviceKey(s)));
  const ops = diffIpvs(desired, live.services);
  const found = mine.length === 0 ? t('director.ipvs.noService', { services: desired.map(serviceLabel).join(', ') }) : describe(mine);
  if (ops.length === 0) return pass(expected, found);
  return fail(expected, found, sentences(ops.map((op) => opWhy(ctx, op)).filter((w, i, a) => a.indexOf(w) === i).slice(0, 3)), ops.map(formatOp));
}

export function judgeExtraRules(ctx: HostContext, desired: IpvsService[]): Verdict {
  const labels = desired.map(serviceLabel).join(', ');
  const expected = labels ? t('director.extraRules.expected', { services: labels }) : t('director.extraRules.expectedSpec');
  const live = liveTable(ctx);
  if (!live.services) return pass(expected, live.problem!);
  const extra = extraServices(desired, live.services);
  if (extra.length === 0) return pass(expected, t('director.extraRules.none'));
  return fail(
    expected,
    describe(extra),
    t('director.extraRules.why', { count: extra.length, services: extra.map(serviceLabel).join(', ') }),
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
  const expected = t('director.ownAddresses.expected', { addresses: all.join(', '), host: ctx.hostName });
  const held = (a: string) => ctx.facts.links.some((l) => l.addrs.some((x) => `${x.ip}/${x.prefix}` === a));
  const inProfile = (a: string) => ctx.facts.connections.some((c) => c.addresses.includes(a) && c.autoconnect);
  const missingNow = all.filter((a) => !held(a));
  const missingBoot = ctx.facts.nm ? all.filter((a) => !inProfile(a)) : [];
  const found = [
    missingNow.length === 0 ? t('director.ownAddresses.allHeld') : t('director.ownAddresses.missingNow', { addresses: missingNow.join(', ') }),
    ...(ctx.facts.nm
      ? [missingBoot.length === 0 ? t('director.ownAddresses.allInProfiles') : t('director.ownAddresses.notInProfiles', { addresses: missingBoot.join(', ') })]
      : []),
  ].reduce((first, next) => t('director.ownAddresses.parts', { first, next }));
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
      ? t('director.ownAddresses.whyGone', { count: gone.length, host: ctx.hostName, addresses: gone.join(', '), network: w.network, needed: w.needed })
      : t('director.ownAddresses.whyBoot', { count: w.addresses.length, host: ctx.hostName, addresses: w.addresses.join(', '), needed: w.needed });
  return failNm(ctx.facts.nm, expected, found, why, fix);
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
  const expected = t('director.directReach.expected', { url, host: ctx.hostName, server: server.host });
  const r = records?.[0];
  if (!r) return fail(expected, t('director.directReach.noRecord'), t('director.directReach.whyNoRecord'));
  const answer = classify(r, [server]);
  const found = answer.kind === 'server' ? t('director.directReach.foundPage', { url, server: server.host }) : t('director.directReach.foundAnswer', { url, answer: answerToken(answer) });
  if (answer.kind === 'server') return pass(expected, found);
  // A real server on one of the director's networks in the spec (NAT, DR) is reached directly; a TUN one may be routed.
  const shared = server.network in ctx.host.interfaces;
  const onNet = !shared || ctx.facts.links.some((l) => l.addrs.some((a) => inCidr(server.address, `${a.ip}/${a.prefix}`)));
  const listening = view?.listening;
  const listens = listening?.some((l) => l.port === server.port);
  const at = { server: server.host, address: server.address, port: server.port };
  let why: string;
  if (answer.kind === 'other') why = t('director.directReach.whyOtherPage', { ...at, firstLine: answer.firstLine });
  else if (!onNet && answer.exit !== 7) why = t('director.directReach.whyNoRoute', { host: ctx.hostName, server: server.host, address: server.address });
  else if (answer.exit === 7 && listening && !listens) why = t('director.directReach.whyNotListening', { ...at, listening: listeningText(listening, view!.unit) });
  else if (answer.exit === 7) why = t(listens ? 'director.directReach.whyFirewallRejects' : 'director.directReach.whyRefused', at);
  else why = t('director.directReach.whyNoAnswer', { ...at, answer: answerToken(answer), host: ctx.hostName });
  return { ...fail(expected, found, why), lookAt: !onNet && answer.kind === 'error' && answer.exit !== 7 ? [ctx.hostName] : [server.host, ctx.hostName] };
}
