// The read-only probe script that runs after the fact command in the same exec, and the parser of its sections.
import { parseActiveZones } from '../facts/parse.js';
import { quote } from '../ssh/quote.js';
import type { HeldRecords } from './balancing.js';
import { REUSED_CONNECTION, type RequestRecord } from './requests.js';
import { parseKeepalivedLog, parseVrrpRules, type KeepalivedLog } from '../keepalived/state.js';

export const PROBE_MARK = '@@verify';

/** What a host's checks need beyond the facts. */
export interface ProbeRequest {
  /** URL → how many requests, each a separate curl process (a new TCP connection). */
  requests: Map<string, number>;
  /** URL → connections to hold open, then fresh requests to send, then read the held ones (least-connection schedulers). */
  holds: Map<string, HoldRequest>;
  /** `ip route get ADDR` for each. */
  routes: Set<string>;
  /** sysctl keys whose persisted value must be found across the sysctl config files. */
  sysctlKeys: Set<string>;
  /** firewalld's default zone: its services, ports and target. */
  firewall: boolean;
  /** Addresses to ask for over ARP (after the requests): every MAC that answers, from the interface the route names. */
  arp?: Set<string>;
  /** The IPVS counters (ipvsadm -Ln --stats --exact). */
  ipvsStats?: boolean;
  /** The listening TCP sockets and their processes (ss -ltnp). */
  listen?: boolean;
  /** keepalived's log since it last started, and the nftables rules that name VRRP. */
  keepalived?: boolean;
}

export interface HoldRequest {
  vip: string;
  port: number;
  /** The request path, e.g. `/`. */
  path: string;
  hold: number;
  fresh: number;
}

export function emptyProbe(): ProbeRequest {
  return { requests: new Map(), holds: new Map(), routes: new Set(), sysctlKeys: new Set(), firewall: false };
}

/** Who answered an ARP request for an address: `macs` from an ARP request of our own, else the neighbour table. */
export interface ArpAnswer {
  how: 'arp' | 'neigh' | 'none';
  macs: string[];
  /** The interface asked on. */
  dev: string;
}

