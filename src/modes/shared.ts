// Rules and lookups the forwarding modes share: a real server reached on a network it shares with the director.
import type { RuleProblem } from '../spec/rules.js';
import type { Lab, Service } from '../spec/schema.js';
import { sharedNetworks } from '../spec/services.js';

/** The real server's address on the first network it shares with the director. */
export function sharedAddress(lab: Lab, director: string, host: string): { network: string; ip: string } | undefined {
  const network = sharedNetworks(lab, host, director)[0];
  return network ? { network, ip: lab.hosts[host]!.interfaces[network]! } : undefined;
}

/** Each real server (known, not the director) for which `bad` returns a message. */
export function eachReal(lab: Lab, svc: Service, at: number, director: string, bad: (host: string) => string | undefined): RuleProblem[] {
  return svc.real_servers.flatMap((rs, j) => {
    if (!lab.hosts[rs.host] || rs.host === director) return [];
    const message = bad(rs.host);
    return message ? [{ path: ['services', at, 'real_servers', j, 'host'], message }] : [];
  });
}

export function directorNets(lab: Lab, director: string): string {
  return Object.keys(lab.hosts[director]!.interfaces).join(', ');
}
