// The read-only probe script that runs after the fact command in the same exec, and the parser of its sections.
import { quote } from '../ssh/quote.js';
import type { RequestRecord } from './requests.js';

export const PROBE_MARK = '@@verify';

/** What a host's checks need beyond the facts. */
export interface ProbeRequest {
  /** URL → how many requests, each a separate curl process (a new TCP connection). */
  requests: Map<string, number>;
  /** `ip route get ADDR` for each. */
  routes: Set<string>;
  /** sysctl keys whose persisted value must be found across the sysctl config files. */
  sysctlKeys: Set<string>;
  /** firewalld's default zone: its services, ports and target. */
  firewall: boolean;
}

export function emptyProbe(): ProbeRequest {
  return { requests: new Map(), routes: new Set(), sysctlKeys: new Set(), firewall: false };
}

export interface RouteGet {
  /** The line `ip route get` printed, or its error. */
  text: string;
  ok: boolean;
  via?: string;
  dev?: string;
  src?: string;
}

export interface SysctlFileEntry {
  path: string;
  /** The path with symlinks resolved (/etc/sysctl.d/99-sysctl.conf → /etc/sysctl.conf). */
  real: string;
  /** The lines of the file that set one of the keys asked for. */
  lines: string[];
}

export interface FirewallInfo {
  zone: string;
  /** Runtime services and ports from D-Bus; undefined when D-Bus did not answer. */
  services?: string[];
  ports?: { port: string; protocol: string }[];
  /** The zone's target and the services/ports of its XML file (permanent configuration). */
  xml?: { file: string; target: string; services: string[]; ports: { port: string; protocol: string }[] };
}

export interface ProbeOutput {
  requests: Map<string, RequestRecord[]>;
  routes: Map<string, RouteGet>;
  sysctlFiles: SysctlFileEntry[];
  firewall: FirewallInfo | undefined;
}

const SYSCTL_GLOBS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'].map((d) => `${d}/*.conf`);

/** A grep -E pattern matching an assignment of the key, with . or / as separators and an optional leading '-'. */
export function sysctlPattern(keys: string[]): string {
  const alt = keys.map((k) => k.split(/[./]/).map((p) => p.replace(/[^a-z0-9_-]/gi, '\\$&')).join('[./]')).join('|');
  return `^[[:space:]]*-?(${alt})[[:space:]]*=`;
}

const FWD = 'org.fedoraproject.FirewallD1';
const busctl = (method: string, iface: string, args = '') => `busctl call ${FWD} /org/fedoraproject/FirewallD1 ${iface} ${method}${args} 2>/dev/null`;

export function probeScript(p: ProbeRequest): string {
  const sec = (name: string) => `printf '\\n${PROBE_MARK} %s\\n' ${quote(name)}`;
  const lines = ['export LC_ALL=C'];
  for (const [url, n] of p.requests) {
    lines.push(
      sec(`requests ${url}`),
      `i=0; while [ "$i" -lt ${Number(n)} ]; do i=$((i+1)); ` +
        `b=$(curl -s --noproxy '*' --max-time 2 -w '\\n@@http %{http_code}' ${quote(url)} 2>/dev/null); rc=$?; ` +
        `printf '%s %s\\n' "$rc" "$(printf '%s' "$b" | base64 | tr -d '\\n')"; done`,
    );
  }
  for (const ip of p.routes) lines.push(sec(`route ${ip}`), `ip route get ${quote(ip)} 2>&1 | head -n 1`);
  if (p.sysctlKeys.size > 0) {
    lines.push(
      sec('sysctl-files'),
      `for f in ${SYSCTL_GLOBS.join(' ')} /etc/sysctl.conf; do [ -e "$f" ] || continue; ` +
        `printf 'F %s %s\\n' "$f" "$(readlink -f "$f")"; grep -E ${quote(sysctlPattern([...p.sysctlKeys]))} "$f" 2>/dev/null | sed 's/^/L /'; done`,
    );
  }
  if (p.firewall) {
    lines.push(
      sec('firewall'),
      `z=$(${busctl('getDefaultZone', FWD)} | sed -n 's/^s "\\(.*\\)"$/\\1/p')`,
      'if [ -n "$z" ]; then',
      `  printf 'zone %s\\n' "$z"`,
      `  printf 'services %s\\n' "$(${busctl('getServices', `${FWD}.zone`, ' s "$z"')})"`,
      `  printf 'ports %s\\n' "$(${busctl('getPorts', `${FWD}.zone`, ' s "$z"')})"`,
      `  for d in /etc/firewalld/zones /usr/lib/firewalld/zones; do if [ -f "$d/$z.xml" ]; then printf 'xml %s ' "$d/$z.xml"; tr '\\n' ' ' < "$d/$z.xml"; echo; break; fi; done`,
      'fi',
    );
  }
  lines.push(sec('end'));
  return lines.join('\n');
}