/** Packets each real server of each service got from the director, and sent back through it. */
export interface IpvsStat {
  service: string;
  real: string;
  conns: number;
  inPkts: number;
  outPkts: number;
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

export interface ZoneXml {
  file: string;
  target: string;
  services: string[];
  ports: { port: string; protocol: string }[];
  /** <protocol value="vrrp"/> and the like. */
  protocols?: string[];
}

export interface FirewallInfo {
  /** DefaultZone= of firewalld.conf: the zone the runtime lists below belong to. */
  confZone: string;
  /** Runtime services and ports of confZone from D-Bus; undefined when not asked (trusted or ACCEPT) or D-Bus did not answer. */
  services?: string[];
  ports?: { port: string; protocol: string }[];
  /** Interface → the zone firewalld has bound it to at runtime; an interface not listed uses the default zone. */
  active: Map<string, string>;
  /** Every zone file, by zone name; a file in /etc/firewalld/zones wins over /usr/lib/firewalld/zones. */
  zones: Map<string, ZoneXml>;
}

/** A listening TCP socket: its local address ('*', '0.0.0.0', '[::]' or one address), its port, the processes holding it. */
export interface ListenSocket {
  addr: string;
  port: number;
  procs: string[];
}

export interface ProbeOutput {
  requests: Map<string, RequestRecord[]>;
  holds: Map<string, HeldRecords>;
  routes: Map<string, RouteGet>;
  sysctlFiles: SysctlFileEntry[];
  firewall: FirewallInfo | undefined;
  arp?: Map<string, ArpAnswer>;
  ipvsStats?: IpvsStat[];
  listening?: ListenSocket[];
  keepalived?: KeepalivedLog;
}

const SYSCTL_GLOBS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'].map((d) => `${d}/*.conf`);

/** A grep -E pattern matching an assignment of the key, with . or / as separators and an optional leading '-'. */
export function sysctlPattern(keys: string[]): string {
  const alt = keys.map((k) => k.split(/[./]/).map((p) => p.replace(/[^a-z0-9_-]/gi, '\\$&')).join('[./]')).join('|');
  return `^[[:space:]]*-?(${alt})[[:space:]]*=`;
}

const FWD = 'org.fedoraproject.FirewallD1';
const busctl = (method: string, iface: string, args = '') => `busctl call ${FWD} /org/fedoraproject/FirewallD1 ${iface} ${method}${args} 2>/dev/null`;

/**
 * n fresh requests to url, each its own TCP connection, in one curl process (a curl start is about 0.1 s under
 * emulation): `Connection: close` makes each its own connection, which %{num_connects} confirms, and %{exitcode}
 * (curl >= 7.75) gives each one's exit code. An older curl names the variable it does not know on stderr; then each
 * request gets its own curl, after the `fallback` section header.
 */
function batchLines(url: string, n: number, fallback: string): string[] {
  const each =
    `i=0; while [ "$i" -lt ${Number(n)} ]; do i=$((i+1)); printf '@@req\\n'; ` +
    `curl -s --noproxy '*' --max-time 2 -w '\\n@@end %{http_code}\\n' ${quote(url)} 2>/dev/null; printf '@@rc %s\\n' "$?"; done`;
  return [
    `{ e=$(curl -s --noproxy '*' --max-time 2 -H 'Connection: close' -w '\\n@@end %{http_code} %{exitcode} %{num_connects}\\n' ${Array(Number(n)).fill(quote(url)).join(' ')} 2>&1 >&3 3>&-); printf '@@rc %s\\n' "$?"; } 3>&1`,
    `case "$e" in *exitcode*) ${fallback}; ${each};; esac`,
  ];
}

/** Seconds the hold probe may take in all: its connects, its fresh requests (curl gives up after 2 s each), its reads. */
export function holdSeconds(h: HoldRequest): number {
  return 10 + 3 * h.fresh + 4 * h.hold;
}

/**
 * Hold `hold` TCP connections to the VIP open (bash's /dev/tcp, each sent only its request line, so IPVS counts each as
 * active and the web server waits for the rest of the request), send the fresh requests meanwhile, then finish each held
 * connection's request (HTTP/1.0, so the server closes it after the answer) and print the answer: which server took it. Everything runs in
 * one bash under timeout(1), which kills its whole process group when time is up, and the held sockets close with it.
 * Prints `@@open`, then the fresh requests in the batch format (or `@@fallback` and the per-request format), then per
 * held connection `@@held`, the raw answer and `@@held-rc READ_STATUS` (x: the connect failed); `@@hold-rc` at the end.
 */
export function holdCommand(url: string, h: HoldRequest): string {
  const host = `${h.vip}${h.port === 80 ? '' : `:${h.port}`}`;
  const inner = [
    'fds=; i=0',
    // The request line goes out at once: its segment carries an ACK, so the director sees the connection established
    // even when the handshake's last ACK was lost (UDP multicast segments drop under load); the web server waits for the rest.
    `while [ "$i" -lt ${Number(h.hold)} ]; do i=$((i+1)); if { exec {fd}<>${quote(`/dev/tcp/${h.vip}/${h.port}`)}; } 2>/dev/null; then fds="$fds $fd"; ` +
      `printf 'GET %s HTTP/1.0\\r\\n' ${quote(h.path)} >&"$fd" 2>/dev/null; else fds="$fds x"; fi; done`,
    `printf '@@open%s\\n' "$fds"`,
    ...batchLines(url, h.fresh, `printf '@@fallback\\n'`),
    `for fd in $fds; do printf '@@held\\n'; if [ "$fd" = x ]; then printf '@@held-rc x\\n'; continue; fi`,
    `  printf 'Host: %s\\r\\nConnection: close\\r\\n\\r\\n' ${quote(host)} >&"$fd" 2>/dev/null`,
    `  while :; do l=; IFS= read -r -t 3 l <&"$fd"; r=$?; if [ "$r" -eq 0 ] || [ -n "$l" ]; then printf '%s\\n' "$l"; fi; [ "$r" -eq 0 ] || break; done`,
    `  printf '@@held-rc %s\\n' "$r"; exec {fd}<&-; done`,
  ].join('\n');
  return `timeout ${holdSeconds(h)} bash -c ${quote(inner)} 2>/dev/null; printf '\\n@@hold-rc %s\\n' "$?"`;
}

export function probeScript(p: ProbeRequest): string {
  const sec = (name: string) => `printf '\\n${PROBE_MARK} %s\\n' ${quote(name)}`;
  const lines = ['export LC_ALL=C'];
  for (const [url, n] of p.requests) lines.push(sec(`batch ${url}`), ...batchLines(url, n, sec(`requests ${url}`)));
  for (const [url, h] of p.holds) lines.push(sec(`hold ${h.hold} ${h.fresh} ${url}`), holdCommand(url, h));
  // parseRouteGet reads the first line: no `| head -n 1` process.
  for (const ip of p.routes) lines.push(sec(`route ${ip}`), `ip route get ${quote(ip)} 2>&1`);
  if (p.sysctlKeys.size > 0) {
    const files = `${SYSCTL_GLOBS.join(' ')} /etc/sysctl.conf`;
    lines.push(
      sec('sysctl-files'),
      `for f in ${files}; do [ -e "$f" ] || continue; if [ -L "$f" ]; then printf 'F %s %s\\n' "$f" "$(readlink -f "$f")"; else printf 'F %s %s\\n' "$f" "$f"; fi; done`,
      // grep -H's lines (PATH:LINE, every PATH absolute) are told from the F lines by their leading '/': no `| sed` process.
      `grep -H -E ${quote(sysctlPattern([...p.sysctlKeys]))} ${files} 2>/dev/null`,
    );
  }
  if (p.firewall) {
    // Builtins only (read, printf, case) unless the zone is neither trusted nor ACCEPT: then ask D-Bus for the runtime lists.
    lines.push(
      sec('firewall'),
      `z=; [ -f /etc/firewalld/firewalld.conf ] && while IFS='=' read -r k v; do [ "$k" = DefaultZone ] && z=$v; done < /etc/firewalld/firewalld.conf`,
      `printf 'conf %s\\n' "$z"; x=`,
      `printf 'active %s\\n' "$(${busctl('getActiveZones', `${FWD}.zone`)})"`,
      `for f in /etc/firewalld/zones/*.xml /usr/lib/firewalld/zones/*.xml; do [ -f "$f" ] || continue; printf 'xml %s ' "$f"; ` +
        `c=; while IFS= read -r l || [ -n "$l" ]; do c="$c $l"; done < "$f"; printf '%s\\n' "$c"; ` +
        `[ -z "$x" ] && [ "\${f##*/}" = "$z.xml" ] && x=$c; done`,
      `if [ -n "$z" ] && [ "$z" != trusted ]; then case "$x" in *'target="ACCEPT"'*) ;; *)`,
      `  printf 'services %s\\n' "$(${busctl('getServices', `${FWD}.zone`, ' s "$z"')})"`,
      `  printf 'ports %s\\n' "$(${busctl('getPorts', `${FWD}.zone`, ' s "$z"')})";; esac; fi`,
    );
  }
  for (const ip of p.arp ?? []) lines.push(sec(`arp ${ip}`), ...arpLines(ip));
  if (p.ipvsStats) lines.push(sec('ipvs-stats'), 'ipvsadm -Ln --stats --exact 2>&1');
  if (p.listen) lines.push(sec('listen'), 'ss -ltnp 2>/dev/null');
  if (p.keepalived) {
    lines.push(
      // Its own words since it last started: the VRRP states it entered and its checks' verdicts (one process).
      sec('keepalived'),
      'journalctl -u keepalived -b -o cat --no-pager -n 400 2>/dev/null',
      // Rules that name VRRP (IP protocol 112), with their table and chain: what splits a group's brain.
      sec('nft-vrrp'),
      `command -v nft >/dev/null 2>&1 && nft -a list ruleset 2>/dev/null | awk '/^table /{t=$2" "$3} /^[[:space:]]*chain /{c=$2} /vrrp|l4proto 112|protocol 112/{print "nft "t" "c" "$0}'`,
      // firewalld's runtime rich rules of its default zone (two busctl calls; the Python firewall-cmd costs a second).
      `z=$(${busctl('getDefaultZone', FWD)}); z=\${z#s }; z=\${z#\\\"}; z=\${z%\\\"}`,
      `if [ -n "$z" ]; then printf 'rich %s %s\\n' "$z" "$(${busctl('getRichRules', `${FWD}.zone`, ' s "$z"')})"; fi`,
    );
  }
  lines.push(sec('end'));
  return lines.join('\n');
}

/** The request loop's output: per request `@@req`, the body, `@@end HTTP_CODE` (curl's write-out), `@@rc EXIT`. */
export function parseRequests(text: string): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (const chunk of text.split(/^@@req\n/m).slice(1)) {
    const rc = /\n?@@rc (\d+)\s*$/.exec(chunk);
    const rest = rc ? chunk.slice(0, rc.index) : chunk;
    const end = rest.lastIndexOf('\n@@end ');
    const atStart = end < 0 && rest.startsWith('@@end ');
    const body = end >= 0 ? rest.slice(0, end) : atStart ? '' : rest;
    const code = end >= 0 ? rest.slice(end + 7) : atStart ? rest.slice(6) : '';
    out.push({ exit: rc ? Number(rc[1]) : 255, http: Number(code.trim()) || 0, body });
  }
  return out;
}

