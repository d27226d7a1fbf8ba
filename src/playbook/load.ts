// Find and validate the playbook of a lab, and check that it covers every role the spec uses.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SpecError, UsageError } from '../errors.js';
import { PACKAGE_ROOT, type LoadedLab } from '../spec/load.js';
import { issueLines, locate, readYaml } from '../spec/yaml.js';
import { playbookSchema, type Playbook } from './schema.js';

export function playbookPath(loaded: LoadedLab): string {
  const name = loaded.lab.playbook ?? loaded.lab.name;
  const candidates = [join(dirname(loaded.file), '..', 'playbooks', `${name}.yaml`), join(process.cwd(), 'playbooks', `${name}.yaml`), join(PACKAGE_ROOT, 'playbooks', `${name}.yaml`)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UsageError(`${loaded.file}: no playbook "${name}": expected playbooks/${name}.yaml`);
  return relative(process.cwd(), found) || found;
}

export async function loadPlaybook(loaded: LoadedLab): Promise<Playbook> {
  const src = await readYaml(playbookPath(loaded));
  const parsed = playbookSchema.safeParse(src.doc.toJS());
  if (!parsed.success) throw new SpecError(issueLines(src, parsed.error.issues));
  const missing = Object.entries(loaded.lab.hosts).filter(([, h]) => !parsed.data.roles[h.role]);
  if (missing.length > 0)
    throw new SpecError(
      missing.map(([name, h]) => `${locate(loaded.src, ['hosts', name, 'role'])}: hosts.${name}.role: role "${h.role}" is not in ${src.file} (roles: ${Object.keys(parsed.data.roles).join(', ')})`),
    );
  return parsed.data;
}
