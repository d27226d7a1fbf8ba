// The forwarding-mode contract: what a mode asks of the spec, the director and the real servers, and how it explains itself.
import type { Forwarding } from '../ipvs/model.js';
import type { RuleProblem } from '../spec/rules.js';
import type { Lab, Service } from '../spec/schema.js';

/** Where a service lives: its director, and the address the director sends each real server's share to. */
export interface ServiceHosts {
  director: string;
  reals: { host: string; network: string; ip: string; weight: number; port: number }[];
}

/** The device on a real server that holds the VIP, as a NetworkManager profile (so it is back after a reboot). */
export interface VipDevice {
  /** `dummy` (DR) or `ip-tunnel` (TUN, the ipip fallback device tunl0). */
  kind: 'dummy' | 'ipip';
  /** The kernel device name, e.g. lab-vip, tunl0. */
  device: string;
  /** The NetworkManager profile's name. */
  profile: string;
}

/** What a real server needs for a service in this mode, beyond its own address and the web server. */
export interface RealServerNeeds {
  /** The VIP held as a /32 on this device, never announced; absent when the real server must not hold the VIP (NAT). */
  vip?: VipDevice;
  /** sysctl key → value, at runtime and at boot. */
  sysctls: Record<string, string>;
  /** Kernel modules loaded now and at boot (ipip for TUN). */
  kmods: string[];
}

export interface Mode {
  name: Forwarding;
  /** ipvsadm's real-server flag. */
  ipvsFlag: '-m' | '-g' | '-i';
  /** In words, e.g. "NAT (ipvsadm -m)". */
  title: string;
  /** Spec rules of this mode for one service (`at` is its index in services). */
  rules(lab: Lab, svc: Service, at: number, director: string): RuleProblem[];
  /** The network and address the director reaches a real server on, or undefined when it cannot (rules say why). */
  realServerAddress(lab: Lab, director: string, host: string): { network: string; ip: string } | undefined;
  /** What each real server of a service needs (the single source for the `forwarding` module and for verify). */
  realServerNeeds(svc: Service): RealServerNeeds;
  /** sysctls the director needs at runtime and at boot. */
  directorSysctls: Record<string, string>;
  /** Whether the real servers' replies pass back through the director. */
  repliesViaDirector: boolean;
  /** The why-texts of this mode's failures. */
  explain: {
    /** What a real server's reply to the client must do, after "so its replies to the client". */
    replyPath: string;
    /** Why the client must reach the VIP from outside the real servers' network. */
    fromOutside: string;
  };
}