/**
 * One curl for n requests: per request the body, then the write-out `@@end HTTP_CODE EXIT NUM_CONNECTS`; `@@rc EXIT`
 * (curl's own) at the end. Requests curl never got to (it is missing, or was killed) take curl's exit code.
 */
export function parseBatch(text: string, n: number): RequestRecord[] {
  const rc = /(?<=^|\n)@@rc (\d+)\s*$/.exec(text);
  const out = rc ? text.slice(0, rc.index) : text;
  const records: RequestRecord[] = [];
  const end = /\n@@end (\d+) (\d*) (\d*)\n/g;
  let pos = 0;
  for (let m = end.exec(out); m; m = end.exec(out)) {
    const http = Number(m[1]) || 0;
    const exit = m[2] === '' ? (http ? 0 : 255) : Number(m[2]);
    records.push({ exit: m[3] === '0' && exit === 0 ? REUSED_CONNECTION : exit, http, body: out.slice(pos, m.index) });
    pos = m.index + m[0].length;
  }
  const curlExit = rc ? Number(rc[1]) : 255;
  while (records.length < n) records.push({ exit: curlExit || 255, http: 0, body: '' });
  return records;
}

/** One held connection's raw answer (`HTTP/1.1 200 OK`, headers, blank line, body) as a request record. */
export function parseHeldAnswer(text: string, status: string): RequestRecord {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const http = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(lines[0] ?? '');
  // No status line: the connect failed (x), the read timed out (read's status > 128), or the server closed it first.
  if (!http) return { exit: status === 'x' ? 7 : Number(status) > 128 ? 28 : 52, http: 0, body: '' };
  const blank = lines.indexOf('');
  return { exit: 0, http: Number(http[1]), body: blank < 0 ? '' : lines.slice(blank + 1).join('\n') };
}

