// The decision on a host key offered to lab, as `ssh -o StrictHostKeyChecking=yes` (or accept-new, when asked) would
// make it: revoked keys are refused always and never recorded; listed keys are accepted; a host an @cert-authority
// line covers is checked by the system's OpenSSH (ssh2 cannot see certificates; see opensshcheck.ts); an unknown key
// is recorded on a line of its own in the first user file only when asked to.
import type { HostTarget } from '../inventory/types.js';
import { allFiles, type KnownHostsFiles } from './knownfiles.js';
import { appendKnownKey, authoritiesFor, blobType, fingerprint, recordableHost, revocationsFor, verifyKey, where, type Verdict } from './knownhosts.js';
import { askOpenSsh, type OpenSshVerdict } from './opensshcheck.js';
import { quote } from './quote.js';

/** What a host key was trusted by: a listed key, or a certificate signed by the CA with this fingerprint. */
export type Trust = { by: 'key'; status: 'ok' | 'changed' } | { by: 'ca'; caFp: string };

export type Judgement = { ok: true; trust: Trust; recorded?: string } | { ok: false; refusal: string };

export interface CheckOptions {
  /** Record an unknown key (accept-new) instead of refusing it. */
  acceptNew: boolean;
  timeoutMs: number;
  /** Asks OpenSSH about the host's certificate; replaced in tests. */
  ask?: typeof askOpenSsh;
}

function revokedRefusal(v: Verdict, key: Buffer): string {
  return (
    `host key REVOKED for ${v.name}: ${blobType(key)} ${fingerprint(key)} is marked @revoked in ${where(v.found!)}; ` +
    `lab never accepts or records a revoked key: get the host's new key from its administrator`
  );
}

function changedRefusal(v: Verdict, key: Buffer): string {
  const plain = v.entries.filter((e) => e.marker === 'none');
  const was = plain.map((e) => `${blobType(e.key)} ${fingerprint(e.key)}`);
  const file = v.found!.file;
  return (
    `host key CHANGED for ${v.name}: known_hosts (${plain.map(where).join(', ')}) has ${was.join(', ')}, the host offers ${blobType(key)} ${fingerprint(key)}. ` +
    `If the host was rebuilt, remove the old key: ssh-keygen -f ${quote(file)} -R ${quote(v.name)}`
  );
}

/** Judges `key`, offered by `target`, looked up `at` (address and port, or the HostKeyAlias) in `files`. */
export async function judgeHostKey(target: HostTarget, files: KnownHostsFiles, at: { host: string; port: number }, key: Buffer, opts: CheckOptions): Promise<Judgement> {
  const all = allFiles(files);
  const v = verifyKey(all, at.host, at.port, key);
  if (v.status === 'revoked') return { ok: false, refusal: revokedRefusal(v, key) };

  // Certificates: a CA line for the host, or a @revoked line that might be the CA of the host's certificate (which
  // OpenSSH refuses even when the plain key is listed): only OpenSSH can tell, from the certificate it is offered.
  const cas = authoritiesFor(all, at.host, at.port);
  const otherRevoked = revocationsFor(all, at.host, at.port).some((e) => !e.key.equals(key));
  let openssh: OpenSshVerdict | undefined;
  if ((cas.length > 0 && v.status !== 'ok') || (v.status === 'ok' && otherRevoked) || v.bareOk) {
    if (process.env.LAB_TRACE) process.stderr.write(`trace - ${target.name}: host key of ${v.name}: asking OpenSSH's ssh (a certificate may decide)\n`);
    openssh = await (opts.ask ?? askOpenSsh)(target, files, blobType(key), opts.timeoutMs);
    if (openssh.ok && openssh.keyFp === fingerprint(key))
      return { ok: true, trust: openssh.how === 'certificate' && openssh.caFp ? { by: 'ca', caFp: openssh.caFp } : { by: 'key', status: v.status === 'changed' ? 'changed' : 'ok' } };
    if (openssh.ok)
      return { ok: false, refusal: `OpenSSH accepted host key ${openssh.keyFp} for ${v.name}, but lab was offered ${blobType(key)} ${fingerprint(key)}; the host changed keys between the two connections: try again` };
    if (openssh.revoked) return { ok: false, refusal: `host key REVOKED for ${v.name}: OpenSSH says: ${openssh.message}; lab never accepts or records a revoked key` };
    if (v.status === 'ok') return { ok: false, refusal: `cannot check the host's certificate against the @revoked lines for ${v.name}: OpenSSH says: ${openssh.message}` };
  }

  if (v.status === 'ok') return { ok: true, trust: { by: 'key', status: 'ok' } };
  if (v.status === 'changed') return { ok: false, refusal: changedRefusal(v, key) };
  const why = openssh ? ` (OpenSSH checked its certificate against ${cas.map(where).join(', ')}: ${openssh.message})` : '';
  const target0 = files.user[0];
  if (!opts.acceptNew || !target0 || !recordableHost(at.host)) {
    const fix = !opts.acceptNew ? 'check it and re-run with --accept-new to record it' : !target0 ? 'the ssh config names no UserKnownHostsFile to record it in' : 'a name with wildcards is never recorded';
    return { ok: false, refusal: `unknown host key ${blobType(key)} ${fingerprint(key)} for ${v.name} (not in ${all.join(', ') || 'any known_hosts file'})${why}; ${fix}` };
  }
  appendKnownKey(target0, v.name, key, !!files.hash);
  return { ok: true, trust: { by: 'key', status: 'ok' }, recorded: target0 };
}
