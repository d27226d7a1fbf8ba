// LVS-TUN (ipvsadm -i): the director wraps each request in IP-in-IP to a real server that may be on another network;
// the real server unwraps it on tunl0, which holds the VIP, and replies to the client directly.
import { sharedNetworks } from '../spec/services.js';
import { noArpSysctls } from './dr.js';
import { eachReal, sharedAddress } from './shared.js';
import type { Mode, RealServerNeeds } from './types.js';

/** The ipip module's fallback device: it takes every IP-in-IP packet addressed to this host. */
export const TUN_DEVICE = 'tunl0';

export const tun: Mode = {
  name: 'tun',
  ipvsFlag: '-i',
  title: 'IP tunnelling (ipvsadm -i)',
  rules(lab, svc, at, director) {
    const d = lab.hosts[director]!;
    const dAddrs = Object.values(d.interfaces);
    return eachReal(lab, svc, at, director, (host) => {
      const h = lab.hosts[host]!;
      if (sharedNetworks(lab, host, director).length === 0 && !(d.gateway && h.gateway))
        return `in TUN mode the director must route to ${host}: they share no network, so both need a gateway: (${director} has ${d.gateway ?? 'none'}, ${host} has ${h.gateway ?? 'none'})`;
      if (h.gateway && dAddrs.includes(h.gateway)) return `in TUN mode ${host}'s replies go to the client directly, not through the director: its gateway must not be ${h.gateway} (${director})`;
      return undefined;
    });
  },
  realServerAddress: (lab, director, host) => {
    const shared = sharedAddress(lab, director, host);
    if (shared) return shared;
    const [network, ip] = Object.entries(lab.hosts[host]!.interfaces)[0] ?? [];
    return network && ip ? { network, ip } : undefined;
  },
  realServerNeeds: (): RealServerNeeds => ({
    vip: { kind: 'ipip', device: TUN_DEVICE, profile: 'lab-tunl0' },
    // The unwrapped packet arrives on tunl0 from the client's address, which the routing table says is not behind
    // tunl0: strict reverse-path filtering (the max of all and the device) would drop it.
    sysctls: { ...noArpSysctls([]), 'net.ipv4.conf.all.rp_filter': '0', [`net.ipv4.conf.${TUN_DEVICE}.rp_filter`]: '0' },
    kmods: ['ipip'],
  }),
  directorSysctls: {},
  repliesViaDirector: false,
  explain: {
    replyPath: 'do not come from the VIP the client asked, and the client drops them',
    fromOutside: 'the test would not go through the director at all',
  },
};