/**
 * The hold probe's output (see holdCommand): `@@open FD...`, the fresh requests, then per held connection `@@held`, its
 * answer and `@@held-rc`, and `@@hold-rc` (timeout's exit: 124 when it killed the probe). Connections and requests the
 * probe never got to count as timed out (killed) or failed.
 */
export function parseHold(text: string, hold: number, fresh: number): HeldRecords {
  const end = /(?:^|\n)@@hold-rc (\d+)\s*$/.exec(text);
  const rc = end ? Number(end[1]) : 255;
  const body = end ? text.slice(0, end.index) : text;
  const missing: RequestRecord = { exit: rc === 124 ? 28 : 255, http: 0, body: '' };
  const open = /^@@open(.*)$/m.exec(body);
  const afterOpen = open ? body.slice(open.index + open[0].length + 1) : '';
  const firstHeld = afterOpen.search(/^@@held$/m);
  const freshText = firstHeld < 0 ? afterOpen : afterOpen.slice(0, firstHeld);
  const fb = freshText.indexOf('@@fallback\n');
  const freshRecords = !open ? [] : fb >= 0 ? parseRequests(freshText.slice(fb + 11)) : parseBatch(freshText, fresh);
  const heldRecords = (firstHeld < 0 ? [] : afterOpen.slice(firstHeld).split(/^@@held\n/m).slice(1)).map((chunk) => {
    const st = /(?:^|\n)@@held-rc (\S+)\s*$/.exec(chunk);
    return st ? parseHeldAnswer(chunk.slice(0, st.index), st[1]!) : missing;
  });
  const pad = (rs: RequestRecord[], n: number) => [...rs.slice(0, n), ...Array.from({ length: Math.max(0, n - rs.length) }, () => ({ ...missing }))];
  return { held: pad(heldRecords, hold), fresh: pad(freshRecords.map((r) => (r.exit === 255 && rc === 124 ? { ...r, exit: 28 } : r)), fresh) };
}

/** `192.168.4.10 via 192.168.2.5 dev ens4 src 192.168.2.100 uid 0`, or an RTNETLINK error. */
export function parseRouteGet(text: string): RouteGet {
  // The first line only (ip prints a second, `    cache`), without the trailing space iproute2 leaves.
  const t = (text.trim().split('\n')[0] ?? '').trim();
  const word = (k: string) => new RegExp(`\\b${k} (\\S+)`).exec(t)?.[1];
  const ok = !/RTNETLINK|unreachable|Error|error/i.test(t) && t !== '';
  return { text: t || '(no output)', ok, via: ok ? word('via') : undefined, dev: ok ? word('dev') : undefined, src: ok ? word('src') : undefined };
}

