// `lab validate` and `lab schema`: check a spec without touching a host; print the JSON Schema for editors.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/load.js';
import { loadLab } from '../spec/load.js';
import { labSchema } from '../spec/schema.js';

export async function validateCommand(labArg: string): Promise<number> {
  const loaded = await loadLab(labArg);
  await loadPlaybook(loaded);
  const { lab } = loaded;
  process.stdout.write(
    `${loaded.file}: ok: lab ${lab.name}, ${Object.keys(lab.hosts).length} hosts, ${Object.keys(lab.networks).length} networks, ` +
      `${lab.services.length} services, ${lab.verify.length} checks\n`,
  );
  return 0;
}

export function labJsonSchema(): object {
  return { title: 'lab spec', ...z.toJSONSchema(labSchema, { io: 'input' }) };
}

export const SCHEMAS = ['lab', 'output'] as const;

/** `lab schema [lab|output]`: the spec's JSON Schema, or the one every --json output follows. */
export async function schemaCommand(which = 'lab'): Promise<number> {
  if (!(SCHEMAS as readonly string[]).includes(which)) throw new UsageError(`lab schema ${which}: expected one of ${SCHEMAS.join(', ')}`);
  const schema = which === 'output' ? (await import('../report/output-schema.js')).outputJsonSchema() : labJsonSchema();
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
