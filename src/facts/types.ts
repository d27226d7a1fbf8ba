// What a host looks like before anything runs: the parsed result of the one batched fact command.
import type { OsFamily } from '../os/families.js';

export interface Link {
  name: string;
  mac: string;
  up: boolean;
  addrs: { ip: string; prefix: number }[];
}

export interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
}

export interface NmConnection {
  uuid: string;
  name: string;
  type: string;
  interfaceName: string;
  mac: string;
  method: string;
  addresses: string[];
  gateway: string;
  neverDefault: boolean;
  /** Whether NM brings it up by itself (at boot, when its device appears); NM's default is yes. */
  autoconnect: boolean;
  /** firewalld zone NetworkManager binds its device to; '' follows firewalld's default zone. */
  zone: string;
  /** Device it is active on, '' when inactive. */
  device: string;
}

export interface ServiceState {
  loaded: boolean;
  active: boolean;
  enabled: boolean;
}

export interface FileState {
  mode: string;
  content: Buffer;
}

export interface Facts {
  osRelease: string;
  os: OsFamily | undefined;
  /** From $SSH_CONNECTION: who we are to the host. */
  ssh: { clientIp: string; serverIp: string } | undefined;
  links: Link[];
  routes: Route[];
  nm: boolean;
  connections: NmConnection[];
  packages: Map<string, boolean>;
  services: Map<string, ServiceState>;
  sysctl: Map<string, string>;
  /** Whether each queried path exists (FactQuery.exists); paths not asked about are absent. */
  exists: Map<string, boolean>;
  /** Absent files map to null. */
  files: Map<string, FileState | null>;
  firewallZone: string | undefined;
  /** firewalld's runtime binding of each interface bound to a zone (interface → zone); an interface not listed follows the default zone. */
  firewallBindings: Map<string, string>;
  selinux: 'Enforcing' | 'Permissive' | 'Disabled' | undefined;
  ipvs: { installed: boolean; save: string };
  /** Originals recorded on the host by an earlier `lab up` (key → value). */
  state: Map<string, string>;
}

/** Sections of the fact command a module may need beyond packages, services, sysctls and files. */
export type FactSection = 'nm' | 'firewallZone' | 'selinux' | 'ipvs';

/**
 * What the fact command must look at, derived from the playbook (or from verify's checks). Under emulation every
 * process costs, so each section runs only when asked: the OS, addresses, routes and $SSH_CONNECTION always; package,
 * service and sysctl queries only with names to ask about; the rest only when its flag is set. A section not asked
 * for reads as empty (no connections, no zone, ipvsadm not installed), so ask for every section a reader judges.
 */
export interface FactQuery {
  packages: string[];
  services: string[];
  sysctls: string[];
  files: string[];
  /** Paths whose existence alone matters (`[ -e ]`, no process), e.g. /sys/module/ip_vs. */
  exists?: string[];
  /** Where `up` records originals (read into Facts.state); omitted when nothing reads them. */
  stateFile?: string;
  /** NetworkManager's profiles: two nmcli calls, about a second under emulation. */
  nm: boolean;
  /** firewalld's runtime default zone and interface bindings (busctl, else firewall-cmd). */
  firewallZone: boolean;
  /** SELinux's runtime mode (getenforce). */
  selinux: boolean;
  /** The live IPVS table (ipvsadm -Sn). */
  ipvs: boolean;
}
