// Shared by the spec tests: what validation says of a spec text, and where a line is.
import { SpecError } from '../../src/errors.js';
import { parseLab } from '../../src/spec/load.js';

/** The problem lines validation gives for a spec text (as labs/x.yaml), or [] when it validates. */
export function specProblems(text: string): string[] {
  try {
    parseLab('labs/x.yaml', text);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

/** The 1-based number of the first line containing `needle`. */
export const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
