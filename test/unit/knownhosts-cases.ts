// known_hosts fixtures with OpenSSH's verdict on each, shared by the unit tests (src/ssh/knownhosts.test.ts, with
// made-up keys) and the e2e test that asks real ssh against a real sshd (test/e2e/knownhosts.test.ts, real keys).
// The server: one ed25519 host key H, and a host certificate of H signed by CA C for principal 127.0.0.1, on a
// port P that is not 22. Placeholders: {H} {X} (another ed25519 key) {R} (an RSA key) {C} {C2} (another CA) as
// `type base64`; {P} the port; {P-} the port without its last digit; {HASH:text} text hashed as ssh-keygen -H does.
import { createHmac } from 'node:crypto';

export interface KnownHostsCase {
  name: string;
  /** The user known_hosts file (UserKnownHostsFile). */
  user: string;
  /** The global file (GlobalKnownHostsFile); empty when absent. */
  global?: string;
  /** The address connected to (default 127.0.0.1). */
  address?: string;
  /** What `ssh -o StrictHostKeyChecking=yes` does. */
  expect: 'accept' | 'refuse';
  /** Lab's own verdict on the plain key, before any question to OpenSSH. */
  plain: 'ok' | 'new' | 'changed' | 'revoked';
  /** Lab must ask OpenSSH (a certificate may decide); the unit tests answer for it with this. */
  openssh?: { ok: boolean; how?: 'certificate' | 'key'; revoked?: boolean };
  /** The refusal must say the key is revoked. */
  revoked?: boolean;
}

export interface CaseKeys {
  H: string;
  /** H's base64 alone. */
  HB: string;
  X: string;
  R: string;
  C: string;
  C2: string;
}

const SALT = Buffer.from('lab-known-hosts-salt'); // 20 bytes, as ssh's HMAC-SHA1 salts

/** `|1|salt|hash` for a name, as `ssh-keygen -H` writes it. */
export function hashName(name: string, salt = SALT): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

export function expand(text: string, keys: CaseKeys, port: number): string {
  const p = String(port);
  return text
    .replaceAll('{P-}', p.slice(0, -1))
    .replaceAll('{P}', p)
    .replace(/\{HASH:([^}]*)\}/g, (_, n: string) => hashName(n))
    .replace(/\{(HB|H|X|R|C2|C)\}/g, (_, k: keyof CaseKeys) => keys[k]);
}

const CERT_OK = { ok: true, how: 'certificate' } as const;
const CERT_NO = { ok: false } as const;
const KEY_OK = { ok: true, how: 'key' } as const;
const REVOKED = { ok: false, revoked: true } as const;

