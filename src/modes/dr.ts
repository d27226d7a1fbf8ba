// LVS-DR (ipvsadm -g): the director only rewrites the frame's MAC, so each real server shares its network, holds the
// VIP itself (a /32 it never announces) and replies to the client directly.
import { eachReal, directorNets, sharedAddress } from './shared.js';
import type { Mode, RealServerNeeds } from './types.js';

/** The VIP's device on a DR real server: a dummy link, which NetworkManager recreates at boot. */
export const DR_VIP_DEVICE = 'lab-vip';

/** Answer ARP only for addresses of the asking interface (1), and announce only the best local source (2). */
export function noArpSysctls(devices: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of ['all', ...devices]) {
    out[`net.ipv4.conf.${d}.arp_ignore`] = '1';
    out[`net.ipv4.conf.${d}.arp_announce`] = '2';
  }
  return out;
}

export const dr: Mode = {
  name: 'dr',
  ipvsFlag: '-g',
  title: 'direct routing (ipvsadm -g)',
  rules(lab, svc, at, director) {
    const dAddrs = Object.values(lab.hosts[director]!.interfaces);
    return eachReal(lab, svc, at, director, (host) => {
      if (!sharedAddress(lab, director, host))
        return `in DR mode the director forwards frames on a network it shares with each real server, and ${host} shares none with ${director} (${directorNets(lab, director)})`;
      const gw = lab.hosts[host]!.gateway;
      if (gw && dAddrs.includes(gw)) return `in DR mode ${host}'s replies go to the client directly, not through the director: its gateway must not be ${gw} (${director})`;
      return undefined;
    });
  },
  realServerAddress: sharedAddress,
  realServerNeeds: (): RealServerNeeds => ({
    vip: { kind: 'dummy', device: DR_VIP_DEVICE, profile: DR_VIP_DEVICE },
    sysctls: noArpSysctls([DR_VIP_DEVICE]),
    kmods: [],
  }),
  directorSysctls: {},
  repliesViaDirector: false,
  explain: {
    replyPath: 'do not come from the VIP the client asked, and the client drops them',
    fromOutside: 'the test would not go through the director at all',
  },
};
