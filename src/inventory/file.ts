// Read an inventory YAML file (written by `lab vm up`, or by hand) into typed host targets, with file:line:col errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { issueLines, parseYaml } from '../spec/yaml.js';
import type { LoadedLab } from '../spec/load.js';
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

/** Parse inventory text; relative key and known_hosts paths are taken from the file's folder. */
export function parseInventory(file: string, text: string): Inventory {
  const src = parseYaml(file, text);
  const parsed = inventorySchema.safeParse(src.doc.toJS());
  if (!parsed.success) throw new SpecError(issueLines(src, parsed.error.issues));
  const inv = parsed.data;
  const base = dirname(resolve(file));
  const hosts: Record<string, HostTarget> = {};
  for (const [name, h] of Object.entries(inv.hosts)) {
    const t: HostTarget = { name, address: h.address, port: h.port, user: h.user };
    const identityFile = abs(base, h.identity_file);
    const knownHosts = abs(base, h.known_hosts ?? inv.known_hosts);
    if (identityFile) t.identityFile = identityFile;
    if (knownHosts) t.knownHosts = knownHosts;
    if (h.password !== undefined) t.password = h.password;
    if (h.agent !== undefined) t.agent = h.agent;
    if (h.sudo !== undefined) t.sudo = h.sudo;
    if (h.interfaces) t.interfaces = h.interfaces as Record<string, InterfaceHint>;
    if (h.management) t.management = h.management;
    hosts[name] = t;
  }
  return { lab: inv.lab, source: inv.source, hosts };
}

export function readInventoryFile(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the inventory (${(e as NodeJS.ErrnoException).code ?? e}); boot the lab with \`lab vm up\` or give --inventory`);
  }
  return parseInventory(file, text);
}

export async function readInventory(file: string): Promise<Inventory> {
  return readInventoryFile(file);
}

function defined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export function inventoryToYaml(inv: Inventory, header = '# Written by `lab vm`; SSH to each host with the identity file, checking keys against known_hosts.'): string {
  const hosts = Object.fromEntries(
    Object.entries(inv.hosts).map(([name, h]) => [
      name,
      defined({
        address: h.address,
        port: h.port,
        user: h.user,
        identity_file: h.identityFile,
        password: h.password,
        agent: h.agent,
        sudo: h.sudo,
        known_hosts: h.knownHosts,
        interfaces: h.interfaces && Object.fromEntries(Object.entries(h.interfaces).map(([k, v]) => [k, defined(v)])),
        management: h.management && defined(h.management),
      }),
    ]),
  );
  return `${header}\n${stringify({ lab: inv.lab, source: inv.source, hosts })}`;
}

export function writeInventoryFile(file: string, inv: Inventory): void {
  writeFileSync(file, inventoryToYaml(inv));
}

export interface TargetOptions {
  inventory?: string;
  instance?: string;
  /** Where the hosts are: `lab vm` VMs or Vagrant machines; detected when not given. */
  provider?: string;
}

/**
 * The hosts to work on: --inventory FILE; else --provider vm (the `lab vm` inventory of the instance) or
 * --provider vagrant (`vagrant ssh-config` of the machines vagrant/ made); else whichever of the two exists.
 */
export async function resolveInventory(loaded: LoadedLab, opts: TargetOptions): Promise<Inventory> {
  const labName = loaded.lab.name;
  if (opts.provider !== undefined && opts.provider !== 'vm' && opts.provider !== 'vagrant')
    throw new UsageError(`--provider ${opts.provider}: expected vm or vagrant`);
  if (opts.inventory) {
    if (opts.provider) throw new UsageError('give either --inventory or --provider, not both');
    if (!existsSync(opts.inventory)) throw new UsageError(`${opts.inventory}: no such inventory file`);
    return readInventory(opts.inventory);
  }
  const instance = opts.instance ?? labName;
  const file = vmInventoryPath(instance);
  const { vagrantHasLab, vagrantInventory, vagrantDir } = await import('../vagrant/inventory.js');
  const provider = opts.provider ?? (existsSync(file) ? 'vm' : vagrantHasLab(loaded) ? 'vagrant' : undefined);
  if (provider === 'vagrant') return vagrantInventory(loaded, { instance });
  if (provider === 'vm' || existsSync(file)) {
    if (!existsSync(file)) throw new UsageError(`no inventory for ${instance}: boot its VMs with \`lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}\``);
    return readInventory(file);
  }
  throw new UsageError(
    `no hosts for ${instance}: boot VMs with \`lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}\`, ` +
      `or machines with \`vagrant up\` in ${vagrantDir()}, or give --inventory FILE`,
  );
}
