// The playbook's shape: for each role, an ordered list of tasks, each naming one module of the registry.
import { z } from 'zod';
import { MODULES } from '../modules/registry.js';

const one = (key: string, value: z.ZodType) => z.strictObject({ [key]: value });

const [first, second, ...rest] = MODULES.map((m) => one(m.key, m.schema));
export const taskSchema = z.union([first!, second!, ...rest]);

export const playbookSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  roles: z.record(z.string(), z.array(taskSchema)),
});

/** One task: `{ KEY: VALUE }` with KEY a module's key. */
export type TaskSpec = Record<string, unknown>;
export type Playbook = { name: string; description?: string; roles: Record<string, TaskSpec[]> };
