// The module contract: pure functions of (task, facts, os) that return changes, each carrying its exact commands.
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
}

export interface HostContext {
  lab: Lab;
  hostName: string;
  host: Host;
  target: HostTarget;
  facts: Facts;
  os: OsFamily;
}

export interface Module<T> {
  /** A short label for the task list, e.g. "package httpd". */
  label(task: T): string;
  /** Files (beyond the task's own) whose content the fact command must read. */
  files?(task: T, lab: Lab): string[];
  /** Paths whose existence it reads (Facts.exists). */
  exists?(task: T, lab: Lab): string[];
  /** Fact sections it reads beyond packages, services, sysctls and files (the fact command runs only those asked for). */
  facts?: FactSection[];
  plan(task: T, ctx: HostContext): Change[];
  /** The inverse of plan: what `lab down` does. */
  down(task: T, ctx: HostContext): Change[];
}

/** Where `up` records what it found, on the host itself. */
export function stateFile(lab: Lab): string {
  return `/var/lib/lab/${lab.name}.state`;
}