export const CASES: KnownHostsCase[] = [
  // plain names
  { name: 'the key under [host]:port', user: '[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'an empty file', user: '', expect: 'refuse', plain: 'new' },
  { name: 'another key under [host]:port', user: '[127.0.0.1]:{P} {X}', expect: 'refuse', plain: 'changed' },
  { name: 'a key of another type only', user: '[127.0.0.1]:{P} {R}', expect: 'refuse', plain: 'changed' },
  { name: 'the key among other keys of the host', user: '[127.0.0.1]:{P} {X}\n[127.0.0.1]:{P} {R}\n[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a comma list', user: 'web1,[127.0.0.1]:{P},10.0.0.1 {H}', expect: 'accept', plain: 'ok' },
  { name: 'another port', user: '[127.0.0.1]:1 {H}', expect: 'refuse', plain: 'new' },
  { name: 'the bare name for another port (ssh checks without the port)', user: '127.0.0.1 {H}', expect: 'accept', plain: 'ok' },
  { name: 'another key under the bare name', user: '127.0.0.1 {X}', expect: 'refuse', plain: 'new' },
  // OpenSSH's quirk: its certificate check finds no CA, which sends it to the bare name, where the plain key is
  // listed; against a server without a certificate, ssh refuses this one (CHANGED). Lab asks ssh.
  { name: 'another key under [host]:port, the key under the bare name', user: '[127.0.0.1]:{P} {X}\n127.0.0.1 {H}', expect: 'accept', plain: 'changed', openssh: KEY_OK },
  { name: 'another host', user: '10.0.0.1 {H}\n[10.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  // hashed names
  { name: 'a hashed [host]:port', user: '{HASH:[127.0.0.1]:{P}} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a hashed bare name', user: '{HASH:127.0.0.1} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a hashed other name', user: '{HASH:[127.0.0.1]:1} {H}', expect: 'refuse', plain: 'new' },
  { name: 'a hashed name is never a list', user: '{HASH:10.0.0.9},[127.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  { name: 'a malformed hash', user: '|1|bm90IGEgc2FsdA==|xyz [127.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  // patterns
  { name: 'a * in the address', user: '[127.0.0.*]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a * for the port', user: '[127.0.0.1]:* {H}', expect: 'accept', plain: 'ok' },
  { name: 'a port prefix and *', user: '[127.0.0.1]:{P-}* {H}', expect: 'accept', plain: 'ok' },
  { name: 'a ?', user: '[127.0.0.?]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a lone *', user: '* {H}', expect: 'accept', plain: 'ok' },
  { name: 'a pattern that does not match', user: '[10.0.0.*]:{P} {H}', expect: 'refuse', plain: 'new' },
  { name: 'a ? needs exactly one character', user: '[127.0.0.1?]:{P} {H}', expect: 'refuse', plain: 'new' },
  { name: 'a negation vetoes the line', user: '*,!127.0.0.1,![127.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  { name: 'a negation by pattern vetoes the line', user: '[127.0.0.1]:{P},![127.0.0.*]:* {H}', expect: 'refuse', plain: 'new' },
  { name: 'a negation of [host]:port leaves the bare name to match *', user: '*,![127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a negation of another host', user: '*,![10.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a negation alone matches nothing', user: '![10.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  // case
  { name: 'names are matched case-insensitively', user: '[LOCALHOST]:{P} {H}', address: 'localhost', expect: 'accept', plain: 'ok' },
  { name: 'the address is lowercased too', user: '[localhost]:{P} {H}', address: 'LocalHost', expect: 'accept', plain: 'ok' },
  // file syntax
  { name: 'comments, blank lines and bad lines are skipped', user: '# a comment\n\n   \ngarbage\n[127.0.0.1]:{P} ssh-ed25519 !!!\n[127.0.0.1]:{P} ssh-nonsense AAAA\n@bogus [127.0.0.1]:{P} {X}\n[127.0.0.1]:{P} {H} root@host', expect: 'accept', plain: 'ok' },
  { name: 'only bad lines', user: '@bogus [127.0.0.1]:{P} {H}\n[127.0.0.1]:{P}\n[127.0.0.1]:{P} ssh-ed25519\n[127.0.0.1]:{P} # {H}', expect: 'refuse', plain: 'new' },
  { name: 'a key blob of another type than its name', user: '[127.0.0.1]:{P} ssh-rsa {HB}', expect: 'refuse', plain: 'new' },
  { name: 'leading blanks and tabs', user: ' \t [127.0.0.1]:{P}\t {H}', expect: 'accept', plain: 'ok' },
  { name: 'CRLF line ends', user: '# windows\r\n[127.0.0.1]:{P} {H}\r\n', expect: 'accept', plain: 'ok' },
  { name: 'no final newline', user: '[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a commented-out key', user: '#[127.0.0.1]:{P} {H}', expect: 'refuse', plain: 'new' },
  // @revoked
  { name: '@revoked alone', user: '@revoked [127.0.0.1]:{P} {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: '@revoked and listed plain: revoked wins', user: '[127.0.0.1]:{P} {H}\n@revoked * {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: '@revoked in the global file, listed in the user file', user: '[127.0.0.1]:{P} {H}', global: '@revoked * {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: '@revoked under the bare name', user: '@revoked 127.0.0.1 {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: '@revoked hashed', user: '[127.0.0.1]:{P} {H}\n@revoked {HASH:[127.0.0.1]:{P}} {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: '@revoked for another host only', user: '[127.0.0.1]:{P} {H}\n@revoked 10.0.0.1 {H}', expect: 'accept', plain: 'ok' },
  { name: '@revoked another key', user: '[127.0.0.1]:{P} {H}\n@revoked * {X}', expect: 'accept', plain: 'ok', openssh: KEY_OK },
  { name: '@revoked CA of the host certificate, key listed plain', user: '[127.0.0.1]:{P} {H}\n@revoked * {C}', expect: 'refuse', plain: 'ok', openssh: REVOKED, revoked: true },
  { name: 'a marker with a tab then blanks is a bad line (as in hostfile.c)', user: '[127.0.0.1]:{P} {H}\n@revoked\t* {H}', expect: 'accept', plain: 'ok' },
  { name: 'two markers make a bad line', user: '[127.0.0.1]:{P} {H}\n@revoked @cert-authority * {H}', expect: 'accept', plain: 'ok' },
  // @cert-authority
  { name: 'a CA for [host]:port', user: '@cert-authority [127.0.0.1]:{P} {C}', expect: 'accept', plain: 'new', openssh: CERT_OK },
  { name: 'a CA for *', user: '@cert-authority * {C}', expect: 'accept', plain: 'new', openssh: CERT_OK },
  { name: 'a CA for a wildcard in the global file', user: '', global: '@cert-authority [127.0.0.*]:* {C}', expect: 'accept', plain: 'new', openssh: CERT_OK },
  { name: 'a CA under the bare name', user: '@cert-authority 127.0.0.1 {C}', expect: 'accept', plain: 'new', openssh: CERT_OK },
  { name: 'another CA', user: '@cert-authority * {C2}', expect: 'refuse', plain: 'new', openssh: CERT_NO },
  { name: 'a CA, with another key listed plain', user: '@cert-authority * {C}\n[127.0.0.1]:{P} {X}', expect: 'accept', plain: 'changed', openssh: CERT_OK },
  { name: 'another CA, with the key listed plain', user: '@cert-authority * {C2}\n[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'a CA key listed as a host key', user: '* {C}', expect: 'refuse', plain: 'changed' },
  { name: 'the host key listed as a CA', user: '@cert-authority * {H}', expect: 'refuse', plain: 'new', openssh: CERT_NO },
  { name: 'a CA whose certificate does not name the host', user: '@cert-authority * {C}', address: 'localhost', expect: 'refuse', plain: 'new', openssh: CERT_NO },
  { name: 'a CA, the key revoked', user: '@cert-authority * {C}\n@revoked * {H}', expect: 'refuse', plain: 'revoked', revoked: true },
  { name: 'a CA that is revoked too', user: '@cert-authority * {C}\n@revoked * {C}', expect: 'refuse', plain: 'new', openssh: REVOKED, revoked: true },
  // several files
  { name: 'only in the global file', user: '', global: '[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'another key in the user file, the key in the global file', user: '[127.0.0.1]:{P} {X}', global: '[127.0.0.1]:{P} {H}', expect: 'accept', plain: 'ok' },
  { name: 'another key in the global file only', user: '', global: '[127.0.0.1]:{P} {X}', expect: 'refuse', plain: 'changed' },
];
