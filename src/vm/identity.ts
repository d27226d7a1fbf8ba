// Deterministic names for a lab instance's VMs: NIC MACs, lab segment multicast addresses, machine ids.
import { createHash } from 'node:crypto';

/** The pseudo network name used for the management NIC's MAC. Lab networks may not use it. */
export const MANAGEMENT_NETWORK = 'mgmt';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * MAC of a VM's NIC, reproduced by other tools (e.g. a Ruby Vagrantfile), so the derivation is fixed:
 *   "52:54:00:" + the first 3 bytes of SHA-256 over the UTF-8 string `${instance}/${host}/${network}`,
 *   as lowercase hex, colon separated; `network` is "mgmt" for the management NIC.
 * Example in Ruby: "52:54:00:" + Digest::SHA256.digest("#{i}/#{h}/#{n}").bytes[0,3].map { |b| "%02x" % b }.join(":")
 */
export function macFor(instance: string, host: string, network: string): string {
  const b = sha256(`${instance}/${host}/${network}`);
  return ['52', '54', '00', ...[0, 1, 2].map((i) => b[i]!.toString(16).padStart(2, '0'))].join(':');
}

/** Which NIC is which on a host made with these MACs (`lab vm` and the Vagrantfile): each lab network's, and management's. */
export function nicHints(instance: string, host: string, networks: string[]): { interfaces: Record<string, { mac: string }>; management: { mac: string } } {
  return {
    interfaces: Object.fromEntries(networks.map((net) => [net, { mac: macFor(instance, host, net) }])),
    management: { mac: macFor(instance, host, MANAGEMENT_NETWORK) },
  };
}

export interface Segment {
  /** IPv4 multicast group in 230.0.0.0/8. */
  group: string;
  /** UDP port, 10000–29999. */
  port: number;
}

/**
 * The multicast group and port that carry one lab network of one instance, so that two instances
 * (two students) never share a segment: bytes 0–2 of SHA-256(`${instance}/${network}`) give
 * 230.b0.b1.b2 and bytes 3–4 (big endian) modulo 20000 plus 10000 give the port.
 */
export function segmentFor(instance: string, network: string): Segment {
  const b = sha256(`${instance}/${network}`);
  return { group: `230.${b[0]}.${b[1]}.${b[2]}`, port: 10000 + (b.readUInt16BE(3) % 20000) };
}

/** A stable systemd machine id (32 hex digits) per instance and host. */
export function machineIdFor(instance: string, host: string): string {
  return sha256(`machine-id/${instance}/${host}`).toString('hex').slice(0, 32);
}
