// Read an inventory YAML file (written by `lab vm up`, or by hand) into typed host targets, with file:line:col errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { MIN_SECRET } from '../roster/redact.js';
import type { LoadedLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { issueLines, locate as locateIn, parseYaml } from '../spec/yaml.js';
import { labHome } from '../vm/paths.js';
import { hostsAgainstLab, targetFileProblems, type Locate } from './check.js';
import type { HostTarget, InterfaceHint, Inventory } from './types.js';

// Messages are functions, so they are in the language of the run, not of the moment this module loaded.
const msg = (key: string) => () => t(`inventory.${key}`);
const portNumber = z
  .number({ error: msg('expectPort') })
  .int({ error: msg('expectPortRange') })
  .min(1, { error: msg('expectPortRange') })
  .max(65535, { error: msg('expectPortRange') });
type What = 'device' | 'address' | 'user' | 'identityFile' | 'knownHosts' | 'lab';
const expected = (what: What) => () => t('inventory.expected', { what: t(`inventory.what.${what}`) });
const text = (what: What) => z.string({ error: expected(what) }).min(1, { error: expected(what) });
const flag = z.boolean({ error: msg('expectBool') });
const hint = z.strictObject({
  mac: z.string({ error: msg('expectMac') }).regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { error: msg('expectMac') }).optional(),
  device: text('device').optional(),
});

const hostEntry = z.strictObject({
  address: text('address'),
  port: portNumber.default(22),
  user: text('user').default('root'),
  identity_file: text('identityFile').optional(),
  password: z.string({ error: msg('expectPassword') }).optional(),
  agent: flag.optional(),
  sudo: flag.optional(),
  known_hosts: text('knownHosts').optional(),
  interfaces: z.record(z.string(), hint, { error: msg('expectInterfaces') }).optional(),
  management: hint.optional(),
});

export const inventorySchema = z.strictObject({
  lab: text('lab'),
  source: z.enum(['vm', 'vagrant', 'roster', 'file'], { error: msg('expectSource') }).default('file'),
  known_hosts: text('knownHosts').optional(),
  hosts: z.record(z.string(), hostEntry, { error: msg('expectHosts') }),
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
    const target: HostTarget = { name, address: h.address, port: h.port, user: h.user };
    const identityFile = abs(base, h.identity_file);
    const knownHosts = abs(base, h.known_hosts ?? inv.known_hosts);
    if (identityFile) target.identityFile = identityFile;
    if (knownHosts) target.knownHosts = knownHosts;
    if (h.password !== undefined) target.password = h.password;
    if (h.agent !== undefined) target.agent = h.agent;
    if (h.sudo !== undefined) target.sudo = h.sudo;
    if (h.interfaces) target.interfaces = h.interfaces as Record<string, InterfaceHint>;
    if (h.management) target.management = h.management;
    hosts[name] = target;
  }
  if (lab) {
    const locate: Locate = (path, atKey) => locateIn(src, path, atKey);
    const problems = lab.name === inv.lab ? [] : [`${locate(['lab'])}: lab: ${t('inventory.wrongLab', { found: inv.lab, lab: lab.name })}`];
    problems.push(...hostsAgainstLab(lab, inv.hosts, locate));
    for (const [name, h] of Object.entries(inv.hosts)) {
      if (h.password !== undefined && h.password.length > 0 && h.password.length < MIN_SECRET)
        problems.push(`${locate(['hosts', name, 'password'])}: hosts.${name}.password: ${t('inventory.passwordShort', { min: MIN_SECRET })}`);
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
    const why = code === 'EISDIR' ? t('inventory.isFolderShort') : code === 'ENOENT' ? t('inventory.noSuchFile') : (code ?? String(e));
    throw new UsageError(t('inventory.cannotRead', { file, why }));
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
    throw new UsageError(t('inventory.badProvider', { provider: opts.provider }));
  if (opts.inventory) {
    if (opts.provider) throw new UsageError(t('inventory.inventoryOrProvider'));
    return readInventoryFile(opts.inventory, loaded.lab);
  }
  const instance = opts.instance ?? labName;
  const command = `lab vm up ${labName}${opts.instance ? ` --instance ${instance}` : ''}`;
  const file = vmInventoryPath(instance);
  const { vagrantHasLab, vagrantInventory, vagrantDir } = await import('../vagrant/inventory.js');
  const provider = opts.provider ?? (existsSync(file) ? 'vm' : vagrantHasLab(loaded) ? 'vagrant' : undefined);
  if (provider === 'vagrant') return checkedFiles(await vagrantInventory(loaded, { instance }));
  if (provider === 'vm' || existsSync(file)) {
    if (!existsSync(file)) throw new UsageError(t('inventory.noInventory', { instance, command }));
    return readInventoryFile(file, loaded.lab);
  }
  throw new UsageError(t('inventory.noHosts', { instance, command, dir: vagrantDir() }));
}

/** Inventories lab builds itself (Vagrant's) still name key and known_hosts files that must be usable. */
function checkedFiles(inv: Inventory): Inventory {
  const problems = Object.values(inv.hosts).flatMap((target) => targetFileProblems(target).map((p) => `${target.name}: ${p.message}`));
  if (problems.length > 0) throw new SpecError(problems);
  return inv;
}
