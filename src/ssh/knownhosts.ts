// known_hosts with OpenSSH's semantics, ported from its hostfile.c and sshconnect.c (check_host_key): which lines
// name a host (plain, comma lists, wildcards, `!` negation, case-insensitive, hashed `|1|salt|hash`, `[host]:port`
// with the bare name as fallback for any port), the @revoked and @cert-authority markers, and the verdict for an
// offered key across several files. Ported rather than asking `ssh-keygen -F` because the keeper checks a kept
// connection on every reuse: a pure function of the files costs microseconds, a subprocess milliseconds.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { asciiLower, matchHostname } from './match.js';

export type Marker = 'none' | 'ca' | 'revoked';

/** A known_hosts line that names the host looked up. */
export interface HostEntry {
  marker: Marker;
  /** The key type named on the line, e.g. ssh-ed25519. */
  type: string;
  /** The public key blob. */
  key: Buffer;
  file: string;
  line: number;
}

/** How OpenSSH judges an offered key: hostfile.c's HOST_OK, HOST_NEW, HOST_CHANGED and HOST_REVOKED. */
export type HostStatus = 'ok' | 'new' | 'changed' | 'revoked';

export interface Verdict {
  status: HostStatus;
  /** The line that decided: the matching key (ok), the revoking line (revoked), a different key (changed). */
  found?: HostEntry;
  /** Every line naming the host, under the name used (`[host]:port` or `host`). */
  entries: HostEntry[];
  /** The name the key is known under, as OpenSSH writes it. */
  name: string;
  /**
   * Changed under `[host]:port`, but listed under the bare name: OpenSSH then accepts when the server offers a host
   * certificate (its certificate check finds no CA, which sends it to the bare name), and refuses when it does not.
   */
  bareOk?: boolean;
}

/** The name OpenSSH looks a host up by and writes: lowercased, `[host]:port` unless the port is 22 (misc.c put_host_port). */
export function knownHostName(host: string, port: number): string {
  const h = asciiLower(host);
  return port === 22 || port === 0 ? h : `[${h}]:${port}`;
}

/** OpenSSH never records a key under a name with these characters (sshconnect.c check_host_key). */
export function recordableHost(host: string): boolean {
  return !/[@?*#[\]|'\\"]/.test(host);
}

const HASH_MAGIC = '|1|';

/** hostfile.c match_maybe_hashed: 1 match, 0 none, -1 a malformed hashed name (the line is invalid). */
function namesMatch(host: string, names: string): -1 | 0 | 1 {
  if (!names.startsWith('|')) return matchHostname(host, names) === 1 ? 1 : 0;
  if (!names.startsWith(HASH_MAGIC)) return -1;
  const rest = names.slice(HASH_MAGIC.length);
  const bar = rest.indexOf('|');
  if (bar <= 0 || bar > 1024) return -1;
  const b64salt = rest.slice(0, bar);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64salt)) return -1;
  const salt = Buffer.from(b64salt, 'base64');
  if (salt.length !== 20) return -1;
  const mac = createHmac('sha1', salt).update(host).digest('base64');
  return names === `${HASH_MAGIC}${salt.toString('base64')}|${mac}` ? 1 : 0;
}

/** hostfile.c check_markers: the marker and the rest of the line, or undefined for a bad marker. */
function markers(s: string): { marker: Marker; rest: string } | undefined {
  let marker: Marker = 'none';
  while (s.startsWith('@')) {
    if (marker !== 'none') return undefined; // one marker only
    let sp = s.indexOf(' ');
    if (sp < 0) sp = s.indexOf('\t');
    if (sp <= 1 || sp >= 32) return undefined;
    const word = s.slice(0, sp);
    if (word === '@cert-authority') marker = 'ca';
    else if (word === '@revoked') marker = 'revoked';
    else return undefined;
    s = s.slice(sp).replace(/^[ \t]+/, '');
  }
  return { marker, rest: s };
}

/** Key type names OpenSSH reads in known_hosts (sshkey.c sshkey_read); the blob must carry the same type. */
const PLAIN_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa', 'ssh-dss', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'];

function blobTypeFor(name: string): string | undefined {
  if (PLAIN_TYPES.includes(name)) return name;
  if (name === 'rsa-sha2-256' || name === 'rsa-sha2-512') return 'ssh-rsa';
  const cert = name.match(/^(.*)-cert-v01@openssh\.com$/);
  if (cert) {
    const base = cert[1] === 'sk-ssh-ed25519' || cert[1] === 'sk-ecdsa-sha2-nistp256' ? `${cert[1]}@openssh.com` : cert[1]!;
    return PLAIN_TYPES.includes(base) ? name : undefined;
  }
  return undefined; // sshkey.c peek_type_nid takes full names only
}

