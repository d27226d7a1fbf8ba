// Judges for a NAT real server: replies route back via the director, one default route, the web server up, its page.
import type { HostContext } from '../modules/types.js';
import { dropAddressFix, gatewayFix, linkByName, linkHolding, neverDefaultFix, nmFor, serviceFix, writeFileFix } from './fixes.js';
import type { ListenSocket, RouteGet } from './probe.js';
import { listenChange, listenLines, type ListenTask } from '../modules/listen.js';
import { sh } from '../ssh/quote.js';
import { t } from '../i18n/index.js';
import { fail, failNm, pass, skip, type Verdict } from './types.js';

export interface RouteStory {
  client: { name: string; ip: string };
  director: { name: string; ip: string };
  /** This real server's lab address on the network it shares with the director, and that network's prefix. */
  own: { ip: string; network: string; cidr: string };
}

/** Whole sentences, one after the other (a space between them in English, none in Chinese). */
const sentences = (parts: string[]) => parts.reduce((first, next) => t('realservers.sentences', { first, next }));

/** Who a route's story names: this host, the client, the director and its inside address. */
function storyVars(ctx: HostContext, s: RouteStory) {
  return { host: ctx.hostName, client: s.client.ip, director: s.director.name, gateway: s.director.ip };
}

export function judgeRoute(ctx: HostContext, route: RouteGet | undefined, s: RouteStory): Verdict {
  const expected = `ip route get ${s.client.ip}: via ${s.director.ip} (${s.director.name})`;
  const labLink = linkHolding(ctx, s.own.ip);
  if (!route) return fail(expected, t('realservers.route.noAnswer'), t('realservers.route.whyNoReport'));
  const found = `ip route get ${s.client.ip}: ${route.text}`;
  if (route.ok && route.via === s.director.ip) return pass(expected, found);
  const story = storyVars(ctx, s);
  if (!route.ok)
    return failNm(
      ctx.facts.nm,
      expected,
      found,
      t('realservers.route.whyNoRoute', story),
      gatewayFix(ctx, labLink, s.director.ip),
    );
  if (!route.via) {
    // Directly connected: the real server sits on the client's network.
    const link = linkByName(ctx, route.dev);
    const addr = link?.addrs.find((a) => route.src === a.ip)?.ip ?? route.src ?? '';
    if (link && link.name !== labLink?.name)
      return failNm(
        ctx.facts.nm,
        expected,
        found,
        t('realservers.route.whyClientNetwork', { ...story, address: addr, link: link.name }),
        dropAddressFix(ctx, link, addr),
      );
    if (link && addr && addr !== s.own.ip) {
      // An address on the lab link itself that the spec does not give (an `ip addr add` by hand, or one more in its profile).
      const nm = nmFor(ctx, link);
      const inProfile = nm?.conn.addresses.some((a) => a.startsWith(`${addr}/`));
      const fix = nm
        ? inProfile
          ? [sh`nmcli connection modify ${nm.ref} -ipv4.addresses ${nm.conn.addresses.find((a) => a.startsWith(`${addr}/`))!}` + ' && ' + sh`nmcli device reapply ${link.name}`]
          : [sh`nmcli device reapply ${link.name}`]
        : [sh`ip addr del ${`${addr}/${link.addrs.find((a) => a.ip === addr)?.prefix ?? 32}`} dev ${link.name}`];
      return failNm(
        ctx.facts.nm,
        expected,
        found,
        t('realservers.route.whyExtraAddress', { ...story, address: addr, link: link.name }),
        fix,
      );
    }
    return fail(expected, found, t('realservers.route.whyOverlap', story));
  }
  const link = linkByName(ctx, route.dev);
  if (link && labLink && link.name !== labLink.name)
    return failNm(
      ctx.facts.nm,
      expected,
      found,
      t('realservers.route.whyOtherInterface', { ...story, via: route.via, link: link.name }),
      [...neverDefaultFix(ctx, link.name, route.via), ...gatewayFix(ctx, labLink, s.director.ip)],
    );
  return failNm(ctx.facts.nm, expected, found, t('realservers.route.whyWrongGateway', { ...story, via: route.via }), gatewayFix(ctx, labLink, s.director.ip));
}

