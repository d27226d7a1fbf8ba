// The one batched, read-only fact command: every section the modules need, in one round trip.
import { argv, quote } from '../ssh/quote.js';
import type { FactQuery } from './types.js';

export const MARK = '@@lab';

/** A call of firewalld's D-Bus API (busctl is C, ~0.1 s; firewall-cmd is Python, ~1 s under emulation); never starts it. */
const FWD_CALL = 'busctl --auto-start=no call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1';

const NM_FIELDS = [
  'connection.id',
  'connection.uuid',
  'connection.type',
  'connection.interface-name',
  'connection.autoconnect',
  'connection.zone',
  '802-3-ethernet.mac-address',
  'ipv4.method',
  'ipv4.addresses',
  'ipv4.gateway',
  'ipv4.never-default',
].join(',');

/** Runs as the login user before sudo: $SSH_CONNECTION does not survive sudo. */
export const FACT_PRELUDE = `printf '${MARK} ssh\\n%s\\n' "$SSH_CONNECTION"; `;

const NM_SETTINGS = ['org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager/Settings', 'org.freedesktop.NetworkManager.Settings'].join(' ');

/**
 * NetworkManager's profiles, every one NM knows, with the device each is active on. nmcli costs 0.3–0.6 s per call
 * under emulation, nearly all of it its start, so one call does it: busctl (C, ~0.1 s) lists NM's own profile paths
 * (`ao N "PATH"...`), and one `nmcli connection show path P...` prints all their settings, GENERAL.DEVICES included
 * for the active ones. When busctl cannot ask (no busctl, old systemd) or a profile vanished in between (nmcli exits
 * non-zero), it falls back to two calls: the list (UUID:DEVICE:NAME), then `connection show UUID...`. No section
 * when NM is not running. busctl never starts a service (--auto-start=no): facts are read-only.
 */
export function nmLines(): string[] {
  return [
    'nm_done=',
    `if nm_paths=$(busctl --auto-start=no get-property ${NM_SETTINGS} Connections 2>/dev/null); then`,
    // Each path checked to be NM's own /Settings/NUMBER before it goes on nmcli's command line.
    '  set -- $nm_paths; a=; n=0',
    '  if [ "$1" = ao ]; then shift 2; for p; do p=${p#\\"}; p=${p%\\"}; case $p in',
    '    /org/freedesktop/NetworkManager/Settings/*[!0-9]*|/org/freedesktop/NetworkManager/Settings/) a=; n=-1; break;;',
    '    /org/freedesktop/NetworkManager/Settings/*) a="$a path $p"; n=$((n+1));;',
    '    *) a=; n=-1; break;; esac; done; fi',
    `  if [ -n "$a" ] && nm_out=$(nmcli -t -f ${NM_FIELDS},GENERAL.DEVICES connection show $a 2>/dev/null); then`,
    `    printf '\n${MARK} nmpaths\n%s\n' "$n"; printf '\n${MARK} nmconns\n%s\n' "$nm_out"; nm_done=1`,
    '  fi',
    'fi',
    `if [ -z "$nm_done" ] && nm_list=$(nmcli -t -f UUID,DEVICE,NAME connection show 2>/dev/null) && [ -n "$nm_list" ]; then`,
    `  printf '\n${MARK} nmlist\n%s\n' "$nm_list"`,
    // The UUIDs (the first field; a UUID has no ':') with shell builtins, not a `| cut` process.
    `  u=; while IFS= read -r l; do u="$u \${l%%:*}"; done <<LAB_NM_LIST`,
    '$nm_list',
    'LAB_NM_LIST',
    `  printf '\n${MARK} nmconns\n'; nmcli -t -f ${NM_FIELDS} connection show $u 2>/dev/null`,
    'fi',
  ];
}

/** Files read with at most this many bytes each. */
export const FILE_CAP = 65536;

/** Every file the query reads, in order: its files, then the state file. */
export function queriedFiles(q: Pick<FactQuery, 'files' | 'stateFile'>): string[] {
  return q.stateFile === undefined ? q.files : [...q.files, q.stateFile];
}

/** /proc and /sys files report size 0: each is read on its own, as a `file PATH` section. */
export function sizeless(path: string): boolean {
  return /^\/(proc|sys)\//.test(path);
}

/** The files the `files` section reads together, in the order of its lines. */
export function batchedFiles(q: Pick<FactQuery, 'files' | 'stateFile'>): string[] {
  return queriedFiles(q).filter((f) => !sizeless(f));
}

