// Parse the fact command's sectioned output into Facts; each parser is a pure function over a recorded real output.
import { detectOs } from '../os/families.js';
import { batchedFiles, FILE_CAP, MARK } from './script.js';
import type { FactQuery, Facts, FileState, Link, NmConnection, Route, ServiceState } from './types.js';

export function splitSections(out: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name !== undefined) sections.set(name, body.join('\n').replace(/^\n+|\n+$/g, ''));
  };
  for (const line of out.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      flush();
      name = line.slice(MARK.length + 1);
      body = [];
    } else body.push(line);
  }
  flush();
  return sections;
}

/** nmcli -t escapes ':' and '\' in values with a backslash. */
export function splitTerse(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ':') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseNmDetail(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields[line.slice(0, i)] = splitTerse(line.slice(i + 1)).join(':');
  }
  return fields;
}

/**
 * Profiles from the `nmconns` section (blank-line separated blocks) or, as recorded outputs have them, `nmconn UUID`
 * sections. The device a profile is active on comes from its GENERAL.DEVICES line (one nmcli call over NM's profile
 * paths, whose number the `nmpaths` section gives) or from the `nmlist` section (UUID:DEVICE:NAME, the two-call
 * fallback). Sorted active first, then by name and UUID, so that either way reads the same.
 */
/** Whether NetworkManager's profiles were read, by either way (see parseNmConnections). */
export function hasNmSection(sections: Map<string, string>): boolean {
  return sections.has('nmlist') || sections.has('nmpaths');
}

export function parseNmConnections(sections: Map<string, string>): NmConnection[] {
  const active = new Map<string, string>();
  for (const line of (sections.get('nmlist') ?? '').split('\n')) {
    const [uuid, device] = splitTerse(line);
    if (uuid) active.set(uuid, device ?? '');
  }
  const blocks = (sections.get('nmconns') ?? '').split(/\n\s*\n/);
  for (const [key, body] of sections) if (key.startsWith('nmconn ')) blocks.push(body);
  const conns: NmConnection[] = [];
  for (const block of blocks) {
    const f = parseNmDetail(block);
    const uuid = f['connection.uuid'];
    if (!uuid) continue;
    conns.push({
      uuid,
      name: f['connection.id'] ?? '',
      type: f['connection.type'] ?? '',
      interfaceName: f['connection.interface-name'] ?? '',
      mac: (f['802-3-ethernet.mac-address'] ?? '').toLowerCase(),
      method: f['ipv4.method'] ?? '',
      addresses: (f['ipv4.addresses'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      gateway: f['ipv4.gateway'] ?? '',
      neverDefault: f['ipv4.never-default'] === 'yes',
      autoconnect: f['connection.autoconnect'] !== 'no',
      zone: f['connection.zone'] ?? '',
      device: f['GENERAL.DEVICES'] ?? active.get(uuid) ?? '',
    });
  }
  const paths = sections.get('nmpaths');
  if (paths !== undefined && Number(paths) !== conns.length) throw new Error(`NetworkManager listed ${paths.trim()} profiles but nmcli described ${conns.length}; run again`);
  const byte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return conns.sort((a, b) => Number(b.device !== '') - Number(a.device !== '') || byte(a.name, b.name) || byte(a.uuid, b.uuid));
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** `ip addr show` text, for iproute2 without -j (CentOS 7). */
export function parseLinksText(text: string): Link[] {
  const links: Link[] = [];
  for (const line of text.split('\n')) {
    const head = /^\d+: ([^:@]+)(?:@[^:]+)?: <([^>]*)>/.exec(line);
    if (head) {
      links.push({ name: head[1]!, mac: '', up: head[2]!.split(',').includes('UP'), addrs: [] });
      continue;
    }
    const cur = links[links.length - 1];
    if (!cur) continue;
    const ether = /^\s+link\/\w+ ([0-9a-f:]+)/.exec(line);
    if (ether) cur.mac = ether[1]!.toLowerCase();
    const inet = /^\s+inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
    if (inet) cur.addrs.push({ ip: inet[1]!, prefix: Number(inet[2]) });
  }
  return links;
}

/** `ip route show` text, for iproute2 without -j. */
export function parseRoutesText(text: string): Route[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const w = l.trim().split(/\s+/);
      const after = (k: string) => (w.includes(k) ? w[w.indexOf(k) + 1] : undefined);
      const metric = after('metric');
      return { dst: w[0]!, gateway: after('via'), dev: after('dev'), metric: metric === undefined ? undefined : Number(metric) };
    });
}

export function parseLinks(json: string | undefined): Link[] {
  if (json && !json.trimStart().startsWith('[')) return parseLinksText(json);
  const raw = parseJson<{ ifname: string; address?: string; flags?: string[]; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(json, []);
  return raw.map((l) => ({
    name: l.ifname,
    mac: (l.address ?? '').toLowerCase(),
    up: (l.flags ?? []).includes('UP'),
    addrs: (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ip: a.local, prefix: a.prefixlen })),
  }));
}

