// The lab spec's shape as a zod schema; the JSON Schema for editors is generated from it.
import { z } from 'zod';
import { CIDR_RE, IPV4_RE } from './ipv4.js';
import { namedRecord } from './records.js';
import { startSchema } from './start.js';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: 'expected a name of lowercase letters, digits and dashes, starting with a letter' });
const ipv4 = z.string({ error: 'expected an IPv4 address' }).regex(IPV4_RE, { error: 'expected an IPv4 address' });
const cidr = z
  .string({ error: 'expected an IPv4 prefix like 192.168.2.0/24' })
  .regex(CIDR_RE, { error: 'expected an IPv4 prefix like 192.168.2.0/24' });

export const hostSchema = z
  .strictObject({
    role: name.describe('Which playbook role this host gets, e.g. director, real-server, client.'),
    interfaces: namedRecord(name, ipv4)
      .describe('Lab network name → this host\'s address on it. The prefix comes from the network.'),
    gateway: ipv4.optional().describe('Default gateway, e.g. the director\'s inside address for LVS-NAT real servers.'),
    memory: z.number().int().min(256).max(8192).optional().describe('VM memory in MiB for `lab vm` and Vagrant.'),
    cpus: z.number().int().min(1).max(8).optional().describe('VM CPUs for `lab vm` and Vagrant.'),
  })
  .describe('A host of the lab.');

export const realServerSchema = z.strictObject({
  host: name.describe('A host of this lab.'),
  weight: z.number().int().min(0).max(65535).default(1),
  port: z.number().int().min(1).max(65535).optional().describe('Defaults to the service port.'),
});

export const serviceSchema = z.strictObject({
  vip: ipv4.describe('The virtual IP clients connect to; a director must hold it.'),
  director: name
    .optional()
    .describe('The host that holds the VIP and runs IPVS. Only needed when the VIP is not one of its own addresses (DR, TUN): it then holds the VIP beside its own address on the same network.'),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  scheduler: z.enum(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'mh', 'fo', 'ovf']).describe('ipvsadm -s. mh, fo and ovf need a kernel with their modules (Debian 12\'s 6.1 has them); twos (Linux 6.2) is not offered.'),
  forwarding: z.enum(['nat', 'dr', 'tun']).describe('nat = ipvsadm -m, dr = -g, tun = -i.'),
  persistence: z.number().int().min(1).max(86400).optional().describe('Seconds; ipvsadm -p.'),
  real_servers: z.array(realServerSchema).min(1),
});

export const checkSchema = z.discriminatedUnion('check', [
  z.strictObject({
    check: z.literal('balancing'),
    from: name.describe('The host the requests come from.'),
    requests: z.number().int().min(2).max(1000).default(8),
    path: z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/).default('/'),
  }),
  z.strictObject({ check: z.literal('director') }),
  z.strictObject({ check: z.literal('real-servers') }),
  z.strictObject({ check: z.literal('path'), from: name }),
]);

export const labSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: name.describe('The lab\'s name; `lab vm` names VMs and folders after it.'),
    description: z.string().optional(),
    playbook: name.optional().describe('playbooks/NAME.yaml; defaults to the lab name.'),
    networks: namedRecord(name, cidr).describe('Lab network name → IPv4 prefix.'),
    hosts: namedRecord(name, hostSchema),
    services: z.array(serviceSchema).default([]),
    verify: z.array(checkSchema).default([]),
    start: startSchema.optional(),
  })
  .describe('A lab for `lab`: hosts, networks, virtual services and checks.');

export type LabInput = z.input<typeof labSchema>;
export type Lab = z.output<typeof labSchema>;
export type Host = z.output<typeof hostSchema>;
export type Service = z.output<typeof serviceSchema>;
export type RealServer = z.output<typeof realServerSchema>;
export type Check = z.output<typeof checkSchema>;
