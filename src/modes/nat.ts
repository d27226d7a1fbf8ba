// LVS-NAT (ipvsadm -m): the director rewrites both directions, so the real servers' replies must come back through it.
import { eachReal, directorNets, sharedAddress } from './shared.js';
import type { Mode } from './types.js';

export const nat: Mode = {
  name: 'nat',
  ipvsFlag: '-m',
  title: 'NAT (ipvsadm -m)',
  rules(lab, svc, at, director) {
    return eachReal(lab, svc, at, director, (host) => {
      const shared = sharedAddress(lab, director, host);
      if (!shared) return `${host} shares no network with the director ${director} (${directorNets(lab, director)})`;
      const inside = lab.hosts[director]!.interfaces[shared.network]!;
      const gw = lab.hosts[host]!.gateway;
      if (gw !== inside) return `in NAT mode ${host}'s replies must go back through the director: give it gateway: ${inside} (${director} on ${shared.network})${gw ? `, not ${gw}` : ''}`;
      return undefined;
    });
  },
  realServerAddress: sharedAddress,
  realServerNeeds: () => ({ sysctls: {}, kmods: [] }),
  directorSysctls: { 'net.ipv4.ip_forward': '1' },
  repliesViaDirector: true,
  explain: {
    replyPath: 'bypass the director, NAT cannot rewrite them back to the VIP, and the client drops them',
    fromOutside: 'they answer it directly, bypassing the director: the test would prove nothing about NAT',
  },
};
