// The capture side of `lab trace`: one tcpdump per host, started before the request and stopped after it (bounded in
// time and count, ended by PID), and the parser of what it printed. The host's own tcpdump, on every interface
// (`-i any`), so a reply that leaves by the wrong interface is seen too.
import { quote } from '../ssh/quote.js';

export interface Endpoint {
  ip: string;
  port: number;
}

/** One TCP packet as tcpdump printed it on a host. */
export interface Packet {
  /** Seconds since the epoch, the host's clock. */
  t: number;
  iface: string;
  dir: 'in' | 'out';
  /** The frame's source MAC (tcpdump's cooked capture shows only the source). */
  mac?: string;
  src: Endpoint;
  dst: Endpoint;
  /** IP-in-IP: the outer header's addresses (LVS-TUN). */
  outer?: { src: string; dst: string };
  /** tcpdump's flags: S (SYN), S. (SYN-ACK), . (ACK), P., F., R, R. */
  flags: string;
  /** The HTTP line tcpdump decoded from the payload: `GET / HTTP/1.1`, `HTTP/1.1 200 OK`. */
  http?: string;
}

/** A host's interfaces: name → MAC and IPv4 addresses (from `ip -o link` and `ip -o -4 addr`). */
export type Interfaces = Record<string, { mac?: string; addrs: string[] }>;

export interface StartedCapture {
  /** The capture's folder on the host (mktemp -d); the stop command reads and removes it. */
  dir: string;
  interfaces: Interfaces;
  /** `ip route get` of the client's address, from this host (real servers): which way its replies go. */
  route?: string;
}

const MARK = '@@lab-trace';
/** The folder mktemp makes: checked before it reaches a shell again. */
const DIR_RE = /^\/tmp\/lab-trace\.[A-Za-z0-9]+$/;

/**
 * Start tcpdump in the background on every interface, for at most `seconds` and `count` packets, and wait (up to 10
 * s) until it listens. Prints the folder, whether it listens, the interfaces, and the route to `routeTo`. Exit 3:
 * no tcpdump on the host.
 */
export function startScript(filter: string, seconds: number, count: number, routeTo?: string): string {
  return [
    `command -v tcpdump >/dev/null 2>&1 || { echo '${MARK} no-tcpdump'; exit 3; }`,
    'd=$(mktemp -d /tmp/lab-trace.XXXXXXXX) || exit 1',
    `timeout ${Math.round(seconds)} tcpdump -i any -nn -e -tt -l -U -c ${Math.round(count)} ${quote(filter)} >"$d/out" 2>"$d/err" </dev/null &`,
    'echo $! >"$d/pid"',
    'i=0',
    `while [ "$i" -lt 100 ] && ! grep -q '^listening on' "$d/err" 2>/dev/null && kill -0 "$(cat "$d/pid")" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done`,
    `echo "${MARK} dir $d"`,
    `if grep -q '^listening on' "$d/err"; then echo '${MARK} listening'; else echo '${MARK} failed'; cat "$d/err"; fi`,
    `echo '${MARK} link'`,
    'ip -o link',
    `echo '${MARK} addr'`,
    'ip -o -4 addr',
    ...(routeTo ? [`echo '${MARK} route'`, `ip route get ${quote(routeTo)} 2>&1 | head -1`] : []),
  ].join('\n');
}

/** Stop the capture (TERM to its `timeout`, which passes it on; KILL after 3 s), print what it caught, remove it. */
export function stopScript(dir: string): string {
  if (!DIR_RE.test(dir)) throw new Error(`not a capture folder: ${dir}`);
  const d = quote(dir);
  return [
    `p=$(cat ${d}/pid 2>/dev/null)`,
    'if [ -n "$p" ]; then',
    '  kill -TERM "$p" 2>/dev/null',
    '  i=0; while kill -0 "$p" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done',
    '  kill -KILL "$p" 2>/dev/null',
    'fi',
    `cat ${d}/out 2>/dev/null`,
    `echo '${MARK} err'`,
    `cat ${d}/err 2>/dev/null`,
    `rm -rf ${d}`,
  ].join('\n');
}