/** `F PATH REALPATH` for each file, then `PATH:LINE` (grep -H; `L PATH:LINE` in recorded outputs) for each line that sets a key. */
export function parseSysctlFiles(text: string): SysctlFileEntry[] {
  const out: SysctlFileEntry[] = [];
  const byPath = new Map<string, SysctlFileEntry>();
  for (const line of text.split('\n')) {
    if (line.startsWith('F ')) {
      const [path = '', real = ''] = line.slice(2).split(' ');
      const e = { path, real: real || path, lines: [] as string[] };
      out.push(e);
      byPath.set(path, e);
    } else if (line.startsWith('L ') || line.startsWith('/')) {
      // `L PATH:LINE` as recorded outputs have it, or grep -H's own `PATH:LINE`.
      const from = line.startsWith('L ') ? 2 : 0;
      const i = line.indexOf(':', from);
      if (i > 0) byPath.get(line.slice(from, i))?.lines.push(line.slice(i + 1));
    }
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

export function parseZoneXml(file: string, xml: string): ZoneXml {
  const target = /<zone\b[^>]*\btarget="([^"]*)"/.exec(xml)?.[1] ?? 'default';
  const services = [...xml.matchAll(/<service\b[^>]*\bname="([^"]*)"/g)].map((m) => m[1]!);
  const ports = [...xml.matchAll(/<port\b([^>]*)\/?>/g)].map((m) => ({
    port: /\bport="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
    protocol: /\bprotocol="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
  }));
  const protocols = [...xml.matchAll(/<protocol\b[^>]*\bvalue="([^"]*)"/g)].map((m) => m[1]!);
  return { file, target, services, ports, protocols };
}

export function parseFirewall(text: string): FirewallInfo {
  const info: FirewallInfo = { confZone: '', active: new Map(), zones: new Map() };
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'conf') info.confZone = rest.trim();
    else if (key === 'active') info.active = parseActiveZones(rest);
    else if (key === 'services') info.services = parseBusctlStrings(rest);
    else if (key === 'ports') info.ports = parseBusctlPorts(rest);
    else if (key === 'xml') {
      const i = rest.indexOf(' ');
      const file = i < 0 ? rest : rest.slice(0, i);
      const zone = file.slice(file.lastIndexOf('/') + 1).replace(/\.xml$/, '');
      if (!info.zones.has(zone)) info.zones.set(zone, parseZoneXml(file, i < 0 ? '' : rest.slice(i + 1)));
    }
  }
  return info;
}

export function parseProbe(text: string, requests?: Map<string, number>): ProbeOutput {
  const out: ProbeOutput = { requests: new Map(), holds: new Map(), routes: new Map(), sysctlFiles: [], firewall: undefined };
  const parts = text.split(new RegExp(`^${PROBE_MARK} `, 'm'));
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const head = nl < 0 ? part : part.slice(0, nl);
    const body = nl < 0 ? '' : part.slice(nl + 1).replace(/\n+$/, '');
    if (head.startsWith('requests ')) {
      out.requests.set(head.slice(9), parseRequests(body));
    } else if (head.startsWith('batch ')) {
      // The per-request fallback (an older curl) follows its batch and replaces it.
      const url = head.slice(6);
      if (!out.requests.has(url)) out.requests.set(url, parseBatch(body, requests?.get(url) ?? 0));
    } else if (head.startsWith('hold ')) {
      const [, hold = '0', fresh = '0', url = ''] = head.split(' ');
      out.holds.set(url, parseHold(body, Number(hold), Number(fresh)));
    } else if (head.startsWith('route ')) out.routes.set(head.slice(6), parseRouteGet(body));
    else if (head === 'sysctl-files') out.sysctlFiles = parseSysctlFiles(body);
    else if (head === 'firewall') out.firewall = parseFirewall(body);
    else if (head.startsWith('arp ')) (out.arp ??= new Map()).set(head.slice(4), parseArp(body));
    else if (head === 'ipvs-stats') out.ipvsStats = parseIpvsStats(body);
    else if (head === 'listen') out.listening = parseListening(body);
    else if (head === 'keepalived') out.keepalived = { ...parseKeepalivedLog(body), ...(out.keepalived ? { vrrpRules: out.keepalived.vrrpRules } : {}) };
    else if (head === 'nft-vrrp') out.keepalived = { ...(out.keepalived ?? parseKeepalivedLog('')), vrrpRules: parseVrrpRules(body) };
  }
  return out;
}

