// Read an inventory YAML file (written by `lab vm up`, or by hand) into typed host targets, with file:line:col errors.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { issueLines, readYaml } from '../spec/yaml.js';
import type { HostTarget, InterfaceHint, Inventory } from './types.js';

const hint = z.strictObject({ mac: z.string().regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/).optional(), device: z.string().optional() });

const hostEntry = z.strictObject({
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).default('root'),
  identity_file: z.string().optional(),
  password: z.string().optional(),
  agent: z.boolean().optional(),
  sudo: z.boolean().optional(),
  known_hosts: z.string().optional(),
  interfaces: z.record(z.string(), hint).optional(),
  management: hint.optional(),
});

export const inventorySchema = z.strictObject({
  lab: z.string(),
  source: z.enum(['vm', 'vagrant', 'roster', 'file']).default('file'),
  known_hosts: z.string().optional(),
  hosts: z.record(z.string(), hostEntry),
});

/** The inventory `lab vm up` writes for an instance: $LAB_HOME/<instance>/inventory.yaml, LAB_HOME defaulting to ./.lab. */
export function vmInventoryPath(instance: string): string {
  return join(process.env.LAB_HOME ?? join(process.cwd(), '.lab'), instance, 'inventory.yaml');
}

function abs(base: string, p: string | undefined): string | undefined {
  return p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p);
}

export async function readInventory(file: string): Promise<Inventory> {
  const src = await readYaml(file);
  const parsed = inventorySchema.safeParse(src.doc.toJS());
  if (!parsed.success) throw new SpecError(issueLines(src, parsed.error.issues));
  const inv = parsed.data;
  const base = dirname(resolve(file));
  const hosts: Record<string, HostTarget> = {};
  for (const [name, h] of Object.entries(inv.hosts)) {
    hosts[name] = {
      name,
      address: h.address,
      port: h.port,
      user: h.user,
      identityFile: abs(base, h.identity_file),
      password: h.password,
      agent: h.agent,
      sudo: h.sudo,
      knownHosts: abs(base, h.known_hosts ?? inv.known_hosts),
      interfaces: h.interfaces as Record<string, InterfaceHint> | undefined,
      management: h.management,
    };
  }
  return { lab: inv.lab, source: inv.source, hosts };
}

/** --inventory FILE, else the `lab vm` inventory of the instance (default: the lab's name). */
export async function resolveInventory(labName: string, opts: { inventory?: string; instance?: string }): Promise<Inventory> {
  if (opts.inventory) {
    if (!existsSync(opts.inventory)) throw new UsageError(`${opts.inventory}: no such inventory file`);
    return readInventory(opts.inventory);
  }
  const instance = opts.instance ?? labName;
  const file = vmInventoryPath(instance);
  if (!existsSync(file))
    throw new UsageError(`no inventory for ${instance}: boot its VMs with \`lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}\`, or give --inventory FILE`);
  return readInventory(file);
}
