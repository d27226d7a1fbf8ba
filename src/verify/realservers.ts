// Judges for a NAT real server: replies route back via the director, one default route, the web server up, its page.
import type { HostContext } from '../modules/types.js';
import { dropAddressFix, gatewayFix, linkByName, linkHolding, neverDefaultFix, nmFor, serviceFix, writeFileFix } from './fixes.js';
import type { ListenSocket, RouteGet } from './probe.js';
import { listenChange, listenLines, type ListenTask } from '../modules/listen.js';
import { sh } from '../ssh/quote.js';
import { fail, failNm, pass, skip, type Verdict } from './types.js';

export interface RouteStory {
  client: { name: string; ip: string };
  director: { name: string; ip: string };
  /** This real server's lab address on the network it shares with the director, and that network's prefix. */
  own: { ip: string; network: string; cidr: string };
}

function replyStory(s: RouteStory): string {
  return `so its replies to ${s.client.ip} bypass the director ${s.director.name}, NAT cannot rewrite them back to the VIP, and the client drops them`;
}

export function judgeRoute(ctx: HostContext, route: RouteGet | undefined, s: RouteStory): Verdict {
  const expected = `ip route get ${s.client.ip}: via ${s.director.ip} (${s.director.name})`;
  const labLink = linkHolding(ctx, s.own.ip);
  if (!route) return fail(expected, 'no answer from ip route get', 'The probe did not report the route.');
  const found = `ip route get ${s.client.ip}: ${route.text}`;
  if (route.ok && route.via === s.director.ip) return pass(expected, found);
  if (!route.ok)
    return failNm(
      ctx.facts.nm,
      expected,
      found,
      `${ctx.hostName} has no default route via ${s.director.ip}, so it has no route back to ${s.client.ip} and its replies never leave it. In NAT mode they must go back through the director ${s.director.name}, which rewrites them to come from the VIP.`,
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
        `${ctx.hostName} holds ${addr} on ${link.name}, on the client's own network, so it answers ${s.client.ip} directly over that link: the replies bypass the director ${s.director.name}, NAT cannot rewrite them back to the VIP, and the client drops them. Take that address down (the course note: "如果有4网段IP地址，需要临时关闭").`,
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
        `${ctx.hostName} holds ${addr} on its lab interface ${link.name}, an address on the client's own network that the spec does not give it, so it answers ${s.client.ip} directly: ${replyStory(s)}. \`lab up\` removes it.`,
        fix,
      );
    }
    return fail(expected, found, `${s.client.ip} is on ${ctx.hostName}'s own lab network, so replies go to it directly instead of via ${s.director.ip}; the lab's networks overlap.`);
  }
  const link = linkByName(ctx, route.dev);
  if (link && labLink && link.name !== labLink.name)
    return failNm(
      ctx.facts.nm,
      expected,
      found,
      `${ctx.hostName}'s route to ${s.client.ip} goes via ${route.via} on ${link.name}, not via ${s.director.ip}: another interface holds the default route, ${replyStory(s)}.`,
      [...neverDefaultFix(ctx, link.name, route.via), ...gatewayFix(ctx, labLink, s.director.ip)],
    );
  return failNm(ctx.facts.nm, expected, found, `${ctx.hostName}'s gateway is ${route.via}, not the director's inside address ${s.director.ip}, ${replyStory(s)}.`, gatewayFix(ctx, labLink, s.director.ip));
}

