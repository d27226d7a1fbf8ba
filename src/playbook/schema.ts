// The playbook's shape: for each role, an ordered list of tasks, each naming one module of the registry.
import { z } from 'zod';
import { MODULES } from '../modules/registry.js';
import { namedRecord } from '../spec/records.js';

/** A step id: the course's numbering, e.g. `1`, `1.2`, `2.3.1`. */
export const STEP_ID = /^[0-9]+(\.[0-9]+)*$/;
const stepId = z.string().regex(STEP_ID, 'a step id is numbers joined by dots, e.g. "1.3"');

/** A task's key is its module; `step` says which of the playbook's steps it belongs to. */
const one = (key: string, value: z.ZodType) => z.strictObject({ [key]: value, step: stepId.optional() });

/** Each module's task schema, by its key: a task is checked against its own module's for precise errors. */
export const TASK_SCHEMAS: ReadonlyMap<string, ReturnType<typeof one>> = new Map(MODULES.map((m) => [m.key, one(m.key, m.schema)]));

const [first, second, ...rest] = [...TASK_SCHEMAS.values()];
export const taskSchema = z.union([first!, second!, ...rest]);

/** Text the reader sees in their language: English, and Simplified Chinese when the lab's author wrote it. */
const text = z.union([z.string().min(1), z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1).optional() })]);
export type Text = z.infer<typeof text>;

/**
 * One of the course's steps, in the order a student does them by hand. Its tasks are those marked `step: ID`; `verify`
 * adds the checks of the spec's verify section that prove it from outside (`balancing`, or `KIND/ID` for one check).
 */
const stepSchema = z.strictObject({
  id: stepId,
  title: text,
  /** Earlier steps it builds on: while one is not done, this step waits instead of failing on its own. */
  needs: z.array(stepId).optional(),
  verify: z.array(z.string().regex(/^[a-z-]+(\/[a-zA-Z0-9._*-]+)?$/, 'a check is KIND or KIND/ID (* matches any part of an id), e.g. balancing, real-servers/page, director/reaches-*')).optional(),
  /** Where to look (the second hint): {host} is the host the step is unfinished on. */
  look: text.optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const playbookSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  /** The course's steps, in order (tutor mode: lab progress, lab hint, lab up --until). */
  steps: z.array(stepSchema).optional(),
  roles: namedRecord(z.string(), z.array(taskSchema)),
});

/** One task: `{ KEY: VALUE }` with KEY a module's key, and optionally `step: ID`. */
export type TaskSpec = Record<string, unknown>;
export type Playbook = { name: string; description?: string; steps?: Step[]; roles: Record<string, TaskSpec[]> };
