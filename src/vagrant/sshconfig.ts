// Parse `vagrant ssh-config` output (OpenSSH client config syntax) into one entry per machine.
import { RunError } from '../errors.js';

export interface SshConfigEntry {
  /** The `Host` alias: Vagrant's machine name. */
  host: string;
  hostName: string;
  user: string;
  port: number;
  /** Every IdentityFile, in order (Vagrant lists its generated key first, then the insecure key, if any). */
  identityFiles: string[];
  /** Set when Vagrant tunnels SSH through a command (remote libvirt, some providers); lab cannot follow it. */
  proxyCommand?: string;
}

/**
 * Split one config line into keyword and arguments the way ssh_config(5) does: keyword and value separated by
 * whitespace or one `=`, arguments separated by whitespace, double quotes group an argument (and are removed).
 */
export function splitConfigLine(line: string): { key: string; args: string[] } | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(text);
  if (!m) return { key: text.toLowerCase(), args: [] };
  const args: string[] = [];
  const rest = m[2]!;
  let cur = '';
  let quoted = false;
  let started = false;
  for (const ch of rest) {
    if (ch === '"') {
      quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (started) args.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (quoted) throw new Error(`unterminated quote in: ${text}`);
  if (started) args.push(cur);
  return { key: m[1]!.toLowerCase(), args };
}

/** Parse the whole output; `where` names its source in errors (e.g. "vagrant ssh-config in vagrant/"). */
export function parseSshConfig(text: string, where = 'vagrant ssh-config'): SshConfigEntry[] {
  const entries: SshConfigEntry[] = [];
  let cur: Partial<SshConfigEntry> & { identityFiles: string[] } | undefined;
  const finish = () => {
    if (!cur) return;
    if (!cur.hostName) throw new RunError(`${where}: machine ${cur.host} has no HostName`);
    entries.push({ host: cur.host!, hostName: cur.hostName, user: cur.user ?? 'vagrant', port: cur.port ?? 22, identityFiles: cur.identityFiles, ...(cur.proxyCommand ? { proxyCommand: cur.proxyCommand } : {}) });
  };
  text.split(/\r?\n/).forEach((line, i) => {
    let parsed;
    try {
      parsed = splitConfigLine(line);
    } catch (e) {
      throw new RunError(`${where}: line ${i + 1}: ${(e as Error).message}`);
    }
    if (!parsed) return;
    const { key, args } = parsed;
    if (key === 'host') {
      finish();
      if (args.length !== 1) throw new RunError(`${where}: line ${i + 1}: expected one machine name after Host, got "${line.trim()}"`);
      cur = { host: args[0]!, identityFiles: [] };
      return;
    }
    if (!cur) throw new RunError(`${where}: line ${i + 1}: "${line.trim()}" comes before any Host line`);
    const value = args.join(' ');
    switch (key) {
      case 'hostname':
        cur.hostName = value;
        break;
      case 'user':
        cur.user = value;
        break;
      case 'port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RunError(`${where}: line ${i + 1}: bad port "${value}" for ${cur.host}`);
        cur.port = port;
        break;
      }
      case 'identityfile':
        cur.identityFiles.push(value);
        break;
      case 'proxycommand':
        // The command is one string: keep the line's text after the keyword as it was written.
        cur.proxyCommand = line.trim().replace(/^ProxyCommand(\s*=\s*|\s+)/i, '');
        break;
      default:
        // UserKnownHostsFile /dev/null, StrictHostKeyChecking no, LogLevel, IdentitiesOnly...: lab keeps its own
        // known_hosts and never disables checking, so these do not apply.
        break;
    }
  });
  finish();
  return entries;
}
