// package: install what is missing with the OS's package manager, in one command.
import { z } from 'zod';
import type { Module } from './types.js';

export interface PackageTask {
  names: string[];
}

export const packageModule: Module<PackageTask> = {
  key: 'package',
  schema: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/)).min(1).describe('Logical package names, e.g. httpd (apache2 on Debian).'),
  bind: (raw: string[]) => ({ names: raw }),
  names: (t) => ({ packages: t.names }),
  label: (t) => `package ${t.names.join(' ')}`,
  desired: (t) => t.names.map((n) => `package:${n}`),
  plan(task, { facts, os }) {
    const missing = task.names.map((n) => os.packages[n] ?? n).filter((p) => !facts.packages.get(p));
    if (missing.length === 0) return [];
    return [{ title: `install ${missing.join(', ')}`, commands: [os.install(missing)] }];
  },
  // Packages stay installed: the course's starting point has them or not, and removing them is slow and rarely wanted.
  down: () => [],
};
