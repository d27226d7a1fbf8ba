// Parses the rules `ipvsadm -Sn` prints (the format `ipvsadm -R` reads) into the IPVS model.
import { isIPv4 } from '../spec/ipv4.js';
import {
  DEFAULT_PERSISTENCE,
  DEFAULT_SCHEDULER,
  DEFAULT_WEIGHT,
  MAX_PERSISTENCE,
  isIPv6,
  serviceKey,
  type Forwarding,
  type IpvsReal,
  type IpvsService,
} from './model.js';

/** Long spellings ipvsadm also accepts, mapped to the short ones the save format uses. */
const LONG: Record<string, string> = {
  '--add-service': '-A',
  '--add-server': '-a',
  '--tcp-service': '-t',
  '--udp-service': '-u',
  '--fwmark-service': '-f',
  '--ipv6': '-6',
  '--scheduler': '-s',
  '--persistent': '-p',
  '--netmask': '-M',
  '--real-server': '-r',
  '--masquerading': '-m',
  '--gatewaying': '-g',
  '--ipip': '-i',
  '--weight': '-w',
  '--u-threshold': '-x',
  '--l-threshold': '-y',
  '--ops': '-o',
  '--sched-flags': '-b',
};

const FORWARDING: Record<string, Forwarding> = { '-m': 'nat', '-g': 'dr', '-i': 'tun' };

class LineError extends Error {}

/**
 * Parses `ipvsadm -Sn` output. Blank lines and `#` comments are ignored; anything else that is not an
 * `-A`/`-a` rule in ipvsadm's syntax throws an Error naming the line. Services come back in file order,
 * reals in file order within their service. fwmark and sctp services are kept with a `selector`.
 */
export function parseIpvsSave(text: string): IpvsService[] {
  const services: IpvsService[] = [];
  const byKey = new Map<string, IpvsService>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      const tokens = line.split(/\s+/).map((t) => LONG[t] ?? t);
      const command = tokens[0];
      if (command === '-A') {
        const s = parseServiceLine(tokens.slice(1));
        const key = serviceKey(s);
        if (byKey.has(key)) throw new LineError(`service ${key} is defined twice`);
        byKey.set(key, s);
        services.push(s);
      } else if (command === '-a') {
        const { key, real } = parseRealLine(tokens.slice(1));
        const s = byKey.get(key);
        if (!s) throw new LineError(`real server for service ${key}, which no earlier -A line defines`);
        if (s.reals.some((r) => r.address === real.address && r.port === real.port)) {
          throw new LineError(`real server ${real.address}:${real.port} is listed twice`);
        }
        s.reals.push(real);
      } else {
        throw new LineError(`expected an -A or -a rule, got "${command}"`);
      }
    } catch (e) {
      if (e instanceof LineError) throw new Error(`ipvsadm rules, line ${i + 1}: ${e.message}: ${line}`);
      throw e;
    }
  });
  return services;
}

function takeValue(tokens: string[], i: number, opt: string): string {
  const v = tokens[i + 1];
  if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new LineError(`${opt} needs a value`);
  return v;
}

function number(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new LineError(`${what} "${text}" is not a number`);
  const n = Number(text);
  if (n < min || n > max) throw new LineError(`${what} ${n} is outside ${min}..${max}`);
  return n;
}

/** `addr:port`, `[v6]:port` or a bare address (port undefined), numeric only as -Sn prints it. */
function parseAddress(text: string, what: string): { address: string; port: number | undefined } {
  let address = text;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    address = v6[1]!;
    port = v6[2];
    if (!isIPv6(address)) throw new LineError(`${what} "${text}" is not a numeric IPv6 address`);
  } else if (!isIPv6(text)) {
    const c = text.lastIndexOf(':');
    if (c >= 0) {
      address = text.slice(0, c);
      port = text.slice(c + 1);
    }
    if (!isIPv4(address)) throw new LineError(`${what} "${text}" is not a numeric IPv4 address[:port]`);
  }
  return { address, port: port === undefined ? undefined : number(port, `${what} port`, 0, 65535) };
}

interface Selector {
  key: string;
  service: IpvsService;
  rest: string[];
}