/**
 * Regular files in three processes whatever their number (each file cost three under emulation): one flag per file
 * (1 = a regular file, as `[ -f ]` says), `MODE SIZE` per file present (`stat -c %a`, as each file's own section had
 * it; the size splits the content), then the first FILE_CAP bytes of each, concatenated, in one base64 line. When a
 * file is a symlink, its mode is the link's (as before) but its size the target's, so the modes and sizes come from two
 * stat calls, one block each. The parser checks the sizes add up, so a file that changes while read is never misattributed.
 */
function fileLines(files: string[]): string[] {
  if (files.length === 0) return [];
  return [
    `printf '\\n${MARK} files\\n'; set --; l=; for f in ${argv(files)}; do if [ -f "$f" ]; then set -- "$@" "$f"; [ -L "$f" ] && l=1; printf 1; else printf 0; fi; done; echo`,
    `if [ $# -gt 0 ]; then if [ -n "$l" ]; then stat -c %a -- "$@"; stat -L -c %s -- "$@"; else stat -c '%a %s' -- "$@"; fi; head -q -c ${FILE_CAP} -- "$@" | base64 -w0; echo; fi`,
  ];
}

/**
 * Addresses and routes from one `ip` process (`-batch`, one JSON array per line), as the `ip` section. iproute2 without
 * JSON (CentOS 7) fails that before printing anything, and the `addr` and `route` sections come from two text calls.
 */
function ipLines(): string[] {
  return [
    `printf '\\n${MARK} ip\\n'; ip -j -batch - 2>/dev/null <<'LAB_IP' ||`,
    'addr show',
    'route show table main',
    'LAB_IP',
    `{ printf '\\n${MARK} addr\\n'; ip addr show; printf '\\n${MARK} route\\n'; ip route show table main; }`,
  ];
}

export function factScript(q: FactQuery): string {
  const sec = (name: string) => `printf '\\n${MARK} %s\\n' ${quote(name)}`;
  const files = queriedFiles(q);
  const lines = [
    'export LC_ALL=C',
    // os-release is text: read with builtins, not a `cat` process.
    `${sec('os')}; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done 2>/dev/null < /etc/os-release`,
    ...ipLines(),
    ...(q.nm ? nmLines() : []),
    ...(q.packages.length > 0
      ? [
          `${sec('pkg')}`,
          `if command -v dpkg-query >/dev/null 2>&1; then echo dpkg; dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\n' ${argv(q.packages)} 2>/dev/null;`,
          `elif command -v rpm >/dev/null 2>&1; then echo rpm; rpm -q ${argv(q.packages)} 2>/dev/null; fi`,
        ]
      : []),
    ...(q.services.length > 0 ? [`${sec('svc')}; systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState ${argv(q.services.map((s) => `${s}.service`))} 2>/dev/null`] : []),
    // Not with shell builtins: dash reads a byte at a time, and /proc/sys integer files return nothing past offset 0.
    ...(q.sysctls.length > 0 ? [`${sec('sysctl')}; sysctl ${argv(q.sysctls)} 2>/dev/null`] : []),
    ...((q.exists ?? []).length > 0 ? [`${sec('exists')}; for p in ${argv(q.exists!)}; do if [ -e "$p" ]; then printf 1; else printf 0; fi; done; echo`] : []),
    ...fileLines(batchedFiles(q)),
    ...files
      .filter(sizeless)
      .map((f) => `${sec(`file ${f}`)}; if [ -f ${quote(f)} ]; then stat -c %a ${quote(f)}; head -c ${FILE_CAP} ${quote(f)} | base64 -w0; echo; fi`),
    ...(q.firewallZone
      ? [
          // The default zone, then the runtime zone of every bound interface: an interface NetworkManager bound at boot
          // can be left behind by set-default-zone (firewalld 1.3), so the default zone alone does not say what filters it.
          `${sec('fwzone')}; { ${FWD_CALL} getDefaultZone && ${FWD_CALL}.zone getActiveZones; } 2>/dev/null ||` +
            ` { systemctl is-active -q firewalld 2>/dev/null && firewall-cmd --get-default-zone 2>/dev/null && firewall-cmd --get-active-zones 2>/dev/null; }`,
        ]
      : []),
    ...(q.selinux ? [`${sec('selinux')}; command -v getenforce >/dev/null 2>&1 && getenforce 2>/dev/null`] : []),
    ...(q.ipvs ? [`${sec('ipvs')}; if command -v ipvsadm >/dev/null 2>&1; then echo installed; ipvsadm -Sn 2>&1; fi`] : []),
    `${sec('end')}`,
    'exit 0',
  ];
  return lines.join('\n');
}
