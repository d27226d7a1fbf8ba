// Judges for a NAT real server: replies route back via the director, one default route, the web server up, its page.
import type { HostContext } from '../modules/types.js';
import { dropAddressFix, gatewayFix, linkByName, linkHolding, neverDefaultFix, serviceFix, writeFileFix } from './fixes.js';
import type { RouteGet } from './probe.js';
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
  const fix = [...new Set(others.map((r) => r.dev ?? ''))].filter(Boolean).flatMap((dev) => neverDefaultFix(ctx, dev, others.find((r) => r.dev === dev)?.gateway));
  return failNm(
    ctx.facts.nm,
    expected,
    found,
    `A second default route (${others.map(text).join('; ')}) can take the replies to clients away from the director: whichever has the lower metric wins, and an interface going down and up can swap them. Only the director's inside address ${s.director.ip} should be the gateway.`,
    fix,
  );
}

export function judgeWebService(ctx: HostContext, logical: string, port: number): Verdict {
  const unit = ctx.os.services[logical] ?? logical;
  const st = ctx.facts.services.get(unit);
  const expected = `${unit} active and enabled`;
  const found = !st?.loaded ? `${unit} is not installed` : `${unit} ${st.active ? 'active' : 'inactive'}, ${st.enabled ? 'enabled' : 'disabled'}`;
  if (st?.active && st.enabled) return pass(expected, found);
  const why = !st?.active
    ? `${unit} is not running on ${ctx.hostName}, so nothing listens on port ${port}: the director still sends ${ctx.hostName} its share of the connections (IPVS does not check health), and those are refused.`
    : `${unit} runs now but is not enabled, so it will not start after a reboot and ${ctx.hostName} will refuse its share of the connections then.`;
  return fail(expected, found, why, serviceFix(ctx, logical, !!st?.loaded));
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
