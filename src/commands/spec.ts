// `lab validate` and `lab schema`: check a spec without touching a host; print the JSON Schema for editors.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { loadPlaybook } from '../playbook/load.js';
import { loadLab } from '../spec/load.js';
import { labSchema } from '../spec/schema.js';

export async function validateCommand(labArg: string): Promise<number> {
  const loaded = await loadLab(labArg);
  await loadPlaybook(loaded);
  const { lab } = loaded;
  process.stdout.write(
    `${t('vm.validated', {
      file: loaded.file,
      lab: lab.name,
      hosts: Object.keys(lab.hosts).length,
      networks: Object.keys(lab.networks).length,
      services: lab.services.length,
      checks: lab.verify.length,
    })}\n`,
  );
  return 0;
}

export function labJsonSchema(): object {
  return { title: 'lab spec', ...z.toJSONSchema(labSchema, { io: 'input' }) };
}

export const SCHEMAS = ['lab', 'output'] as const;

/** `lab schema [lab|output]`: the spec's JSON Schema, or the one every --json output follows. */
export async function schemaCommand(which = 'lab'): Promise<number> {
  if (!(SCHEMAS as readonly string[]).includes(which)) throw new UsageError(t('vm.unknownSchema', { which, schemas: SCHEMAS.join(', ') }));
  const schema = which === 'output' ? (await import('../report/output-schema.js')).outputJsonSchema() : labJsonSchema();
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
