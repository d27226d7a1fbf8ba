// The one batched, read-only fact command: every section the modules need, in one round trip.
import { argv, quote } from '../ssh/quote.js';
import type { FactQuery } from './types.js';

export const MARK = '@@lab';

const NM_FIELDS = [
  'connection.id',
  'connection.uuid',
  'connection.type',
  'connection.interface-name',
  '802-3-ethernet.mac-address',
  'ipv4.method',
  'ipv4.addresses',
  'ipv4.gateway',
  'ipv4.never-default',
].join(',');

/** Runs as the login user before sudo: $SSH_CONNECTION does not survive sudo. */
export const FACT_PRELUDE = `printf '${MARK} ssh\\n%s\\n' "$SSH_CONNECTION"; `;

/**
 * NetworkManager's profiles in two nmcli calls (nmcli costs about a second under emulation): the list, then every
 * profile's settings in one `connection show UUID...`, blocks separated by blank lines. No section when NM is not running.
 */
export function nmLines(): string[] {
  return [
    `if nm_list=$(nmcli -t -f UUID,DEVICE,NAME connection show 2>/dev/null) && [ -n "$nm_list" ]; then`,
    `  printf '\n${MARK} nmlist\n%s\n' "$nm_list"`,
    `  printf '\n${MARK} nmconns\n'; nmcli -t -f ${NM_FIELDS} connection show $(printf '%s\n' "$nm_list" | cut -d: -f1) 2>/dev/null`,
    'fi',
  ];
}

export function factScript(q: FactQuery): string {
  const sec = (name: string) => `printf '\\n${MARK} %s\\n' ${quote(name)}`;
  const files = q.stateFile === undefined ? q.files : [...q.files, q.stateFile];
  const lines = [
    'export LC_ALL=C',
    `${sec('os')}; cat /etc/os-release 2>/dev/null`,
    `${sec('addr')}; ip -j addr show 2>/dev/null || ip addr show`,
    `${sec('route')}; ip -j route show table main 2>/dev/null || ip route show table main`,
    ...(q.nm ? nmLines() : []),
    ...(q.packages.length > 0
      ? [
          `${sec('pkg')}`,
          `if command -v dpkg-query >/dev/null 2>&1; then echo dpkg; dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\n' ${argv(q.packages)} 2>/dev/null;`,
          `elif command -v rpm >/dev/null 2>&1; then echo rpm; rpm -q ${argv(q.packages)} 2>/dev/null; fi`,
        ]
      : []),
    ...(q.services.length > 0 ? [`${sec('svc')}; systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState ${argv(q.services.map((s) => `${s}.service`))} 2>/dev/null`] : []),
    ...(q.sysctls.length > 0 ? [`${sec('sysctl')}; sysctl ${argv(q.sysctls)} 2>/dev/null`] : []),
    ...files.map(
      (f) => `${sec(`file ${f}`)}; if [ -f ${quote(f)} ]; then stat -c %a ${quote(f)}; head -c 65536 ${quote(f)} | base64 -w0; echo; fi`,
    ),
    ...(q.firewallZone
      ? [
          `${sec('fwzone')}; busctl call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 getDefaultZone 2>/dev/null ||` +
            ` { systemctl is-active -q firewalld 2>/dev/null && firewall-cmd --get-default-zone 2>/dev/null; }`,
        ]
      : []),
    ...(q.selinux ? [`${sec('selinux')}; command -v getenforce >/dev/null 2>&1 && getenforce 2>/dev/null`] : []),
    ...(q.ipvs ? [`${sec('ipvs')}; if command -v ipvsadm >/dev/null 2>&1; then echo installed; ipvsadm -Sn 2>&1; fi`] : []),
    `${sec('end')}`,
    'exit 0',
  ];
  return lines.join('\n');
}
