// The inventory a lab instance's VMs produce: written as snake_case YAML, read back as Inventory.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify, parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { HostTarget, InterfaceHint, Inventory } from '../inventory/types.js';
import type { Lab } from '../spec/schema.js';
import { macFor, MANAGEMENT_NETWORK } from './identity.js';
import { instanceFiles } from './paths.js';

export { defaultInventoryPath } from './paths.js';

/** The inventory of an instance's VMs: SSH to 127.0.0.1:PORT as root with the lab key and known_hosts. */
export function vmInventory(lab: Lab, instance: string, ports: Record<string, number>): Inventory {
  const files = instanceFiles(instance);
  const hosts: Record<string, HostTarget> = {};
  for (const [name, spec] of Object.entries(lab.hosts)) {
    const port = ports[name];
    if (port === undefined) continue;
    const interfaces = Object.fromEntries(Object.keys(spec.interfaces).map((net) => [net, { mac: macFor(instance, name, net) }]));
    hosts[name] = {
      name,
      address: '127.0.0.1',
      port,
      user: 'root',
      identityFile: files.key,
      knownHosts: files.knownHosts,
      interfaces,
      management: { mac: macFor(instance, name, MANAGEMENT_NETWORK) },
    };
  }
  return { lab: lab.name, source: 'vm', hosts };
}

const hintSchema = z.strictObject({ mac: z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i).optional(), device: z.string().optional() });
const hostSchema = z.strictObject({
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).default('root'),
  identity_file: z.string().optional(),
  password: z.string().optional(),
  agent: z.boolean().optional(),
  sudo: z.boolean().optional(),
  known_hosts: z.string().optional(),
  interfaces: z.record(z.string(), hintSchema).optional(),
  management: hintSchema.optional(),
});
const fileSchema = z.strictObject({
  lab: z.string().min(1),
  source: z.enum(['vm', 'vagrant', 'roster', 'file']).default('file'),
  hosts: z.record(z.string(), hostSchema),
});

function hintToYaml(h: InterfaceHint): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined));
}

function hostToYaml(h: HostTarget): Record<string, unknown> {
  const out: Record<string, unknown> = { address: h.address, port: h.port, user: h.user };
  if (h.identityFile) out.identity_file = h.identityFile;
  if (h.password) out.password = h.password;
  if (h.agent !== undefined) out.agent = h.agent;
  if (h.sudo !== undefined) out.sudo = h.sudo;
  if (h.knownHosts) out.known_hosts = h.knownHosts;
  if (h.interfaces) out.interfaces = Object.fromEntries(Object.entries(h.interfaces).map(([k, v]) => [k, hintToYaml(v)]));
  if (h.management) out.management = hintToYaml(h.management);
  return out;
}

export function inventoryToYaml(inv: Inventory): string {
  const hosts = Object.fromEntries(Object.entries(inv.hosts).map(([name, h]) => [name, hostToYaml(h)]));
  return `# Written by \`lab vm\`; SSH to each host with the identity file, checking keys against known_hosts.\n${stringify({ lab: inv.lab, source: inv.source, hosts })}`;
}

export function writeInventoryFile(path: string, inv: Inventory): void {
  writeFileSync(path, inventoryToYaml(inv));
}

function hostFromYaml(name: string, h: z.output<typeof hostSchema>): HostTarget {
  const t: HostTarget = { name, address: h.address, port: h.port, user: h.user };
  if (h.identity_file !== undefined) t.identityFile = h.identity_file;
  if (h.password !== undefined) t.password = h.password;
  if (h.agent !== undefined) t.agent = h.agent;
  if (h.sudo !== undefined) t.sudo = h.sudo;
  if (h.known_hosts !== undefined) t.knownHosts = h.known_hosts;
  if (h.interfaces !== undefined) t.interfaces = h.interfaces;
  if (h.management !== undefined) t.management = h.management;
  return t;
}

export function parseInventory(path: string, text: string): Inventory {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UsageError(`${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const hosts = Object.fromEntries(Object.entries(r.data.hosts).map(([n, h]) => [n, hostFromYaml(n, h)]));
  return { lab: r.data.lab, source: r.data.source, hosts };
}

export function readInventoryFile(path: string): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read the inventory (${(e as NodeJS.ErrnoException).code ?? e}); boot the lab with \`lab vm up\` or give --inventory`);
  }
  return parseInventory(path, text);
}
