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
  /** Absent files map to null. */
  files: Map<string, FileState | null>;
  firewallZone: string | undefined;
  selinux: 'Enforcing' | 'Permissive' | 'Disabled' | undefined;
  ipvs: { installed: boolean; save: string };
  /** Originals recorded on the host by an earlier `lab up` (key → value). */
  state: Map<string, string>;
}

/** What the fact command must look at, derived from the playbook. */
export interface FactQuery {
  packages: string[];
  services: string[];
  sysctls: string[];
  files: string[];
  stateFile: string;
}
