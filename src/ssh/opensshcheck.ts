// Asks the system's OpenSSH whether it trusts a host's key, for what lab's SSH library (ssh2) cannot see: host
// certificates. ssh2 1.17 negotiates no `*-cert-v01@openssh.com` host key algorithm, so it is offered only the plain
// key; when an @cert-authority line names the host (or a @revoked line might name the host's CA), `ssh -v` with
// StrictHostKeyChecking=yes and the very same files checks the certificate of that key type, and lab then accepts
// the plain key only if it is the certified one (same fingerprint). No authentication is attempted.
import { execa } from 'execa';
import type { KnownHostsFiles } from './knownfiles.js';

export interface OpenSshVerdict {
  /** ssh accepted the host key (by certificate or as a listed key). */
  ok: boolean;
  /** How: a certificate signed by a listed CA, or a listed plain key. */
  how?: 'certificate' | 'key';
  /** Fingerprint of the (plain) key ssh was offered. */
  keyFp?: string;
  /** Fingerprint of the CA that signed the certificate, when there was one. */
  caFp?: string;
  /** ssh refused the key as revoked. */
  revoked: boolean;
  /** ssh's own words when it refused (or could not tell). */
  message: string;
}

/** The host key algorithms to ask for: the certificate of the plain key's type first, then the plain key. */
export function algorithmsFor(keyType: string): string {
  if (keyType === 'ssh-rsa') return 'rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-256';
  const base = keyType.replace(/@openssh\.com$/, '');
  return `${base}-cert-v01@openssh.com,${keyType}`;
}

/** A `-o Name=list` value: files with blanks are quoted, as ssh's config tokenizer reads them. */
function fileList(files: string[]): string {
  return files.length === 0 ? 'none' : files.map((f) => (/\s/.test(f) ? `"${f}"` : f)).join(' ');
}

export function opensshArgs(t: { address: string; port: number; user: string }, files: KnownHostsFiles, keyType: string, timeoutS: number): string[] {
  const o = (kv: string) => ['-o', kv];
  return [
    '-v',
    '-F', '/dev/null',
    ...o('BatchMode=yes'),
    ...o('StrictHostKeyChecking=yes'),
    ...o(`UserKnownHostsFile=${fileList(files.user)}`),
    ...o(`GlobalKnownHostsFile=${fileList(files.global)}`),
    ...(files.alias ? o(`HostKeyAlias=${files.alias}`) : []),
    ...o('CheckHostIP=no'),
    ...o('UpdateHostKeys=no'),
    ...o('VerifyHostKeyDNS=no'),
    ...o('ControlMaster=no'),
    ...o('ControlPath=none'),
    ...o(`HostKeyAlgorithms=${algorithmsFor(keyType)}`),
    ...o('PubkeyAuthentication=no'),
    ...o('PasswordAuthentication=no'),
    ...o('KbdInteractiveAuthentication=no'),
    ...o('GSSAPIAuthentication=no'),
    ...o('HostbasedAuthentication=no'),
    ...o(`ConnectTimeout=${timeoutS}`),
    '-p', String(t.port),
    '-l', t.user,
    '--', t.address,
    'true',
  ];
}

/** Reads ssh -v's account of the host key check. */
export function parseOpenSsh(stderr: string): OpenSshVerdict {
  const lines = stderr.split('\n').map((l) => l.replace(/\r$/, ''));
  const cert = lines.map((l) => l.match(/^debug1: Server host certificate: \S+ (SHA256:[A-Za-z0-9+/]+),.* CA \S+ (SHA256:[A-Za-z0-9+/]+)/)).find(Boolean);
  const plain = lines.map((l) => l.match(/^debug1: Server host key: \S+ (SHA256:[A-Za-z0-9+/]+)/)).find(Boolean);
  // "is known and matches" is printed before the certificate's names and dates are checked: the verdict is whether
  // ssh went on to the new keys; the last match line says by what.
  const known = lines.map((l) => l.match(/^debug1: Host '.*' is known and matches the \S+ host (certificate|key)\./)).filter(Boolean).pop();
  const passed = lines.some((l) => l.startsWith('debug1: SSH2_MSG_NEWKEYS sent')) && !lines.some((l) => l.startsWith('Host key verification failed'));
  const said = lines.filter((l) => l.trim() && !l.startsWith('debug') && !l.startsWith('@') && !l.startsWith('Pseudo-terminal') && !/^(OpenSSH_|Permission denied|Host key verification failed|This could mean|impersonate this host)/.test(l));
  const revoked = lines.some((l) => /marked as revoked|was revoked and you have requested|revoked by file/.test(l));
  const keyFp = cert?.[1] ?? plain?.[1];
  if (passed && known) return { ok: true, how: known[1] === 'certificate' ? 'certificate' : 'key', keyFp, caFp: known[1] === 'certificate' ? cert?.[2] : undefined, revoked: false, message: '' };
  const message = (revoked ? said.find((l) => /revoked/.test(l)) : undefined) || said.join('; ') || lines.find((l) => l.startsWith('Host key verification failed')) || 'ssh gave no reason';
  return { ok: false, keyFp, revoked, message };
}

/** Runs ssh as above; `timeoutMs` bounds the whole check. */
export async function askOpenSsh(t: { address: string; port: number; user: string }, files: KnownHostsFiles, keyType: string, timeoutMs: number): Promise<OpenSshVerdict> {
  const r = await execa('ssh', opensshArgs(t, files, keyType, Math.max(1, Math.round(timeoutMs / 1000))), { reject: false, stdin: 'ignore', timeout: timeoutMs });
  if ((r as { code?: string }).code === 'ENOENT')
    return { ok: false, revoked: false, message: 'OpenSSH\'s ssh is not installed, and lab\'s SSH library cannot check host certificates itself (Debian: apt-get install openssh-client)' };
  return parseOpenSsh(String(r.stderr ?? ''));
}
