// How to reach each host of a lab: the inventory that `lab vm`, a roster or Vagrant produce.

export interface InterfaceHint {
  /** MAC address of the NIC on this lab network, lowercase, colon separated. */
  mac?: string;
  /** Device name, e.g. ens4. */
  device?: string;
}

export interface HostTarget {
  /** The lab host's name (key of `hosts:` in the spec). */
  name: string;
  /** Where SSH connects: an address or host name. */
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  password?: string;
  /** Use the SSH agent in $SSH_AUTH_SOCK. */
  agent?: boolean;
  /** Run commands with sudo when the user is not root (default: user !== 'root'). */
  sudo?: boolean;
  /** known_hosts file that holds this host's key; default ~/.ssh/known_hosts. */
  knownHosts?: string;
  /** Record a host key known_hosts lacks instead of refusing it (Vagrant machines: see src/vagrant/inventory.ts). */
  recordNewKeys?: boolean;
  /** Lab network name → which guest NIC it is. */
  interfaces?: Record<string, InterfaceHint>;
  /** The management NIC (carries SSH); never re-addressed or downed. */
  management?: InterfaceHint;
}

export interface Inventory {
  lab: string;
  source: 'vm' | 'vagrant' | 'roster' | 'file';
  hosts: Record<string, HostTarget>;
}
