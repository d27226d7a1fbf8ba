// The playbook's shape: for each role, an ordered list of tasks, each naming one module.
import { z } from 'zod';

const one = <K extends string, T extends z.ZodType>(key: K, value: T) => z.strictObject({ [key]: value } as { [P in K]: T });

export const taskSchema = z.union([
  one('package', z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/)).min(1).describe('Logical package names, e.g. httpd (apache2 on Debian).')),
  one('file', z.strictObject({ path: z.string().regex(/^[{/]/, { error: 'expected an absolute path' }), content: z.string(), mode: z.string().regex(/^0?[0-7]{3}$/).default('0644') })),
  one('service', z.strictObject({ name: z.string().min(1), started: z.boolean().default(true), enabled: z.boolean().default(true) })),
  one('sysctl', z.record(z.string().regex(/^[a-z0-9_.-]+$/), z.union([z.string(), z.number()]).transform(String))),
  one('connection', z.strictObject({})),
  one('firewall', z.strictObject({ default_zone: z.string().regex(/^[A-Za-z0-9_-]+$/) })),
  one('selinux', z.strictObject({ mode: z.enum(['enforcing', 'permissive']) })),
  one('ipvs', z.strictObject({})),
  one('kmod', z.array(z.string().regex(/^[a-z0-9_-]+$/)).min(1).describe('Kernel modules to load now and at boot.')),
]);

export const playbookSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  roles: z.record(z.string(), z.array(taskSchema)),
});

export type TaskSpec = z.output<typeof taskSchema>;
export type Playbook = z.output<typeof playbookSchema>;
