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

/** keepalived's health check of each real server, as it runs from every director of a VRRP group. */
export const healthSchema = z
  .strictObject({
    type: z.enum(['http_get', 'tcp_check']).default('http_get').describe('HTTP_GET (a page and its status) or TCP_CHECK (the port accepts a connection).'),
    path: z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: 'expected a path like /index.html' }).default('/').describe('http_get: the page asked for.'),
    status: z.number().int().min(100).max(599).default(200).describe('http_get: the status code that counts as alive.'),
    port: z.number().int().min(1).max(65535).optional().describe('connect_port: the port checked; defaults to the real server\'s port.'),
    delay_loop: z.number().int().min(1).max(3600).default(2).describe('Seconds between two checks of a real server.'),
    connect_timeout: z.number().int().min(1).max(60).default(2).describe('Seconds a check waits for the connection (and the answer).'),
    retry: z.number().int().min(0).max(10).default(1).describe('Failed checks retried this many times before the real server leaves the table.'),
    delay_before_retry: z.number().int().min(1).max(60).default(1).describe('Seconds between a failed check and its retry.'),
  })
  .describe('keepalived checks each real server and takes it out of the IPVS table while it fails (only for a service whose VIP a vrrp: group holds).');

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
  health: healthSchema.optional(),
});

/** One director of a VRRP group. */
export const vrrpRouterSchema = z.strictObject({
  host: name.describe('A host of this lab that runs keepalived.'),
  priority: z.number().int().min(1).max(254).describe('The highest priority alive holds the VIP (255 is reserved for an address\'s owner).'),
  state: z.enum(['MASTER', 'BACKUP']).optional().describe('The state keepalived starts in; defaults to MASTER for the highest priority, BACKUP for the others.'),
});

/** A VRRP instance: directors that keepalived makes redundant, one of them holding the VIP. */
export const vrrpSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,30}$/, { error: 'expected a name of letters, digits and _ like VI_1' })
    .default('VI_1')
    .describe('vrrp_instance NAME in keepalived.conf.'),
  vip: ipv4.describe('The VIP keepalived moves between the routers; services on this VIP are directed by whichever holds it.'),
  virtual_router_id: z.number().int().min(1).max(255).describe('VRRP router id: the same on every router of the group, unique among the groups of one network.'),
  advert_int: z.number().int().min(1).max(255).default(1).describe('Seconds between the master\'s advertisements; a backup takes over after about 3 × advert_int without one.'),
  preempt: z.boolean().default(true).describe('Whether a router of higher priority takes the VIP back when it returns.'),
  authentication: z
    .strictObject({ type: z.literal('PASS').default('PASS'), password: z.string().regex(/^[A-Za-z0-9._-]{1,8}$/, { error: 'expected 1 to 8 letters, digits, . _ or -' }) })
    .optional()
    .describe('auth_type PASS (keepalived compares the first 8 characters).'),
  routers: z.array(vrrpRouterSchema).min(2, { error: 'a VRRP group needs at least two routers' }),
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
  z.strictObject({ check: z.literal('vrrp') }).describe('Each VRRP group: keepalived runs its config, exactly one router (the highest priority) is MASTER and holds the VIP, the others are BACKUP, and each loaded the virtual servers.'),
  z
    .strictObject({
      check: z.literal('failover'),
      from: name.describe('The client whose requests measure the outage.'),
      bound: z.number().positive().max(120).optional().describe('Seconds the outage may last; default 3 × advert_int + 2.'),
    })
    .describe('Stops keepalived on the master, measures how long until the backup holds the VIP and the client is answered again, starts it again and checks the master takes the VIP back (with preempt). Changes the lab while it runs.'),
  z
    .strictObject({ check: z.literal('health'), from: name.describe('The client whose requests must all be answered.') })
    .describe('Stops one real server\'s web server, checks keepalived takes it out of the IPVS table in time while every client request is answered, then starts it and checks it returns. Changes the lab while it runs.'),
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
    vrrp: z.array(vrrpSchema).default([]).describe('keepalived VRRP groups: redundant directors sharing a VIP.'),
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
export type Vrrp = z.output<typeof vrrpSchema>;
export type Health = z.output<typeof healthSchema>;