export function judgeDefaultRoutes(ctx: HostContext, s: RouteStory): Verdict {
  const defaults = ctx.facts.routes.filter((r) => r.dst === 'default');
  const expected = `one default route, via ${s.director.ip}`;
  const text = (r: (typeof defaults)[number]) => `default${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
  const found = defaults.length === 0 ? 'no default route' : defaults.map(text).join('; ');
  const others = defaults.filter((r) => r.gateway !== s.director.ip);
  if (others.length === 0) return pass(expected, found);
  const fix = [...new Set(others.map((r) => r.dev ?? ''))].filter(Boolean).flatMap((dev) => neverDefaultFix(ctx, dev, others.find((r) => r.dev === dev)?.gateway, s.director.ip));
  return failNm(
    ctx.facts.nm,
    expected,
    found,
    `A second default route (${others.map(text).join('; ')}) can take the replies to clients away from the director: whichever has the lower metric wins, and an interface going down and up can swap them. Only the director's inside address ${s.director.ip} should be the gateway.`,
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
  if (shown.length === 0) return 'nothing listens on TCP (but sshd)';
  return [...new Set(shown.map((l) => `${l.procs[0] ?? '?'} on ${l.addr}:${l.port}`))].join(', ');
}

/**
 * The web server runs, starts at boot, and listens where the director sends it the connections: `ip:port`. `listening`
 * is what `ss` saw (undefined when the probe did not ask); the fix is the listen task's own change when the port is wrong.
 */
export function judgeWebService(ctx: HostContext, logical: string, port: number, ip: string, listening?: ListenSocket[], listenTask?: ListenTask): Verdict {
  const unit = ctx.os.services[logical] ?? logical;
  const st = ctx.facts.services.get(unit);
  const expected = `${unit} active and enabled, listening on ${ip}:${port}`;
  const state = !st?.loaded ? `${unit} is not installed` : `${unit} ${st.active ? 'active' : 'inactive'}, ${st.enabled ? 'enabled' : 'disabled'}`;
  const found = listening && st?.active ? `${state}; ${listeningText(listening, unit)}` : state;
  if (!st?.active || !st.enabled) {
    const why = !st?.active
      ? `${unit} is not running on ${ctx.hostName}, so nothing listens on port ${port}: the director still sends ${ctx.hostName} its share of the connections (IPVS does not check health), and those are refused.`
      : `${unit} runs now but is not enabled, so it will not start after a reboot and ${ctx.hostName} will refuse its share of the connections then.`;
    return fail(expected, found, why, serviceFix(ctx, logical, !!st?.loaded));
  }
  if (!listening || listening.some((l) => l.port === port && serves(l, ip))) return pass(expected, found);
  const file = ctx.os.listenConfig[logical];
  const conf = file ? ctx.facts.files.get(file) : undefined;
  const lines = conf ? listenLines(conf.content.toString('utf8')) : [];
  const said = file && conf ? ` ${file} says ${lines.length > 0 ? lines.map((l) => `\`${l.text}\` (line ${l.line})`).join(', ') : 'no top-level Listen'}.` : '';
  const change = listenTask && file ? listenChange(ctx, listenTask) : undefined;
  const fix = change ? change.commands : file ? [sh`sed -i 's/^Listen[[:space:]].*/Listen ${port}/' ${file}`, sh`systemctl restart ${unit}`] : [];
  return fail(
    expected,
    found,
    `${unit} runs on ${ctx.hostName} but does not listen on ${ip}:${port}, where the director sends the service's connections: they are refused.${said}${change ? '' : ' `lab up` does not manage this port: the playbook has no listen task for it.'}`,
    fix,
  );
}

export function judgePage(ctx: HostContext, file: { path: string; content: string } | undefined): Verdict {
  if (!file) return skip('the page the playbook writes', 'the playbook writes no page for this role');
  const expected = `${file.path} containing ${JSON.stringify(file.content.trim())}`;
  const cur = ctx.facts.files.get(file.path);
  const text = cur?.content.toString('utf8');
  const found = text === undefined ? `${file.path} does not exist` : `${file.path} containing ${JSON.stringify(text.trim().slice(0, 80))}`;
  if (text !== undefined && text.trim() === file.content.trim()) return pass(expected, found);
  return fail(
    expected,
    found,
    `The page names the real server that served it; that is how the client's answers are told apart. ${text === undefined ? `Without it ${ctx.hostName} serves another page` : `${ctx.hostName}'s page does not say ${JSON.stringify(file.content.trim())}`}, so its answers cannot be counted.`,
    [writeFileFix(file.path, file.content)],
  );
}