/** One line of the request loop: curl's exit code, then base64 of the body followed by "\n@@http CODE". */
export function parseRequestLine(line: string): RequestRecord | undefined {
  const m = /^(\d+)\s*(\S*)$/.exec(line.trim());
  if (!m) return undefined;
  const text = Buffer.from(m[2] ?? '', 'base64').toString('utf8');
  const i = text.lastIndexOf('@@http ');
  const http = i >= 0 ? Number(text.slice(i + 7).trim()) || 0 : 0;
  const body = i >= 0 ? text.slice(0, i).replace(/\n$/, '') : text;
  return { exit: Number(m[1]), http, body };
}

/** `192.168.4.10 via 192.168.2.5 dev ens4 src 192.168.2.100 uid 0`, or an RTNETLINK error. */
export function parseRouteGet(text: string): RouteGet {
  const t = text.trim().split('\n')[0] ?? '';
  const word = (k: string) => new RegExp(`\\b${k} (\\S+)`).exec(t)?.[1];
  const ok = !/RTNETLINK|unreachable|Error|error/i.test(t) && t !== '';
  return { text: t || '(no output)', ok, via: ok ? word('via') : undefined, dev: ok ? word('dev') : undefined, src: ok ? word('src') : undefined };
}

export function parseSysctlFiles(text: string): SysctlFileEntry[] {
  const out: SysctlFileEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('F ')) {
      const [path = '', real = ''] = line.slice(2).split(' ');
      out.push({ path, real: real || path, lines: [] });
    } else if (line.startsWith('L ') && out.length > 0) out[out.length - 1]!.lines.push(line.slice(2));
  }
  return out;
}

/** busctl's `as 2 "ssh" "dhcpv6-client"` → ['ssh', 'dhcpv6-client']. */
export function parseBusctlStrings(text: string): string[] | undefined {
  const t = text.trim();
  if (!/^a/.test(t)) return undefined;
  return [...t.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}

/** busctl's `aas 1 2 "80" "tcp"` → [{port: '80', protocol: 'tcp'}]. */
export function parseBusctlPorts(text: string): { port: string; protocol: string }[] | undefined {
  const strings = parseBusctlStrings(text);
  if (!strings) return undefined;
  const out: { port: string; protocol: string }[] = [];
  for (let i = 0; i + 1 < strings.length; i += 2) out.push({ port: strings[i]!, protocol: strings[i + 1]! });
  return out;
}

export function parseZoneXml(file: string, xml: string): NonNullable<FirewallInfo['xml']> {
  const target = /<zone\b[^>]*\btarget="([^"]*)"/.exec(xml)?.[1] ?? 'default';
  const services = [...xml.matchAll(/<service\b[^>]*\bname="([^"]*)"/g)].map((m) => m[1]!);
  const ports = [...xml.matchAll(/<port\b([^>]*)\/?>/g)].map((m) => ({
    port: /\bport="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
    protocol: /\bprotocol="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
  }));
  return { file, target, services, ports };
}

export function parseFirewall(text: string): FirewallInfo | undefined {
  let info: FirewallInfo | undefined;
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'zone') info = { zone: rest.trim() };
    else if (!info) continue;
    else if (key === 'services') info.services = parseBusctlStrings(rest);
    else if (key === 'ports') info.ports = parseBusctlPorts(rest);
    else if (key === 'xml') {
      const i = rest.indexOf(' ');
      info.xml = parseZoneXml(rest.slice(0, i), rest.slice(i + 1));
    }
  }
  return info;
}

export function parseProbe(text: string): ProbeOutput {
  const out: ProbeOutput = { requests: new Map(), routes: new Map(), sysctlFiles: [], firewall: undefined };
  const parts = text.split(new RegExp(`^${PROBE_MARK} `, 'm'));
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const head = nl < 0 ? part : part.slice(0, nl);
    const body = nl < 0 ? '' : part.slice(nl + 1).replace(/\n+$/, '');
    if (head.startsWith('requests ')) {
      out.requests.set(head.slice(9), body.split('\n').map(parseRequestLine).filter((r): r is RequestRecord => r !== undefined));
    } else if (head.startsWith('route ')) out.routes.set(head.slice(6), parseRouteGet(body));
    else if (head === 'sysctl-files') out.sysctlFiles = parseSysctlFiles(body);
    else if (head === 'firewall') out.firewall = parseFirewall(body);
  }
  return out;
}