export function parseRoutes(json: string | undefined): Route[] {
  if (json && !json.trimStart().startsWith('[')) return parseRoutesText(json);
  const raw = parseJson<{ dst: string; gateway?: string; dev?: string; metric?: number }[]>(json, []);
  return raw.map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, metric: r.metric }));
}

/** dpkg-query lines `name<TAB>ii ...`; or plain `rpm -q` lines, one per queried name in order. */
export function parsePackages(text: string | undefined, queried: string[]): Map<string, boolean> {
  const pkgs = new Map<string, boolean>();
  const [manager, ...lines] = (text ?? '').split('\n');
  if (manager === 'rpm') {
    queried.forEach((name, i) => pkgs.set(name, !!lines[i] && !/^package \S+ is not installed$/.test(lines[i]!.trim())));
    return pkgs;
  }
  for (const line of lines) {
    const [name, status] = line.split('\t');
    if (name && status !== undefined) pkgs.set(name, status.startsWith('ii'));
  }
  return pkgs;
}

export function parseServices(text: string | undefined): Map<string, ServiceState> {
  const svcs = new Map<string, ServiceState>();
  for (const block of (text ?? '').split(/\n\s*\n/)) {
    const f = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (!f.Id) continue;
    svcs.set(String(f.Id).replace(/\.service$/, ''), {
      loaded: f.LoadState === 'loaded',
      active: f.ActiveState === 'active',
      enabled: ['enabled', 'enabled-runtime', 'static', 'generated', 'alias'].includes(f.UnitFileState ?? '') && f.LoadState === 'loaded',
    });
  }
  return svcs;
}

export function parseSysctl(text: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 3).trim());
  }
  return m;
}

/** One 0/1 flag per queried path, in order. */
export function parseExists(text: string | undefined, paths: string[]): Map<string, boolean> {
  const flags = (text ?? '').trim();
  if (text !== undefined && (flags.length !== paths.length || !/^[01]*$/.test(flags))) throw new Error(`the fact command checked ${flags.length} of ${paths.length} paths; run again`);
  return new Map(paths.map((p, i) => [p, flags[i] === '1']));
}

export function parseFile(text: string | undefined): FileState | null {
  if (!text) return null;
  const [mode, b64] = text.split('\n');
  if (!mode) return null;
  return { mode: mode.trim().padStart(4, '0'), content: Buffer.from(b64 ?? '', 'base64') };
}

/** `s "public"` from busctl, or `public` from firewall-cmd. */
/** busctl's `a{sa{sas}} 2 "public" 1 "interfaces" 1 "ens2" "trusted" 1 "interfaces" 1 "ens3"` → ens2 → public, ens3 → trusted. */
export function parseActiveZones(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const t = text.trim();
  if (!t.startsWith('a{sa{sas}}')) return out;
  const tokens = [...t.slice(10).matchAll(/"((?:[^"\\]|\\.)*)"|(\d+)/g)].map((m) => (m[1] !== undefined ? { s: m[1] } : { n: Number(m[2]) }));
  let i = 0;
  const num = () => (tokens[i] && 'n' in tokens[i]! ? (tokens[i++] as { n: number }).n : 0);
  const str = () => (tokens[i] && 's' in tokens[i]! ? (tokens[i++] as { s: string }).s : '');
  const zones = num();
  for (let z = 0; z < zones && i < tokens.length; z++) {
    const zone = str();
    const kinds = num();
    for (let k = 0; k < kinds; k++) {
      const kind = str();
      const n = num();
      for (let j = 0; j < n; j++) {
        const name = str();
        if (kind === 'interfaces') out.set(name, zone);
      }
    }
  }
  return out;
}

/** `firewall-cmd --get-active-zones`: a zone name per line (newer releases add ` (default)`), then indented `interfaces: a b`. */
export function parseActiveZonesText(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  let zone = '';
  for (const line of lines) {
    const ifs = /^\s+interfaces:\s*(.*)$/.exec(line);
    if (ifs) for (const name of ifs[1]!.split(/\s+/).filter(Boolean)) out.set(name, zone);
    else if (/^\S/.test(line)) zone = line.trim().split(/\s+/)[0]!;
  }
  return out;
}

/**
 * The fwzone section: the default zone (busctl's `s "trusted"` or firewall-cmd's bare name), then the interfaces'
 * runtime bindings (busctl's `a{sa{sas}} …` line, or firewall-cmd's listing).
 */