export function judgeDefaultRoutes(ctx: HostContext, s: RouteStory): Verdict {
  const defaults = ctx.facts.routes.filter((r) => r.dst === 'default');
  const expected = t('realservers.defaultRoutes.expected', { gateway: s.director.ip });
  const text = (r: (typeof defaults)[number]) => `default${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
  const found = defaults.length === 0 ? t('realservers.defaultRoutes.none') : defaults.map(text).join('; ');
  const others = defaults.filter((r) => r.gateway !== s.director.ip);
  if (others.length === 0) return pass(expected, found);
  const fix = [...new Set(others.map((r) => r.dev ?? ''))].filter(Boolean).flatMap((dev) => neverDefaultFix(ctx, dev, others.find((r) => r.dev === dev)?.gateway, s.director.ip));
  return failNm(
    ctx.facts.nm,
    expected,
    found,
    t('realservers.defaultRoutes.why', { routes: others.map(text).join('; '), gateway: s.director.ip }),
    fix,
  );
}

/** A socket that takes connections to `ip` (its own or a wildcard address). */
function serves(sock: ListenSocket, ip: string): boolean {
  return ['*', '0.0.0.0', '[::]', '::', ip].includes(sock.addr);
}

/** `apache2 on *:8080, 127.0.0.1:80` for the sockets of a unit, else every listening socket but sshd's. */
export function listeningText(listening: ListenSocket[], unit: string): string {
  const mine = listening.filter((l) => l.procs.some((p) => p === unit || p.startsWith(unit)));
  const shown = mine.length > 0 ? mine : listening.filter((l) => !l.procs.includes('sshd'));
  if (shown.length === 0) return t('realservers.listening.nothing');
  return [...new Set(shown.map((l) => t('realservers.listening.socket', { proc: l.procs[0] ?? '?', address: l.addr, port: l.port })))].join(t('realservers.listSep'));
}

/**
 * The web server runs, starts at boot, and listens where the director sends it the connections: `ip:port`. `listening`
 * is what `ss` saw (undefined when the probe did not ask); the fix is the listen task's own change when the port is wrong.
 */
export function judgeWebService(ctx: HostContext, logical: string, port: number, ip: string, listening?: ListenSocket[], listenTask?: ListenTask): Verdict {
  const unit = ctx.os.services[logical] ?? logical;
  const st = ctx.facts.services.get(unit);
  const expected = t('realservers.webService.expected', { unit, ip, port });
  const state = !st?.loaded
    ? t('realservers.webService.notInstalled', { unit })
    : t('realservers.webService.state', {
        unit,
        active: t(st.active ? 'realservers.webService.active' : 'realservers.webService.inactive'),
        enabled: t(st.enabled ? 'realservers.webService.enabled' : 'realservers.webService.disabled'),
      });
  const found = listening && st?.active ? t('realservers.webService.foundListening', { state, listening: listeningText(listening, unit) }) : state;
  if (!st?.active || !st.enabled) {
    const why = !st?.active
      ? t('realservers.webService.whyNotRunning', { unit, host: ctx.hostName, port })
      : t('realservers.webService.whyNotEnabled', { unit, host: ctx.hostName });
    return fail(expected, found, why, serviceFix(ctx, logical, !!st?.loaded));
  }
  if (!listening || listening.some((l) => l.port === port && serves(l, ip))) return pass(expected, found);
  const file = ctx.os.listenConfig[logical];
  const conf = file ? ctx.facts.files.get(file) : undefined;
  const lines = conf ? listenLines(conf.content.toString('utf8')) : [];
  const said =
    file && conf
      ? [
          lines.length > 0
            ? t('realservers.webService.fileSays', { file, lines: lines.map((l) => t('realservers.webService.listenLine', { text: l.text, line: l.line })).join(t('realservers.listSep')) })
            : t('realservers.webService.fileSaysNoListen', { file }),
        ]
      : [];
  const change = listenTask && file ? listenChange(ctx, listenTask) : undefined;
  const fix = change ? change.commands : file ? [sh`sed -i 's/^Listen[[:space:]].*/Listen ${port}/' ${file}`, sh`systemctl restart ${unit}`] : [];
  return fail(
    expected,
    found,
    sentences([t('realservers.webService.whyNotListening', { unit, host: ctx.hostName, ip, port }), ...said, ...(change ? [] : [t('realservers.webService.unmanaged')])]),
    fix,
  );
}

export function judgePage(ctx: HostContext, file: { path: string; content: string } | undefined): Verdict {
  if (!file) return skip(t('realservers.page.skipExpected'), t('realservers.page.skipFound'));
  const expected = t('realservers.page.expected', { path: file.path, content: JSON.stringify(file.content.trim()) });
  const cur = ctx.facts.files.get(file.path);
  const text = cur?.content.toString('utf8');
  const found = text === undefined ? t('realservers.page.missing', { path: file.path }) : t('realservers.page.expected', { path: file.path, content: JSON.stringify(text.trim().slice(0, 80)) });
  if (text !== undefined && text.trim() === file.content.trim()) return pass(expected, found);
  return fail(
    expected,
    found,
    text === undefined ? t('realservers.page.whyMissing', { host: ctx.hostName }) : t('realservers.page.whyWrong', { host: ctx.hostName, content: JSON.stringify(file.content.trim()) }),
    [writeFileFix(file.path, file.content)],
  );
}
