// Resolve `LAB [--instance NAME]` to the lab spec and the instance's folder.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { loadLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { MANAGEMENT_NETWORK } from './identity.js';
import { checkInstanceName, instanceDir, instanceFiles } from './paths.js';

export interface InstanceContext {
  lab: Lab;
  specFile: string;
  instance: string;
  files: ReturnType<typeof instanceFiles>;
}

export interface InstanceOptions {
  /** Which copy of the lab (default: the lab's name); two students run two instances side by side. */
  instance?: string;
}

function checkLabForVms(lab: Lab, specFile: string): void {
  if (MANAGEMENT_NETWORK in lab.networks) {
    throw new UsageError(t('vm.reservedNetwork', { file: specFile, network: MANAGEMENT_NETWORK }));
  }
}

/** The lab and its instance; the spec must load. */
export async function labContext(labArg: string, opts: InstanceOptions): Promise<InstanceContext> {
  const { lab, file } = await loadLab(labArg);
  checkLabForVms(lab, file);
  const instance = checkInstanceName(opts.instance ?? lab.name);
  return { lab, specFile: resolve(file), instance, files: instanceFiles(instance) };
}

/**
 * Only the instance name, for commands that work from the instance folder alone (down, destroy,
 * status): a spec that no longer loads does not stop them when the folder is there.
 */
export async function instanceName(labArg: string, opts: InstanceOptions): Promise<string> {
  if (opts.instance) return checkInstanceName(opts.instance);
  try {
    return (await labContext(labArg, opts)).instance;
  } catch (e) {
    if (/^[a-z0-9][a-z0-9._-]*$/.test(labArg) && existsSync(instanceDir(labArg))) return labArg;
    throw e;
  }
}