/** sshkey_read: `type base64`; undefined when the type is unknown, the base64 bad, or the blob of another type. */
function readKey(s: string): { type: string; key: Buffer } | undefined {
  const [type, b64] = s.split(/[ \t]+/);
  if (!type || !b64) return undefined;
  const want = blobTypeFor(type);
  const clean = b64.replace(/\r$/, '');
  if (!want || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return undefined;
  const key = Buffer.from(clean, 'base64');
  if (key.length < 4 || blobType(key) !== want) return undefined;
  return { type, key };
}

/** The lines of known_hosts `text` (from `file`) that name `host` (a knownHostName); bad lines are skipped, as ssh does. */
export function parseKnownHosts(text: string, host: string, file = 'known_hosts'): HostEntry[] {
  const found: HostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/^[ \t]+/, '');
    if (!raw || raw.startsWith('#') || raw === '\r') continue;
    const m = markers(raw);
    if (!m) continue;
    const sp = m.rest.search(/[ \t]/);
    const names = sp < 0 ? m.rest : m.rest.slice(0, sp);
    if (namesMatch(host, names) !== 1) continue;
    const after = sp < 0 ? '' : m.rest.slice(sp).replace(/^[ \t]+/, '');
    if (!after || after.startsWith('#')) continue;
    const key = readKey(after);
    if (key) found.push({ marker: m.marker, ...key, file, line: i + 1 });
  }
  return found;
}

/** Per file: its identity when read (inode, size, change times), and the lines found per host name since. */
const parsed = new Map<string, { sig: string; byHost: Map<string, HostEntry[]> }>();

function signature(file: string): string | undefined {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined;
}

/**
 * The lines naming `host` in each file in turn (a missing or unreadable file holds none, as for ssh). A file is
 * read again only when it changed (any write changes its ctime), so the keeper's re-check costs a stat per file.
 */
export function loadHostKeys(files: readonly string[], host: string): HostEntry[] {
  return files.flatMap((f) => {
    const sig = signature(f);
    if (sig === undefined) return [];
    let p = parsed.get(f);
    if (p?.sig !== sig) parsed.set(f, (p = { sig, byHost: new Map() }));
    let found = p.byHost.get(host);
    if (!found) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        return [];
      }
      p.byHost.set(host, (found = parseKnownHosts(text, host, f)));
    }
    return found;
  });
}

/** hostfile.c check_hostkeys_by_key_or_type for a plain key: ok, changed (other keys known), new; revoked wins. */
export function checkKey(entries: readonly HostEntry[], key: Buffer): { status: HostStatus; found?: HostEntry } {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', found: revoked };
  const plain = entries.filter((e) => e.marker === 'none');
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'ok', found: same };
  if (plain.length > 0) return { status: 'changed', found: plain[0] };
  return { status: 'new' };
}

/**
 * OpenSSH's verdict on a plain host key offered by host:port, over the user files then the global ones. A port
 * other than 22 with nothing under `[host]:port` is checked again under the bare name, where only a match counts
 * (sshconnect.c "checking without port identifier"). A key revoked under the bare name is reported revoked too,
 * so that it is never recorded under `[host]:port`.
 */
export function verifyKey(files: readonly string[], host: string, port: number, key: Buffer): Verdict {
  const name = knownHostName(host, port);
  const entries = loadHostKeys(files, name);
  const v = checkKey(entries, key);
  if ((v.status === 'new' || v.status === 'changed') && port !== 22) {
    const bare = checkKey(loadHostKeys(files, knownHostName(host, 22)), key);
    if (v.status === 'changed') return { ...v, entries, name, bareOk: bare.status === 'ok' };
    if (bare.status === 'ok' || bare.status === 'revoked') return { ...bare, entries, name };
  }
  return { ...v, entries, name };
}

/** The @cert-authority lines for host:port: under `[host]:port` and, for another port, the bare name (ssh tries both). */
export function authoritiesFor(files: readonly string[], host: string, port: number): HostEntry[] {
  const names = port === 22 ? [knownHostName(host, 22)] : [knownHostName(host, port), knownHostName(host, 22)];
  return names.flatMap((n) => loadHostKeys(files, n).filter((e) => e.marker === 'ca'));
}

/** The @revoked lines for host:port under either name. */
export function revocationsFor(files: readonly string[], host: string, port: number): HostEntry[] {
  const names = port === 22 ? [knownHostName(host, 22)] : [knownHostName(host, port), knownHostName(host, 22)];
  return names.flatMap((n) => loadHostKeys(files, n).filter((e) => e.marker === 'revoked'));
}

/** The plain key types known for host:port (sshconnect2.c order_hostkeyalgs prefers these). */
export function knownTypes(entries: readonly HostEntry[]): string[] {
  return [...new Set(entries.filter((e) => e.marker === 'none').map((e) => blobType(e.key)))];
}

/** `file:line` of an entry, for messages. */
export function where(e: HostEntry): string {
  return `${e.file}:${e.line}`;
}

/** The key type named inside an SSH public key blob (string at offset 0). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's SHA256 fingerprint: `SHA256:` + unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Whether the file exists and its last byte is not a newline (an append must start a line of its own). */
function lacksFinalNewline(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** `|1|salt|hash` of a name with a fresh salt (hostfile.c host_hash), as ssh writes with HashKnownHosts. */
export function hashHostName(name: string, salt = randomBytes(20)): string {
  return `${HASH_MAGIC}${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/**
 * Appends `name type base64` on a line of its own (hostfile.c add_host_to_hostfile, plus the newline the file may
 * lack), the name hashed when `hash` (HashKnownHosts).
 */
export function appendKnownKey(file: string, name: string, blob: Buffer, hash = false): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sep = lacksFinalNewline(file) ? '\n' : '';
  appendFileSync(file, `${sep}${hash ? hashHostName(name) : name} ${blobType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
