// The playbook's shape: for each role, an ordered list of tasks, each naming one module of the registry.
import { z } from 'zod';
import { MODULES } from '../modules/registry.js';
import { namedRecord } from '../spec/records.js';

const one = (key: string, value: z.ZodType) => z.strictObject({ [key]: value });

/** Each module's task schema, by its key: a task is checked against its own module's for precise errors. */
export const TASK_SCHEMAS: ReadonlyMap<string, ReturnType<typeof one>> = new Map(MODULES.map((m) => [m.key, one(m.key, m.schema)]));

const [first, second, ...rest] = [...TASK_SCHEMAS.values()];
export const taskSchema = z.union([first!, second!, ...rest]);

export const playbookSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  roles: namedRecord(z.string(), z.array(taskSchema)),
});

/** One task: `{ KEY: VALUE }` with KEY a module's key. */
export type TaskSpec = Record<string, unknown>;
export type Playbook = { name: string; description?: string; roles: Record<string, TaskSpec[]> };