/** What the start command printed, or why the capture could not start. */
export function parseStart(stdout: string): StartedCapture | { problem: string } {
  const sections = sectionsOf(stdout);
  if (sections.has('no-tcpdump')) return { problem: 'tcpdump is not installed' };
  const dirLine = [...sections.keys()].find((k) => k.startsWith('dir '));
  const dir = dirLine?.slice(4).trim() ?? '';
  if (!DIR_RE.test(dir)) return { problem: `the capture did not start: ${stdout.trim().split('\n').at(-1) ?? 'no output'}` };
  if (!sections.has('listening')) {
    const why = (sections.get('failed') ?? '').split('\n').filter((l) => /tcpdump:|error|denied/i.test(l)).at(-1);
    return { problem: `tcpdump did not start listening within 10 s${why ? `: ${why.trim()}` : ''}` };
  }
  const route = sections.get('route')?.trim();
  return { dir, interfaces: parseInterfaces(sections.get('link') ?? '', sections.get('addr') ?? ''), ...(route ? { route } : {}) };
}

/** Split `@@lab-trace NAME` sections: NAME → the lines after it. */
function sectionsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      cur = line.slice(MARK.length + 1).trim();
      out.set(cur, '');
    } else if (cur !== undefined) out.set(cur, `${out.get(cur)}${line}\n`);
  }
  return out;
}

/** `ip -o link` and `ip -o -4 addr` → name → MAC and addresses. */
export function parseInterfaces(link: string, addr: string): Interfaces {
  const out: Interfaces = {};
  for (const line of link.split('\n')) {
    const m = /^\d+: ([^:@\s]+)(?:@\S+)?: .*?link\/\S+ ([0-9a-f:]{17})/.exec(line);
    if (m) out[m[1]!] = { mac: m[2], addrs: [] };
  }
  for (const line of addr.split('\n')) {
    const m = /^\d+: (\S+)\s+inet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (m) (out[m[1]!] ??= { addrs: [] }).addrs.push(m[2]!);
  }
  return out;
}

/** What the stop command printed: the packets, and tcpdump's own last words (its counts, or its error). */
export function parseStop(stdout: string): { packets: Packet[]; tcpdump: string } {
  const i = stdout.indexOf(`${MARK} err\n`);
  const out = i < 0 ? stdout : stdout.slice(0, i);
  const err = i < 0 ? '' : stdout.slice(i + MARK.length + 5);
  return { packets: parseTcpdump(out), tcpdump: err.trim() };
}

const IP = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
/** `-i any -e -nn -tt`: time, interface, direction, (ifindex, source MAC), the IPv4 packet. */
const LINE_RE = new RegExp(String.raw`^(\d+\.\d+) (\S+)\s+(In|Out|M|B|P)\s+ifindex \d+ (?:([0-9a-f]{2}(?::[0-9a-f]{2}){5}) )?ethertype IPv4 \(0x0800\), length \d+: (.*)$`);
const TCP_RE = new RegExp(String.raw`^(?:IP )?(${IP})\.(\d+) > (${IP})\.(\d+): Flags \[([^\]]*)\](.*)$`);
const OUTER_RE = new RegExp(String.raw`^(?:IP )?(${IP}) > (${IP}): (.*)$`);

/** tcpdump's lines → TCP packets (IPv4, with an IP-in-IP outer header when there is one); other lines are skipped. */
export function parseTcpdump(text: string): Packet[] {
  const out: Packet[] = [];
  for (const line of text.split('\n')) {
    const m = LINE_RE.exec(line.trim());
    if (!m) continue;
    let rest = m[5]!;
    let outer: Packet['outer'];
    const o = OUTER_RE.exec(rest);
    if (o) {
      outer = { src: o[1]!, dst: o[2]! };
      rest = o[3]!;
    }
    const t = TCP_RE.exec(rest);
    if (!t) continue;
    const http = /length \d+: HTTP: (.*?)\s*$/.exec(t[6]!)?.[1];
    out.push({
      t: Number(m[1]),
      iface: m[2]!,
      dir: m[3] === 'Out' ? 'out' : 'in',
      ...(m[4] ? { mac: m[4] } : {}),
      src: { ip: t[1]!, port: Number(t[2]) },
      dst: { ip: t[3]!, port: Number(t[4]) },
      ...(outer ? { outer } : {}),
      flags: t[5]!,
      ...(http ? { http } : {}),
    });
  }
  return out;
}
