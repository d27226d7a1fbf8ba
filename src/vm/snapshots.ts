// The instance's record of saved machine states (snapshots.json): names, when, and what each is tied to.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { MachineFingerprint } from './fingerprint.js';
import { instanceDir } from './paths.js';

/** The snapshot `lab vm up` takes after an instance's first boot, before any `lab up`; `lab vm reset` restores it. */
export const PRISTINE = 'pristine';
/** The snapshot `lab vm down` saves just before it stops the VMs; the next `lab vm up` resumes it. */
export const SUSPENDED = 'suspended';

export interface SnapshotRecord {
  name: string;
  /** ISO time of the save. */
  savedAt: string;
  fingerprint: MachineFingerprint;
  /** host → layout digest of its qemu command line when saved (see fingerprint.ts). */
  layout: Record<string, string>;
}

export interface SnapshotBook {
  snapshots: SnapshotRecord[];
}

export function snapshotsFile(instance: string): string {
  return join(instanceDir(instance), 'snapshots.json');
}

export function readSnapshots(instance: string): SnapshotRecord[] {
  const file = snapshotsFile(instance);
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as SnapshotBook).snapshots ?? [];
  } catch {
    return [];
  }
}

export function writeSnapshots(instance: string, snapshots: SnapshotRecord[]): void {
  writeFileSync(snapshotsFile(instance), `${JSON.stringify({ snapshots }, null, 2)}\n`);
}

/** Replace (or add) one record; the newest save goes last. */
export function recordSnapshot(instance: string, rec: SnapshotRecord): void {
  writeSnapshots(instance, [...readSnapshots(instance).filter((s) => s.name !== rec.name), rec]);
}

export function forgetSnapshots(instance: string): void {
  writeSnapshots(instance, []);
}

/** The most recently saved snapshot, if any. */
export function latestSnapshot(instance: string): SnapshotRecord | undefined {
  return [...readSnapshots(instance)].sort((a, b) => a.savedAt.localeCompare(b.savedAt)).at(-1);
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9._-]{0,39}$/;

/** A snapshot name goes into a monitor line (`savevm NAME`): letters first, then letters, digits, dot, dash, underscore. */
export function checkSnapshotName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UsageError(t('vm.badSnapshotName', { name }));
  }
  return name;
}
