// Find, read and validate a lab spec: schema first, then cross-reference rules, all with file:line:col.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { checkRules } from './rules.js';
import { labSchema, type Lab } from './schema.js';
import { capLines, issueLines, locate, parseYaml, readYaml, type SourceDoc } from './yaml.js';

/** The folder this package is installed in (holds labs/, playbooks/, schema/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LoadedLab {
  lab: Lab;
  file: string;
  src: SourceDoc;
}

/** A lab name (labs/NAME.yaml, here or in the package) or a path to a spec. */
export function resolveLabPath(arg: string): string {
  if (arg.includes('/') || arg.endsWith('.yaml') || arg.endsWith('.yml')) {
    if (!existsSync(arg)) throw new UsageError(t('spec.noSuchSpec', { arg }));
    return arg;
  }
  for (const dir of [process.cwd(), PACKAGE_ROOT]) {
    const p = join(dir, 'labs', `${arg}.yaml`);
    if (existsSync(p)) return relative(process.cwd(), p) || p;
  }
  throw new UsageError(t('spec.noLabNamed', { name: arg, path: `labs/${arg}.yaml` }));
}

export async function loadLab(arg: string): Promise<LoadedLab> {
  const file = resolveLabPath(arg);
  return validateLab(await readYaml(file));
}

export function parseLab(file: string, text: string): LoadedLab {
  return validateLab(parseYaml(file, text));
}

/** The problem lines validation gives for a spec text, or [] when it validates (tests and bench:spec). */
export function specProblems(file: string, text: string): string[] {
  try {
    parseLab(file, text);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

function validateLab(src: SourceDoc): LoadedLab {
  const parsed = labSchema.safeParse(src.data);
  if (!parsed.success) throw new SpecError(issueLines(src, parsed.error.issues, labSchema));
  const problems = checkRules(parsed.data);
  if (problems.length > 0) throw new SpecError(capLines(problems.map((p) => () => `${locate(src, p.path)}: ${p.path.join('.')}: ${p.message}`)));
  return { lab: parsed.data, file: src.file, src };
}
