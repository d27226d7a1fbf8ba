// Read an inventory YAML file (written by `lab vm up`, or by hand) into typed host targets, with file:line:col errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { MIN_SECRET } from '../roster/redact.js';
import type { LoadedLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { issueLines, locate as locateIn, parseYaml } from '../spec/yaml.js';
import { labHome } from '../vm/paths.js';
import { hostsAgainstLab, targetFileProblems, type Locate } from './check.js';
import type { HostTarget, InterfaceHint, Inventory } from './types.js';

const portNumber = z
  .number({ error: 'expected a port number' })
  .int({ error: 'expected a port from 1 to 65535' })
  .min(1, { error: 'expected a port from 1 to 65535' })
  .max(65535, { error: 'expected a port from 1 to 65535' });
const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const flag = z.boolean({ error: 'expected true or false' });
const hint = z.strictObject({
  mac: z.string({ error: 'expected a MAC address like 52:54:00:12:34:56' }).regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { error: 'expected a MAC address like 52:54:00:12:34:56' }).optional(),
  device: text('a device name like ens4').optional(),
});

const hostEntry = z.strictObject({
  address: text('an address or host name'),
  port: portNumber.default(22),
  user: text('a user name').default('root'),
  identity_file: text('the path of a private key file').optional(),
  password: z.string({ error: 'expected a password' }).optional(),
  agent: flag.optional(),
  sudo: flag.optional(),
  known_hosts: text('the path of a known_hosts file').optional(),
  interfaces: z.record(z.string(), hint, { error: 'expected lab network name → { mac: ..., device: ... }' }).optional(),
  management: hint.optional(),
});

export const inventorySchema = z.strictObject({
  lab: text('the lab\'s name'),
  source: z.enum(['vm', 'vagrant', 'roster', 'file'], { error: 'expected vm, vagrant, roster or file' }).default('file'),
  known_hosts: text('the path of a known_hosts file').optional(),
  hosts: z.record(z.string(), hostEntry, { error: 'expected host name → how to reach it' }),
});

/** The keys an inventory allows at a path, for "unknown key" messages in the inventory's own terms. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(inventorySchema.shape);
  if (path.length === 2) return Object.keys(hostEntry.shape);
  return Object.keys(hint.shape);
}

function withAllowedKeys(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((i) => (i.code === 'unrecognized_keys' ? ({ ...i, allowed: allowedKeysAt(i.path) } as z.core.$ZodIssue) : i));
}

/** The inventory `lab vm up` writes for an instance: $LAB_HOME/<instance>/inventory.yaml, LAB_HOME defaulting to ./.lab. */
export function vmInventoryPath(instance: string): string {
  return join(labHome(), instance, 'inventory.yaml');
}

function abs(base: string, p: string | undefined): string | undefined {
  return p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p);
}

/**
 * Parse inventory text; relative key and known_hosts paths are taken from the file's folder. With `lab`, the
 * inventory must also be the lab's: its hosts exactly, interface hints for the hosts' own networks, usable key and
 * known_hosts files; every problem is reported at once, each with file:line:col.
 */
export function parseInventory(file: string, text: string, lab?: Lab): Inventory {
  const src = parseYaml(file, text);
  const parsed = inventorySchema.safeParse(src.doc.toJS());
  if (!parsed.success) throw new SpecError(issueLines(src, withAllowedKeys(parsed.error.issues)));
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
  if (lab) {
    const locate: Locate = (path, atKey) => locateIn(src, path, atKey);
    const problems = lab.name === inv.lab ? [] : [`${locate(['lab'])}: lab: this inventory is for lab "${inv.lab}", not "${lab.name}"; give the inventory written for ${lab.name}`];
    problems.push(...hostsAgainstLab(lab, inv.hosts, locate));
    for (const [name, h] of Object.entries(inv.hosts)) {
      if (h.password !== undefined && h.password.length > 0 && h.password.length < MIN_SECRET)
        problems.push(`${locate(['hosts', name, 'password'])}: hosts.${name}.password: shorter than ${MIN_SECRET} characters: it could not be masked in output without mangling other text; use a longer password`);
      for (const p of targetFileProblems(hosts[name]!)) {
        // The file may come from the host's entry or from the inventory's shared known_hosts.
        const path = p.field === 'known_hosts' && h.known_hosts === undefined ? ['known_hosts'] : ['hosts', name, p.field];
        problems.push(`${locate(path)}: ${path.join('.')}: ${p.message}`);
      }
    }
    if (problems.length > 0) throw new SpecError(problems);
  }
  return { lab: inv.lab, source: inv.source, hosts };
}

export function readInventoryFile(file: string, lab?: Lab): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder' : code === 'ENOENT' ? 'no such file' : (code ?? String(e));
    throw new UsageError(`${file}: cannot read the inventory (${why}); boot the lab with \`lab vm up\` or give --inventory FILE`);
  }
  return parseInventory(file, text, lab);
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
    return readInventoryFile(opts.inventory, loaded.lab);
  }
  const instance = opts.instance ?? labName;
  const file = vmInventoryPath(instance);
  const { vagrantHasLab, vagrantInventory, vagrantDir } = await import('../vagrant/inventory.js');
  const provider = opts.provider ?? (existsSync(file) ? 'vm' : vagrantHasLab(loaded) ? 'vagrant' : undefined);
  if (provider === 'vagrant') return checkedFiles(await vagrantInventory(loaded, { instance }));
  if (provider === 'vm' || existsSync(file)) {
    if (!existsSync(file)) throw new UsageError(`no inventory for ${instance}: boot its VMs with \`lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}\``);
    return readInventoryFile(file, loaded.lab);
  }
  throw new UsageError(
    `no hosts for ${instance}: boot VMs with \`lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}\`, ` +
      `or machines with \`vagrant up\` in ${vagrantDir()}, or give --inventory FILE`,
  );
}

/** Inventories lab builds itself (Vagrant's) still name key and known_hosts files that must be usable. */
function checkedFiles(inv: Inventory): Inventory {
  const problems = Object.values(inv.hosts).flatMap((t) => targetFileProblems(t).map((p) => `${t.name}: ${p.message}`));
  if (problems.length > 0) throw new SpecError(problems);
  return inv;
}