/** Pulls the service-naming options (-t/-u/-f [-6]/--sctp-service) out of a rule's tokens. */
function takeSelector(tokens: string[]): Selector {
  const rest: string[] = [];
  let found: IpvsService | undefined;
  let v6 = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '-t' || t === '-u' || t === '-f' || t === '--sctp-service') {
      if (found) throw new LineError('more than one service given');
      const v = takeValue(tokens, i, t);
      i++;
      if (t === '-f') {
        const mark = number(v, 'fwmark', 1, 4294967295);
        found = { protocol: 'tcp', vip: '', port: 0, scheduler: DEFAULT_SCHEDULER, selector: ['-f', String(mark)], reals: [] };
      } else if (t === '--sctp-service') {
        const a = parseAddress(v, 'service address');
        found = {
          protocol: 'tcp',
          vip: '',
          port: 0,
          scheduler: DEFAULT_SCHEDULER,
          selector: ['--sctp-service', a.address.includes(':') ? `[${a.address}]:${a.port ?? 0}` : `${a.address}:${a.port ?? 0}`],
          reals: [],
        };
      } else {
        const a = parseAddress(v, 'service address');
        found = { protocol: t === '-t' ? 'tcp' : 'udp', vip: a.address, port: a.port ?? 0, scheduler: DEFAULT_SCHEDULER, reals: [] };
      }
    } else if (t === '-6') {
      v6 = true;
    } else {
      rest.push(t);
    }
  }
  if (!found) throw new LineError('no service given (-t, -u, -f or --sctp-service)');
  if (v6) {
    if (!found.selector || found.selector[0] !== '-f') throw new LineError('-6 is only for fwmark services');
    found.selector.push('-6');
  }
  return { key: serviceKey(found), service: found, rest };
}

function parseServiceLine(tokens: string[]): IpvsService {
  const { service, rest } = takeSelector(tokens);
  const options: string[] = [];
  let persistent = false;
  let netmask: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    switch (t) {
      case '-s':
        service.scheduler = takeValue(rest, i++, t);
        if (!/^[a-z][a-z0-9_-]*$/.test(service.scheduler)) throw new LineError(`scheduler "${service.scheduler}" is not a name`);
        break;
      case '-p': {
        persistent = true;
        const v = rest[i + 1];
        if (v !== undefined && /^\d+$/.test(v)) {
          service.persistence = number(v, 'persistence timeout', 1, MAX_PERSISTENCE);
          i++;
        } else service.persistence = DEFAULT_PERSISTENCE;
        break;
      }
      case '-M':
        netmask = takeValue(rest, i++, t);
        if (!isIPv4(netmask) && !/^\d{1,3}$/.test(netmask)) throw new LineError(`netmask "${netmask}" is not numeric`);
        break;
      case '--pe':
      case '-b':
        options.push(t, takeValue(rest, i++, t));
        break;
      case 'pe': // ipvsadm 1.26 printed " pe NAME" in save output
        options.push('--pe', takeValue(rest, i++, t));
        break;
      case '-o':
      case 'ops': // ipvsadm 1.26 printed " ops"
        options.push('-o');
        break;
      default:
        throw new LineError(`unexpected "${t}" in a service rule`);
    }
  }
  if (netmask !== undefined) {
    if (!persistent) throw new LineError('-M without -p');
    if (netmask !== '255.255.255.255' && netmask !== '128') service.netmask = netmask;
  }
  if (!service.selector && service.port === 0 && !persistent) throw new LineError('port 0 is only allowed for a persistent service');
  if (options.length > 0) service.options = options;
  return service;
}

function parseRealLine(tokens: string[]): { key: string; real: IpvsReal } {
  const { key, service, rest } = takeSelector(tokens);
  let address: string | undefined;
  let port: number | undefined;
  let forwarding: Forwarding | undefined;
  let weight = DEFAULT_WEIGHT;
  const options: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    switch (t) {
      case '-r': {
        if (address !== undefined) throw new LineError('more than one -r');
        const a = parseAddress(takeValue(rest, i++, t), 'real server');
        address = a.address;
        port = a.port;
        break;
      }
      case '-m':
      case '-g':
      case '-i':
        if (forwarding) throw new LineError('more than one forwarding method');
        forwarding = FORWARDING[t];
        break;
      case '-w':
        weight = number(takeValue(rest, i++, t), 'weight', 0, 65535);
        break;
      case '-x':
      case '-y':
        options.push(t, String(number(takeValue(rest, i++, t), t === '-x' ? 'upper threshold' : 'lower threshold', 0, 2147483647)));
        break;
      case '--tun-type': {
        const v = takeValue(rest, i++, t);
        if (!['ipip', 'gue', 'gre'].includes(v)) throw new LineError(`tunnel type "${v}" is not ipip, gue or gre`);
        options.push(t, v);
        break;
      }
      case '--tun-port':
        options.push(t, String(number(takeValue(rest, i++, t), 'tunnel port', 1, 65535)));
        break;
      case '--tun-nocsum':
      case '--tun-csum':
      case '--tun-remcsum':
        options.push(t);
        break;
      default:
        throw new LineError(`unexpected "${t}" in a real-server rule`);
    }
  }
  if (address === undefined) throw new LineError('no real server (-r)');
  const fwd = forwarding ?? 'dr';
  if (options.some((o) => o.startsWith('--tun')) && fwd !== 'tun') throw new LineError('tunnel options need -i');
  // `--tun-type ipip` on its own is ipvsadm's default tunnel (1.31 prints it for every -i real).
  const ipip = options.findIndex((o, j) => o === '--tun-type' && options[j + 1] === 'ipip');
  if (ipip >= 0) options.splice(ipip, 2);
  const real: IpvsReal = { address, port: port ?? service.port, forwarding: fwd, weight };
  if (options.length > 0) real.options = options;
  return { key, real };
}
