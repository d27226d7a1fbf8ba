// The module contract: pure functions of (task, facts, os) that return changes, each carrying its exact commands.
import type { z } from 'zod';
import type { Facts, FactSection } from '../facts/types.js';
import type { HostTarget } from '../inventory/types.js';
import type { OsFamily } from '../os/families.js';
import type { Host, Lab } from '../spec/schema.js';

export interface Change {
  /** What changes, in words, e.g. "install apache2". */
  title: string;
  /** The exact shell commands, run in order with `set -e`. */
  commands: string[];
  /** Originals to record on the host before the first change, so `down` can restore them (key → value). */
  record?: Record<string, string>;
  /**
   * What changes, as `lab plan --diff` shows it: a unified diff of a file's content, or `name: old → new` lines for
   * values (sysctls, NetworkManager properties).
   */
  diff?: string;
}

export interface HostContext {
  lab: Lab;
  hostName: string;
  host: Host;
  target: HostTarget;
  facts: Facts;
  os: OsFamily;
}

/** Values the playbook's {templates} are filled from: {host}, {docroot}, {address}, {address.NETWORK}, {vip}, … */
export type TemplateVars = Record<string, string>;

/** Names a task reads in the fact command's package, service and sysctl queries. */
export interface NamesRead {
  packages?: string[];
  services?: string[];
  sysctls?: string[];
}

/**
 * A module: one entry of the registry (modules/registry.ts). `key` and `schema` are its playbook YAML (`- KEY: VALUE`),
 * `bind` turns that value into the task its other functions take, filling {templates} from the spec and the OS.
 */
export interface Module<T> {
  /** The playbook key, e.g. sysctl. */
  key: string;
  /** The shape of the value under the key in a playbook. */
  schema: z.ZodType;
  /** The playbook's value (parsed by schema) → this module's task. */
  bind(raw: never, vars: TemplateVars, ctx: { lab: Lab; hostName: string }): T;
  /** Names it reads in the package, service and sysctl sections of the fact command. */
  names?(task: T): NamesRead;
  /** A short label for the task list, e.g. "package httpd". */
  label(task: T): string;
  /** Files (beyond the task's own) whose content the fact command must read. */
  files?(task: T, lab: Lab): string[];
  /** Paths whose existence it reads (Facts.exists). */
  exists?(task: T, lab: Lab): string[];
  /** Fact sections it reads beyond packages, services, sysctls and files (the fact command runs only those asked for). */
  facts?: FactSection[];
  /**
   * The properties this task makes true on its host, in the words verify's checks use (`package:httpd`,
   * `sysctl:net.ipv4.ip_forward=1`, `addresses`, …): the one list both sides agree on. A check that judges a property
   * no task of that host desires must say that `lab up` does not manage it (test/unit/desired.test.ts holds this).
   */
  desired(task: T): string[];
  plan(task: T, ctx: HostContext): Change[];
  /** The inverse of plan: what `lab down` does. */
  down(task: T, ctx: HostContext): Change[];
}

/** Where `up` records what it found, on the host itself. */
export function stateFile(lab: Lab): string {
  return `/var/lib/lab/${lab.name}.state`;
}