/**
 * One ARP request for `ip` from the interface the route to it names, and every MAC that answers within 1.5 s: python3
 * with a packet socket, as the image has no arping. Without python3, the neighbour table's entry (after the requests).
 * Read-only but for the request itself, which is what the client's own traffic sends anyway.
 */
export const ARP_PY = [
  'import socket, struct, sys, time, fcntl',
  'dev, target = sys.argv[1], socket.inet_aton(sys.argv[2])',
  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)); s.bind((dev, 0))',
  'mac = s.getsockname()[4]',
  "own = fcntl.ioctl(s.fileno(), 0x8915, struct.pack('256s', dev.encode()[:15]))[20:24]",
  "pkt = b'\\xff' * 6 + mac + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + own + b'\\x00' * 6 + target",
  'seen = []; s.settimeout(0.1); end = time.time() + 1.5; sent = 0',
  'while time.time() < end:',
  '    if sent < 2 and time.time() > end - 1.5 + sent * 0.5: s.send(pkt); sent += 1',
  '    try: d = s.recv(128)',
  '    except socket.timeout: continue',
  "    if d[12:14] == b'\\x08\\x06' and d[20:22] == b'\\x00\\x02' and d[28:32] == target:",
  "        m = ':'.join('%02x' % b for b in d[22:28])",
  '        if m not in seen: seen.append(m)',
  "print('arp ' + ' '.join(seen))",
].join('\n');

function arpLines(ip: string): string[] {
  return [
    `dev=; set -- $(ip -o route get ${quote(ip)} 2>/dev/null); while [ $# -gt 1 ]; do [ "$1" = dev ] && dev=$2; shift; done; printf 'dev %s\\n' "$dev"`,
    `if [ -n "$dev" ] && command -v python3 >/dev/null 2>&1; then python3 -c ${quote(ARP_PY)} "$dev" ${quote(ip)} 2>&1; else printf 'neigh '; ip neigh show ${quote(ip)} 2>&1; fi`,
  ];
}

/** `dev ens3`, then `arp MAC MAC…` (our own request) or `neigh 192.168.4.15 dev ens3 lladdr MAC REACHABLE`. */
export function parseArp(text: string): ArpAnswer {
  const dev = /^dev (\S*)/m.exec(text)?.[1] ?? '';
  const arp = /^arp ?(.*)$/m.exec(text);
  if (arp) return { how: 'arp', dev, macs: arp[1]!.trim().split(/\s+/).filter(Boolean) };
  const neigh = /^neigh .*lladdr ([0-9a-f:]{17})/m.exec(text);
  if (/^neigh /m.test(text)) return { how: 'neigh', dev, macs: neigh ? [neigh[1]!] : [] };
  return { how: 'none', dev, macs: [] };
}

/** `ipvsadm -Ln --stats --exact`: a `TCP VIP:PORT …` line per service, then `-> RIP:PORT CONNS INPKTS OUTPKTS …` per real. */
export function parseIpvsStats(text: string): IpvsStat[] {
  const out: IpvsStat[] = [];
  let service = '';
  for (const line of text.split('\n')) {
    const svc = /^(TCP|UDP)\s+(\S+)/.exec(line);
    if (svc) service = `${svc[1]!.toLowerCase()} ${svc[2]}`;
    const real = /^\s+->\s+(\d+\.\d+\.\d+\.\d+:\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (real && service) out.push({ service, real: real[1]!, conns: Number(real[2]), inPkts: Number(real[3]), outPkts: Number(real[4]) });
  }
  return out;
}

/** `ss -ltnp` (with or without its header): `LISTEN 0 511 *:80 *:* users:(("apache2",pid=263,fd=4),…)` per socket. */
export function parseListening(text: string): ListenSocket[] {
  const out: ListenSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'LISTEN' || !f[3]) continue;
    const local = f[3];
    const i = local.lastIndexOf(':');
    const port = Number(local.slice(i + 1));
    if (i < 0 || !Number.isInteger(port)) continue;
    out.push({ addr: local.slice(0, i).replace(/%.*$/, ''), port, procs: [...new Set([...line.matchAll(/\("([^"]+)",pid=/g)].map((m) => m[1]!))] });
  }
  return out;
}