export function parseFirewallZones(text: string | undefined): { zone: string | undefined; bindings: Map<string, string> } {
  const lines = (text ?? '').split('\n').filter((l) => l.trim() !== '');
  const first = lines[0]?.trim();
  if (!first) return { zone: undefined, bindings: new Map() };
  const zone = /^s "(.*)"$/.exec(first)?.[1] ?? first;
  const rest = lines.slice(1);
  const bus = rest.find((l) => l.trim().startsWith('a{sa{sas}}'));
  return { zone, bindings: bus !== undefined ? parseActiveZones(bus) : parseActiveZonesText(rest) };
}

export function parseSsh(text: string | undefined): Facts['ssh'] {
  const [clientIp, , serverIp] = (text ?? '').trim().split(/\s+/);
  return clientIp && serverIp ? { clientIp, serverIp } : undefined;
}

export function parseState(file: FileState | null): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (file?.content.toString('utf8') ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/**
 * The `files` section: a 0/1 flag per batched file (in query order), the modes and sizes of those present (`MODE SIZE`
 * lines, or a block of modes then one of sizes), then their contents (each capped at FILE_CAP bytes) in one base64 line.
 */
export function parseFileBatch(text: string, paths: string[]): Map<string, FileState | null> {
  const lines = text.split('\n');
  const flags = lines[0]?.trim() ?? '';
  if (flags.length !== paths.length || !/^[01]*$/.test(flags)) throw new Error(`the fact command read ${flags.length} of ${paths.length} files; run again`);
  const present = paths.filter((_, i) => flags[i] === '1');
  const out = new Map<string, FileState | null>(paths.map((p) => [p, null]));
  if (present.length === 0) return out;
  // `MODE SIZE` lines, or (with a symlink among the files) a block of modes, then one of sizes.
  const paired = (lines[1] ?? '').trim().includes(' ');
  const stats = paired ? lines.slice(1, 1 + present.length).map((l) => l.trim().split(' ')) : undefined;
  const modes = stats ? stats.map((f) => f[0] ?? '') : lines.slice(1, 1 + present.length);
  const sizeText = stats ? stats.map((f) => f[1] ?? '') : lines.slice(1 + present.length, 1 + 2 * present.length);
  const sizes = sizeText.map((l) => (/^\d+$/.test(l.trim()) ? Math.min(Number(l), FILE_CAP) : NaN));
  const content = Buffer.from(lines[1 + (paired ? 1 : 2) * present.length] ?? '', 'base64');
  const total = sizes.reduce((a, b) => a + b, 0);
  if (modes.length !== present.length || modes.some((m) => !/^[0-7]+$/.test(m.trim())) || Number.isNaN(total) || total !== content.length)
    throw new Error(`a file changed while the fact command read it (${present.join(', ')}); run again`);
  let pos = 0;
  present.forEach((p, i) => {
    out.set(p, { mode: modes[i]!.trim().padStart(4, '0'), content: content.subarray(pos, pos + sizes[i]!) });
    pos += sizes[i]!;
  });
  return out;
}

export function parseFacts(out: string, query: Pick<FactQuery, 'packages' | 'stateFile'> & Partial<Pick<FactQuery, 'files' | 'exists'>>): Facts {
  const s = splitSections(out);
  const files = new Map<string, FileState | null>();
  const batch = s.get('files');
  if (batch !== undefined) for (const [k, v] of parseFileBatch(batch, batchedFiles({ files: query.files ?? [], stateFile: query.stateFile }))) files.set(k, v);
  for (const [k, v] of s) if (k.startsWith('file ')) files.set(k.slice(5), parseFile(v));
  const ipvs = s.get('ipvs') ?? '';
  const selinux = (s.get('selinux') ?? '').trim();
  const osRelease = s.get('os') ?? '';
  // `ip -j -batch`: addresses on the first line, routes on the second.
  const ipBatch = (s.get('ip') ?? '').split('\n');
  const fw = parseFirewallZones(s.get('fwzone'));
  return {
    osRelease,
    os: detectOs(osRelease),
    ssh: parseSsh(s.get('ssh')),
    links: parseLinks(s.get('addr') ?? ipBatch[0]),
    routes: parseRoutes(s.get('route') ?? ipBatch[1]),
    nm: hasNmSection(s),
    connections: parseNmConnections(s),
    packages: parsePackages(s.get('pkg'), query.packages),
    services: parseServices(s.get('svc')),
    sysctl: parseSysctl(s.get('sysctl')),
    exists: parseExists(s.get('exists'), query.exists ?? []),
    files,
    firewallZone: fw.zone,
    firewallBindings: fw.bindings,
    selinux: ['Enforcing', 'Permissive', 'Disabled'].includes(selinux) ? (selinux as Facts['selinux']) : undefined,
    ipvs: { installed: ipvs.startsWith('installed'), save: ipvs.replace(/^installed\n?/, '') },
    state: parseState(query.stateFile === undefined ? null : (files.get(query.stateFile) ?? null)),
  };
}
